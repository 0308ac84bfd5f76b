"""Turtle templates filled with RDF terms, never with text.

A template is an ordinary Turtle file. Where a value goes it holds a *slot*, an IRI in the
``urn:regiograph:slot:`` namespace (written ``slot:name``). The file is parsed first, then
each triple that mentions a slot is repeated once per value bound to that slot (a list binds
several values, ``None`` or an empty list drops the triple). Values are pyoxigraph terms, so
nothing a caller passes can change the shape of the graph. Relative IRIs resolve against the
deployment's base IRI.
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, parse

SLOT = "urn:regiograph:slot:"
Term = NamedNode | Literal | BlankNode
Value = Term | list[Term] | tuple[Term, ...] | None
HERE = Path(__file__).resolve().parent


@cache
def _parsed(name: str, base_iri: str) -> tuple[Triple, ...]:
    data = (HERE / name).read_bytes()
    return tuple(q.triple for q in parse(data, format=RdfFormat.TURTLE, base_iri=base_iri))


def fill(name: str, base_iri: str, values: dict[str, Value]) -> list[Triple]:
    """The triples of template ``name`` with every slot replaced by its bound terms."""
    out: list[Triple] = []
    for triple in _parsed(name, base_iri):
        choices = [_choices(term, values, name) for term in triple]
        out.extend(Triple(s, p, o) for s, p, o in itertools.product(*choices))
    return out


def _choices(term, values: dict[str, Value], template: str) -> list:
    if not (isinstance(term, NamedNode) and term.value.startswith(SLOT)):
        return [term]
    slot = term.value.removeprefix(SLOT)
    if slot not in values:
        raise KeyError(f"{template}: slot {slot!r} has no value (bind None to drop it)")
    value = values[slot]
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]
