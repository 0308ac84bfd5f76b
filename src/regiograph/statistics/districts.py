"""The means of a district's municipalities per indicator and year, from the mirror.

The municipality page's charts need, per indicator and year, the page's own value and the
mean over the municipalities of its district. Asked of Oxigraph (``statistics.rq`` beside the
resource pages) the means are a join over every observation of the district: 100-150 ms at
the national layer, paid by the first page of each of 400 districts. The mirror keeps them in
a table made when it is built and answers in under a millisecond, and only when it holds the
store's content as it is now; otherwise the page asks the store as before (see
``resources/typed.py``). Same means either way (``tests/test_statistics_districts.py``).
"""

from __future__ import annotations

from collections import defaultdict

from regiograph.statistics.mirror import Mirror

_MEANS = """
SELECT indicator, period, mean, municipalities, series_break FROM district_means
WHERE district = $district
"""

Means = dict[str, dict[str, tuple[float, int, bool]]]  # indicator -> year -> (mean, n, break)


def means(mirror: Mirror, district: str) -> Means | None:
    """Indicator → year → (mean, municipalities, break before) over the district's
    municipalities, or None when the mirror does not hold the store's content as it is now."""
    rows = mirror.sql_if_current(_MEANS, {"district": district})
    if rows is None:
        return None
    found: Means = defaultdict(dict)
    for indicator, period, mean, municipalities, broken in rows:
        found[indicator][str(period)] = (float(mean), int(municipalities), bool(broken))
    return dict(found)
