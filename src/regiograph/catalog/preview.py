"""Previews of a dataset's CSV and GeoJSON distributions: the first rows of a table, the
features of a map.

Only two kinds of file are read, both bounded: the platform's own files (the dumps, read
from the data folder, never over HTTP) and files on the hosts the operator names in
``catalog.preview_hosts``, fetched by the server without following redirects, with short
time-outs and at most :data:`CSV_BYTES` (a CSV's first rows need no more) or
:data:`GEOJSON_BYTES` (a GeoJSON is read whole or not at all). Anything else is not fetched:
the page links the file instead. Results are kept for a few minutes per process, so a page
rendered again asks the host nothing.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from regiograph import iris
from regiograph.catalog import dumps
from regiograph.loader.fetch.http import first_bytes

CSV_BYTES = 64 * 1024
GEOJSON_BYTES = 2 * 1024 * 1024
ROWS = 10
COLUMNS = 20
CELL_CHARS = 200
FEATURES = 500
PREVIEWS = 3  # distributions previewed per page at most
TIMEOUT_S = (3.0, 5.0)  # connect, read
KEEP_S = 600.0
_CSV_TYPES = {"CSV"}
_GEOJSON_TYPES = {"GEOJSON"}


@dataclass
class Preview:
    kind: str  # "csv" or "geojson"
    title: str
    href: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)  # for the page's map (map.js)
    more: bool = False  # the file has more rows or features than shown
    # why nothing is shown: "not-allowed", "too-large", "unreachable", "unknown", "no-features"
    problem: str = ""


def for_distributions(distributions: list[dict], config) -> list[Preview]:
    """Previews of the first :data:`PREVIEWS` CSV or GeoJSON distributions that may be read."""
    out = []
    for dist in distributions:
        kind = _kind(dist)
        url = dist.get("download") or dist.get("access") or ""
        if kind is None or not url:
            continue
        data = _read(url, kind, config)
        preview = Preview(kind, dist.get("title") or url.rsplit("/", 1)[-1], url)
        if isinstance(data, str):
            preview.problem = data
        elif kind == "csv":
            preview.header, preview.rows, preview.more = table(data)
        else:
            preview.points, preview.more = features(data, url)
            preview.problem = "" if preview.points else "no-features"
        out.append(preview)
        if len(out) == PREVIEWS:
            break
    return out


def _kind(dist: dict) -> str | None:
    media = (dist.get("media_type") or "").rsplit("/", 1)[-1].lower()
    url = (dist.get("download") or dist.get("access") or "").lower().split("?")[0]
    if dist.get("format") in _CSV_TYPES or media == "csv" or url.endswith(".csv"):
        return "csv"
    if dist.get("format") in _GEOJSON_TYPES or media == "geo+json" or url.endswith(".geojson"):
        return "geojson"
    return None


# --- reading, bounded ----------------------------------------------------------------------

_kept: dict[tuple[str, str], tuple[float, bytes | str]] = {}
_kept_lock = threading.Lock()


def _read(url: str, kind: str, config) -> bytes | str:
    """The file's first bytes (CSV) or whole body (GeoJSON), or why it is not read."""
    key = (url, kind)
    with _kept_lock:
        found = _kept.get(key)
    if found and time.monotonic() - found[0] < KEEP_S:
        return found[1]
    data = _own(url, kind, config)
    if data is None:
        data = _remote(url, kind, config)
    with _kept_lock:
        if len(_kept) > 64:
            _kept.clear()
        _kept[key] = (time.monotonic(), data)
    return data


def _own(url: str, kind: str, config) -> bytes | str | None:
    """One of the platform's dumps, from the data folder; None for any other URL."""
    prefix = iris.dump(config.base_iri, "")
    if not url.startswith(prefix):
        return None
    name = url.removeprefix(prefix)
    manifest = dumps.read_manifest(config)
    if not dumps.safe_name(name) or manifest is None or manifest.get(name) is None:
        return "unknown"
    cap = CSV_BYTES if kind == "csv" else GEOJSON_BYTES
    with open(dumps.folder(config) / name, "rb") as handle:
        data = handle.read(cap + 1)
    if kind == "geojson" and len(data) > cap:
        return "too-large"
    return data[:cap]


def allowed_hosts(config) -> set[str]:
    text = config["catalog.preview_hosts"].replace(",", " ")
    return {host.lower() for host in text.split()}


def _remote(url: str, kind: str, config) -> bytes | str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in allowed_hosts(config):
        return "not-allowed"
    cap = CSV_BYTES if kind == "csv" else GEOJSON_BYTES
    headers = {"Range": f"bytes=0-{cap - 1}"} if kind == "csv" else {}
    data = first_bytes(url, cap, headers, TIMEOUT_S)
    if data is None:
        return "unreachable"
    if kind == "geojson" and len(data) > cap:
        return "too-large"
    return data[:cap]


# --- what is shown -------------------------------------------------------------------------


def table(data: bytes) -> tuple[list[str], list[list[str]], bool]:
    """(header, first rows, whether there are more) of a CSV's first bytes."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = text.splitlines()
    if len(data) >= CSV_BYTES and lines:
        lines = lines[:-1]  # the last line may be cut
    try:
        dialect = csv.Sniffer().sniff(lines[0] if lines else "", delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO("\n".join(lines[: ROWS + 1])), dialect))
    rows = [[cell[:CELL_CHARS] for cell in row[:COLUMNS]] for row in rows]
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    return header, body, len(lines) > ROWS + 1 or len(data) >= CSV_BYTES


def features(data: bytes, url: str) -> tuple[list[dict], bool]:
    """Map points (map.js: label, lat, lon, shape) of a GeoJSON's first features."""
    try:
        document = json.loads(data)
    except ValueError:
        return [], False
    if not isinstance(document, dict):
        return [], False
    found = document.get("features") if document.get("type") == "FeatureCollection" else None
    found = found if isinstance(found, list) else [document]
    points = []
    for number, feature in enumerate(found[:FEATURES], start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        where = _first_position(geometry)
        if where is None:
            continue
        point = {"lat": where[1], "lon": where[0], "label": _label(feature, number), "url": url}
        if geometry.get("type") != "Point":
            point["shape"] = geometry
        point["kind"] = "member"
        points.append(point)
    return points, len(found) > FEATURES


def _first_position(geometry) -> tuple[float, float] | None:
    if not isinstance(geometry, dict):
        return None
    coordinates = geometry.get("coordinates")
    while isinstance(coordinates, list) and coordinates and isinstance(coordinates[0], list):
        coordinates = coordinates[0]
    if (
        isinstance(coordinates, list)
        and len(coordinates) >= 2
        and all(isinstance(c, int | float) for c in coordinates[:2])
    ):
        return float(coordinates[0]), float(coordinates[1])
    return None


def _label(feature: dict, number: int) -> str:
    properties = feature.get("properties")
    if isinstance(properties, dict):
        for key in ("name", "title", "label", "Name", "NAME", "GEN", "bezeichnung"):
            if isinstance(properties.get(key), str | int | float):
                return str(properties[key])[:CELL_CHARS]
    return f"#{number}"
