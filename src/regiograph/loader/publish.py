"""The acceptance policy and the one-step replacement of a source's named graph.

A candidate is published only when the policy accepts it: not empty (unless allowed), not
shrunk below ``min_ratio`` of the last published size (unless allowed), and within the
limits for Violations and Warnings (for acceptance per source; per dataset,
:mod:`.acceptance` has held back what fails by then). Replacing a published graph is one
request — a Graph Store ``PUT``, or for a small change one SPARQL update with the
difference —: old or new, never a mix, and a failure leaves the old graph served. A first
publication (the graph is empty: nothing to keep) goes by the store's bulk path unless the
policy asks for one transaction; a note in the metadata graph marks it until it is complete,
so that a load cut short is found and removed by the source's next run.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from pyoxigraph import BlankNode, DefaultGraph, NamedNode, RdfFormat, parse
from pyoxigraph import Store as MemoryStore

from regiograph.loader.map.construct import text
from regiograph.loader.shacl.engine import Report
from regiograph.loader.shacl.report import Result
from regiograph.loader.sources import Policy
from regiograph.store import Store, StoreError
from regiograph.store.bulk import chunks

log = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"\bGRAPH_IRI\b|\bREMOVED\b|\bADDED\b")
MAX_DIFFERENCE = 0.2  # above this share of changed triples, replace the whole graph


def decide(
    policy: Policy,
    report: Report | None,
    triples: int,
    previous: int,
    counted: list[Result] | None = None,
) -> str:
    """Why the candidate may not be published, or "" when it may. ``counted``: the results
    that count against max_violations and max_warnings (with acceptance per dataset, those
    outside every dataset); default all of the report's."""
    if triples == 0 and not policy.allow_empty:
        return "the source returned no triples (policy allow_empty = false)"
    if previous and triples < policy.min_ratio * previous and not policy.allow_shrink:
        drop = 100 * (previous - triples) / previous
        return (
            f"the graph would shrink from {previous:,} to {triples:,} triples (-{drop:.0f} %),"
            f" more than min_ratio = {policy.min_ratio} allows (policy allow_shrink = false)"
        )
    if report is not None:
        results = report.results if counted is None else counted
        where = "" if counted is None else " outside every dataset"
        violations = sum(1 for r in results if r.severity_name == "Violation")
        warnings = sum(1 for r in results if r.severity_name == "Warning")
        if violations > policy.max_violations:
            return (
                f"{violations:,} SHACL violation(s){where}, more than max_violations = "
                f"{policy.max_violations}"
            )
        if 0 <= policy.max_warnings < warnings:
            return (
                f"{warnings:,} SHACL warning(s){where}, more than max_warnings = "
                f"{policy.max_warnings}"
            )
    return ""


def publish(
    store: Store,
    graph: str,
    candidate: MemoryStore,
    previous: int = 0,
    on_chunk: Callable[[int], None] | None = None,
    *,
    first_load: str = "bulk",
    run: str = "",
) -> str:
    """Make ``graph`` hold exactly the candidate's default graph, in one step.

    A graph published before is changed by its difference — one ``DELETE DATA … ;
    INSERT DATA …`` update, one transaction — when that difference is small and free of
    blank nodes (which cannot be matched across loads); otherwise the graph is replaced by
    one Graph Store ``PUT``. The difference is taken on N-Triples lines, which the store and
    pyoxigraph write alike (a triple written differently would be deleted and inserted again:
    still correct). Returns how: "loaded" (first publication, in bulk), "added" (first,
    one transaction), "replaced", "changed" or "unchanged".
    """
    data = candidate.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
    if not previous:
        return _first_publication(store, graph, data, on_chunk, first_load, run)
    difference = _difference(store.read_graph(graph), data)
    if difference is not None:
        removed, added = difference
        if not removed and not added:
            return "unchanged"
        parts = {"GRAPH_IRI": str(NamedNode(graph)), "REMOVED": removed, "ADDED": added}
        # One pass over the template: inserted data is never scanned again.
        store.update(_PLACEHOLDER.sub(lambda m: parts[m.group(0)], text("apply-difference.ru")))
        return "changed"
    store.replace_graph(graph, chunks(data, on_chunk))
    return "replaced"


def _first_publication(
    store: Store, graph: str, data: bytes, on_chunk, first_load: str, run: str
) -> str:
    """Load an empty graph: in one transaction, or in bulk under an incomplete-load note.

    Oxigraph's bulk path, in parallel parts, is about 7x faster than its transactional
    ``POST`` and 16x faster than ``PUT`` (bench/README.md), but leaves part of the data when
    it fails; as the graph was empty, removing that part restores what was published before.
    """
    if first_load != "bulk":
        store.add_to_graph(graph, data, on_bytes=on_chunk)
        return "added"
    note = _note(store, graph)
    store.update(text("mark-incomplete.ru"), note | {"run": NamedNode(run or graph)}, content=False)
    try:
        store.add_to_graph(graph, data, unsafe_bulk=True, on_bytes=on_chunk)
    except BaseException:
        remove_incomplete(store, graph)
        raise
    store.update(text("unmark-incomplete.ru"), note, content=False)
    return "loaded"


def remove_incomplete(store: Store, graph: str) -> bool:
    """Empty ``graph`` if a bulk load into it was cut short; True when it was.

    Best effort when called after a failure: a store that is gone keeps the note, and the
    source's next run removes the partial graph.
    """
    note = _note(store, graph)
    try:
        if not store.ask(text("incomplete-load.rq"), note):
            return False
        store.drop_graph(graph)
        store.update(text("unmark-incomplete.ru"), note, content=False)
    except StoreError as exc:
        log.warning("could not remove the incomplete load of %s yet: %s", graph, exc)
        return False
    log.warning("removed an incomplete bulk load from %s", graph)
    return True


def _note(store: Store, graph: str) -> dict[str, NamedNode]:
    """The bindings naming the incomplete-load note of ``graph`` in the metadata graph."""
    return {"graph": NamedNode(graph), "meta": NamedNode(store.meta_graph)}


def _difference(old: bytes, new: bytes) -> tuple[str, str] | None:
    """(removed, added) as N-Triples, or None when a replacement is the better way."""
    old_lines = set(old.splitlines()) - {b""}
    new_lines = set(new.splitlines()) - {b""}
    removed, added = old_lines - new_lines, new_lines - old_lines
    if len(removed) + len(added) > MAX_DIFFERENCE * max(len(new_lines), 1):
        return None
    changed = b"\n".join(removed | added)
    if b"_:" in changed and any(
        isinstance(term, BlankNode)
        for triple in parse(changed, RdfFormat.N_TRIPLES)
        for term in (triple.subject, triple.object)
    ):
        return None
    return b"\n".join(sorted(removed)).decode("utf-8"), b"\n".join(sorted(added)).decode("utf-8")
