"""Points for maps from GeoSPARQL WKT literals (``POINT(lon lat)``)."""

from __future__ import annotations

import re

_POINT = re.compile(
    r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)\s*$", re.IGNORECASE
)


def point(wkt: str) -> tuple[float, float] | None:
    """(lat, lon) of a WKT point, or None for other shapes and bad text."""
    match = _POINT.match(wkt or "")
    if not match:
        return None
    lon, lat = float(match.group(1)), float(match.group(2))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return lat, lon
