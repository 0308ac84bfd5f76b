"""Maps draw areas: WKT (multi)polygons become GeoJSON for static/map.js, places without a
polygon keep their point, and every map page of the demo region carries its polygons
(municipality, district, region, project partners, home)."""

from __future__ import annotations

import html as htmlmod
import json
import re

import pytest

from regiograph.resources import geo

SQUARE = "POLYGON((8 49, 9 49, 9 50, 8 50, 8 49))"
HOLE = "(8.2 49.2, 8.4 49.2, 8.4 49.4, 8.2 49.2)"


def test_polygon_becomes_geojson_lon_lat():
    shape = geo.polygon(SQUARE)
    assert shape == {
        "type": "Polygon",
        "coordinates": [[[8.0, 49.0], [9.0, 49.0], [9.0, 50.0], [8.0, 50.0], [8.0, 49.0]]],
    }


def test_multipolygon_with_a_hole_and_a_crs84_prefix():
    wkt = (
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> MULTIPOLYGON(((8 49, 9 49, 9 50, 8 49),"
        f"{HOLE}), ((10 49, 11 49, 11 50, 10 49)))"
    )
    shape = geo.polygon(wkt)
    assert shape["type"] == "MultiPolygon"
    assert [len(rings) for rings in shape["coordinates"]] == [2, 1]
    assert shape["coordinates"][1][0][1] == [11.0, 49.0]


@pytest.mark.parametrize(
    "wkt",
    [
        "POINT(8 49)",
        "LINESTRING(8 49, 9 50)",
        "POLYGON((8 49, 9 49, 9 50, 8 50))",  # not closed
        "POLYGON((8 49, 9 49, 8 49))",  # fewer than four points
        "POLYGON((8 49, 9 49, 9 50, 8 50, 8 49)",  # unbalanced
        "POLYGON((800 49, 9 49, 9 50, 800 49))",  # off the globe
        "POLYGON((8 49 9 49, 9 50, 8 50, 8 49 9))",  # not pairs
        "<http://www.opengis.net/def/crs/EPSG/0/25832> POLYGON((1 2, 3 2, 3 4, 1 2))",
        "",
    ],
)
def test_what_is_not_a_drawable_polygon_gives_none(wkt):
    assert geo.polygon(wkt) is None


def test_locate_draws_the_polygon_at_the_own_point_or_its_centre():
    (lat, lon), shape = geo.locate([SQUARE, "POINT(8.1 49.9)"])
    assert shape["type"] == "Polygon" and (lat, lon) == (49.9, 8.1)
    (lat, lon), _ = geo.locate([SQUARE])
    assert (round(lat, 6), round(lon, 6)) == (49.5, 8.5)
    assert geo.locate(["POINT(8.1 49.9)"]) == ((49.9, 8.1), None)
    assert geo.locate(["LINESTRING(8 49, 9 50)"]) is None


# --- pages of the demo region ------------------------------------------------------------


def map_places(client, path: str) -> list[dict]:
    response = client.get(path, headers={"Accept-Language": "de"})
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    raw = re.search(r"class=\"map\" data-points='([^']+)'", html).group(1)
    return json.loads(htmlmod.unescape(raw))


def test_municipality_map_is_its_boundary_at_its_reference_point(client):
    (mannheim,) = map_places(client, "/page/municipality/08222000")
    assert mannheim["kind"] == "self" and mannheim["shape"]["type"] == "Polygon"
    # the Gemeindeverzeichnis' reference point (8,466275 / 49,48778), not the polygon's centre
    assert (mannheim["lat"], mannheim["lon"]) == (49.48778, 8.466275)
    ring = mannheim["shape"]["coordinates"][0]
    assert len(ring) > 20 and ring[0] == ring[-1]


def test_district_map_draws_its_outline_and_every_member_as_an_area(client):
    places = map_places(client, "/page/district/08226")
    outline = [p for p in places if p["kind"] == "outline"]
    members = [p for p in places if p["kind"] == "member"]
    assert len(outline) == 1 and outline[0]["shape"]["type"] == "MultiPolygon"
    assert len(members) == 54  # the Rhein-Neckar-Kreis' municipalities, 31.12.2023
    assert all("shape" in p for p in members)
    # the members table and the map name the same municipalities, each with its point
    html = client.get("/page/district/08226").get_data(as_text=True)
    table = set(re.findall(r'<td><a href="(/page/municipality/\d+)"', html))
    assert table == {p["url"] for p in members}
    heidelberg_neighbour = next(p for p in members if p["url"].endswith("/08226096"))
    assert 49.5 < heidelberg_neighbour["lat"] < 49.6  # Weinheim's own point, not a default


def test_region_and_home_maps_draw_all_290_municipalities_as_areas(client):
    for path in ("/page/region/metropolregion-rhein-neckar", "/"):
        places = [p for p in map_places(client, path) if p["kind"] == "member"]
        assert len(places) == 290, path
        assert all(p.get("shape") for p in places), path


PARTNER_WITH_AREA = """
PREFIX rg: <https://w3id.org/regiograph/ontology#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?project ?org WHERE {
  ?project a rg:Project ; rg:lead|rg:participant ?org .
  ?org a rg:Municipality ; geo:hasGeometry/geo:asWKT ?wkt .
  FILTER(STRSTARTS(STR(?wkt), "POLYGON") || STRSTARTS(STR(?wkt), "MULTIPOLYGON"))
} ORDER BY ?project ?org LIMIT 1
"""


def test_project_partners_are_drawn_as_their_areas(client, demo_store):
    (row,) = demo_store.select(PARTNER_WITH_AREA)
    path = "/page/project/" + row["project"].value.rsplit("/", 1)[1]
    places = map_places(client, path)
    partner = next(p for p in places if p["url"].endswith(row["org"].value.rsplit("/", 1)[1]))
    assert partner["kind"] in {"lead", "participant"}
    assert partner["shape"]["type"] in {"Polygon", "MultiPolygon"}


def test_key_facts_say_their_reference_date(client):
    html = client.get("/page/municipality/08222000", headers={"Accept-Language": "de"})
    facts = re.search(r'<dl class="facts">(.*?)</dl>', html.get_data(as_text=True), re.S)
    # Destatis GV-ISys 31.12.2023: Mannheim 316 877 inhabitants on 144.97 km²
    assert "<dd>316.877 (31.12.2023)</dd>" in facts.group(1)
    assert "<dd>144,97 (31.12.2023)</dd>" in facts.group(1)
    english = client.get("/page/municipality/08222000", headers={"Accept-Language": "en"})
    assert "316,877 (Dec 31, 2023)" in english.get_data(as_text=True)
    district = client.get("/page/district/08226", headers={"Accept-Language": "de"})
    assert re.search(r"<dd>[\d.]+ \(31\.12\.2023\)</dd>", district.get_data(as_text=True))
