"""The catalogue's HTML page with text search, facet counts and sorting, at N datasets, against
the same questions asked directly of the store in SPARQL.

Generates N harvested DCAT-AP.de datasets with varied titles (two to four words of a list of
60 German open-data terms), 13 themes, 60 publishers (a third named in German and English),
5 file types, 4 licences, 400 areas and dates over five years; loads them, builds the derived
data as the writing process does (``regiograph.derived.warm``), then asks a fresh web app
(the test client, whole HTML pages rendered, no page cache in front) each question ``--rounds``
times, interleaved (the store ``--peer-rounds`` times). The peer asks the store for the same
answer: the facet counts of the selection (one SELECT ... GROUP BY per facet) and the page of
20 (one SELECT ... ORDER BY ... LIMIT 20). Quick mode: 5,000 datasets; the issue's size:
``--datasets 50000``.

    .venv/bin/python bench/catalog_search.py [--datasets N] [--rounds R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from regiograph import config as configuration
from regiograph import derived
from regiograph.runtime import open_store
from regiograph.server import create_app

EU = "http://publications.europa.eu/resource/authority/"
WORDS = [
    "Radverkehr",
    "Zählstellen",
    "Baumkataster",
    "Haltestellen",
    "Parkhäuser",
    "Belegung",
    "Wahlergebnisse",
    "Bevölkerung",
    "Bebauungspläne",
    "Schulen",
    "Kindergärten",
    "Spielplätze",
    "Ladesäulen",
    "Luftqualität",
    "Lärmkarte",
    "Hochwasser",
    "Solarpotenzial",
    "Breitband",
    "Gewerbeflächen",
    "Baustellen",
    "Straßennamen",
    "Friedhöfe",
    "Sportstätten",
    "Bibliotheken",
    "Haushalt",
    "Steuern",
    "Gebäude",
    "Adressen",
    "Denkmäler",
    "Wanderwege",
    "Badestellen",
    "Trinkwasser",
    "Abfall",
    "Wertstoffhöfe",
    "Gesundheit",
    "Apotheken",
    "Verkehrsunfälle",
    "Tempo",
    "Fahrradständer",
    "Carsharing",
    "Taxistände",
    "Bürgerbüro",
    "Öffnungszeiten",
    "Veranstaltungen",
    "Tourismus",
    "Übernachtungen",
    "Arbeitsmarkt",
    "Pendler",
    "Wohnungsmarkt",
    "Mietspiegel",
    "Bodenrichtwerte",
    "Klima",
    "Niederschlag",
    "Temperatur",
    "Energieverbrauch",
    "Stadtbäume",
    "Grünflächen",
    "Kleingärten",
    "Gewässer",
    "Brücken",
]
THEMES = [
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
]
FORMATS = ("CSV", "GEOJSON", "JSON", "XLSX", "PDF")
LICENCES = ("dl-by-de/2.0", "dl-zero-de/2.0", "cc-by/4.0", "cc-zero/1.0")
QUESTIONS = {
    "no search, no filter": "/catalog",
    "search one word": "/catalog?q=radverkehr",
    "search two words": "/catalog?q=radverkehr+zähl",
    "search + theme": "/catalog?q=haltestellen&theme=TRAN",
    "theme + publisher": "/catalog?theme=ENVI&publisher=Stadt+7",
    "sort by title": "/catalog?sort=title",
    "search + sort by date": "/catalog?q=klima&sort=modified",
    "page 40 of everything": "/catalog?page=40",
}


RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
DATE = "http://www.w3.org/2001/XMLSchema#date"
ARS = "http://dcat-ap.de/def/politicalGeocoding/regionalKey/"
LICENCE = "http://dcat-ap.de/def/licenses/"
NAME = "<http://xmlns.com/foaf/0.1/name>"


def ntriples(n: int, seed: int = 17) -> bytes:
    rng = random.Random(seed)
    lines = []
    for p in range(60):
        lines.append(f'<https://bench.example/org/{p}> {NAME} "Stadt {p}"@de .')
        if p % 3 == 0:
            lines.append(f'<https://bench.example/org/{p}> {NAME} "City {p}"@en .')
    for i in range(n):
        ds, dist = f"<https://bench.example/ds/{i:07d}>", f"<https://bench.example/ds/{i:07d}/f>"
        title = " ".join(rng.sample(WORDS, rng.randint(2, 4)))
        month = rng.randrange(60)
        day = f"{2020 + month // 12}-{1 + month % 12:02d}-01"
        lines += [
            f"{ds} {RDF_TYPE} <{DCAT}Dataset> .",
            f'{ds} <{DCT}title> "{title}"@de .',
            f'{ds} <{DCT}description> "{title} der Stadt, Datensatz {i}."@de .',
            f"{ds} <{DCT}publisher> <https://bench.example/org/{rng.randrange(60)}> .",
            f'{ds} <{DCT}modified> "{day}"^^<{DATE}> .',
            f"{ds} <{DCAT}theme> <{EU}data-theme/{rng.choice(THEMES)}> .",
            f"{ds} <{DCT}spatial> <{ARS}08{rng.randrange(400):03d}0000000> .",
            f"{ds} <{DCAT}distribution> {dist} .",
            f"{dist} {RDF_TYPE} <{DCAT}Distribution> .",
            f"{dist} <{DCAT}accessURL> <https://bench.example/files/{i}> .",
            f"{dist} <{DCT}format> <{EU}file-type/{rng.choice(FORMATS)}> .",
            f"{dist} <{DCT}license> <{LICENCE}{rng.choice(LICENCES)}> .",
        ]
    return ("\n".join(lines) + "\n").encode()


PEER_PREFIXES = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
# the facet each GROUP BY counts: variable pattern
PEER_FACETS = {
    "theme": "?ds dcat:theme ?v .",
    "publisher": "?ds dct:publisher/foaf:name ?v . FILTER(LANG(?v) = 'de')",
    "format": "?ds dcat:distribution/dct:format ?v .",
    "licence": "?ds dcat:distribution/dct:license ?v .",
    "area": "?ds dct:spatial ?v .",
}


def peer_selection(path: str) -> tuple[str, str]:
    """The WHERE part selecting the question's datasets, and its ORDER BY."""
    args = dict(a.split("=") for a in path.partition("?")[2].split("&") if a)
    where = "?ds a dcat:Dataset ; dct:title ?title ; dct:modified ?modified ."
    if "q" in args:
        for word in args["q"].split("+"):
            where += f' FILTER(CONTAINS(LCASE(?title), "{word}"))'
    if "theme" in args:
        where += f" ?ds dcat:theme <{EU}data-theme/{args['theme']}> ."
    if "publisher" in args:
        name = args["publisher"].replace("+", " ")
        where += f' ?ds dct:publisher/foaf:name "{name}"@de .'
    order = {"title": "?title", "modified": "DESC(?modified)"}.get(args.get("sort", ""), "?ds")
    offset = (int(args.get("page", 1)) - 1) * 20
    return where, f"ORDER BY {order} LIMIT 20 OFFSET {offset}"


