"""Asking the store about one resource: its statements, blank nodes, labels and incoming links.

Each question is an ``.rq`` file in ``queries/`` beside this module; values are bound as RDF
terms by the store client, never spliced. A page costs a small, fixed number of queries;
:class:`Counter` lets the server report how many.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode

from regiograph.resources.ontology import DESCRIPTION_PROPERTIES, LABEL_PROPERTIES
from regiograph.store import Store

QUERIES = Path(__file__).parent / "queries"
PAGE_SIZE = 20
# Up to this many incoming links are fetched with one query; beyond, one query per property.
INCOMING_AT_ONCE = 300


@cache
def query(name: str) -> str:
    """The text of ``queries/<name>.rq``."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


@dataclass
class Description:
    """What the store says about one resource, before anything is chosen for the reader."""

    iri: str
    statements: list[tuple[str, object, str]] = field(default_factory=list)  # (p, o, graph)
    blank: dict[str, list[tuple[str, object]]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # iri -> lang -> text

    @property
    def exists(self) -> bool:
        return bool(self.statements)

    def values(self, predicate: str) -> list:
        return [o for p, o, _ in self.statements if p == predicate]

    def own_texts(self, predicates: tuple[str, ...]) -> dict[str, str]:
        """Language → text of the first of ``predicates`` the resource has."""
        for predicate in predicates:
            found = {
                o.language or "": o.value for o in self.values(predicate) if isinstance(o, Literal)
            }
            if found:
                return found
        return {}

    @property
    def own_labels(self) -> dict[str, str]:
        return self.own_texts(LABEL_PROPERTIES)

    @property
    def own_descriptions(self) -> dict[str, str]:
        return self.own_texts(DESCRIPTION_PROPERTIES)

    @property
    def graphs(self) -> list[str]:
        return sorted({g for _, _, g in self.statements})


@dataclass
class Incoming:
    """Links into a resource: counts per property and the first page of each group."""

    counts: dict[str, int]
    rows: dict[str, list[tuple[str, dict[str, str]]]]  # property -> [(subject, labels)]


def describe(store: Store, iri: str) -> Description:
    """Statements about ``iri`` with the labels and blank nodes they need (one query)."""
    result = Description(iri)
    blank: dict[str, dict] = defaultdict(dict)
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    seen = set()
    for row in store.select(query("describe"), {"this": NamedNode(iri)}):
        obj, graph = row["o"], row["g"].value
        statement = (row["p"].value, term_key(obj), graph)
        if statement not in seen:
            seen.add(statement)
            result.statements.append((row["p"].value, obj, graph))
        _label(labels, obj, row.get("l"))
        if "bp" in row:
            blank[obj.value].setdefault((row["bp"].value, term_key(row["bo"])), row["bo"])
            _label(labels, row["bo"], row.get("bl"))
        if "bbp" in row:
            blank[row["bo"].value].setdefault((row["bbp"].value, term_key(row["bbo"])), row["bbo"])
    result.blank = {node: [(p, o) for (p, _), o in pairs.items()] for node, pairs in blank.items()}
    result.labels = dict(labels)
    return result


def _label(labels: dict, term, label) -> None:
    if isinstance(term, NamedNode) and isinstance(label, Literal):
        labels[term.value].setdefault(label.language or "", label.value)


def data(store: Store, iri: str):
    """The RDF document about ``iri``: triples for /data/… (one CONSTRUCT)."""
    return store.construct(query("data"), {"this": NamedNode(iri)})


def incoming(
    store: Store,
    iri: str,
    *,
    page_of: str | None = None,
    page: int = 1,
    exclude: frozenset[str] = frozenset(),
) -> Incoming:
    """Incoming links grouped by property; ``page_of`` pages through one property's group."""
    this = NamedNode(iri)
    counts = {
        row["p"].value: int(row["n"].value)
        for row in store.select(query("incoming_counts"), {"this": this})
    }
    counts = {p: n for p, n in counts.items() if p not in exclude}
    rows: dict[str, list] = {}
    if counts and sum(counts.values()) <= INCOMING_AT_ONCE and page_of is None:
        _collect(rows, _incoming_rows(store, this, None, INCOMING_AT_ONCE + 10, 0), exclude)
        return Incoming(counts, {p: r[:PAGE_SIZE] for p, r in rows.items()})
    for predicate in counts:
        offset = (page - 1) * PAGE_SIZE if predicate == page_of else 0
        _collect(
            rows, _incoming_rows(store, this, NamedNode(predicate), PAGE_SIZE, offset), exclude
        )
    return Incoming(counts, rows)


def _incoming_rows(
    store: Store, this: NamedNode, predicate: NamedNode | None, limit: int, offset: int
) -> list[dict]:
    text = (
        query("incoming").replace("{limit}", str(int(limit))).replace("{offset}", str(int(offset)))
    )
    return store.select(text, {"this": this, "p": predicate})


def _collect(rows: dict[str, list], result: list[dict], exclude: frozenset[str]) -> None:
    by_subject: dict[tuple[str, str], dict[str, str]] = {}
    for row in result:
        key = (row["p"].value, row["s"].value)
        labels = by_subject.setdefault(key, {})
        label = row.get("l")
        if isinstance(label, Literal):
            labels.setdefault(label.language or "", label.value)
    for (predicate, subject), labels in by_subject.items():
        if predicate not in exclude:
            rows.setdefault(predicate, []).append((subject, labels))


def validation(store: Store, iri: str) -> list[dict]:
    """SHACL results whose focus node is ``iri``, from any report graph (one query)."""
    return [
        {
            "graph": row["g"].value,
            "severity": row["severity"].value,
            "message": row["message"].value if "message" in row else "",
            "path": row["path"].value if isinstance(row.get("path"), NamedNode) else "",
        }
        for row in store.select(query("validation"), {"this": NamedNode(iri)})
    ]


def term_key(term) -> str:
    """A stable key for an RDF term (blank nodes by their id in one result set)."""
    if isinstance(term, BlankNode):
        return "_:" + term.value
    return str(term)
