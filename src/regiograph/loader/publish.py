"""The acceptance policy and the one-step replacement of a source's named graph.

A candidate is published only when the policy accepts it: not empty (unless allowed), not
shrunk below ``min_ratio`` of the last published size (unless allowed), and within the
limits for Violations and Warnings. Publishing is one Graph Store ``PUT``: old or new,
never a mix, and a failure leaves the old graph served.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pyoxigraph import DefaultGraph, RdfFormat
from pyoxigraph import Store as MemoryStore

from regiograph.loader.source import Policy
from regiograph.loader.validate import Report
from regiograph.store import Store

CHUNK = 4 * 1024 * 1024


def decide(policy: Policy, report: Report | None, triples: int, previous: int) -> str:
    """Why the candidate may not be published, or "" when it may."""
    if triples == 0 and not policy.allow_empty:
        return "the source returned no triples (policy allow_empty = false)"
    if previous and triples < policy.min_ratio * previous and not policy.allow_shrink:
        drop = 100 * (previous - triples) / previous
        return (
            f"the graph would shrink from {previous:,} to {triples:,} triples (-{drop:.0f} %),"
            f" more than min_ratio = {policy.min_ratio} allows (policy allow_shrink = false)"
        )
    if report is not None:
        violations, warnings = report.count("Violation"), report.count("Warning")
        if violations > policy.max_violations:
            return (
                f"{violations:,} SHACL violation(s), more than max_violations = "
                f"{policy.max_violations}"
            )
        if 0 <= policy.max_warnings < warnings:
            return f"{warnings:,} SHACL warning(s), more than max_warnings = {policy.max_warnings}"
    return ""


def publish(
    store: Store, graph: str, candidate: MemoryStore, on_chunk: Callable[[int], None] | None = None
) -> None:
    """Replace ``graph`` with the candidate's default graph in one step."""
    data = candidate.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
    store.replace_graph(graph, _chunks(data, on_chunk))


def _chunks(data: bytes, on_chunk: Callable[[int], None] | None) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        piece = bytes(view[start : start + CHUNK])
        yield piece
        if on_chunk:
            on_chunk(len(piece))
