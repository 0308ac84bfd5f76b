"""The catalogue's SPARQL: ``.rq`` files beside this module, values bound as RDF terms.

Single values go through the store's own binding (one VALUES row). Pages need many rows
of one variable (``VALUES (?ds ?g) { … }``), which the store's binding does not offer:
:func:`values_table` writes them from pyoxigraph terms, whose ``str()`` is their escaped
N-Triples form, and inserts the block in the same place the store's binding does.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode

HERE = Path(__file__).resolve().parent
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


@cache
def query(name: str) -> str:
    return (HERE / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def values_table(text: str, variables: tuple[str, ...], rows: list[tuple]) -> str:
    """``text`` with ``VALUES (?a ?b) { (…) … }`` at the start of its first WHERE clause."""
    for name in variables:
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    cells = []
    for row in rows:
        if len(row) != len(variables):
            raise ValueError("every row needs one term per variable")
        for term in row:
            if not isinstance(term, NamedNode | Literal):
                raise TypeError(f"bind NamedNode or Literal terms, not {type(term).__name__}")
        cells.append(f"({' '.join(str(t) for t in row)})")
    match = _WHERE.search(text)
    if match is None:
        raise ValueError("the query needs an explicit 'WHERE {'")
    head = " ".join(f"?{n}" for n in variables)
    block = f"VALUES ({head}) {{ {' '.join(cells)} }}"
    return f"{text[: match.end()]}\n  {block}\n{text[match.end() :]}"
