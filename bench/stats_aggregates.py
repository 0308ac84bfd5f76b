"""Statistics requests answered from the DuckDB mirror versus Virtuoso (and Oxigraph) live.

One run, one generated region, the same questions: each saved statistics query and the
explorer's tidy download, as full HTTP requests through the app (validation, DuckDB,
serialisation) against the same SPARQL text with the same bound values sent to a private
Virtuoso 7 (../shared/bench/virtuoso.md) and to the embedded Oxigraph. Compare ratios, never
absolute times across runs.

    .venv/bin/python bench/stats_aggregates.py            # quick: 1,000 municipalities
    .venv/bin/python bench/stats_aggregates.py --full     # ~11,000 x 20 indicators x 15 years
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from pyoxigraph import RdfFormat, parse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import virtuoso  # noqa: E402  (tests/virtuoso.py: the private Virtuoso launcher)
from conftest import make_config  # noqa: E402
from regiograph import savedqueries  # noqa: E402
from regiograph.bundled import data_dir  # noqa: E402
from regiograph.runtime import open_store  # noqa: E402
from regiograph.server import create_app  # noqa: E402
from regiograph.statistics import Mirror  # noqa: E402
from regiograph.store.binding import bind  # noqa: E402

BASE = "http://localhost:8080/"
GRAPH = BASE + "graph/bench-statistics"
RG = "https://w3id.org/regiograph/ontology#"
IND = "https://w3id.org/regiograph/concepts/indicator/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"
QB = "http://purl.org/linked-data/cube#"
SDMX = "http://purl.org/linked-data/sdmx/2009/"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def generate(path: Path, municipalities: int, indicators: int, years: int) -> int:
    """A region as N-Triples: districts of 25 municipalities, one cube of all indicators."""
    count = 0
    names = ["population"] + [f"generated-{k}" for k in range(1, indicators)]
    with path.open("w", encoding="utf-8") as out:
        for name in names:
            concept = f"<{IND}{name}>"
            out.write(
                f"{concept} <{SKOS}inScheme> <{IND[:-1]}> .\n"
                f'{concept} <{SKOS}prefLabel> "{name}"@de .\n'
            )
        size_classes = ROOT / "ontology" / "concepts" / "size-class.ttl"
        for triple in parse(path=str(size_classes), format=RdfFormat.TURTLE):
            out.write(f"{triple} .\n")
        cube = f"<{BASE}id/cube/bench>"
        out.write(
            f"{cube} {RDF_TYPE} <{QB}DataSet> .\n"
            f"{cube} <{QB}structure> <{RG}indicatorStructure> .\n"
        )
        for m in range(municipalities):
            district = f"{m // 25:05d}"
            ags = f"{district}{m % 25:03d}"
            area = f"<{BASE}id/municipality/{ags}>"
            out.write(
                f'{area} {RDF_TYPE} <{RG}Municipality> .\n{area} <{RG}ags> "{ags}" .\n'
                f'{area} {LABEL} "Gemeinde {ags}"@de .\n'
                f"{area} <{RG}district> <{BASE}id/district/{district}> .\n"
                f'{area} <{RG}population> "{1000 + m * 37 % 90000}"^^<{XSD}integer> .\n'
            )
            count += 5
            if m % 25 == 0:
                d = f"<{BASE}id/district/{district}>"
                out.write(f'{d} {RDF_TYPE} <{RG}District> .\n{d} {LABEL} "Kreis {district}"@de .\n')
            for i, name in enumerate(names):
                for y in range(years):
                    obs = f"<{BASE}id/observation/{name}/{ags}/{2010 + y}>"
                    value = (
                        1000 + m * 37 % 90000 + y * 11 if i == 0 else (m * 7 + i * 13 + y) % 1000
                    )
                    out.write(
                        f"{obs} {RDF_TYPE} <{QB}Observation> .\n{obs} <{QB}dataSet> {cube} .\n"
                        f"{obs} <{SDMX}dimension#refArea> {area} .\n"
                        f"{obs} <{RG}indicator> <{IND}{name}> .\n"
                        f'{obs} <{RG}refPeriod> "{2010 + y}"^^<{XSD}gYear> .\n'
                        f'{obs} <{SDMX}measure#obsValue> "{value}.0"^^<{XSD}decimal> .\n'
                    )
                    count += 6
    return count


def questions(municipalities: int, years: int) -> list[tuple[str, str, dict]]:
    """(label, saved query or explorer path, parameters)."""
    last = str(2010 + years - 1)
    return [
        (
            "cross-municipal aggregate by district",
            "stats-district-aggregate",
            {"indicator": IND + "population", "year": last},
        ),
        ("average of every indicator over all observations", "stats-indicator-averages", {}),
        (
            "population development of one district",
            "stats-population-development",
            {"district": "id/district/00001", "fromYear": "2010", "toYear": last},
        ),
        (
            "profile of one municipality",
            "stats-municipality-profile",
            {"ags": "00001003", "year": last},
        ),
        (
            "mean by size class and year",
            "stats-size-class-comparison",
            {"indicator": IND + "population"},
        ),
    ]


def median_ms(call, runs: int) -> tuple[float, int]:
    call()  # warm caches on every side alike
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), size


def sparql_call(url: str, query: str):
    session = requests.Session()
    session.trust_env = False

    def call() -> int:
        response = session.post(
            url,
            data={"query": query},
            timeout=600,
            headers={"Accept": "application/sparql-results+json"},
        )
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
        return len(response.json()["results"]["bindings"])

    return call


def app_call(client, path: str, params: dict):
    def call() -> int:
        response = client.get(path, query_string=params)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return len(response.get_json()) if response.is_json else response.data.count(b"\n") - 1

    return call


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_oxigraph(store, data: Path, chunk_lines: int = 400_000) -> None:
    with data.open("rb") as source:
        while True:
            lines = source.readlines(chunk_lines * 120)
            if not lines:
                break
            store.add_to_graph(GRAPH, b"".join(lines), unsafe_bulk=True)


def load_virtuoso(server, data: Path) -> float:
    start = time.perf_counter()
    server.isql(f"ld_dir('{data.parent}', '{data.name}', '{GRAPH}'); rdf_loader_run(); checkpoint;")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="~11,000 x 20 x 15 (about 20M triples)")
    parser.add_argument("--runs", type=int, default=0, help="timed runs per question")
    args = parser.parse_args()
    logging.basicConfig(format="%(asctime)s %(message)s", level=logging.WARNING)
    logging.getLogger("regiograph.statistics").setLevel(logging.INFO)  # build steps, timed
    municipalities, indicators, years = (11000, 20, 15) if args.full else (1000, 10, 10)
    runs = args.runs or (3 if args.full else 7)
    if not virtuoso.available():
        sys.exit("Virtuoso (virtuoso-opensource) is not installed; see ../shared/bench/virtuoso.md")
    with tempfile.TemporaryDirectory(prefix="stats-bench-") as work:
        run(Path(work), municipalities, indicators, years, runs)


def run(work: Path, municipalities: int, indicators: int, years: int, runs: int) -> None:
    data = work / "data" / "region.nt"
    data.parent.mkdir()
    start = time.perf_counter()
    triples = generate(data, municipalities, indicators, years)
    print(
        f"generated {triples:,} triples ({municipalities:,} municipalities x {indicators} "
        f"indicators x {years} years) in {time.perf_counter() - start:.1f} s"
    )
    server = virtuoso.start(
        work / "virtuoso",
        free_port(),
        free_port(),
        data_dir=data.parent,
        buffers=340000 if municipalities > 5000 else 170000,
    )
    try:
        print(f"Virtuoso bulk load: {load_virtuoso(server, data):.1f} s")
        with open_store(make_config(work / "rg")) as (cfg, store):
            start = time.perf_counter()
            load_oxigraph(store, data)
            print(f"Oxigraph load: {time.perf_counter() - start:.1f} s")
            compare(cfg, store, server.sparql_url, municipalities, years, runs)
            build_from_virtuoso(work, server)
    finally:
        server.stop()


def compare(cfg, store, virtuoso_url: str, municipalities: int, years: int, runs: int) -> None:
    app = create_app(cfg, store)
    client = app.test_client()
    mirror = app.extensions["regiograph.statistics"]
    start = time.perf_counter()
    mirror.status()
    print(
        f"statistics mirror built in {time.perf_counter() - start:.1f} s "
        f"({mirror.status()['observations']} observations)\n"
    )
    catalog = savedqueries.load_catalog(data_dir("queries"))
    print(
        "| request | regiograph (mirror, full HTTP request) ms | Virtuoso ms | Oxigraph live ms "
        "| Virtuoso / regiograph | rows |"
    )
    print("|---|---|---|---|---|---|")
    for label, name, params in questions(municipalities, years):
        query = catalog.get(name)
        values = savedqueries.bindings(query, params, store, cfg.base_iri)
        text = bind(query.text, values)
        ours, rows = median_ms(app_call(client, f"/api/queries/{name}", params), runs)
        try:
            theirs, their_rows = median_ms(sparql_call(virtuoso_url, text), runs)
        except RuntimeError as exc:  # report a store's refusal in the table, keep measuring
            reason = str(exc).splitlines()[0][:160]
            print(f"| {label} | {ours:.1f} | Virtuoso refused: {reason} | | | {rows} |")
            continue
        live = "-"
        if municipalities <= 1000 or name != "stats-indicator-averages":
            live = live_ms(cfg, text, runs)
        check = "" if rows == their_rows else f" (Virtuoso: {their_rows})"
        print(
            f"| {label} | {ours:.1f} | {theirs:.1f} | {live} | {theirs / ours:.1f} | "
            f"{rows}{check} |"
        )
    compare_explorer(cfg, store, client, virtuoso_url, years, runs)


def live_ms(cfg, text: str, runs: int) -> str:
    """Oxigraph's own answer time, or that it hit the store's time limit."""
    try:
        return f"{median_ms(sparql_call(cfg['store.query_url'], text), max(1, runs // 3))[0]:.1f}"
    except (RuntimeError, ValueError, requests.RequestException):
        return f"over the {cfg['store.query_timeout_s']:.0f} s limit"


def build_from_virtuoso(work: Path, server) -> None:
    """The mirror built once more, from Virtuoso (the app built it from Oxigraph above), in
    the same SPARQL pages into a new file: the path of any store given by URL."""
    with open_store(make_config(work / "virt", **server.store_overrides())) as (_, virt):
        mirror = Mirror(virt, work / "from-virtuoso" / "statistics.duckdb")
        start = time.perf_counter()
        observations = mirror.status()["observations"]
    print(
        f"\nstatistics mirror built from Virtuoso in {time.perf_counter() - start:.1f} s "
        f"({observations} observations)"
    )


def compare_explorer(cfg, store, client, virtuoso_url: str, years: int, runs: int) -> None:
    """The statistics explorer's tidy CSV and whole page against Virtuoso's answer."""
    catalog = savedqueries.load_catalog(data_dir("queries"))
    last = str(2010 + years - 1)
    explorer = {
        "indicator": IND + "population",
        "district": BASE + "id/district/00001",
        "from": "2010",
        "to": last,
    }
    tidy = bind(
        catalog.get("stats-population-development").text,
        savedqueries.bindings(
            catalog.get("stats-population-development"),
            {"district": "id/district/00001", "fromYear": "2010", "toYear": last},
            store,
            cfg.base_iri,
        ),
    )
    ours, rows = median_ms(app_call(client, "/statistics/data.csv", explorer), runs)
    theirs, their_rows = median_ms(sparql_call(virtuoso_url, tidy), runs)
    print(
        f"| explorer: tidy CSV of one district's population | {ours:.1f} | {theirs:.1f} | - | "
        f"{theirs / ours:.1f} | {rows} (Virtuoso: {their_rows}) |"
    )
    start = time.perf_counter()
    app_call(client, "/statistics", explorer)()  # form options and cube list, once per version
    first = (time.perf_counter() - start) * 1000
    page, _ = median_ms(app_call(client, "/statistics", explorer), runs)
    print(f"| explorer: first /statistics page of this data version | {first:.1f} | | | | |")
    print(
        f"| explorer: whole /statistics page (form, table, chart, cube list) | {page:.1f} | "
        f"{theirs:.1f} | - | {theirs / page:.1f} | |"
    )


if __name__ == "__main__":
    main()
