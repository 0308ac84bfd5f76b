"""A generated region for the pages benchmark, shaped like the demo region: districts of 50
municipalities (label, keys, population, area, a point), a project per 5 municipalities
(lead, partners, themes, start date) and, for ~95 % of the triples, Data Cube observations:
7 indicators x 20 years per municipality. ~980 triples per municipality.

Loaded in bounded pieces through the platform's own store client (Oxigraph's bulk path),
not as one upload: one 800 MB upload would make the store's memory balloon.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

RG = "https://w3id.org/regiograph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SDMX = "http://purl.org/linked-data/sdmx/2009/"
QB = "http://purl.org/linked-data/cube#"
GEO = "http://www.opengis.net/ont/geosparql#"
SCHEMA = "https://schema.org/"
CONCEPTS = "https://w3id.org/regiograph/concepts/"
INDICATORS = {  # indicator -> (unit, typical value)
    "population": ("person", 8000),
    "area": ("square-kilometre", 40),
    "population-density": ("person-per-square-kilometre", 200),
    "share-65-plus": ("percent", 22),
    "share-under-18": ("percent", 17),
    "broadband-1gbit": ("percent", 60),
    "commuter-balance": ("person", -300),
}
YEARS = range(2005, 2025)
THEMES = ["e-government", "participation", "mobility", "local-supply", "telemedicine"]
PER_DISTRICT = 50
PIECE = 250  # municipalities per upload (~250k triples)


def _t(s: str, p: str, o: str) -> str:
    return f"<{s}> <{p}> {o} .\n"


def _lit(value, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def municipality(base: str, n: int, rng: random.Random) -> Iterator[str]:
    district = f"{8200 + n // PER_DISTRICT:05d}"
    ags = f"{district}{n % PER_DISTRICT + 1:03d}"
    iri = f"{base}id/municipality/{ags}"
    population, area = rng.randint(800, 90_000), round(rng.uniform(5, 150), 2)
    yield _t(iri, RDF_TYPE, f"<{RG}Municipality>")
    yield _t(iri, LABEL, f'"Gemeinde {n}"@de')
    yield _t(iri, RG + "ags", f'"{ags}"')
    yield _t(iri, RG + "district", f"<{base}id/district/{district}>")
    yield _t(iri, RG + "population", _lit(population, "integer"))
    yield _t(iri, RG + "area", _lit(area, "decimal"))
    yield _t(iri, RG + "statisticsDate", _lit("2019-12-31", "date"))
    lon, lat = 7.5 + (n % 97) * 0.02, 48.5 + (n // 97) * 0.02
    yield f"<{iri}> <{GEO}hasGeometry> _:g{n} .\n"
    yield f'_:g{n} <{GEO}asWKT> "POINT({lon:.4f} {lat:.4f})"^^<{GEO}wktLiteral> .\n'
    if n % PER_DISTRICT == 0:
        d = f"{base}id/district/{district}"
        yield _t(d, RDF_TYPE, f"<{RG}District>")
        yield _t(d, LABEL, f'"Landkreis {district}"@de')
        yield _t(d, RG + "ars", f'"{district}"')
    yield from observations(base, ags, iri, population, rng)
    if n % 5 == 0:
        yield from project(base, n, iri, rng)


def observations(base: str, ags: str, iri: str, population: int, rng) -> Iterator[str]:
    cube = f"{base}id/cube/bench"
    for name, (unit, typical) in INDICATORS.items():
        scale = population / 8000 if name == "population" else 1
        for year in YEARS:
            obs = f"{base}id/observation/{name}/{ags}/{year}"
            yield _t(obs, RDF_TYPE, f"<{QB}Observation>")
            yield _t(obs, QB + "dataSet", f"<{cube}>")
            yield _t(obs, SDMX + "dimension#refArea", f"<{iri}>")
            yield _t(obs, RG + "indicator", f"<{CONCEPTS}indicator/{name}>")
            yield _t(obs, RG + "refPeriod", _lit(year, "gYear"))
            value = round(typical * scale * rng.uniform(0.9, 1.1), 1)
            yield _t(obs, SDMX + "measure#obsValue", _lit(value, "decimal"))
            yield _t(obs, SDMX + "attribute#unitMeasure", f"<{CONCEPTS}unit/{unit}>")


def project(base: str, n: int, lead: str, rng: random.Random) -> Iterator[str]:
    iri = f"{base}id/project/bench-{n}"
    yield _t(iri, RDF_TYPE, f"<{RG}Project>")
    yield _t(iri, LABEL, f'"Projekt {n}"@de')
    yield _t(iri, RG + "lead", f"<{lead}>")
    yield _t(iri, RG + "participant", f"<{lead}>")
    for theme in rng.sample(THEMES, 2):
        yield _t(iri, RG + "theme", f"<{CONCEPTS}theme/{theme}>")
    year, month = 2015 + n % 10, 1 + n % 12
    yield _t(iri, SCHEMA + "startDate", _lit(f"{year}-{month:02d}-01", "date"))


def load(store, base: str, municipalities: int) -> int:
    """Generate and upload the region into ``{base}graph/bench``; the number of triples."""
    rng = random.Random(5)
    graph = base + "graph/bench"
    triples = 0
    for start in range(0, municipalities, PIECE):
        lines = [
            line
            for n in range(start, min(start + PIECE, municipalities))
            for line in municipality(base, n, rng)
        ]
        store.add_to_graph(graph, "".join(lines).encode("utf-8"), unsafe_bulk=True)
        triples += len(lines)
    return triples
