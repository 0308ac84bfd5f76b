"""Read the national VG250 municipality shapefile (a zip, EPSG:25832) as CRS84 GeoJSON features.

Used by ``derive_demo_data.py --national``; standard library only, so deriving the national
layer needs nothing beyond the project's own environment:

- the shapefile's Polygon records (ESRI shapefile technical description, 1998) and the DBF
  attribute table (dBASE III) are read directly;
- ETRS89 / UTM zone 32N is turned into longitude/latitude with the inverse transverse Mercator
  series of Krüger (Karney 2011, terms to n³: on GRS80 the next terms are below 1e-11 rad, far
  under the 1e-5 degrees the derived files are rounded to). ETRS89 and WGS84 differ by less
  than a metre here, which is what CRS84 files of official German boundaries always accept.

A shapefile polygon lists all rings of a feature in one record: outer rings clockwise, holes
counter-clockwise. GeoJSON groups them, so each hole goes to the outer ring that contains it.
"""

from __future__ import annotations

import itertools
import math
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

# GRS80 and the UTM zone 32 parameters of EPSG:25832
_A, _F = 6378137.0, 1 / 298.257222101
_K0, _E0, _LON0 = 0.9996, 500000.0, math.radians(9.0)
_N = _F / (2 - _F)
_RECTIFYING = _A / (1 + _N) * (1 + _N**2 / 4 + _N**4 / 64)
_BETA = (
    _N / 2 - 2 / 3 * _N**2 + 37 / 96 * _N**3,
    _N**2 / 48 + _N**3 / 15,
    17 / 480 * _N**3,
)
_DELTA = (
    2 * _N - 2 / 3 * _N**2 - 2 * _N**3,
    7 / 3 * _N**2 - 8 / 5 * _N**3,
    56 / 15 * _N**3,
)


def utm32_to_lonlat(easting: float, northing: float) -> tuple[float, float]:
    """Longitude and latitude in degrees of an EPSG:25832 position (northern hemisphere)."""
    xi = northing / (_K0 * _RECTIFYING)
    eta = (easting - _E0) / (_K0 * _RECTIFYING)
    xi_, eta_ = xi, eta
    for j, beta in enumerate(_BETA, 1):
        xi_ -= beta * math.sin(2 * j * xi) * math.cosh(2 * j * eta)
        eta_ -= beta * math.cos(2 * j * xi) * math.sinh(2 * j * eta)
    chi = math.asin(math.sin(xi_) / math.cosh(eta_))  # the conformal latitude
    lat = chi + sum(d * math.sin(2 * j * chi) for j, d in enumerate(_DELTA, 1))
    lon = _LON0 + math.atan2(math.sinh(eta_), math.cos(xi_))
    return math.degrees(lon), math.degrees(lat)


def features(zip_path: Path, key: str = "ARS") -> Iterator[tuple[str, dict]]:
    """(value of the attribute ``key``, GeoJSON geometry in CRS84) for every polygon record."""
    with zipfile.ZipFile(zip_path) as archive:
        names = {Path(n).suffix.lower(): n for n in archive.namelist()}
        shp, dbf = archive.read(names[".shp"]), archive.read(names[".dbf"])
    for value, rings in zip(_attribute(dbf, key), _polygon_records(shp), strict=True):
        if rings:
            yield value, _geometry([[list(utm32_to_lonlat(x, y)) for x, y in r] for r in rings])


def _polygon_records(shp: bytes) -> Iterator[list[list[tuple[float, float]]]]:
    """Each record's rings as lists of (x, y); an empty list for a null shape."""
    offset = 100  # the file header
    while offset < len(shp):
        _number, words = struct.unpack(">ii", shp[offset : offset + 8])
        content = shp[offset + 8 : offset + 8 + 2 * words]
        offset += 8 + 2 * words
        (shape_type,) = struct.unpack("<i", content[:4])
        if shape_type == 0:
            yield []
            continue
        if shape_type not in (5, 15, 25):  # Polygon, PolygonZ, PolygonM
            raise ValueError(f"shape type {shape_type}: not a polygon layer")
        parts, points = struct.unpack("<ii", content[36:44])
        starts = [*struct.unpack(f"<{parts}i", content[44 : 44 + 4 * parts]), points]
        base = 44 + 4 * parts
        xy = struct.unpack(f"<{2 * points}d", content[base : base + 16 * points])
        pairs = list(zip(xy[::2], xy[1::2], strict=True))
        yield [pairs[a:b] for a, b in itertools.pairwise(starts)]


def _attribute(dbf: bytes, key: str) -> Iterator[str]:
    """The text of one field in every record of a dBASE III table (deleted records included,
    as the shapefile keeps their shapes too)."""
    records, header_size, record_size = struct.unpack("<IHH", dbf[4:12])
    fields, position, start = {}, 32, 1  # byte 0 of a record is the deletion flag
    while dbf[position] != 0x0D:
        name = dbf[position : position + 11].split(b"\0")[0].decode("ascii")
        length = dbf[position + 16]
        fields[name] = (start, length)
        start += length
        position += 32
    if key not in fields:
        raise ValueError(f"the attribute table has no field {key!r} (fields: {sorted(fields)})")
    first, length = fields[key]
    for n in range(records):
        record = header_size + n * record_size
        yield dbf[record + first : record + first + length].decode("latin-1").strip()


def _geometry(rings: list[list[list[float]]]) -> dict:
    """Polygon or MultiPolygon: holes (counter-clockwise in the shapefile) under their outer
    ring."""
    polygons: list[list[list[list[float]]]] = []
    holes = []
    for ring in rings:
        if _signed_area(ring) < 0:
            polygons.append([ring])
        else:
            holes.append(ring)
    for hole in holes:
        owner = next((p for p in polygons if _contains(p[0], hole[0])), None)
        if owner is None:  # no outer ring around it: keep it as an area of its own
            polygons.append([hole])
        else:
            owner.append(hole)
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _signed_area(ring: list[list[float]]) -> float:
    """Twice the area, positive when counter-clockwise (lon/lat keeps the orientation)."""
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))


def _contains(ring: list[list[float]], point: list[float]) -> bool:
    """Even-odd rule: is ``point`` inside ``ring``?"""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