def ask_store(store, path: str) -> None:
    where, order = peer_selection(path)
    for pattern in PEER_FACETS.values():
        store.select(
            PEER_PREFIXES
            + f"SELECT ?v (COUNT(DISTINCT ?ds) AS ?n) WHERE {{ {where} {pattern} }} GROUP BY ?v"
        )
    store.select(PEER_PREFIXES + f"SELECT ?ds ?title WHERE {{ {where} }} {order}")


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def run(n: int, rounds: int, peer_rounds: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="catalog-search-bench-"))
    cfg = configuration.load(None, environ={}).with_overrides(data_dir=str(workdir))
    with open_store(cfg) as (cfg, store):
        load_s = timed(lambda: store.replace_graph(cfg.base_iri + "graph/bench", ntriples(n)))
        steps = derived.warm(cfg, store)
        client = create_app(cfg, store).test_client()  # a web process that has seen nothing
        first_s = timed(lambda: client.get("/catalog?lang=de"))
        ours: dict[str, list[float]] = {name: [] for name in QUESTIONS}
        peer: dict[str, list[float]] = {name: [] for name in QUESTIONS}
        for number in range(rounds):
            for name, path in QUESTIONS.items():
                ours[name].append(
                    timed(
                        lambda p=path: _ok(
                            client.get(p + "&lang=de" if "?" in p else p + "?lang=de")
                        )
                    )
                )
                if number < peer_rounds:  # the store takes seconds a question at 50,000
                    peer[name].append(timed(lambda p=path: ask_store(store, p)))
    print(f"datasets {n:,}, load {load_s:.1f} s, rounds {rounds} (store: {peer_rounds})")
    for step in steps:
        print(f"warm-up {step.name:<18} {step.seconds:8.2f} s  ({step.detail})")
    print(f"first request of a fresh app (builds the in-memory state) {first_s:.2f} s")
    print(f"{'question':<24} {'ours p50':>9} {'ours p90':>9} {'store p50':>10} {'ratio':>6}")
    for name in QUESTIONS:
        mine, theirs = statistics.median(ours[name]), statistics.median(peer[name])
        p90 = sorted(ours[name])[int(0.9 * (len(ours[name]) - 1))]
        ms = f"{mine * 1000:8.1f}ms {p90 * 1000:8.1f}ms {theirs * 1000:9.1f}ms"
        print(f"{name:<24} {ms} {mine / theirs:6.2f}")


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--peer-rounds", type=int, default=3)
    args = parser.parse_args()
    run(args.datasets, args.rounds, args.peer_rounds)


if __name__ == "__main__":
    main()
