"""Binding values into SPARQL as RDF terms, never as spliced text.

Values must already be pyoxigraph terms (``NamedNode``, ``Literal``, ``BlankNode`` is
refused): their ``str()`` is their N-Triples form, which the RDF serialiser escapes and
which is valid SPARQL term syntax. The block goes right after the first ``WHERE {``
so that it constrains the whole pattern, including aggregates.
"""

import re

from pyoxigraph import Literal, NamedNode

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Term = NamedNode | Literal


def values_block(bindings: dict[str, Term | None]) -> str:
    """``VALUES (?a ?b) { (<x> "y") }``; ``None`` becomes UNDEF (no constraint)."""
    names = list(bindings)
    for name in names:
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    cells = []
    for name in names:
        value = bindings[name]
        if value is None:
            cells.append("UNDEF")
        elif isinstance(value, NamedNode | Literal):
            cells.append(str(value))
        else:
            raise TypeError(f"?{name}: bind a NamedNode or Literal, not {type(value).__name__}")
    head = " ".join(f"?{n}" for n in names)
    return f"VALUES ({head}) {{ ({' '.join(cells)}) }}"


def bind(query: str, bindings: dict[str, Term | None]) -> str:
    """The query with a VALUES block for ``bindings`` at the start of its WHERE clause."""
    if not bindings:
        return query
    match = _WHERE.search(query)
    if match is None:
        raise ValueError("a query with bound values needs an explicit 'WHERE {'")
    return f"{query[: match.end()]}\n  {values_block(bindings)}\n{query[match.end() :]}"
