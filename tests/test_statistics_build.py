"""The statistics mirror is read from the store in pages of SPARQL results: from the embedded
store, from an Oxigraph known only by its URL, and from Virtuoso with a cap on result rows.
Every one must copy exactly the observations the store holds, once each."""

from __future__ import annotations

import pytest

import virtuoso
from conftest import make_config
from regiograph.runtime import open_store
from regiograph.statistics import Mirror
from regiograph.statistics import fetch as export
from test_store import external_oxigraph  # noqa: F401  (a module fixture: an Oxigraph by URL)

POPULATION = "https://w3id.org/regiograph/concepts/indicator/population"
OBSERVATIONS = 1500  # more than Virtuoso's row cap below, and many first pages
QB = "http://purl.org/linked-data/cube#"
SDMX = "http://purl.org/linked-data/sdmx/2009/"
RG = "https://w3id.org/regiograph/ontology#"


def _cube(dataset: str) -> bytes:
    """N-Triples of one cube: 15 areas x 100 years, value = observation number + 0.5."""
    lines = [f"<{dataset}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{QB}DataSet> ."]
    for k in range(OBSERVATIONS):
        obs = f"<{dataset}/obs/{k}>"
        lines += [
            f"{obs} <{QB}dataSet> <{dataset}> .",
            f"{obs} <{SDMX}dimension#refArea> <urn:x:area-{k // 100}> .",
            f"{obs} <{RG}indicator> <{POPULATION}> .",
            f'{obs} <{RG}refPeriod> "{2000 + k % 100}"^^<http://www.w3.org/2001/XMLSchema#gYear> .',
            f'{obs} <{SDMX}measure#obsValue> "{k}.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .',
        ]
    return ("\n".join(lines) + "\n").encode()


def _expected() -> set[tuple[str, int, float]]:
    return {(f"urn:x:area-{k // 100}", 2000 + k % 100, k + 0.5) for k in range(OBSERVATIONS)}


def _copied(statistics: Mirror, dataset: str) -> set[tuple[str, int, float]]:
    _, rows = statistics.sql(
        "SELECT area, period, value FROM observations WHERE dataset = $d", {"d": dataset}
    )
    assert len(rows) == OBSERVATIONS  # no row twice (a set would hide that)
    return set(rows)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """An embedded store of this module's own (the mirror copies every observation)."""
    with open_store(make_config(tmp_path_factory.mktemp("build-data"))) as (_, store):
        yield store


@pytest.fixture(scope="module")
def capped_virtuoso(tmp_path_factory):
    """A private Virtuoso that cuts every result at 1,000 rows, as stock Virtuoso does at 10,000."""
    yield from virtuoso.store_for_tests(tmp_path_factory, max_rows=1000)


def test_the_embedded_store_is_copied_whole(embedded, graph_iri, tmp_path):
    dataset = graph_iri + "/cube"
    embedded.replace_graph(graph_iri, _cube(dataset))
    statistics = Mirror(embedded, tmp_path / "statistics.duckdb")
    assert _copied(statistics, dataset) == _expected()
    assert statistics.status()["data_version"] == embedded.content_version()


def test_a_store_by_url_is_read_in_pages(external_oxigraph, graph_iri, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(
        export, "FIRST_PAGE", 100
    )  # 100, 200, 400, 800: four pages and an empty one
    dataset = graph_iri + "/cube"
    external_oxigraph.replace_graph(graph_iri, _cube(dataset))
    statistics = Mirror(external_oxigraph, tmp_path / "statistics.duckdb")
    assert _copied(statistics, dataset) == _expected()


@pytest.mark.virtuoso
def test_virtuoso_with_a_row_cap_is_read_whole(capped_virtuoso, graph_iri, tmp_path):
    dataset = graph_iri + "/cube"
    capped_virtuoso.replace_graph(graph_iri, _cube(dataset))
    statistics = Mirror(capped_virtuoso, tmp_path / "statistics.duckdb")
    assert _copied(statistics, dataset) == _expected()


def test_a_quoted_value_after_the_first_rows_is_read_as_one(tmp_path):
    """SPARQL CSV results quote only the values that need it: a page whose first quoted name
    ("Zwingenberg, Stadt") comes after DuckDB's sniffing sample was read without quotes and
    failed with 'Expected Number of Columns: 2 Found: 3' (seen on a store with many areas)."""
    import duckdb

    from regiograph.statistics.mirror import _loader

    rows = [f"urn:x:area-{k},Ort {k}" for k in range(30_000)] + ['urn:x:last,"Zwingenberg, Stadt"']
    page = tmp_path / "page.csv"
    page.write_text("area,name\r\n" + "\r\n".join(rows) + "\r\n", encoding="utf-8")
    db = duckdb.connect()
    db.execute("CREATE TABLE raw_area (area VARCHAR, name VARCHAR)")
    assert _loader(db, "raw_area")(page) == 30_001
    last = db.execute("SELECT name FROM raw_area WHERE area = 'urn:x:last'").fetchone()
    assert last == ("Zwingenberg, Stadt",)
