"""The statistics explorer under 8 clients: p50 per selection, against the store asked directly.

Each client asks for whole /statistics pages (chart with breaks, choropleth classes, a page of
the table or of a pivot: every part a selection costs) served as production serves them
(``regiograph serve``: gunicorn with ``server.workers`` processes of ``server.threads``
threads), each time another selection: a district, a view (table, municipality x year,
municipality x indicator), a sort and a page. The same clients then send the store (the
served store over HTTP, no app in between) the SPARQL of the same selections
(stats-population-development: one district's values per year). Compare the ratio, not
absolute times across runs.

    .venv/bin/python bench/explorer.py                      # 2,000 municipalities x 10 x 15
    .venv/bin/python bench/explorer.py --municipalities 11000 --indicators 20
    .venv/bin/python bench/explorer.py --data-dir DIR       # a harvested, warmed data directory
                                                            # (bench/national.py --data-dir DIR)
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))

from stats_aggregates import BASE, IND, generate, load_oxigraph  # noqa: E402

from conftest import make_config  # noqa: E402
from regiograph import derived, savedqueries  # noqa: E402
from regiograph.bundled import data_dir  # noqa: E402
from regiograph.config import load as load_config  # noqa: E402
from regiograph.loader import vocabulary  # noqa: E402
from regiograph.runtime import open_store  # noqa: E402
from regiograph.store.binding import bind  # noqa: E402
from regiograph.store.supervisor import LOCK_FILE, free_port  # noqa: E402

RG = "https://w3id.org/regiograph/ontology#"
VIEWS = (("table", "name"), ("years", ""), ("indicators", ""), ("table", "-value"))


def selections(districts: int | list[str], years: int, count: int, first: int = 2010) -> list[dict]:
    """``count`` different explorer selections, cycling districts (the generated region's
    ``districts`` keys, or these IRIs), views, sorts and pages."""
    last = first + years - 1
    out = []
    for k in range(count):
        view, sort = VIEWS[k % len(VIEWS)]
        district = (
            districts[k % len(districts)]
            if isinstance(districts, list)
            else f"{BASE}id/district/{k % districts:05d}"
        )
        selection = {
            "indicator": IND + "population",
            "district": district,
            "from": str(first + k % 3),
            "to": str(last - k % 2),
            "view": view,
        }
        if sort:
            selection["sort"] = sort
        out.append(selection)
    return out


def flood(clients: int, calls: list) -> list[float]:
    """Milliseconds of each call, ``clients`` threads taking calls from one list."""
    times: list[float] = []
    lock = threading.Lock()
    queue = list(calls)

    def worker() -> None:
        session = requests.Session()
        session.trust_env = False
        while True:
            with lock:
                if not queue:
                    return
                call = queue.pop()
            start = time.perf_counter()
            call(session)
            with lock:
                times.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def page_call(url: str, params: dict):
    def call(session) -> None:
        response = session.get(url + "/statistics", params=params, timeout=600)
        assert response.status_code == 200, response.text[:300]
        assert 'id="choropleth"' in response.text

    return call


def store_call(url: str, query: str):
    def call(session) -> None:
        response = session.post(
            url,
            data={"query": query},
            timeout=600,
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, response.text[:300]
        response.json()

    return call


def direct_query(cfg, store, catalog, selection: dict) -> str:
    query = catalog.get("stats-population-development")
    district = selection["district"].removeprefix(BASE)
    values = {"district": district, "fromYear": selection["from"], "toYear": selection["to"]}
    return bind(query.text, savedqueries.bindings(query, values, store, cfg.base_iri))


def quantiles(times: list[float]) -> str:
    ordered = sorted(times)

    def at(share: float) -> float:
        return ordered[max(0, round(share * len(ordered)) - 1)]

    return (
        f"p50 {statistics.median(ordered):.1f} ms, p90 {at(0.9):.1f} ms, "
        f"p95 {at(0.95):.1f} ms ({len(ordered)} requests)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=10)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument(
        "--workers", type=int, help="web processes (default: server.workers, as serve uses)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="serve this harvested and warmed data directory (e.g. the national layer of "
        "bench/national.py --data-dir) instead of a generated region",
    )
    args = parser.parse_args()
    if args.data_dir:
        existing(args)
        return
    with tempfile.TemporaryDirectory(prefix="explorer-bench-") as work:
        data = Path(work) / "region.nt"
        triples = generate(data, args.municipalities, args.indicators, args.years)
        print(
            f"{triples:,} triples: {args.municipalities:,} municipalities x {args.indicators} "
            f"indicators x {args.years} years"
        )
        chosen = selections(max(1, args.municipalities // 25), args.years, args.requests)
        cfg = make_config(Path(work) / "rg")
        with open_store(cfg) as (live, store):
            start = time.perf_counter()
            load_oxigraph(store, data)
            print(f"Oxigraph load: {time.perf_counter() - start:.1f} s")
            # as the writing process does after a change: serve then finds everything current
            vocabulary.publish(live, store)
            print(derived.summary(derived.warm(live, store)))
            catalog = savedqueries.load_catalog(data_dir("queries"))
            direct = [direct_query(live, store, catalog, p) for p in chosen]
        with served(cfg, args.workers, Path(work)) as (url, query_url):
            run(url, query_url, chosen, direct, args.clients)


def existing(args) -> None:
    """The same runs on a data directory that is there: its districts in turn, 2009 to
    2023 (the Gemeindeverzeichnis' Stichtage), population."""
    cfg = load_config(None, environ={}).with_overrides(data_dir=str(args.data_dir.resolve()))
    with open_store(cfg) as (live, store):
        rows = store.select(f"SELECT ?d WHERE {{ ?d a <{RG}District> }} ORDER BY ?d")
        districts = [row["d"].value for row in rows]
        triples = store.triple_count()
        chosen = selections(districts, 15, args.requests, first=2009)
        catalog = savedqueries.load_catalog(data_dir("queries"))
        direct = [direct_query(live, store, catalog, p) for p in chosen]
    print(f"{args.data_dir}: {triples:,} triples, {len(districts)} districts")
    with (
        tempfile.TemporaryDirectory(prefix="explorer-bench-") as work,
        served(cfg, args.workers, Path(work)) as (url, query_url),
    ):
        run(url, query_url, chosen, direct, args.clients)


@contextmanager
def served(cfg, workers: int | None, work: Path) -> Iterator[tuple[str, str]]:
    """``regiograph serve`` on the bench's data directory, as production runs it (gunicorn,
    ``server.workers`` processes); yields its URL and its store's query URL."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("REGIOGRAPH_")}
    environ |= {"REGIOGRAPH_DATA_DIR": str(cfg.data_path), "REGIOGRAPH_SITE_BASE_IRI": BASE}
    if workers:
        environ["REGIOGRAPH_SERVER_WORKERS"] = str(workers)
    print(f"web processes: {workers or load_config(None, environ={})['server.workers']}")
    log = work / "serve.log"
    command = [sys.executable, "-m", "regiograph", "serve", "--host", "127.0.0.1"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], env=environ, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        while not _answers(url + "/healthz"):
            if process.poll() is not None:
                raise SystemExit("serve ended:\n" + log.read_text())
            time.sleep(0.3)
        # serve's own warm-up (a spawned child) finds everything current; wait for it
        while "derived data: statistics mirror" not in log.read_text():
            time.sleep(0.3)
        lock = json.loads((cfg.data_path / LOCK_FILE).read_text())
        yield url, lock["query_url"]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def run(url: str, query_url: str, chosen: list[dict], direct: list[str], clients: int) -> None:
    for params in chosen[:8]:  # each process's form options, cube list and shapes
        page_call(url, params)(requests)
    alone = flood(1, [page_call(url, p) for p in chosen[:100]])
    ours = flood(clients, [page_call(url, p) for p in chosen])
    asked = [store_call(query_url, query) for query in direct]
    flood(clients, asked[:8])
    theirs = flood(clients, asked)
    print(f"explorer pages, 1 client: {quantiles(alone)}")
    print(f"explorer pages, {clients} clients: {quantiles(ours)}")
    print(f"store asked directly, {clients} clients: {quantiles(theirs)}")
    print(
        f"ratio store / explorer at p50: {statistics.median(theirs) / statistics.median(ours):.1f}"
    )


if __name__ == "__main__":
    main()
