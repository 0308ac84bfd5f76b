"""The statistics explorer under 8 clients: p50 per selection, against the store asked directly.

Each client asks for whole /statistics pages (chart with breaks, choropleth classes, a page of
the table or of a pivot: every part a selection costs) over a real loopback HTTP server, each
time another selection: a district, a view (table, municipality x year, municipality x
indicator), a sort and a page. The same clients then send the store (Oxigraph over HTTP, no app
in between) the SPARQL of the same selections (stats-population-development: one district's
values per year). Compare the ratio, not absolute times across runs.

    .venv/bin/python bench/explorer.py                      # 2,000 municipalities x 10 x 15
    .venv/bin/python bench/explorer.py --municipalities 11000 --indicators 20
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "tests"))

from stats_aggregates import BASE, IND, generate, load_oxigraph  # noqa: E402

from conftest import make_config  # noqa: E402
from livesite import live_server  # noqa: E402
from regiograph import savedqueries  # noqa: E402
from regiograph.bundled import data_dir  # noqa: E402
from regiograph.runtime import open_store  # noqa: E402
from regiograph.server import create_app  # noqa: E402
from regiograph.store.binding import bind  # noqa: E402

VIEWS = (("table", "name"), ("years", ""), ("indicators", ""), ("table", "-value"))


def selections(districts: int, years: int, count: int) -> list[dict]:
    """``count`` different explorer selections, cycling districts, views, sorts and pages."""
    last = 2010 + years - 1
    out = []
    for k in range(count):
        view, sort = VIEWS[k % len(VIEWS)]
        selection = {
            "indicator": IND + "population",
            "district": f"{BASE}id/district/{k % districts:05d}",
            "from": str(2010 + k % 3),
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
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms ({len(ordered)} requests)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=10)
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="explorer-bench-") as work:
        data = Path(work) / "region.nt"
        triples = generate(data, args.municipalities, args.indicators, args.years)
        print(
            f"{triples:,} triples: {args.municipalities:,} municipalities x {args.indicators} "
            f"indicators x {args.years} years"
        )
        with open_store(make_config(Path(work) / "rg")) as (cfg, store):
            start = time.perf_counter()
            load_oxigraph(store, data)
            print(f"Oxigraph load: {time.perf_counter() - start:.1f} s")
            run(cfg, store, args)


def run(cfg, store, args) -> None:
    app = create_app(cfg, store)
    start = time.perf_counter()
    app.extensions["regiograph.statistics"].status()
    print(f"mirror built in {time.perf_counter() - start:.1f} s")
    chosen = selections(max(1, args.municipalities // 25), args.years, args.requests)
    catalog = savedqueries.load_catalog(data_dir("queries"))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with live_server(app) as url:
        for params in chosen[:8]:  # form options, cube list and shapes: once per data version
            page_call(url, params)(requests)
        ours = flood(args.clients, [page_call(url, p) for p in chosen])
        alone = flood(1, [page_call(url, p) for p in chosen[:100]])
    direct = [
        store_call(cfg["store.query_url"], direct_query(cfg, store, catalog, p)) for p in chosen
    ]
    flood(args.clients, direct[:8])
    theirs = flood(args.clients, direct)
    print(f"explorer pages, 1 client: {quantiles(alone)}")
    print(f"explorer pages, {args.clients} clients: {quantiles(ours)}")
    print(f"store asked directly, {args.clients} clients: {quantiles(theirs)}")
    print(
        f"ratio store / explorer at p50: {statistics.median(theirs) / statistics.median(ours):.1f}"
    )


if __name__ == "__main__":
    main()
