"""Questions of the statistics explorer, answered from the mirror in SQL.

Every value arrives as a DuckDB parameter (``$name``); no user text is spliced into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from regiograph.statistics.mirror import Mirror

INDICATOR_SCHEME = "https://w3id.org/regiograph/concepts/indicator"
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

_TIDY = """
SELECT a.ags, a.name, o.area, o.indicator, coalesce(i.label_de, o.indicator) AS indicator_label,
       o.period, o.value, o.unit, coalesce(u.label_de, o.unit) AS unit_label, o.dataset
FROM observations o
LEFT JOIN areas a ON a.area = o.area
LEFT JOIN concepts i ON i.concept = o.indicator
LEFT JOIN concepts u ON u.concept = o.unit
WHERE (CAST($dataset AS VARCHAR) IS NULL OR o.dataset = $dataset)
  AND (CAST($indicator AS VARCHAR) IS NULL OR o.indicator = $indicator)
  AND (CAST($district AS VARCHAR) IS NULL OR a.district = $district)
  AND (CAST($size_class AS VARCHAR) IS NULL OR a.size_class = $size_class)
  AND (CAST($ags AS VARCHAR[]) IS NULL OR list_contains($ags, a.ags))
  AND (CAST($from_year AS INTEGER) IS NULL OR o.period >= $from_year)
  AND (CAST($to_year AS INTEGER) IS NULL OR o.period <= $to_year)
ORDER BY a.name, a.ags, o.area, o.indicator, o.period
LIMIT $limit
"""

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
WHERE scheme = 'https://w3id.org/regiograph/concepts/size-class' ORDER BY min_population
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
    _, rows = mirror.sql(_TIDY, selection.params(limit))
    return rows


def options(mirror: Mirror) -> dict:
    """What the explorer's form offers: indicators, districts, size classes, years."""
    return {
        name: _records(mirror, sql)
        for name, sql in (
            ("indicators", _INDICATORS),
            ("districts", _DISTRICTS),
            ("size_classes", _SIZE_CLASSES),
        )
    }


def _records(mirror: Mirror, sql: str) -> list[dict]:
    columns, rows = mirror.sql(sql)
    return [dict(zip(columns, row, strict=True)) for row in rows]
