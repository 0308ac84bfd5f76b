"""csv sources through CSVW mappings: the Destatis table, the Rhein-Neckar subset, a cube,
and every kind of bad table (each leaves the published graph untouched)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
MAPPINGS = Path(__file__).resolve().parents[1] / "demo" / "mappings"
GV = "destatis-gemeindeverzeichnis/AuszugGV4QAktuell.csv"
MRN = "derived-rhein-neckar/mrn_gemeinden_from_destatis.csv"
RG = "https://w3id.org/regiograph/ontology#"
BASE = "http://localhost:8080/"


def csv_source(http_server, body: bytes, mapping: str, **extra):
    url = http_server.route("/table.csv", Reply(body, content_type="text/csv"))
    return make_source(MAPPINGS, kind="csv", location=url, mapping=mapping, **extra)


def value(store, graph: str, subject: str, predicate: str) -> str | None:
    rows = store.select(
        "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
        {"g": NamedNode(graph), "s": NamedNode(subject), "p": NamedNode(predicate)},
    )
    return rows[0]["o"].value if rows else None


def harvested(platform, source) -> str:
    """``source`` harvested and published (else the test fails with the run's message); its
    graph."""
    config, store = platform
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    return source.graph(config.base_iri)


def test_destatis_municipality_table(scratch_platform, http_server, shared_data):
    store = scratch_platform[1]
    source = csv_source(
        http_server,
        (shared_data / GV).read_bytes(),
        "gemeindeverzeichnis.csv-metadata.json",
        construct=["gemeindeverzeichnis.rq"],
    )
    graph = harvested(scratch_platform, source)
    municipalities = store.count(
        "SELECT (COUNT(?m) AS ?n) WHERE { GRAPH ?g { ?m a ?c } }",
        {"g": NamedNode(graph), "c": NamedNode(RG + "Municipality")},
    )
    assert municipalities == 11004 - 0 or municipalities > 10_900  # all Satzart-60 rows
    mannheim = BASE + "id/municipality/08222000"
    assert value(store, graph, mannheim, RG + "population") == "310658"
    assert value(store, graph, mannheim, RG + "area") == "144.97"
    assert value(store, graph, mannheim, RG + "district") == BASE + "id/district/08222"


def test_rhein_neckar_subset_and_population_cube(scratch_platform, http_server, shared_data):
    store = scratch_platform[1]
    body = (shared_data / MRN).read_bytes()
    towns = csv_source(http_server, body, "mrn-gemeinden.csv-metadata.json")
    cube = csv_source(http_server, body, "mrn-population-cube.csv-metadata.json")
    graph, cube_graph = (harvested(scratch_platform, source) for source in (towns, cube))
    total = store.count(
        "SELECT (SUM(?p) AS ?n) WHERE { GRAPH ?g { ?m ?pop ?p } }",
        {"g": NamedNode(graph), "pop": NamedNode(RG + "population")},
    )
    assert total == 2_416_548  # the region's published total (SOURCES.md)
    observation = BASE + "id/observation/population/08222000/2019"
    assert (
        value(
            store, cube_graph, observation, "http://purl.org/linked-data/sdmx/2009/measure#obsValue"
        )
        == "310658"
    )
    assert value(store, cube_graph, observation, RG + "refPeriod") == "2019"


@pytest.fixture
def published_towns(scratch_platform, http_server, shared_data):
    """A Rhein-Neckar source published once; the bad-input tests reuse its id."""
    body = (shared_data / MRN).read_bytes()
    source = csv_source(http_server, body, "mrn-gemeinden.csv-metadata.json")
    graph = harvested(scratch_platform, source)
    return source, scratch_platform[1].read_graph(graph), body


BAD_TABLES = {
    "wrong encoding": (
        lambda b: b.decode().encode("latin-1"),
        ["line 2, byte 145", "not valid utf-8", "dialect.encoding"],
    ),
    "missing column": (
        lambda b: b.replace(b",population,", b",").replace(b",2431,", b","),
        ["missing column(s) 'population'"],
    ),
    "extra column": (
        lambda b: b.replace(b"lon,lat", b"lon,lat,extra", 1),
        ["extra column(s) «extra»"],
    ),
    "german number": (
        lambda b: b.replace(b",40756,", b',"40.756,5",'),
        ["line 3 (row 2), column 'population'", "«40.756,5» is not an integer", "a German number?"],
    ),
    "short row": (
        lambda b: b.replace(b",Abtsteinach,Hessen", b",Abtsteinach", 1),
        ["line 2 (row 1): 11 cells, the header has 12"],
    ),
    "duplicate key": (
        lambda b: b + b.splitlines(keepends=True)[1],
        ["primary key", "repeats line 2"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_TABLES))
def test_bad_tables_are_refused_precisely(scratch_platform, http_server, published_towns, case):
    config, store = scratch_platform
    source, before, body = published_towns
    change, expected = BAD_TABLES[case]
    http_server.route("/table.csv", Reply(change(body), content_type="text/csv"))
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and result.step == "map"
    for fragment in expected:
        assert fragment in result.message, result.message
    assert store.read_graph(source.graph(config.base_iri)) == before


def test_mapping_error_keeps_the_published_graph(
    scratch_platform, http_server, tmp_path, published_towns
):
    config, store = scratch_platform
    source, before, _ = published_towns
    (tmp_path / "broken.rq").write_text("CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }")
    (tmp_path / "m.json").write_text((MAPPINGS / "mrn-gemeinden.csv-metadata.json").read_text())
    broken = make_source(
        tmp_path,
        id=source.id,
        kind="csv",
        location=source.location,
        mapping="m.json",
        construct=["broken.rq"],
    )
    result = pipeline.harvest(config, store, broken)
    assert result.outcome == "failed" and "broken.rq" in result.message
    assert "not a valid SPARQL query" in result.message
    assert store.read_graph(source.graph(config.base_iri)) == before
