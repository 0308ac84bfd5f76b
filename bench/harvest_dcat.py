"""Harvest → validate → publish of a generated DCAT catalogue served on loopback.

Measures the loader end to end (``regiograph.loader.pipeline``) on an embedded Oxigraph
server, with the share of each step, then a re-harvest after one dataset in a hundred changed
its title, and in the same run the peer: ``oxigraph load`` of the same file into a fresh
directory (Oxigraph's bulk loader, no server, no validation).

    .venv/bin/python bench/harvest_dcat.py                    # quick: 100,000 triples
    .venv/bin/python bench/harvest_dcat.py --triples 1000000  # the issue's size
    .venv/bin/python bench/harvest_dcat.py --engine pyshacl   # validation all by pyshacl
    .venv/bin/python bench/harvest_dcat.py --first-load atomic  # first publication in one
                                                                # transaction, not in bulk
    .venv/bin/python bench/harvest_dcat.py --broken 0.01      # 1 % of the datasets violate
                                                              # the shapes: held back

The source is a ``dcat`` source, so acceptance is per dataset (the default since issue 16): the
one validation's results are partitioned by dataset and failing datasets held back.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from regiograph import config as configuration
from regiograph.loader import pipeline
from regiograph.loader.shacl import engine as validate
from regiograph.loader.sources import parse_sources
from regiograph.runtime import open_store
from regiograph.store.supervisor import find_binary

HERE = Path(__file__).resolve().parent
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TRIPLES_PER_DATASET = 20  # 12 on the dataset, 8 on its distribution
SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix b: <https://bench.example/shapes#> .
b:Dataset a sh:NodeShape ; sh:targetClass dcat:Dataset ;
  sh:property [ sh:path dct:title ; sh:minCount 1 ; sh:datatype rdf:langString ] ,
    [ sh:path dct:description ; sh:minCount 1 ] ,
    [ sh:path dct:identifier ; sh:maxCount 1 ; sh:pattern "^ds-[0-9]+$" ] ,
    [ sh:path dct:issued ; sh:maxCount 1 ; sh:datatype xsd:date ] ,
    [ sh:path dct:publisher ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:IRI ] ,
    [ sh:path dcat:distribution ; sh:class dcat:Distribution ] ,
    [ sh:path dcat:theme ; sh:nodeKind sh:IRI ; sh:severity sh:Warning ] .
b:Distribution a sh:NodeShape ; sh:targetClass dcat:Distribution ;
  sh:property [ sh:path dcat:accessURL ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ,
    [ sh:path dct:license ; sh:minCount 1 ; sh:maxCount 1 ] ,
    [ sh:path dct:format ; sh:maxCount 1 ] ,
    [ sh:path dcat:byteSize ; sh:datatype xsd:decimal ] .
""".replace(
    "@prefix sh:", "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n@prefix sh:", 1
)


