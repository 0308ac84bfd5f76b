"""The statistics mirror (DuckDB, kept in step with the store) and the /statistics explorer."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import make_config
from regiograph.runtime import open_store
from regiograph.statistics import Mirror, cubes, explorer

POPULATION = "https://w3id.org/regiograph/concepts/indicator/population"
PREFIXES = """@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix rg: <https://w3id.org/regiograph/ontology#> .
@prefix d: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix m: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@pytest.fixture(scope="module")
def scratch_platform(tmp_path_factory):
    """A store of this module's own: the mirror copies every observation in the store, so the
    session's shared scratch store (where loader tests publish whole registers) would make
    these tests measure other tests' data."""
    with open_store(make_config(tmp_path_factory.mktemp("statistics-data"))) as platform:
        yield platform


@pytest.fixture(scope="module")
def scratch_store(scratch_platform):
    return scratch_platform[1]


def _cube(dataset: str, values: dict[int, float]) -> bytes:
    from pyoxigraph import RdfFormat, parse, serialize

    lines = [f"<{dataset}> a qb:DataSet ; qb:structure rg:indicatorStructure ."]
    for year, value in values.items():
        lines.append(
            f"<{dataset}/{year}> qb:dataSet <{dataset}> ; d:refArea <urn:x:area> ; "
            f'rg:indicator <{POPULATION}> ; rg:refPeriod "{year}"^^xsd:gYear ; '
            f"m:obsValue {value} ."
        )
    triples = parse((PREFIXES + "\n".join(lines)).encode(), format=RdfFormat.TURTLE)
    return serialize(triples, format=RdfFormat.N_TRIPLES)


def _values(mirror: Mirror, dataset: str) -> dict[int, float]:
    _, rows = mirror.sql(
        "SELECT period, value FROM observations WHERE dataset = $d", {"d": dataset}
    )
    return dict(rows)


def test_mirror_follows_the_data_version(scratch_store, graph_iri, tmp_path):
    dataset = graph_iri + "/cube"
    path = tmp_path / "statistics.duckdb"
    mirror = Mirror(scratch_store, path)
    scratch_store.replace_graph(graph_iri, _cube(dataset, {2020: 10.5, 2021: 11}))
    assert _values(mirror, dataset) == {2020: 10.5, 2021: 11.0}
    first_file = path.stat().st_ino
    assert mirror.status()["data_version"] == scratch_store.content_version()

    scratch_store.replace_graph(graph_iri, _cube(dataset, {2020: 12}))
    scratch_store._version = None  # do not wait for the client's one-second version cache
    assert _values(mirror, dataset) == {2020: 12.0}
    assert path.stat().st_ino != first_file  # a new file swapped in, not edited in place
    assert not list(tmp_path.glob("*.tmp"))

    scratch_store.drop_graph(graph_iri)
    scratch_store._version = None
    assert _values(mirror, dataset) == {}


