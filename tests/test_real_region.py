"""The demo's real-region sources (issue 14) through the loader, and what bad input does to them:
a renamed or missing column, a key that lost its leading zero, German number formats and
missing-value marks, a boundary that is not a polygon or does not parse, a source without a
licence (a Gebietsreform: tests/test_gebietsreform.py). Real Oxigraph, the shipped
files in demo/sources/ (no shared data needed), except the check that the derivation script
still reproduces them from ../shared/data."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from httpfixtures import make_source
from regiograph.loader import pipeline
from regiograph.loader.errors import SourceConfigError
from regiograph.loader.map import csvw
from regiograph.loader.sources import parse_sources

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo"
RG = "https://w3id.org/regiograph/ontology#"
GEO = "http://www.opengis.net/ont/geosparql#"
OBS_VALUE = "http://purl.org/linked-data/sdmx/2009/measure#obsValue"
GV_CONSTRUCTS = [
    "gv-gebiete.rq",
    "gv-gemeinden.rq",
    "gv-beobachtungen.rq",
    "gv-fruehere-gemeinden.rq",
]


def gv_source(folder: Path, body: bytes, source_id: str):
    (folder / "gv.csv").write_bytes(body)
    mappings = DEMO / "mappings"
    return make_source(
        folder,
        id=source_id,
        kind="csv",
        location="gv.csv",
        mapping=str(mappings / "gv-jahre.csv-metadata.json"),
        construct=[str(mappings / name) for name in GV_CONSTRUCTS],
        base_iri="{base}",
    )


def values(store, graph: str, subject: str, predicate: str) -> list[str]:
    rows = store.select(
        "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
        {"g": NamedNode(graph), "s": NamedNode(subject), "p": NamedNode(predicate)},
    )
    return sorted(row["o"].value for row in rows)


def count(store, graph: str, where: str) -> int:
    return store.count(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ {where} }} }}", {"g": NamedNode(graph)}
    )


@pytest.fixture(scope="module")
def gv_published(scratch_platform, tmp_path_factory):
    """The shipped Gemeindeverzeichnis file published once; the bad-input tests reuse its id."""
    config, store = scratch_platform
    folder = tmp_path_factory.mktemp("gv")
    body = (DEMO / "sources/gemeindeverzeichnis/gv-2009-2023.csv").read_bytes()
    source = gv_source(folder, body, "real-region-gv")
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    return source, body, source.graph(config.base_iri)


def test_the_whole_region_with_its_associations(scratch_platform, gv_published):
    config, store = scratch_platform
    _, _, graph = gv_published
    assert count(store, graph, f"?m a <{RG}Municipality>") == 290
    assert count(store, graph, f"?d a <{RG}District>") == 15
    assert count(store, graph, f"?s a <{RG}FederalState>") == 3
    # 23 Verbandsgemeinden (RP), 11 GVV and 8 VVG (BW): the Satzart-50 rows that are associations
    assert count(store, graph, f"?a a <{RG}MunicipalAssociation>") == 42
    base = config.base_iri
    mannheim = base + "id/municipality/08222000"
    assert values(store, graph, mannheim, RG + "population") == ["316877"]  # 31.12.2023
    assert values(store, graph, mannheim, RG + "statisticsDate") == ["2023-12-31"]
    # a municipality of a Verbandsgemeinde points at it (ARS 073325007 = VG Leiningerland)
    members = count(store, graph, f"?m <{RG}association> <{base}id/association/073325007>")
    assert members > 0


def test_german_number_formats_as_the_offices_write_them(scratch_platform, gv_published):
    config, store = scratch_platform
    _, _, graph = gv_published
    base = config.base_iri + "id/observation/"
    # 2019 is written " 310 658" and " 144.97" in the Destatis CSV; 2023 comes from Excel
    assert values(store, graph, base + "population/08222000/2019", OBS_VALUE) == ["310658"]
    assert values(store, graph, base + "population-density/08222000/2019", OBS_VALUE) == ["2143"]
    assert values(store, graph, base + "area/08222000/2017", OBS_VALUE) == ["144.97"]
    point = store.select(
        "SELECT ?w WHERE { GRAPH ?g { ?m ?has ?geo . ?geo ?as ?w "
        "FILTER(STRSTARTS(STR(?w), 'POINT')) } }",
        {
            "g": NamedNode(graph),
            "m": NamedNode(config.base_iri + "id/municipality/08222000"),
            "has": NamedNode(GEO + "hasGeometry"),
            "as": NamedNode(GEO + "asWKT"),
        },
    )
    assert [row["w"].value for row in point] == ["POINT(8.466275 49.48778)"]  # "8,466275"


@pytest.mark.parametrize(
    ("cell", "fmt", "expected"),
    [
        (" 90 164", {"groupChar": " "}, "90164"),
        ("9,43751", {"decimalChar": ","}, "9.43751"),
        ("1.234,5", {"decimalChar": ",", "groupChar": "."}, "1234.5"),
    ],
)
def test_german_numbers_in_a_cell(cell, fmt, expected):
    base = "decimal" if "," in cell else "integer"
    column = csvw.Column(name="x", titles=["x"], base=base, format=fmt)
    assert csvw.canonical(column, cell.strip()) == expected


def test_a_missing_value_mark_gives_no_observation_not_zero(scratch_platform, tmp_path):
    config, store = scratch_platform
    body = (DEMO / "sources/gemeindeverzeichnis/gv-2009-2023.csv").read_bytes()
    lines = body.decode("utf-8").splitlines(keepends=True)
    marked = [_mark_population(line) for line in lines]
    source = gv_source(tmp_path, "".join(marked).encode("utf-8"), "real-region-missing")
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    graph = source.graph(config.base_iri)
    base = config.base_iri + "id/observation/population/08222000/"
    assert values(store, graph, base + "2019", OBS_VALUE) == []
    assert values(store, graph, base + "2021", OBS_VALUE) == ["311831"]


def _mark_population(line: str) -> str:
    """Mannheim's 2019 population replaced by the office's "no value" mark."""
    if not line.startswith("2019-12-31,60,62,08,2,22,0000,000,"):
        return line
    cells = line.split(",")
    cells[11] = "."  # bevoelkerung; the quoted name holds a comma, so it fills cells 8 and 9
    return ",".join(cells)


def test_a_renamed_column_fails_naming_it_and_the_published_data_stay(
    scratch_platform, gv_published, tmp_path
):
    body = gv_published[1]
    renamed = body.replace(b",bevoelkerung,", b",einwohner,", 1)
    message = _fails_in_map_keeping_the_graph(scratch_platform, gv_published, renamed)
    assert "missing column(s) 'bevoelkerung'" in message, message


def test_a_missing_column_fails_naming_it_and_the_published_data_stay(
    scratch_platform, gv_published
):
    table = list(csv.reader(io.StringIO(gv_published[1].decode("utf-8"))))
    gone = table[0].index("flaeche")
    dropped = io.StringIO()
    csv.writer(dropped, lineterminator="\n").writerows(
        [cells[:gone] + cells[gone + 1 :] for cells in table]
    )
    changed = dropped.getvalue().encode("utf-8")
    message = _fails_in_map_keeping_the_graph(scratch_platform, gv_published, changed)
    assert "missing column(s) 'flaeche'" in message, message


def _fails_in_map_keeping_the_graph(platform, gv_published, table: bytes) -> str:
    """The register harvested with ``table`` in place of its file (put back after): the run
    fails in the map step and the published graph stays as it was; the run's message."""
    config, store = platform
    source, body, graph = gv_published
    before = store.read_graph(graph)
    (source.folder / "gv.csv").write_bytes(table)
    try:
        result = pipeline.harvest(config, store, source)
    finally:
        (source.folder / "gv.csv").write_bytes(body)
    assert result.outcome == "failed" and result.step == "map", result.message
    assert store.read_graph(graph) == before
    return result.message


