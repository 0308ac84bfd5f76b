"""The national base layer (docs/national.md) for one Land: ``scripts/derive_demo_data.py
--national --land 10`` derives Saarland (52 municipalities, 6 Kreise) from ../shared/data
through the code that derives all of Germany (the VG250 shapefile reprojected from
EPSG:25832), and the committed ``demo/national/sources.toml`` harvests it into a fresh store.
The national harvest itself is a benchmark (bench/national.py), not a test."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from conftest import make_config
from regiograph import iris
from regiograph.loader import pipeline, vocabulary
from regiograph.loader.sources import parse_sources
from regiograph.runtime import open_store

pytestmark = pytest.mark.shared

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "demo/national"
RG = "https://w3id.org/regiograph/ontology#"
GEO = "http://www.opengis.net/ont/geosparql#"
PREFIXES = (
    f"PREFIX rg: <{RG}> PREFIX geo: <{GEO}> "
    "PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> "
    "PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> "
)
POPULATION = "https://w3id.org/regiograph/concepts/indicator/population"
GERMANY = (5.86, 47.27, 15.05, 55.06)  # lon/lat bounding box: west, south, east, north
YEARS = ["2009", "2013", "2017", "2019", "2021", "2023"]
HARVESTED = ("gemeindeverzeichnis", "grenzen-gemeinden", "grenzen-kreise", "zensus-2022")


@pytest.fixture(scope="module")
def saarland(shared_data, tmp_path_factory):
    """Saarland derived and its sources harvested from the national sources file; the store
    and the municipalities' IRIs of 31.12.2023."""
    inputs = tmp_path_factory.mktemp("national-10")
    script = ROOT / "scripts/derive_demo_data.py"
    command = [sys.executable, str(script), str(shared_data), "--national", str(inputs)]
    subprocess.run([*command, "--land", "10"], check=True, capture_output=True)
    tables = tomllib.loads((NATIONAL / "sources.toml").read_text("utf-8"))["sources"]
    for table in tables:  # the file points at build/national: here the derived copy
        table["location"] = str(inputs / table["location"].removeprefix("../../build/national/"))
    sources = {s.id: s for s in parse_sources(tables, NATIONAL)}
    cfg = make_config(tmp_path_factory.mktemp("national-data"))
    with open_store(cfg) as (cfg, store):
        vocabulary.publish(cfg, store)
        for source_id in HARVESTED:
            result = pipeline.harvest(cfg, store, sources[source_id], force=True)
            assert result.outcome == "published", (source_id, result.message)
        yield cfg, store, inputs


def test_the_sources_file_names_the_derived_folder_and_the_demo_mappings():
    tables = tomllib.loads((NATIONAL / "sources.toml").read_text("utf-8"))["sources"]
    sources = parse_sources(tables, NATIONAL)
    assert {s.id for s in sources} >= set(HARVESTED)
    for source in sources:
        assert source.location.startswith("../../build/national/"), source.id
        assert source.resolve(source.mapping).is_file(), source.mapping
        assert all(source.resolve(c).is_file() for c in source.construct), source.construct


def _graphs(cfg, **names: str) -> dict[str, NamedNode]:
    """Bindings of query variables to the named graphs of the layer's sources."""
    return {var: NamedNode(iris.graph(cfg.base_iri, name)) for var, name in names.items()}


def test_every_municipality_has_a_polygon_in_germany(saarland):
    cfg, store, _ = saarland
    rows = store.select(
        PREFIXES + "SELECT ?m ?wkt WHERE { GRAPH ?gv { ?m a rg:Municipality } "
        "OPTIONAL { GRAPH ?b { ?m geo:hasGeometry ?g . ?g geo:asWKT ?wkt } } }",
        _graphs(cfg, gv="gemeindeverzeichnis", b="grenzen-gemeinden"),
    )
    polygons = {r["m"].value: r["wkt"].value for r in rows if "wkt" in r}
    municipalities = {r["m"].value for r in rows}
    assert len(municipalities) == 52
    assert sorted(municipalities - set(polygons)) == []
    west, south, east, north = GERMANY
    for iri, wkt in polygons.items():
        assert wkt.startswith(("POLYGON((", "MULTIPOLYGON(((")), iri
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", wkt)]
        lons, lats = numbers[::2], numbers[1::2]
        assert len(lons) == len(lats) >= 4, iri
        assert west <= min(lons) and max(lons) <= east, iri  # lon lat order: CRS84
        assert south <= min(lats) and max(lats) <= north, iri
    # Saarbrücken's outline lies around the city's reference point (6.996 E, 49.236 N)
    saarbruecken = polygons[cfg.base_iri + "id/municipality/10041100"]
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", saarbruecken)]
    assert min(numbers[::2]) < 6.996 < max(numbers[::2])
    assert min(numbers[1::2]) < 49.236 < max(numbers[1::2])


def test_every_district_has_its_vg5000_polygon(saarland):
    cfg, store, _ = saarland
    count = store.count(
        PREFIXES + "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?b { ?d geo:hasGeometry ?g } }",
        _graphs(cfg, b="grenzen-kreise"),
    )
    assert count == 6


def test_every_municipality_has_its_population_series(saarland):
    cfg, store, _ = saarland
    rows = store.select(
        PREFIXES + "SELECT ?m ?year ?value WHERE { GRAPH ?gv { ?o sdmx-dimension:refArea ?m ; "
        "rg:indicator ?population ; rg:refPeriod ?year ; sdmx-measure:obsValue ?value } }",
        {**_graphs(cfg, gv="gemeindeverzeichnis"), "population": NamedNode(POPULATION)},
    )
    series: dict[str, dict[str, str]] = {}
    for row in rows:
        series.setdefault(row["m"].value, {})[row["year"].value[:4]] = row["value"].value
    assert len(series) == 52
    assert {m: sorted(years) for m, years in series.items() if sorted(years) != YEARS} == {}
    # Saarbrücken as the register writes it, 2019 in the CSV's German format (" 180 374")
    saarbruecken = series[cfg.base_iri + "id/municipality/10041100"]
    assert saarbruecken == {
        "2009": "175810",
        "2013": "177201",
        "2017": "180966",
        "2019": "180374",
        "2021": "179634",
        "2023": "183509",
    }
