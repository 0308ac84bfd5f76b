"""Questions of the statistics explorer, answered from the mirror in SQL.

Every value arrives as a DuckDB parameter (``$name``); no user text is spliced into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from regiograph.namespaces import CONCEPTS
from regiograph.resources import geo
from regiograph.statistics.mirror import Mirror

INDICATOR_SCHEME = CONCEPTS + "indicator"
SIZE_CLASS_SCHEME = CONCEPTS + "size-class"
TIDY_COLUMNS = [
    "ags",
    "name",
    "area",
    "indicator",
    "indicator_label",
    "period",
    "value",
    "unit",
    "unit_label",
    "dataset",
]

# Only the conditions a selection uses go into the query (values stay $parameters): at 3.3M
# observations planning the query costs more than running it, and every unused
# "$x IS NULL OR ..." and the two joins for labels (added in Python) made it twice as long.
_TIDY = """
SELECT a.ags, a.name, o.area, o.indicator, o.period, o.value, o.unit, o.dataset
FROM observations o LEFT JOIN areas a ON a.area = o.area
WHERE {conditions}
ORDER BY a.name, a.ags, o.area, o.indicator, o.period
LIMIT $limit
"""
# Columns unqualified: each is in only one of observations and areas, so the same condition
# reads the join of the two and the series table that holds both.
_CONDITIONS = {
    "dataset": "dataset = $dataset",
    "indicator": "indicator = $indicator",
    "district": "district = $district",
    "size_class": "size_class = $size_class",
    "ags": "list_contains($ags, ags)",
    "from_year": "period >= $from_year",
    "to_year": "period <= $to_year",
}

CSV_COLUMNS = ["ags", "name", "indicator", "period", "value", "unit", "source"]
# What the table can be sorted by: our own expressions, picked by name.
SORTS = {"name": "a.name", "ags": "a.ags", "period": "o.period", "value": "o.value"}

_PAGE = """
SELECT a.ags, a.name, o.area, o.period, o.value, o.unit, o.series_break, count(*) OVER ()
FROM observations o LEFT JOIN areas a ON a.area = o.area
WHERE {conditions}
ORDER BY {order}
LIMIT $limit OFFSET $skip
"""

# From the table the mirror keeps for it: observations with their areas' keys (no join).
_SERIES = """
SELECT o.ags, o.name, o.area::VARCHAR, o.period, o.value, o.unit, o.series_break,
       o.dataset::VARCHAR
FROM series_rows o
WHERE {conditions}
ORDER BY o.name, o.ags, o.area, o.period
"""

_LATEST_ALL = """
SELECT a.ags, a.name, o.indicator::VARCHAR, arg_max(o.value, o.period), max(o.period)
FROM observations o JOIN areas a ON a.area = o.area
WHERE a.kind = 'municipality' AND {conditions}
GROUP BY a.ags, a.name, o.indicator
"""

_INDICATORS = """
SELECT o.indicator, coalesce(c.label_de, o.indicator) AS label, c.label_en,
       coalesce(u.label_de, any_value(o.unit)) AS unit, u.label_en AS unit_en,
       count(*) AS observations, min(o.period) AS first, max(o.period) AS last
