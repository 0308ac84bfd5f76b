"""Municipality pages under load: p50/p99 latency and pages/s at 8 concurrent clients,
served the way production serves them: ``python -m regiograph serve`` (gunicorn,
``server.workers`` x ``server.threads``) with the embedded Oxigraph, configured by
``REGIOGRAPH_*`` environment variables, on a free loopback port.

Quick mode (default): the demo region (~30k triples). Full mode: ``--municipalities N``
generates a region (districts of 50 municipalities, a project per 5 municipalities, 7
indicators x 20 years of observations per municipality: ~980 triples each, ~95 % of them
observations; 5,100 municipalities ≈ 5M triples) and loads it in bounded pieces.

Measured in one run, each against a freshly started server:
  cached      pages with the rendered-page cache (default settings), every page once
              warmed, then requested round-robin (the hot set is --hot pages)
  revalidate  the same with If-None-Match (browsers and proxies that keep a copy: 304)
  uncached    the page cache off (``pages.cache_entries = 0``): every request rendered
  peer        the same resources' RDF documents (/data/….ttl, one CONSTRUCT each)

    .venv/bin/python bench/pages_municipality.py [--municipalities N] [--clients 8]
        [--seconds 10] [--workers 2] [--threads 4] [--hot 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from regiograph import config as configuration
from regiograph.loader import demo
from regiograph.runtime import open_store
from regiograph.store.supervisor import free_port

sys.path.insert(0, str(Path(__file__).parent))
import pages_region as region  # the generator beside this script

RG = "https://w3id.org/regiograph/ontology#"


def prepare(data_dir: Path, municipalities: int) -> tuple[list[str], int]:
    """Load the region into the data directory (once: a second run with the same
    ``--data-dir`` reuses it); municipality keys and the triple count."""
    done = data_dir / "bench-region.json"
    if done.exists():
        saved = json.loads(done.read_text())
        return saved["keys"], saved["triples"]
    cfg = configuration.load(None, environ={}).with_overrides(data_dir=str(data_dir))
    with open_store(cfg) as (cfg, store):
        if municipalities:
            # counted while generating: counting 5M triples in the store hits its time limit
            triples = region.load(store, cfg.base_iri, municipalities)
        else:
            demo.load(cfg, store)
            triples = store.triple_count()
        rows = store.select(f"SELECT ?m WHERE {{ ?m a <{RG}Municipality> }}")
        keys = sorted(r["m"].value.removeprefix(cfg.base_iri + "id/") for r in rows)
    done.write_text(json.dumps({"keys": keys, "triples": triples}))
    return keys, triples


class Server:
    """``python -m regiograph serve`` in a child process, for the duration of a block."""

    def __init__(self, data_dir: Path, workers: int, threads: int, **settings: str):
        self.port = free_port()
        self.env = {
            **os.environ,
            "REGIOGRAPH_DATA_DIR": str(data_dir),
            "REGIOGRAPH_SERVER_PORT": str(self.port),
            "REGIOGRAPH_SERVER_WORKERS": str(workers),
            "REGIOGRAPH_SERVER_THREADS": str(threads),
            **settings,
        }
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / f"serve-{self.port}.log"  # read it when a request fails

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "regiograph", "serve"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                # a static file: /healthz counts every triple (seconds at 5M)
                if requests.get(self.base + "/static/style.css", timeout=10).ok:
                    # a few single requests first: concurrent first requests in a fresh
                    # worker raced in the metrics registration (HTTP 500, ops/metrics)
                    for _ in range(12):
                        requests.get(self.base + "/static/style.css", timeout=10)
                    return self
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                sys.exit(f"regiograph serve exited with {self.process.returncode}")
            time.sleep(0.3)
        sys.exit("regiograph serve did not answer within 120 s")

    def __exit__(self, kind, *exc) -> None:
        if kind is not None:
            lines = self.log.read_text(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(x for x in lines if "regiograph.access" not in x)[-6000:])
        self.process.terminate()  # gunicorn's arbiter stops its workers, then the store
        self.process.wait(timeout=60)


def run(base: str, paths: list[str], clients: int, seconds: float, headers=None) -> dict:
    """Each client requests ``paths`` round-robin from its own offset until time is up."""
    latencies: list[float] = []
    queries: list[int] = []
    statuses: set[int] = set()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        session = requests.Session()
        i = offset * max(1, len(paths) // clients)
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)]
            started = time.perf_counter()
            response = session.get(base + path, headers=(headers or {}).get(path), timeout=60)
            elapsed = time.perf_counter() - started
            if response.status_code not in (200, 304):
                sys.exit(f"{path}: HTTP {response.status_code}")
            with lock:
                latencies.append(elapsed)
                queries.append(int(response.headers.get("X-Store-Queries", 0)))
                statuses.add(response.status_code)
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(latencies, queries, time.perf_counter() - started, statuses)


def summary(latencies: list[float], queries: list[int], wall: float, statuses) -> dict:
    latencies.sort()
    return {
        "n": len(latencies),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "per_s": len(latencies) / wall,
        "queries": statistics.mean(queries),
        "statuses": sorted(statuses),
    }


def warm(base: str, paths: list[str], clients: int) -> dict[str, dict]:
    """Every page once per client, concurrently so that every worker process builds its
    search index and compiles its templates; the ETag of each page, for the revalidation
    run, and the store queries of a rendering."""
    tags: dict[str, dict] = {}
    queries: list[int] = []

    def client(offset: int) -> None:
        session = requests.Session()
        # each client from its own place in the list: all eight asking for one page at
        # once would all miss the cache and render it together
        for path in paths[offset:] + paths[:offset]:
            response = session.get(base + path, timeout=600)
            if not response.ok:
                failures.append(f"{path}: HTTP {response.status_code}")
                continue
            if "ETag" in response.headers:
                tags[path] = {"If-None-Match": response.headers["ETag"]}
            if response.headers.get("X-Cache") != "hit":
                queries.append(int(response.headers.get("X-Store-Queries", 0)))

    failures: list[str] = []
    step = max(1, len(paths) // clients)
    threads = [threading.Thread(target=client, args=(n * step,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"warming up: {failures[:3]}")
    return {"tags": tags, "queries": statistics.mean(queries) if queries else 0.0}


def measure(data_dir: Path, keys: list[str], args) -> dict[str, dict]:
    rng = random.Random(6)
    hot = [f"/page/{k}" for k in rng.sample(keys, min(args.hot, len(keys)))]
    cold = [f"/page/{k}" for k in rng.sample(keys, len(keys))]  # every one, shuffled
    data = [f"/data/{k}.ttl" for k in keys]
    results: dict[str, dict] = {}
    off = {"REGIOGRAPH_PAGES_CACHE_ENTRIES": "0"} if args.cache_setting else {}
    with Server(data_dir, args.workers, args.threads, **off) as server:
        warm(server.base, cold[:10], args.clients)  # index and templates; few pages
        results["uncached"] = run(server.base, cold, args.clients, args.seconds)
        results["peer: /data/….ttl"] = run(server.base, data, args.clients, args.seconds)
    if not args.cache_setting:
        return results
    with Server(data_dir, args.workers, args.threads) as server:
        warmed = warm(server.base, hot, args.clients)  # each worker fills its own cache
        results["cached"] = run(server.base, hot, args.clients, args.seconds)
        results["revalidate (304)"] = run(
            server.base, hot, args.clients, args.seconds, headers=warmed["tags"]
        )
        results["first rendering"] = {"queries": warmed["queries"]}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=0, help="0: the demo region")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--hot", type=int, default=200, help="pages in the cached runs")
    parser.add_argument("--data-dir", type=Path, help="keep the loaded region here (reused)")
    parser.add_argument(
        "--no-cache-setting",
        dest="cache_setting",
        action="store_false",
        help="for a checkout without pages.cache_entries: measure the plain path only",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="regiograph-bench-") as folder:
        data_dir = args.data_dir or Path(folder)
        started = time.perf_counter()
        keys, triples = prepare(data_dir, args.municipalities)
        loaded = time.perf_counter() - started
        results = measure(data_dir, keys, args)
    report(args, len(keys), triples, loaded, results)


def report(args, municipalities: int, triples: int, loaded: float, results: dict) -> None:
    load = os.getloadavg()[0]
    print(
        f"municipality pages: {municipalities:,} municipalities, {triples:,} triples "
        f"(loaded in {loaded:.0f} s); gunicorn {args.workers} workers x {args.threads} "
        f"threads; {args.clients} clients, {args.seconds:.0f} s per run; "
        f"load average before: {load:.1f}"
    )
    for name, r in results.items():
        if "n" not in r:
            print(f"  {name:20} store queries/page={r['queries']:.1f}")
            continue
        print(
            f"  {name:20} n={r['n']:6d}  p50={r['p50_ms']:7.1f} ms  p99={r['p99_ms']:7.1f} ms  "
            f"{r['per_s']:7.1f}/s  store queries/request={r['queries']:.1f}  "
            f"HTTP {'/'.join(map(str, r['statuses']))}"
        )
    print(f"  load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