def catalogue(triples: int, edition: int = 0, broken: float = 0.0) -> bytes:
    """A DCAT catalogue of about ``triples`` triples, as Turtle; in a later ``edition`` one
    dataset in a hundred has a new title (a typical re-harvest). A ``broken`` share of the
    datasets lacks its description (a Violation of the shapes)."""
    out: list[Triple] = []
    catalog = NamedNode("https://bench.example/catalog")
    out.append(Triple(catalog, RDF_TYPE, NamedNode(DCAT + "Catalog")))
    every = round(1 / broken) if broken else 0
    for i in range(max(1, triples // TRIPLES_PER_DATASET)):
        triples_of = _dataset(catalog, i, edition if i % 100 == 0 else 0)
        if every and i % every == 1:
            triples_of = [t for t in triples_of if t.predicate != NamedNode(DCT + "description")]
        out += triples_of
    return serialize(out, format=RdfFormat.TURTLE, prefixes={"dcat": DCAT, "dct": DCT, "xsd": XSD})


def _dataset(catalog: NamedNode, i: int, edition: int = 0) -> list[Triple]:
    d = NamedNode(f"https://bench.example/dataset/{i}")
    x = NamedNode(f"https://bench.example/dataset/{i}/distribution/0")

    def p(name: str, ns: str = DCT) -> NamedNode:
        return NamedNode(ns + name)

    date = Literal(f"20{10 + i % 15}-0{1 + i % 9}-1{i % 10}", datatype=NamedNode(XSD + "date"))
    return [
        Triple(catalog, p("dataset", DCAT), d),
        Triple(d, RDF_TYPE, p("Dataset", DCAT)),
        Triple(
            d,
            p("title"),
            Literal(
                f"Datensatz {i}" + (f" ({edition}. Fassung)" if edition else ""), language="de"
            ),
        ),
        Triple(d, p("description"), Literal(f"Beschreibung des Datensatzes {i}", language="de")),
        Triple(d, p("identifier"), Literal(f"ds-{i}")),
        Triple(d, p("issued"), date),
        Triple(d, p("modified"), date),
        Triple(d, p("publisher"), NamedNode(f"https://bench.example/org/{i % 50}")),
        Triple(d, p("keyword", DCAT), Literal(f"Thema {i % 30}", language="de")),
        Triple(d, p("keyword", DCAT), Literal("Region", language="de")),
        Triple(
            d,
            p("theme", DCAT),
            NamedNode("http://publications.europa.eu/resource/authority/data-theme/REGI"),
        ),
        Triple(d, p("distribution", DCAT), x),
        Triple(x, RDF_TYPE, p("Distribution", DCAT)),
        Triple(x, p("title"), Literal(f"CSV {i}")),
        Triple(x, p("accessURL", DCAT), NamedNode(f"https://bench.example/files/{i}.csv")),
        Triple(x, p("downloadURL", DCAT), NamedNode(f"https://bench.example/files/{i}.csv")),
        Triple(
            x,
            p("format"),
            NamedNode("http://publications.europa.eu/resource/authority/file-type/CSV"),
        ),
        Triple(x, p("license"), NamedNode("http://dcat-ap.de/def/licenses/dl-by-de/2.0")),
        Triple(x, p("byteSize", DCAT), Literal(str(1000 + i), datatype=NamedNode(XSD + "decimal"))),
        Triple(
            x,
            p("mediaType", DCAT),
            NamedNode("http://www.iana.org/assignments/media-types/text/csv"),
        ),
    ]


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


class _QuietHandler(SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        ".ttl": "text/turtle",
        "": "application/octet-stream",
    }

    def log_message(self, *args):
        pass


def oxigraph_load(path: Path, folder: Path) -> float:
    """Seconds for Oxigraph's bulk loader to load the file into a fresh directory."""
    began = time.perf_counter()
    subprocess.run(
        [find_binary(), "load", "--location", str(folder), "--file", str(path)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - began


def harvest(
    work: Path, url: str, shapes: Path, args, reharvest
) -> tuple[pipeline.RunResult, float, pipeline.RunResult, float]:
    """The first harvest, then (after ``reharvest()`` changed the file) a second one."""
    config = configuration.load(None, environ={}).with_overrides(data_dir=str(work / "data"))
    (source,) = parse_sources(
        [
            {
                "id": "bench",
                "kind": "dcat",
                "location": url,
                "allow_private": True,
                "shapes": [str(shapes)],
                "policy": {"max_violations": 10**9, "first_load": args.first_load},
            }
        ],
        work,
    )
    if args.engine == "pyshacl":
        original = validate.validate
        validate.validate = functools.partial(original, engine="pyshacl")  # type: ignore
    with open_store(config) as (config, store):
        began = time.perf_counter()
        first = pipeline.harvest(config, store, source)
        first_s = time.perf_counter() - began
        reharvest()
        began = time.perf_counter()
        second = pipeline.harvest(config, store, source, force=True)
        return first, first_s, second, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--engine", choices=["auto", "pyshacl"], default="auto")
    parser.add_argument("--first-load", choices=["bulk", "atomic"], default="bulk")
    parser.add_argument("--broken", type=float, default=0.0, help="share of failing datasets")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-harvest-") as tmp:
        work = Path(tmp)
        (work / "www").mkdir()
        data = catalogue(args.triples, broken=args.broken)
        path = work / "www" / "catalog.ttl"
        path.write_bytes(data)
        shapes = work / "shapes.ttl"
        shapes.write_text(SHAPES)
        server, base = serve(work / "www")
        first, first_s, second, second_s = harvest(
            work,
            base + "/catalog.ttl",
            shapes,
            args,
            lambda: path.write_bytes(catalogue(args.triples, edition=2, broken=args.broken)),
        )
        server.shutdown()
        path.write_bytes(data)
        peer = oxigraph_load(path, work / "peer")
    report(args, first, first_s, peer, len(data), second, second_s)


def report(
    args,
    result: pipeline.RunResult,
    total: float,
    peer: float,
    size: int,
    second: pipeline.RunResult,
    second_s: float,
) -> None:
    triples = result.published or 0
    for run in (result, second):
        if run.outcome != "published":
            sys.exit(f"the harvest did not publish: {run.outcome}: {run.message}")
    steps = result.timings
    rows = {
        "triples": triples,
        "bytes": size,
        "engine": ",".join(result.report.engines),
        "published_by": result.published_by,
        "end_to_end_s": round(total, 2),
        "end_to_end_triples_per_s": round(triples / total),
        **{f"{step}_s": round(seconds, 2) for step, seconds in steps.items()},
        **{f"{step}_share": round(seconds / total, 3) for step, seconds in steps.items()},
        "other_s": round(total - sum(steps.values()), 2),
        "oxigraph_load_s": round(peer, 2),
        "oxigraph_load_triples_per_s": round(triples / peer),
        "ratio_loader_to_oxigraph_load": round((triples / total) / (triples / peer), 3),
        "violations": result.report.count("Violation"),
        "datasets": result.datasets.counts() if result.datasets else None,
        "reharvest_1pct_changed_s": round(second_s, 2),
        "reharvest_triples_per_s": round(triples / second_s),
        "reharvest_published_by": second.published_by,
        **{f"reharvest_{step}_s": round(seconds, 2) for step, seconds in second.timings.items()},
        "ratio_reharvest_to_oxigraph_load": round((triples / second_s) / (triples / peer), 3),
    }
    print(json.dumps(rows, indent=2))
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    broken = f"_broken{args.broken}" if args.broken else ""
    name = f"harvest_dcat_{args.triples}_{args.engine}_{args.first_load}{broken}.json"
    (results / name).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
