"""Municipality pages under load: p50/p99 latency and pages/s at 8 concurrent clients.

Quick mode (default): the demo region (Metropolregion Rhein-Neckar, ~30k triples), served by
the app from its factory behind a threaded WSGI server on loopback, against the embedded
Oxigraph. Peer in the same run: the same resources' RDF documents (/data/….ttl, one CONSTRUCT),
so the ratio shows what rendering a page costs on top of the store.

    .venv/bin/python bench/pages_municipality.py [--clients 8] [--seconds 10]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time

import requests
from werkzeug.serving import make_server

from regiograph import config as configuration
from regiograph import demo
from regiograph.runtime import open_store
from regiograph.server import create_app


def run(base: str, paths: list[str], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    queries: list[int] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        session = requests.Session()
        i = offset
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = session.get(base + paths[i % len(paths)], timeout=30)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                sys.exit(f"{paths[i % len(paths)]}: HTTP {response.status_code}")
            with lock:
                latencies.append(elapsed)
                queries.append(int(response.headers.get("X-Store-Queries", 0)))
            i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "n": len(latencies),
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "per_s": len(latencies) / wall,
        "queries": statistics.mean(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    cfg = configuration.load(None, environ={}).with_overrides(
        data_dir=tempfile.mkdtemp(prefix="regiograph-bench-")
    )
    with open_store(cfg) as (cfg, store):
        demo.load(cfg, store)
        rows = store.select(
            "SELECT ?m WHERE { ?m a <https://w3id.org/regiograph/ontology#Municipality> }"
        )
        keys = [r["m"].value.removeprefix(cfg.base_iri + "id/") for r in rows]
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        server = make_server("127.0.0.1", 0, create_app(cfg, store), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        for key in keys:  # warm up: templates compiled, search index built
            requests.get(f"{base}/page/{key}", timeout=60)
        pages = run(base, [f"/page/{k}" for k in keys], args.clients, args.seconds)
        data = run(base, [f"/data/{k}.ttl" for k in keys], args.clients, args.seconds)
        server.shutdown()
    print(
        f"municipality pages: {len(keys)} municipalities, {args.clients} clients, "
        f"{args.seconds:.0f} s each"
    )
    for name, result in (("page (HTML)", pages), ("peer: /data/….ttl", data)):
        print(
            f"  {name:20} n={result['n']:5d}  p50={result['p50_ms']:6.1f} ms  "
            f"p99={result['p99_ms']:6.1f} ms  {result['per_s']:6.1f}/s  "
            f"store queries/request={result['queries']:.1f}"
        )
    print(f"  ratio page/data p50: {pages['p50_ms'] / data['p50_ms']:.1f}x")


if __name__ == "__main__":
    main()