def test_a_key_written_as_a_number_is_refused_never_a_second_municipality(
    scratch_platform, tmp_path
):
    config, store = scratch_platform
    table = (DEMO / "sources/zensus2022/zensus2022.csv").read_bytes()
    # a spreadsheet turned the AGS 08222000 into the number 8222000
    damaged = table.replace(b"\n08222000,", b"\n8222000,", 1)
    (tmp_path / "zensus.csv").write_bytes(damaged)
    source = make_source(
        tmp_path,
        kind="csv",
        location="zensus.csv",
        mapping=str(DEMO / "mappings/zensus2022.csv-metadata.json"),
        construct=[str(DEMO / "mappings/zensus2022.rq")],
        base_iri="{base}",
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and result.step == "map"
    assert "column 'ags': «8222000» does not match" in result.message, result.message
    assert count(store, source.graph(config.base_iri), "?s ?p ?o") == 0


def test_a_boundary_that_is_not_a_polygon_is_named_and_the_point_kept(
    scratch_platform, gv_published, tmp_path
):
    config, store = scratch_platform
    document = json.loads((DEMO / "sources/grenzen/gemeinden-vg250-2022.geojson").read_bytes())
    first, second, third, fourth = document["features"][:4]
    first["geometry"] = {"type": "Point", "coordinates": [8.8, 49.5]}
    ring = second["geometry"]["coordinates"][0]
    second["geometry"] = {"type": "Polygon", "coordinates": [ring[:-1]]}  # not closed
    # coordinates that do not parse: German decimal commas as text, and no geometry at all
    comma = [[f"{x}".replace(".", ","), f"{y}".replace(".", ",")] for x, y in ring]
    third["geometry"] = {"type": "Polygon", "coordinates": [comma]}
    fourth["geometry"] = None
    (tmp_path / "b.geojson").write_text(json.dumps(document), encoding="utf-8")
    source = make_source(
        tmp_path,
        kind="geojson",
        location="b.geojson",
        mapping=str(DEMO / "mappings/grenzen-gemeinden.geojson-metadata.json"),
        base_iri="{base}",
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    assert f"AGS={first['properties']['AGS']}" in result.message
    assert "a Point, not a polygon" in result.message
    assert f"AGS={second['properties']['AGS']}" in result.message
    assert "a ring that is not closed" in result.message
    assert f"AGS={third['properties']['AGS']}" in result.message
    assert "a coordinate that is not a number" in result.message
    assert f"AGS={fourth['properties']['AGS']}, name=Birkenau): no geometry" in result.message
    graph = source.graph(config.base_iri)
    assert count(store, graph, f"?m <{GEO}hasGeometry> ?b") == len(document["features"]) - 4
    municipality = config.base_iri + f"id/municipality/{first['properties']['AGS']}"
    _, _, gv_graph = gv_published
    assert values(store, graph, municipality, GEO + "hasGeometry") == []
    assert len(values(store, gv_graph, municipality, GEO + "hasGeometry")) == 1  # its point


def test_a_source_without_a_licence_is_refused():
    table = {
        "id": "no-licence",
        "kind": "geojson",
        "location": "b.geojson",
        "mapping": "m.json",
    }
    with pytest.raises(SourceConfigError, match="needs 'licence'"):
        parse_sources([table], ROOT)


def test_every_shipped_source_names_origin_licence_and_attribution():
    for readme in sorted((DEMO / "sources").glob("*/README.md")):
        text = readme.read_text(encoding="utf-8")
        for field in ("**Origin:**", "**Licence:**", "**Attribution (Quellenvermerk):**"):
            assert field in text, (readme, field)


def test_the_script_reproduces_the_shipped_files(shared_data, tmp_path):
    script = ROOT / "scripts/derive_demo_data.py"
    done = subprocess.run(
        [sys.executable, str(script), str(shared_data), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.*"))
    # the folders this script writes (modellprojekte/ and portale/ come from their own scripts)
    folders = {name.parts[0] for name in made}
    shipped = sorted(
        p.relative_to(DEMO / "sources")
        for p in (DEMO / "sources").rglob("*.*")
        if p.relative_to(DEMO / "sources").parts[0] in folders
    )
    assert made == shipped
    assert {"modellprojekte", "portale"}.isdisjoint(folders)
    for name in shipped:
        assert (tmp_path / name).read_bytes() == (DEMO / "sources" / name).read_bytes(), name
