"""Line charts as server-side SVG geometry: they draw without JavaScript or internet.

The template turns a :class:`Chart` into an ``<svg>``; numbers on the axis are formatted
for the reader's language by the caller. A break in the series (a new census basis, a new
area statistic) is a dashed vertical line between the last value before and the first after
it, with an entry in the legend: values on either side are not comparable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from regiograph.resources.values import quick_number

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 28


@dataclass
class Series:
    name: str
    points: list[tuple[str, float]]  # (x label, value)


@dataclass
class Chart:
    title: str
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT
    lines: list[dict] = field(default_factory=list)  # per series: polyline points, dots
    y_ticks: list[tuple[float, str]] = field(default_factory=list)  # (y pixel, label)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)  # (x pixel, label)
    table: list[tuple[str, list[str]]] = field(default_factory=list)  # for readers
    breaks: list[dict] = field(default_factory=list)  # {x pixel, title}: a break before label
    break_label: str = ""  # the legend's name for the break marks, in the reader's language


def line_chart(
    title: str,
    series: list[Series],
    language: str = "de",
    breaks: set[str] | frozenset[str] = frozenset(),
    break_label: str = "",
) -> Chart | None:
    """Geometry for a line chart of ``series`` sharing x labels; None when nothing to draw.
    ``breaks``: the x labels of the first values after a break in the series."""
    labels = sorted({x for s in series for x, _ in s.points})
    values = [v for s in series for _, v in s.points]
    if not labels or not values:
        return None
    low, high, tick = _nice_range(min(values), max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x(label: str) -> float:
        return round(LEFT + labels.index(label) * step, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - (value - low) / (high - low)), 1)

    chart = Chart(title, series)
    for s in series:
        dots = [(x(lbl), y(v), lbl, quick_number(v, language)) for lbl, v in sorted(s.points)]
        chart.lines.append(
            {"name": s.name, "points": " ".join(f"{a},{b}" for a, b, *_ in dots), "dots": dots}
        )
    steps = round((high - low) / tick)
    chart.y_ticks = [
        (y(low + i * tick), _tick_label(low + i * tick, _decimals(tick), language))
        for i in range(steps + 1)
    ]
    values_at = [dict(s.points) for s in series]
    chart.table = [
        (lbl, [quick_number(v[lbl], language) if lbl in v else "\u2013" for v in values_at])
        for lbl in labels
    ]
    every = max(1, len(labels) // 6)
    chart.x_ticks = [(x(lbl), lbl) for i, lbl in enumerate(labels) if i % every == 0]
    chart.breaks = [
        {"x": round((x(labels[i - 1]) + x(lbl)) / 2, 1), "title": f"{break_label}: {lbl}"}
        for i, lbl in enumerate(labels)
        if i and lbl in breaks
    ]
    chart.break_label = break_label if chart.breaks else ""
    return chart


def break_marks(
    labels: list[str], flagged: set[str], declared: set[str] | frozenset[str] = frozenset()
) -> set[str]:
    """The x labels a break mark goes before, from the labels of values flagged as first after
    a break (obsStatus B) and the years the breaks take effect (``rg:SeriesBreak``).

    A flag is true within its own source's series: the register's 2023 value is its first on
    the 2022 census basis. Mixed with another source's value between (the census of 2022
    itself), the break lies before that one: the mark goes before the first label on or after
    the latest declared year not after the flag. A break before the first label has no mark."""
    marks = set()
    for flag in flagged:
        starts = [year for year in declared if year <= flag]
        mark = min((x for x in labels if x >= max(starts)), default=flag) if starts else flag
        marks.add(mark)
    return marks - set(labels[:1])


def _nice_range(low: float, high: float, ticks: int = 4) -> tuple[float, float, float]:
    """Axis bounds on round numbers (1, 2, 2.5 or 5 times a power of ten apart) around the
    values, so that tick labels read 140, 150, 160 rather than 137.7215."""
    span = high - low or abs(high) * 0.2 or 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    tick = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    bottom = math.floor(low / tick) * tick
    top = math.ceil(high / tick) * tick
    if top == bottom:
        bottom, top = bottom - tick, top + tick
    return bottom, top, tick


def _tick_label(value: float, decimals: int, language: str) -> str:
    text = f"{value:,.{decimals}f}"
    if language == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _decimals(tick: float) -> int:
    """Decimal places that show a tick step exactly (2.5 → 1, 0.25 → 2, 500 → 0)."""
    for places in range(9):
        if abs(round(tick, places) - tick) < 1e-9:
            return places
    return 9
