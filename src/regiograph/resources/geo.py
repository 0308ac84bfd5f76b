"""Shapes for maps from GeoSPARQL WKT literals: ``POINT``, ``POLYGON`` and ``MULTIPOLYGON``.

Polygons become GeoJSON geometries (``[lon, lat]`` pairs, as Leaflet's ``L.geoJSON`` reads
them), so the browser draws them without a WKT parser. A literal may start with a CRS IRI;
only CRS84 (the GeoSPARQL default) is drawn, since a page cannot reproject other systems.
Anything else (lines, collections, bad text, coordinates outside the globe) gives None and
the caller keeps the place's point or leaves it off the map.
"""

from __future__ import annotations

import re
from itertools import pairwise

_CRS = re.compile(r"^\s*<([^>]*)>\s*")
_CRS84 = {
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84h",
}
_POINT = re.compile(r"^POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)\s*$", re.IGNORECASE)
_SHAPE = re.compile(r"^(MULTIPOLYGON|POLYGON)\s*(\(.*\))\s*$", re.IGNORECASE | re.DOTALL)
_PAIR = re.compile(r"^\s*(-?[\d.]+(?:[eE]-?\d+)?)\s+(-?[\d.]+(?:[eE]-?\d+)?)\s*$")


def _body(wkt: str) -> str | None:
    """The WKT without a CRS84 IRI in front; None for another reference system."""
    text = wkt or ""
    crs = _CRS.match(text)
    if crs:
        if crs.group(1) not in _CRS84:
            return None
        text = text[crs.end() :]
    return text.strip()


def _on_globe(lon: float, lat: float) -> bool:
    return -180 <= lon <= 180 and -90 <= lat <= 90


def point(wkt: str) -> tuple[float, float] | None:
    """(lat, lon) of a WKT point, or None for other shapes and bad text."""
    match = _POINT.match(_body(wkt) or "")
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    return (lat, lon) if _on_globe(lon, lat) else None


def polygon(wkt: str) -> dict | None:
    """A WKT (multi)polygon as a GeoJSON geometry, or None for anything else."""
    match = _SHAPE.match(_body(wkt) or "")
    if not match:
        return None
    kind = match.group(1).upper()
    try:
        nested = _nest(match.group(2))
        polygons = [nested] if kind == "POLYGON" else nested
        parts = [_polygon(part) for part in polygons]
    except ValueError:
        return None
    if not parts:
        return None
    if kind == "POLYGON":
        return {"type": "Polygon", "coordinates": parts[0]}
    return {"type": "MultiPolygon", "coordinates": parts}


def _nest(text: str) -> list:
    """Bracketed WKT text as nested lists whose leaves are the coordinate texts."""
    stack: list[list] = [[]]
    start = 0
    for i, char in enumerate(text):
        if char == "(":
            stack.append([])
            start = i + 1
        elif char in ",)":
            leaf = text[start:i].strip()
            if leaf:
                stack[-1].append(leaf)
            start = i + 1
            if char == ")":
                if len(stack) < 2:
                    raise ValueError("unbalanced brackets")
                done = stack.pop()
                stack[-1].append(done)
    if len(stack) != 1 or len(stack[0]) != 1:
        raise ValueError("unbalanced brackets")
    return stack[0][0]


def _polygon(rings: list) -> list:
    """Rings of coordinate texts → rings of [lon, lat]; each ring closed, four points at least."""
    parsed = []
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise ValueError("a ring needs four points")
        coords = []
        for pair in ring:
            match = _PAIR.match(pair) if isinstance(pair, str) else None
            if not match:
                raise ValueError(f"not a coordinate pair: {pair!r}")
            lon, lat = float(match.group(1)), float(match.group(2))
            if not _on_globe(lon, lat):
                raise ValueError("outside the globe")
            coords.append([lon, lat])
        if coords[0] != coords[-1]:
            raise ValueError("ring not closed")
        parsed.append(coords)
    return parsed


def centre(geometry: dict) -> tuple[float, float]:
    """(lat, lon) of the centroid of the largest outer ring (for lists and single markers)."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    best_area, best = -1.0, (0.0, 0.0)
    for rings in polygons:
        area, cx, cy = _ring_centroid(rings[0])
        if abs(area) > best_area:
            best_area, best = abs(area), (cy, cx)
    return best


def _ring_centroid(ring: list) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area / 2, cx / (3 * area), cy / (3 * area)


def locate(wkts: list[str]) -> tuple[tuple[float, float], dict | None] | None:
    """The place of a resource with these WKT literals: ((lat, lon), polygon or None).

    The first polygon is drawn; the point is the resource's own point if it has one (the
    official reference point sits where people look for the place), else the polygon's centre.
    None when nothing can be drawn."""
    shape = next((s for s in map(polygon, wkts) if s), None)
    spot = next((p for p in map(point, wkts) if p), None)
    if shape is None and spot is None:
        return None
    return (spot or centre(shape)), shape
