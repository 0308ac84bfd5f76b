"""The quality scores in the metadata graph (:mod:`regiograph.loader.quality` writes them), read
back for pages: one dataset's five dimensions, and each source's.

A dataset's whole is not stored (five measurements per dataset, issue 16's speed): it is the
dimensions' points over all reachable points, as :meth:`quality.Score.percent` computes it.

May not: write anything.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from regiograph import iris
from regiograph.loader import quality
from regiograph.loader.map.construct import text
from regiograph.namespaces import HV

Scores = dict[str, float]  # dimension (or quality.TOTAL) -> per cent


def of_resource(store, iri: str) -> Scores:
    """The scores of one dataset (or a source's graph), the whole included; {} when it has
    none in all five dimensions."""
    rows = store.select(
        text("quality-of.rq"), {"meta": NamedNode(store.meta_graph), "resource": NamedNode(iri)}
    )
    return _complete({row["metric"].value: float(row["value"].value) for row in rows})


def of_sources(store, base: str) -> dict[str, Scores]:
    """{source id: scores} of every source whose latest published run scored it."""
    rows = store.select(
        text("quality-of-sources.rq"),
        {"meta": NamedNode(store.meta_graph), "graphs": Literal(iris.graph(base, ""))},
    )
    by_source: dict[str, dict[str, float]] = {}
    for row in rows:
        by_source.setdefault(row["sourceId"].value, {})[row["metric"].value] = float(
            row["value"].value
        )
    return {source: scores for source, got in by_source.items() if (scores := _complete(got))}


def _complete(values: dict[str, float]) -> Scores:
    scores = {d: values[HV + d] for d in quality.DIMENSIONS if HV + d in values}
    if len(scores) < len(quality.DIMENSIONS):
        return {}
    # the whole as the quality record computes it, from the points the per cents stand for
    points = {d: scores[d] * quality.MAXIMUM[d] / 100 for d in quality.DIMENSIONS}
    whole = quality.Score(points).percent()[quality.TOTAL]
    scores[quality.TOTAL] = values.get(HV + quality.TOTAL, whole)
    return scores
