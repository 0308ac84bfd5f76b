"""GeoJSON features as rows of a table, for the same CSVW mapping a CSV table has.

Each feature is one row: its ``properties`` by name, and its geometry in the column titled
``geometry`` as a GeoSPARQL WKT literal text (CRS84, lon lat — the default CRS of
``geo:wktLiteral``, so no CRS IRI is written). Only Polygon and MultiPolygon are taken: a
feature whose geometry is missing, of another type or broken (a ring not closed, fewer than
four positions, a coordinate that is not a number or lies outside lon/lat range) is left out
and named in the notes, so what it describes keeps whatever geometry other sources gave it
(the municipality keeps its point). A collection declaring another CRS than CRS84/EPSG:4326
is refused: this module does not reproject. No I/O here.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from regiograph.loader.disclosure import quoted
from regiograph.loader.errors import MappingError

GEOMETRY = "geometry"
_CRS84 = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326")


def to_csv(data: bytes, titles: list[str], where: str) -> tuple[bytes, list[str]]:
    """The features as CSV text with ``titles`` as its header, and a note per skipped feature.

    A title that no feature has as a property (a renamed or missing column) is an error
    naming it; properties the mapping does not name are ignored."""
    features = _features(data, where)
    present = {name for f in features for name in (f.get("properties") or {})}
    missing = [t for t in titles if t != GEOMETRY and t not in present]
    if missing:
        raise MappingError(
            f"{where}: no feature has the propert{'y' if len(missing) == 1 else 'ies'} "
            f"{', '.join(repr(m) for m in missing)} named in the mapping"
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(titles)
    notes = []
    for number, feature in enumerate(features, 1):
        properties = feature.get("properties") or {}
        try:
            wkt = to_wkt(feature.get("geometry"))
        except ValueError as exc:
            label = ", ".join(f"{t}={properties[t]}" for t in titles if properties.get(t))
            notes.append(f"feature {number} ({label or 'no properties'}): {exc}; left out")
            continue
        writer.writerow([wkt if t == GEOMETRY else _cell(properties.get(t)) for t in titles])
    return out.getvalue().encode("utf-8"), notes


def _features(data: bytes, where: str) -> list[dict[str, Any]]:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MappingError(f"{where}: not GeoJSON ({exc})") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise MappingError(f"{where}: not a GeoJSON FeatureCollection")
    crs = ((document.get("crs") or {}).get("properties") or {}).get("name")
    if crs and crs not in _CRS84:
        raise MappingError(f"{where}: coordinates in {quoted(crs)}; only CRS84 (lon/lat) is read")
    features = document.get("features")
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise MappingError(f"{where}: 'features' is not a list of features")
    return features


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def to_wkt(geometry: Any) -> str:
    """POLYGON or MULTIPOLYGON WKT of a GeoJSON geometry, or ValueError saying what is wrong."""
    if not isinstance(geometry, dict):
        raise ValueError("no geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return "POLYGON" + _polygon(coordinates)
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValueError("a MultiPolygon without polygons")
        return "MULTIPOLYGON(" + ",".join(_polygon(p) for p in coordinates) + ")"
    raise ValueError(f"a {kind or 'geometry without type'}, not a polygon")


def _polygon(rings: Any) -> str:
    if not isinstance(rings, list) or not rings:
        raise ValueError("a polygon without rings")
    return "(" + ",".join(_ring(r) for r in rings) + ")"


def _ring(ring: Any) -> str:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValueError("a ring with fewer than four positions")
    points = [_position(p) for p in ring]
    if points[0] != points[-1]:
        raise ValueError("a ring that is not closed")
    return "(" + ",".join(f"{x} {y}" for x, y in points) + ")"


def _position(position: Any) -> tuple[str, str]:
    if not isinstance(position, list) or len(position) < 2:
        raise ValueError(f"a position that is not [lon, lat]: {quoted(position)}")
    lon, lat = position[0], position[1]
    for value in (lon, lat):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValueError(f"a coordinate that is not a number: {quoted(value)}")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(f"a position outside lon/lat range: [{lon}, {lat}]")
    return repr(lon) if isinstance(lon, float) else str(lon), (
        repr(lat) if isinstance(lat, float) else str(lat)
    )
