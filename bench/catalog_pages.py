"""Catalogue pages for N harvested datasets versus a plain SPARQL CONSTRUCT of the same content.

Loads N generated DCAT-AP.de datasets (one distribution each) into an embedded store, then
measures in one run: building the key list and dumps (once per data version) inside the first
request, the first and the last page, walking all pages, and two peers: one CONSTRUCT of every
dataset's description at once, and OFFSET paging (``ORDER BY ?ds LIMIT 100 OFFSET k``) for the
first and last page. Then the data version moves (as a harvest moves it), the writing process
warms the derived data (``regiograph.derived.warm``: key list and dumps, search index,
statistics mirror), and the first request of a fresh catalogue object (a new web process)
is timed. Quick mode: 5,000 datasets; the issue's size: ``--datasets 50000``.

    .venv/bin/python bench/catalog_pages.py [--datasets N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from regiograph import config as configuration
from regiograph import derived
from regiograph.catalog import Catalogue
from regiograph.runtime import open_store

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
DATE = "http://www.w3.org/2001/XMLSchema#date"
THEME = "http://publications.europa.eu/resource/authority/data-theme/REGI"
NAME = "http://xmlns.com/foaf/0.1/name"
PEER_ALL = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?ds a dcat:Dataset .
  ?ds (dcat:distribution|dcat:contactPoint)? ?s . ?s ?p ?o } }"""
PEER_OFFSET = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
CONSTRUCT { ?s ?p ?o } WHERE {
  { SELECT ?ds WHERE { GRAPH ?g { ?ds a dcat:Dataset } } ORDER BY ?ds LIMIT 100 OFFSET %d }
  GRAPH ?g { ?ds (dcat:distribution|dcat:contactPoint)? ?s . ?s ?p ?o } }"""


def ntriples(n: int) -> bytes:
    lines = []
    for i in range(n):
        ds, dist = f"<https://bench.example/ds/{i:07d}>", f"<https://bench.example/ds/{i:07d}/csv>"
        lines += [
            f"{ds} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{DCAT}Dataset> .",
            f'{ds} <{DCT}title> "Datensatz {i}"@de .',
            f'{ds} <{DCT}description> "Beschreibung {i}"@de .',
            f"{ds} <{DCT}publisher> <https://bench.example/org/{i % 50}> .",
            f'<https://bench.example/org/{i % 50}> <{NAME}> "Org {i % 50}" .',
            f'{ds} <{DCT}modified> "2024-0{1 + i % 9}-01"^^<{DATE}> .',
            f"{ds} <{DCAT}theme> <{THEME}> .",
            f"{ds} <{DCAT}distribution> {dist} .",
            f"{dist} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{DCAT}Distribution> .",
            f"{dist} <{DCAT}accessURL> <https://bench.example/files/{i}.csv> .",
            f"{dist} <{DCT}license> <http://dcat-ap.de/def/licenses/cc-by/4.0> .",
        ]
    return ("\n".join(lines) + "\n").encode()


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run(n: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="catalog-bench-"))
    cfg = configuration.load(None, environ={}).with_overrides(data_dir=str(workdir))
    with open_store(cfg) as (cfg, store):
        load_s, _ = timed(lambda: store.replace_graph(cfg.base_iri + "graph/bench", ntriples(n)))
        catalogue = Catalogue(cfg, store)
        state_s, state = timed(catalogue.state)
        first_s, first = timed(lambda: catalogue.page(1))
        last_s, _ = timed(lambda: catalogue.page(first.last))
        walk_s, _ = timed(lambda: [catalogue.page(p) for p in range(1, first.last + 1)])
        peer_s, peer = timed(lambda: store.construct(PEER_ALL))
        off_first_s, _ = timed(lambda: store.construct(PEER_OFFSET % 0))
        off_last_s, _ = timed(lambda: store.construct(PEER_OFFSET % ((first.last - 1) * 100)))
        assert state.version == catalogue.state().version
        store.bump_version()  # what a harvest does to the data version
        steps = derived.warm(cfg, store)
        fresh = Catalogue(cfg, store)  # a web process that has seen nothing yet
        warm_first_s, _ = timed(lambda: fresh.page(1))
        assert fresh.state().manifest.version == store.data_version()
    print(f"datasets {n:,}, pages {first.last}, load {load_s:.1f} s")
    print(f"key list + dumps in the first request      {state_s:8.3f} s")
    print(f"catalogue first page                      {first_s:8.3f} s")
    print(f"catalogue last page                       {last_s:8.3f} s")
    print(f"catalogue all pages walked                {walk_s:8.3f} s")
    print(f"peer: one CONSTRUCT of all ({len(peer):,} triples) {peer_s:8.3f} s")
    print(f"peer: OFFSET paging, first page           {off_first_s:8.3f} s")
    print(f"peer: OFFSET paging, last page            {off_last_s:8.3f} s")
    print(f"ratio walk / one CONSTRUCT                {walk_s / peer_s:8.2f}")
    print(f"ratio last / first page                   {last_s / first_s:8.2f}")
    for step in steps:
        print(f"after a change, warm-up: {step.name:<17} {step.seconds:8.3f} s  ({step.detail})")
    print(f"after the warm-up: first request, page 1  {warm_first_s:8.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", type=int, default=5000)
    run(parser.parse_args().datasets)


if __name__ == "__main__":
    main()
