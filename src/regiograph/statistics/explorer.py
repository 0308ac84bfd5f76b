"""Questions of the statistics explorer, answered from the mirror in SQL.

Every value arrives as a DuckDB parameter (``$name``); no user text is spliced into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from regiograph.namespaces import CONCEPTS
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
_CONDITIONS = {
    "dataset": "o.dataset = $dataset",
    "indicator": "o.indicator = $indicator",
    "district": "a.district = $district",
    "size_class": "a.size_class = $size_class",
    "ags": "list_contains($ags, a.ags)",
    "from_year": "o.period >= $from_year",
    "to_year": "o.period <= $to_year",
}

_INDICATORS = """
SELECT o.indicator, coalesce(c.label_de, o.indicator) AS label, c.label_en,
       coalesce(u.label_de, any_value(o.unit)) AS unit, count(*) AS observations,
       min(o.period) AS first, max(o.period) AS last
FROM observations o LEFT JOIN concepts c ON c.concept = o.indicator
LEFT JOIN concepts u ON u.concept = c.unit
GROUP BY o.indicator, c.label_de, c.label_en, u.label_de ORDER BY label
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
    params = {k: v for k, v in selection.params(limit).items() if v is not None}
    conditions = " AND ".join(_CONDITIONS[k] for k in params if k in _CONDITIONS) or "TRUE"
    _, rows = mirror.sql(_TIDY.format(conditions=conditions), params)
    labels = mirror.memo(
        "labels", lambda: dict(mirror.sql("SELECT concept, label_de FROM concepts")[1])
    )
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
