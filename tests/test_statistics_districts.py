"""A municipality page's district means come from the statistics mirror when it holds the
store's content, and from the store (statistics.rq) otherwise: the same means either way, and
a mirror of older content is never used nor rebuilt by a page."""

from __future__ import annotations

import math

import pytest
from pyoxigraph import NamedNode

from regiograph.resources.describe import query
from regiograph.statistics import FILE_NAME, Mirror
from regiograph.statistics.districts import means

RG = "https://w3id.org/regiograph/ontology#"


def _store_means(store, municipality: str, district: str) -> dict:
    found: dict = {}
    rows = store.select(
        query("statistics"), {"this": NamedNode(municipality), "district": NamedNode(district)}
    )
    for row in rows:
        found.setdefault(row["indicator"].value, {})[row["year"].value] = (
            float(row["mean"].value),
            int(row["n"].value),
            row["break"].value == "1",
        )
    return found


def _same(left: dict, right: dict) -> bool:
    if left.keys() != right.keys():
        return False
    for indicator, years in left.items():
        if years.keys() != right[indicator].keys():
            return False
        for year, (mean, n, broken) in years.items():
            other = right[indicator][year]
            if not math.isclose(mean, other[0], rel_tol=1e-9) or (n, broken) != other[1:]:
                return False
    return True


@pytest.fixture(scope="module")
def mirror(demo_platform):
    cfg, store = demo_platform
    found = Mirror(store, cfg.data_path / FILE_NAME)
    found.status()  # built (or found current) for the demo's content
    return found


def test_every_district_has_the_means_the_store_computes(demo_store, mirror):
    rows = demo_store.select(
        f"SELECT ?d (SAMPLE(?m) AS ?m) WHERE {{ ?m a <{RG}Municipality> ; <{RG}district> ?d }} "
        "GROUP BY ?d"
    )
    assert len(rows) >= 15  # the Metropolregion's districts
    compared = 0
    for row in rows:
        district = row["d"].value
        from_mirror = means(mirror, district)
        from_store = _store_means(demo_store, row["m"].value, district)
        assert from_mirror is not None
        assert _same(from_mirror, from_store), district
        compared += sum(len(years) for years in from_store.values())
    assert compared > 500  # indicator-years with a mean, not an empty comparison


def test_a_mirror_of_older_content_is_not_used_nor_rebuilt(scratch_platform, graph_iri):
    cfg, store = scratch_platform
    path = cfg.data_path / "districts-test.duckdb"
    mirror = Mirror(store, path)
    mirror.status()  # a mirror of the store as it is now
    assert means(mirror, "urn:x:no-such-district") == {}
    built = path.stat().st_mtime_ns
    store.update(f"INSERT DATA {{ GRAPH <{graph_iri}> {{ <urn:x:a> <urn:x:b> 1 }} }}")
    assert means(mirror, "urn:x:no-such-district") is None
    assert path.stat().st_mtime_ns == built  # a page never waits for a rebuild


def test_a_municipality_page_draws_the_same_means_without_the_mirror(app, demo_store):
    """The page's chart data with the mirror and with the store alone are the same."""
    from regiograph.resources import typed

    row = demo_store.select(
        f"SELECT ?m ?d WHERE {{ ?m a <{RG}Municipality> ; <{RG}district> ?d ; <{RG}ags> ?a . "
        "?o <http://purl.org/linked-data/sdmx/2009/dimension#refArea> ?m } ORDER BY ?a LIMIT 1"
    )[0]
    municipality, district = row["m"].value, row["d"].value
    typed._means.clear()
    own_store, means_store = typed._values_and_means(demo_store, municipality, district)
    typed._means.clear()
    with app.app_context():
        from regiograph.server.services import statistics

        mirror = statistics()
        own_mirror, means_mirror = typed._values_and_means(
            demo_store, municipality, district, lambda d: means(mirror, d)
        )
    assert own_mirror == own_store and own_store
    assert _same(dict(means_mirror), dict(means_store))
