"""Binding values into SPARQL as RDF terms, never as spliced text.

Values must already be pyoxigraph terms (``NamedNode``, ``Literal``, ``BlankNode`` is
refused): their ``str()`` is their N-Triples form, which the RDF serialiser escapes and
which is valid SPARQL term syntax. The block goes right after the first ``WHERE {``
so that it constrains the whole pattern, including aggregates.

This module is also the one home of "the first ``WHERE {``" (:func:`has_where`,
:func:`after_where`): saved queries are checked for it, and the SHACL engine puts its focus
pattern in the same place.
"""

import re
from collections.abc import Iterable, Sequence

from pyoxigraph import Literal, NamedNode

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Term = NamedNode | Literal


def values_block(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """``VALUES (?a ?b) { (<x> "y") … }``; ``None`` becomes UNDEF (no constraint)."""
    for name in variables:
        if not _VARIABLE.fullmatch(name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    head = " ".join(f"?{n}" for n in variables)
    return f"VALUES ({head}) {{ {' '.join(_row(variables, row) for row in rows)} }}"


def _row(variables: Sequence[str], row: Sequence[Term | None]) -> str:
    if len(row) != len(variables):
        raise ValueError("every row needs one term per variable")
    cells = []
    for name, value in zip(variables, row, strict=True):
        if value is None:
            cells.append("UNDEF")
        elif isinstance(value, NamedNode | Literal):
            cells.append(str(value))
        else:
            raise TypeError(f"?{name}: bind a NamedNode or Literal, not {type(value).__name__}")
    return f"({' '.join(cells)})"


def bind(query: str, bindings: dict[str, Term | None]) -> str:
    """The query with a VALUES block for ``bindings`` at the start of its WHERE clause."""
    if not bindings:
        return query
    return bind_rows(query, tuple(bindings), [tuple(bindings.values())])


def bind_rows(query: str, variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    """The query with a VALUES block of many rows (a page of keys) at the start of its
    WHERE clause."""
    if not has_where(query):
        raise ValueError("a query with bound values needs an explicit 'WHERE {'")
    return after_where(query, f"\n  {values_block(variables, rows)}\n")


def has_where(query: str) -> bool:
    return _WHERE.search(query) is not None


def after_where(query: str, text: str) -> str:
    """``text`` inserted right after the query's first ``WHERE {`` (ValueError if none)."""
    match = _WHERE.search(query)
    if match is None:
        raise ValueError("the query has no explicit 'WHERE {'")
    return f"{query[: match.end()]}{text}{query[match.end() :]}"