def test_while_another_process_rebuilds_requests_answer_from_the_previous_mirror(
    scratch_store, graph_iri, tmp_path, monkeypatch
):
    import fcntl

    from regiograph.statistics import mirror as mirrors

    dataset = graph_iri + "/busy"
    path = tmp_path / "statistics.duckdb"
    mirror = Mirror(scratch_store, path)
    scratch_store.replace_graph(graph_iri, _cube(dataset, {2020: 1}))
    assert _values(mirror, dataset) == {2020: 1.0}
    scratch_store.replace_graph(graph_iri, _cube(dataset, {2020: 2}))
    scratch_store._version = None
    monkeypatch.setattr(mirrors, "RECHECK_WHILE_BUILDING_S", 0.0)
    with (tmp_path / "statistics.duckdb.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a build in another process holds it
        assert _values(mirror, dataset) == {2020: 1.0}  # at once, from the previous file
        assert mirror.memo("values", lambda: _values(mirror, dataset)) == {2020: 1.0}
    assert _values(mirror, dataset) == {2020: 2.0}  # the lock is free: rebuilt
    # what was computed from the previous file was not remembered for the new version
    assert mirror.memo("values", lambda: _values(mirror, dataset)) == {2020: 2.0}
    scratch_store.drop_graph(graph_iri)


def test_harvest_records_alone_do_not_rebuild_the_mirror(scratch_store, graph_iri, tmp_path):
    dataset = graph_iri + "/records"
    path = tmp_path / "statistics.duckdb"
    mirror = Mirror(scratch_store, path)
    scratch_store.replace_graph(graph_iri, _cube(dataset, {2020: 1}))
    assert _values(mirror, dataset) == {2020: 1.0}
    built = path.stat().st_ino
    scratch_store.add_to_graph(scratch_store.meta_graph, b"<urn:x:run> <urn:x:p> <urn:x:o> .\n")
    scratch_store._version = None
    assert _values(mirror, dataset) == {2020: 1.0}
    assert path.stat().st_ino == built
    scratch_store.drop_graph(graph_iri)


def test_a_cube_without_units_or_labels_is_listed(scratch_store, graph_iri, tmp_path):
    dataset = graph_iri + "/bare"
    scratch_store.replace_graph(graph_iri, _cube(dataset, {2019: 1, 2020: 2}))
    found = cubes.cubes(scratch_store, Mirror(scratch_store, tmp_path / "statistics.duckdb"))
    (cube,) = [c for c in found if c.iri == dataset]
    assert cube.units == [] and cube.title == dataset and cube.observations == 2


def test_a_second_mirror_reuses_a_current_file(scratch_store, graph_iri, tmp_path):
    scratch_store.replace_graph(graph_iri, _cube(graph_iri + "/c", {2019: 1}))
    path = tmp_path / "statistics.duckdb"
    Mirror(scratch_store, path).status()
    built = path.stat().st_mtime_ns
    assert Mirror(scratch_store, path).status()["data_version"] == scratch_store.content_version()
    assert path.stat().st_mtime_ns == built


def test_a_damaged_mirror_file_is_rebuilt(scratch_store, tmp_path):
    path = tmp_path / "statistics.duckdb"
    path.write_bytes(b"not a database")
    assert Mirror(scratch_store, path).status()["data_version"] == scratch_store.content_version()


def test_cubes_are_discovered_with_their_structure(app, demo_store):
    found = cubes.cubes(demo_store, app.extensions["regiograph.statistics"])
    (cube,) = [c for c in found if c.iri.endswith("/cube/gemeindeverzeichnis")]
    # GV-ISys cells with a value: population, area, density 6 x 290, DEGURBA 5 x 290
    assert cube.observations == 3 * 6 * 290 + 5 * 290 and (cube.first, cube.last) == (2009, 2023)
    assert len(cube.components["dimension"]) == 3 and len(cube.components["measure"]) == 1
    assert len(cube.units) >= 4  # person, km², per km², code


def test_selection_by_district_size_class_and_list(app):
    mirror = app.extensions["regiograph.statistics"]
    by_district = explorer.tidy(
        mirror,
        explorer.Selection(
            POPULATION,
            district="http://localhost:8080/id/district/08226",
            from_year=2019,
            to_year=2019,
        ),
    )
    assert len(by_district) == 54  # the Rhein-Neckar-Kreis, 31.12.2019
    by_size = explorer.tidy(
        mirror,
        explorer.Selection(
            POPULATION,
            size_class="https://w3id.org/regiograph/concepts/size-class/100000-plus",
            from_year=2019,
            to_year=2019,
        ),
    )
    assert {r[1] for r in by_size} >= {"Mannheim", "Heidelberg"}
    assert all(r[6] >= 100_000 for r in by_size)
    by_list = explorer.tidy(mirror, explorer.Selection(POPULATION, ags=("08222000", "08221000")))
    assert len(by_list) == 2 * 7  # six GV-ISys Stichtage and the Zensus 2022 each


def _text(client, path: str, first: str, last: str, **asked: str) -> str:
    """What ``path`` answers about the population from year ``first`` to ``last`` in the
    ``asked`` selection."""
    selection = {"indicator": POPULATION, "from": first, "to": last, **asked}
    return client.get(path, query_string=selection).get_data(as_text=True)


def test_explorer_page_table_chart_and_cubes(client):
    district = "http://localhost:8080/id/district/08226"
    page = _text(client, "/statistics", "2017", "2021", district=district)
    assert page.count("<tr><td>08226") == 50  # a page of the 54 * 3 (GV-ISys 2017, 2019, 2021)
    assert 'data-kind="line"' in page and page.count("<polyline") == 8  # at most 8 series drawn
    assert "Gemeindeverzeichnis (Destatis GV-ISys), Stichtage 31.12." in page  # the cube


def test_tidy_csv_one_row_per_municipality_period_indicator(client):
    body = _text(client, "/statistics/data.csv", "2019", "2021", ags="08222000, 08221000")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == explorer.CSV_COLUMNS
    assert {(r["ags"], r["period"]) for r in rows} == {
        ("08222000", "2019"),
        ("08222000", "2021"),
        ("08221000", "2019"),
        ("08221000", "2021"),
    }
    mannheim = next(r for r in rows if r["ags"] == "08222000" and r["period"] == "2019")
    assert float(mannheim["value"]) == 310658 and mannheim["name"] == "Mannheim"
    assert mannheim["unit"]


def test_a_whole_cube_downloads(client):
    body = client.get(
        "/statistics/data.csv",
        query_string={"dataset": "http://localhost:8080/id/cube/gemeindeverzeichnis"},
    ).get_data(as_text=True)
    assert len(body.strip().splitlines()) == 3 * 6 * 290 + 5 * 290 + 1


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"ags": "0822200"}, "ags"),
        ({"from": "neunzehn"}, "from"),
        ({"indicator": '"> } ; DROP ALL #'}, "indicator"),
        ({"district": "<"}, "district"),
        ({"ags": ",".join(["08222000"] * 501)}, "ags"),
    ],
)
def test_explorer_bad_input(client, query, parameter):
    for path in ("/statistics", "/statistics/data.csv"):
        response = client.get(path, query_string=query)
        assert response.status_code == 400
        assert parameter in response.get_data(as_text=True)


def test_explorer_on_a_store_without_region(scratch_platform, tmp_path):
    """No municipalities, no concept labels: the page and the download still answer."""
    from regiograph.server import create_app

    cfg, store = scratch_platform
    own = cfg.with_overrides(data_dir=str(tmp_path))
    client = create_app(own, store).test_client()
    assert client.get("/statistics").status_code == 200
    body = client.get("/statistics/data.csv", query_string={"indicator": POPULATION})
    assert body.status_code == 200 and body.get_data(as_text=True).startswith("ags,name,indicator")
