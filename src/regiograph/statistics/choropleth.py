"""Classes of a choropleth map: municipalities coloured by their value in five quantile classes.

Quantiles (equal numbers of municipalities per class) suit skewed figures such as population,
where equal intervals would put all but the cities in the first class. Colours are ColorBrewer's
sequential "Blues" (readable when printed in grey); an area without a value is grey.
"""

from __future__ import annotations

from bisect import bisect_right

COLOURS = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_VALUE = "#d9d9d9"


def bounds(values: list[float], count: int = len(COLOURS)) -> list[float]:
    """The upper bound of each class but the last, from the sorted values (distinct ones only:
    a class never starts and ends inside a run of equal values)."""
    ordered = sorted(set(values))
    if len(ordered) <= count:
        return ordered[:-1]
    return sorted({ordered[(len(ordered) * k) // count - 1] for k in range(1, count)})


def classify(rows: list[tuple]) -> dict:
    """``rows`` of (area, ags, name, value, period): each with its class (None: no value), and
    the classes with their range, colour and number of municipalities."""
    values = [r[3] for r in rows if r[3] is not None]
    limits = bounds(values)
    areas = []
    for area, ags, name, value, period in rows:
        index = None if value is None else bisect_left_of(limits, value)
        areas.append(
            {"area": area, "ags": ags, "name": name, "value": value, "period": period, "cls": index}
        )
    lows = [min(values), *limits] if values else []
    highs = [*limits, max(values)] if values else []
    classes = [
        {
            "index": i,
            "colour": COLOURS[i],
            "low": low,
            "high": high,
            "count": sum(1 for a in areas if a["cls"] == i),
        }
        for i, (low, high) in enumerate(zip(lows, highs, strict=True))
    ]
    return {"areas": areas, "classes": classes, "missing": len(rows) - len(values)}


def bisect_left_of(limits: list[float], value: float) -> int:
    """The class of ``value``: a value equal to a class's upper bound belongs to that class."""
    index = bisect_right(limits, value)
    if index and limits[index - 1] == value:
        index -= 1
    return index
