"""Running a saved query on the store (SPARQL) or on the statistics mirror (its SQL twin),
and its rows as plain values for JSON, CSV and the pages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from pyoxigraph import Literal, NamedNode

from regiograph.namespaces import XSD
from regiograph.savedqueries.library import SavedQuery
from regiograph.store import Store
from regiograph.store.binding import Term

log = logging.getLogger(__name__)

# --- Running ------------------------------------------------------------------------------


@dataclass
class Result:
    """Rows of a saved query: RDF terms from the store, or plain values from the mirror.

    ``rows`` are dicts of terms (unbound cells absent) either way; the mirror's values are
    turned into terms only when asked, since the JSON and CSV outputs do not need them.
    """

    columns: list[str]
    stored: list[dict[str, Term]] | None = None
    values: list[tuple] | None = None
    engine: str = "store"

    @cached_property
    def rows(self) -> list[dict[str, Term]]:
        if self.values is None:
            return self.stored or []
        return [_terms(self.columns, row) for row in self.values]

    def __len__(self) -> int:
        return len(self.values if self.values is not None else self.stored or [])

    def records(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """Rows as JSON-ready dicts (IRIs and text as strings, numbers as numbers)."""
        if self.values is None:
            return [
                {c: plain(row.get(c)) for c in self.columns}
                for row in (self.stored or [])[start:stop]
            ]
        return [
            dict(zip(self.columns, map(_jsonable, row), strict=True))
            for row in self.values[start:stop]
        ]


def plain(term: Term | None):
    """A term as a JSON value: IRIs and text as strings, numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    datatype = term.datatype.value.rsplit("#", 1)[-1]
    if datatype in _INTEGERS:
        return int(term.value)
    if datatype in {"decimal", "double", "float"}:
        return float(term.value)
    if datatype == "boolean":
        return term.value in {"true", "1"}
    return term.value


_INTEGERS = {"integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"}


def _jsonable(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def run_sparql(text: str, store: Store, values: dict[str, Term | None]) -> Result:
    """A SELECT on the store with the values bound, columns in the query's order."""
    solutions = store.solutions(text, values)
    return Result(list(solutions.columns), stored=solutions.rows)


def run(query: SavedQuery, store: Store, values: dict[str, Term | None], cube=None) -> Result:
    """Run a saved query: on the statistics mirror when it has a SQL twin, else on the store.

    ``cube`` is a :class:`regiograph.statistics.Mirror` (or None to always use the store).
    """
    if query.engine == "cube" and cube is not None and query.sql:
        used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", query.sql))
        params = {k: sql_value(v) for k, v in values.items() if k in used}
        columns, rows = cube.sql(query.sql, params)
        return Result(columns, values=rows, engine="cube")
    return run_sparql(query.text, store, values)


_INTEGER_TYPES = {XSD + t for t in ("integer", "gYear", "int", "long")}


def sql_value(term: Term | None):
    """A bound term as a DuckDB parameter value (IRIs as text, years as integers)."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    datatype = term.datatype.value
    if datatype in _INTEGER_TYPES:
        return int(term.value)
    if datatype == XSD + "decimal":
        return float(term.value)
    if datatype == XSD + "date":
        return date.fromisoformat(term.value)
    return term.value


def _terms(columns: list[str], row: tuple) -> dict[str, Term]:
    """A SQL row as RDF terms: http(s) text is an IRI, numbers keep their XSD type."""
    cells = {}
    for column, value in zip(columns, row, strict=True):
        if value is None:
            continue
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            cells[column] = NamedNode(value)
        elif isinstance(value, bool):
            cells[column] = Literal(value)
        elif isinstance(value, int):
            cells[column] = Literal(str(value), datatype=NamedNode(XSD + "integer"))
        elif isinstance(value, float | Decimal):
            cells[column] = Literal(_decimal_text(value), datatype=NamedNode(XSD + "decimal"))
        else:
            cells[column] = Literal(str(value))
    return cells


def _decimal_text(value: float | Decimal) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text if "." in text else text + ".0"
