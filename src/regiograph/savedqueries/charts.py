"""Chart geometry for result tables, drawn as SVG by the templates (no JavaScript needed).

``chart(kind, columns, rows, options)`` picks the label column (``x``), the value column
(``y``) and for line charts an optional ``series`` column, and returns plain numbers the
template places. A ``map`` draws the rows that hold a WKT point or (multi)polygon on the
pages' Leaflet map (``static/map.js``), labelled by the first text column and linked by the
first IRI column.
"""

from __future__ import annotations

import math
from numbers import Real
from urllib.parse import urlencode

from regiograph.resources.geo import locate
from regiograph.savedqueries.display import is_key_column

WIDTH, PLOT_HEIGHT, LEFT, BAR = 720, 280, 190, 18
PALETTE = ("#1b6ca8", "#d1495b", "#2e933c", "#edae49", "#66468f", "#00798c", "#8d6a48", "#30343f")
MAX_BARS, MAX_SERIES, MAX_POINTS = 60, 8, 2000


def chart(kind: str, columns: list[str], rows: list[dict], options: dict | None = None):
    """Geometry for a bar or line chart, or None when there is nothing to draw."""
    options = options or {}
    if kind == "table" or not rows:
        return None
    if kind == "map":
        return _map(rows, columns)
    # the value: a number that is not a key or a year (those are labels and axes); columns
    # are only inspected when the caller did not name them (the explorer draws every page)
    y = options.get("y") or next(
        (c for c in columns if not is_key_column(c) and _numeric(rows, c)), None
    )
    # a name reads better than an IRI on an axis: text columns first, then IRI columns
    x = (
        options.get("x")
        or next(
            (c for c in columns if c != y and _any_text(rows, c) and not _all_iris(rows, c)), None
        )
        or next((c for c in columns if c != y and not _numeric(rows, c)), None)
        or next((c for c in columns if c != y), None)
    )
    if y is None or x is None or y not in columns or x not in columns:
        return None
    if kind == "line":
        return _line(rows, x, y, options.get("series"))
    return _bars(rows, x, y)


def _map(rows: list[dict], columns: list[str]) -> dict | None:
    wkt = next((c for c in columns if any(_point(r, c) for r in rows)), None)
    if wkt is None:
        return None
    iri = next((c for c in columns if c != wkt and _all_iris(rows, c)), None)
    label = next((c for c in columns if c not in (wkt, iri) and _any_text(rows, c)), iri)
    points = []
    for r in rows[:MAX_POINTS]:
        at = _point(r, wkt)
        if at:
            link = r.get(iri) if iri else None
            (lat, lon), shape = at
            points.append(
                {
                    "lat": lat,
                    "lon": lon,
                    "label": str(r.get(label) or link or ""),
                    "url": "/resource?" + urlencode({"iri": link}) if link else "",
                    "kind": "",
                    **({"shape": shape} if shape else {}),
                }
            )
    return {"kind": "map", "points": points} if points else None


def _point(row: dict, column: str):
    """((lat, lon), polygon or None) of the row's WKT in ``column``, or None."""
    value = row.get(column)
    return locate([value]) if isinstance(value, str) else None


def _all_iris(rows: list[dict], column: str) -> bool:
    values = [r.get(column) for r in rows if r.get(column) is not None]
    return bool(values) and all(
        isinstance(v, str) and v.startswith(("http://", "https://")) for v in values
    )


def _any_text(rows: list[dict], column: str) -> bool:
    return any(isinstance(r.get(column), str) for r in rows)


def _numeric(rows: list[dict], column: str) -> bool:
    values = [r.get(column) for r in rows if r.get(column) is not None]
    return bool(values) and all(isinstance(v, Real) and not isinstance(v, bool) for v in values)


def _bars(rows: list[dict], x: str, y: str) -> dict:
    rows = [r for r in rows if isinstance(r.get(y), Real)][:MAX_BARS]
    top = max((abs(r[y]) for r in rows), default=0) or 1
    bars = [
        {
            "label": str(r.get(x, "")),
            "value": r[y],
            "y": i * (BAR + 6),
            "width": round((WIDTH - LEFT - 80) * abs(r[y]) / top, 1),
        }
        for i, r in enumerate(rows)
    ]
    return {
        "kind": "bar",
        "x": x,
        "y": y,
        "bars": bars,
        "left": LEFT,
        "width": WIDTH,
        "height": len(bars) * (BAR + 6) + 10,
        "bar": BAR,
    }


def _line(rows: list[dict], x: str, y: str, series: str | None) -> dict:
    groups: dict[str, list[tuple]] = {}
    for row in rows:
        if isinstance(row.get(y), Real) and row.get(x) is not None:
            groups.setdefault(str(row.get(series, "")) if series else y, []).append(
                (row[x], row[y])
            )
    xs = sorted({p[0] for points in groups.values() for p in points}, key=_sort_key)
    values = [p[1] for points in groups.values() for p in points]
    if not xs or not values:
        return None
    low, high = _nice_range(min(values), max(values))
    step = (WIDTH - LEFT) / max(len(xs) - 1, 1)
    position = {value: LEFT + i * step for i, value in enumerate(xs)}

    def scale(v):
        return round(10 + PLOT_HEIGHT * (1 - (v - low) / ((high - low) or 1)), 1)

    lines = [
        {
            "name": name,
            "color": PALETTE[i % len(PALETTE)],
            "points": " ".join(
                f"{position[px]:.1f},{scale(py)}"
                for px, py in sorted(points, key=lambda p: _sort_key(p[0]))
            ),
        }
        for i, (name, points) in enumerate(_largest(groups)[:MAX_SERIES])
    ]
    ticks = [
        {"value": low + (high - low) * k / 4, "y": scale(low + (high - low) * k / 4)}
        for k in range(5)
    ]
    labels = [{"text": str(v), "x": round(position[v], 1)} for v in xs]
    return {
        "kind": "line",
        "x": x,
        "y": y,
        "lines": lines,
        "ticks": ticks,
        "labels": labels,
        "left": LEFT,
        "width": WIDTH + 20,
        "height": PLOT_HEIGHT + 40,
        "omitted": max(0, len(groups) - MAX_SERIES),
    }


def _largest(groups: dict[str, list[tuple]]) -> list[tuple[str, list[tuple]]]:
    """Series by their largest value, largest first: with more series than colours the
    chart draws the ones that dominate it (the table lists all)."""
    return sorted(groups.items(), key=lambda item: (-max(abs(p[1]) for p in item[1]), item[0]))


def _sort_key(value):
    return (0, value, "") if isinstance(value, Real) else (1, 0, str(value))


def _nice_range(low: float, high: float) -> tuple[float, float]:
    if low == high:
        return (low - 1, high + 1) if low else (0, 1)
    magnitude = 10 ** math.floor(math.log10(high - low))
    return math.floor(low / magnitude) * magnitude, math.ceil(high / magnitude) * magnitude