FROM observations o LEFT JOIN concepts c ON c.concept = o.indicator
LEFT JOIN concepts u ON u.concept = c.unit
GROUP BY o.indicator, c.label_de, c.label_en, u.label_de, u.label_en ORDER BY label
"""

_DISTRICTS = """
SELECT district, coalesce(any_value(district_name), district) AS name, count(*) AS municipalities
FROM areas WHERE kind = 'municipality' AND district IS NOT NULL
GROUP BY district ORDER BY name
"""

_SIZE_CLASSES = """
SELECT concept, label_de, label_en, min_population, max_population FROM concepts
WHERE scheme = $scheme ORDER BY min_population
"""


@dataclass(frozen=True)
class Selection:
    """Which observations: one indicator (or all), a set of municipalities, a period."""

    indicator: str | None = None
    district: str | None = None
    size_class: str | None = None
    ags: tuple[str, ...] = ()
    from_year: int | None = None
    to_year: int | None = None
    dataset: str | None = None

    def params(self, limit: int) -> dict:
        return {
            "dataset": self.dataset,
            "indicator": self.indicator,
            "district": self.district,
            "size_class": self.size_class,
            "ags": list(self.ags) or None,
            "from_year": self.from_year,
            "to_year": self.to_year,
            "limit": limit,
        }


def tidy(mirror: Mirror, selection: Selection, limit: int = 10_000_000) -> list[tuple]:
    """One row per area, indicator and period, columns as in TIDY_COLUMNS."""
    conditions, params = _where(selection)
    _, rows = mirror.sql(_TIDY.format(conditions=conditions), params | {"limit": limit})
    labels = _labels(mirror)
    return [
        (
            ags,
            name,
            area,
            indicator,
            _label(labels, indicator),
            period,
            value,
            unit,
            _label(labels, unit),
            dataset,
        )
        for ags, name, area, indicator, period, value, unit, dataset in rows
    ]


def _where(selection: Selection, skip: tuple[str, ...] = ()) -> tuple[str, dict]:
    """SQL conditions and parameters of a selection, leaving out the ``skip`` ones."""
    params = {
        k: v
        for k, v in selection.params(0).items()
        if v is not None and k in _CONDITIONS and k not in skip
    }
    return " AND ".join(_CONDITIONS[k] for k in params) or "TRUE", params


def page(
    mirror: Mirror,
    selection: Selection,
    sort: str,
    descending: bool,
    offset: int,
    limit: int,
    language: str = "de",
) -> tuple[int, list[dict]]:
    """(rows in the selection, one page of them as records) in the order asked for."""
    conditions, params = _where(selection)
    direction = "DESC" if descending else "ASC"
    # ``sort`` picks one of our own column expressions; the reader's text never reaches SQL
    order = f"{SORTS[sort]} {direction} NULLS LAST, a.name, a.ags, o.period"
    _, rows = mirror.sql(
        _PAGE.format(conditions=conditions, order=order), params | {"limit": limit, "skip": offset}
    )
    total = rows[0][-1] if rows else _count(mirror, selection)
    labels = _labels_in(mirror, language)
    return total, [
        {
            "ags": ags,
            "name": name,
            "area": area,
            "period": period,
            "value": value,
            "unit_label": _label(labels, unit),
            "series_break": series_break,
        }
        for ags, name, area, period, value, unit, series_break, _ in rows
    ]


def _count(mirror: Mirror, selection: Selection) -> int:
    conditions, params = _where(selection)
    _, rows = mirror.sql(
        "SELECT count(*) FROM observations o LEFT JOIN areas a ON a.area = o.area "  # noqa: S608
        f"WHERE {conditions}",
        params,
    )
    return rows[0][0]


def _labels(mirror: Mirror) -> dict:
    return mirror.memo(
        "labels", lambda: dict(mirror.sql("SELECT concept, label_de FROM concepts")[1])
    )


def _labels_in(mirror: Mirror, language: str) -> dict:
    """Concept labels in ``language``, the other language where it has none."""
    first, other = ("label_en", "label_de") if language == "en" else ("label_de", "label_en")
    return mirror.memo(
        f"labels-{language}",
        lambda: dict(
            mirror.sql(f"SELECT concept, coalesce({first}, {other}) FROM concepts")[1]  # noqa: S608
        ),
    )


def series(mirror: Mirror, selection: Selection, language: str = "de") -> list[dict]:
    """Every value of the selection, by name, AGS and period: for the chart, the map, the years
    pivot and (where few) the table, so that a page asks the mirror once."""
    conditions, params = _where(selection)
    _, rows = mirror.sql(_SERIES.format(conditions=conditions), params)
    labels = _labels_in(mirror, language)
    return [
        {
            "ags": ags,
            "name": name or ags or area,
            "area": area,
            "period": period,
            "value": value,
            "unit_label": _label(labels, unit),
            "series_break": series_break,
            "dataset": dataset,
        }
        for ags, name, area, period, value, unit, series_break, dataset in rows
    ]


def page_of(
    values: list[dict], sort: str, descending: bool, offset: int, limit: int
) -> tuple[int, list[dict]]:
    """What :func:`page` answers, from the rows of :func:`series` (already by name, AGS and
    period, which a stable sort keeps for equal keys): values without the key come last."""
    present = [v for v in values if v[sort] is not None]
    present.sort(key=lambda v: v[sort], reverse=descending)
    ordered = present + [v for v in values if v[sort] is None]
    return len(values), ordered[offset : offset + limit]


def municipalities(mirror: Mirror, selection: Selection) -> list[tuple]:
    """(area, ags, name) of the municipalities the selection's district, size class and AGS
    choose (all of them remembered once per version, by district, filtered here: cheaper
    than a query, and a district's are found without looking at the other 10,000)."""
    by_district = mirror.memo("municipalities", lambda: _by_district(mirror))
    chosen = (
        by_district.get(selection.district, [])
        if selection.district is not None
        else by_district[None]
    )
    keys = set(selection.ags)
    return [
        (area, ags, name)
        for area, ags, name, size_class in chosen
        if (selection.size_class is None or size_class == selection.size_class)
        and (not keys or ags in keys)
    ]


def _by_district(mirror: Mirror) -> dict[str | None, list[tuple]]:
    """District → its municipalities (area, ags, name, size class) by name and AGS; None →
    all of them."""
    _, rows = mirror.sql(
        "SELECT area::VARCHAR, ags, name, district, size_class FROM areas "
        "WHERE kind = 'municipality' ORDER BY name, ags"
    )
    found: dict[str | None, list[tuple]] = {None: []}
    for area, ags, name, district, size_class in rows:
        found[None].append((area, ags, name, size_class))
        if district is not None:
            found.setdefault(district, []).append((area, ags, name, size_class))
    return found


def latest_of(values: list[dict], areas: list[tuple]) -> list[tuple]:
    """(area, ags, name, value, period) per municipality: its latest value among ``values``
    (the selection's period), None where it has none."""
    last = {v["area"]: v for v in values if v["value"] is not None}  # by period within an area
    return [
        (area, ags, name, last[area]["value"], last[area]["period"])
        if area in last
        else (area, ags, name, None, None)
        for area, ags, name in areas
    ]


def pivot_years(records: list[dict]) -> dict:
    """Municipality by year: {"columns": years, "rows": [(ags, name, [value or None per year])]}."""
    years = sorted({r["period"] for r in records if r["period"] is not None})
    cells: dict[tuple, dict] = {}
    for r in records:
        cells.setdefault((r["name"], r["ags"]), {})[r["period"]] = r["value"]
    rows = [
        (ags, name, [values.get(year) for year in years])
        for (name, ags), values in sorted(
            cells.items(), key=lambda item: (item[0][0] or "", item[0][1] or "")
        )
    ]
    return {"columns": [str(y) for y in years], "rows": rows}


def pivot_indicators(mirror: Mirror, selection: Selection, language: str) -> dict:
    """Municipality by indicator: each municipality's latest value of every indicator up to the
    selection's last year (the year is named in the cell's title)."""
    conditions, params = _where(selection, skip=("indicator", "dataset", "from_year"))
    _, rows = mirror.sql(_LATEST_ALL.format(conditions=conditions), params)
    labels = _labels_in(mirror, language)
    indicators = sorted({r[2] for r in rows}, key=lambda i: _label(labels, i).lower())
    position = {indicator: i for i, indicator in enumerate(indicators)}
    cells: dict[tuple, list] = {}
    for ags, name, indicator, value, period in rows:
        line = cells.setdefault((name or "", ags or ""), [None] * len(indicators))
        line[position[indicator]] = (value, period)
    return {
        "columns": [_label(labels, i) for i in indicators],
        "rows": [(ags, name, line) for (name, ags), line in sorted(cells.items())],
    }


def shapes(mirror: Mirror) -> dict[str, dict]:
    """GeoJSON geometry per municipality IRI (from its boundary's WKT), made once per version."""

    def compute():
        _, rows = mirror.sql("SELECT area::VARCHAR, wkt FROM shapes")
        made = ((area, geo.polygon(wkt)) for area, wkt in rows)
        return {area: shape for area, shape in made if shape}

    return mirror.memo("shapes", compute)


def download(mirror: Mirror, selection: Selection, language: str, sources: dict) -> list[tuple]:
    """Rows of the tidy download, columns as in CSV_COLUMNS: the indicator by its label and
    the unit by its label in ``language``, the source by the cube's title (else its IRI)."""
    labels = _labels_in(mirror, language)
    return [
        (
            ags,
            name,
            _label(labels, indicator),
            period,
            value,
            _label(labels, unit),
            sources.get(dataset) or dataset,
        )
        for ags, name, _area, indicator, _l, period, value, unit, _u, dataset in tidy(
            mirror, selection
        )
    ]


def _label(labels: dict, concept: str | None) -> str | None:
    """The concept's German label, else the IRI itself (as coalesce in SQL did)."""
    label = labels.get(concept)
    return concept if label is None else label


def options(mirror: Mirror) -> dict:
    """What the explorer's form offers: indicators, districts, size classes, years."""
    return {
        "indicators": _records(mirror, _INDICATORS),
        "districts": _records(mirror, _DISTRICTS),
        "size_classes": _records(mirror, _SIZE_CLASSES, {"scheme": SIZE_CLASS_SCHEME}),
    }


def _records(mirror: Mirror, sql: str, params: dict | None = None) -> list[dict]:
    columns, rows = mirror.sql(sql, params)
    return [dict(zip(columns, row, strict=True)) for row in rows]
