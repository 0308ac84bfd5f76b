"""Statistics cubes (qb:DataSet): the list, file names, and a tidy CSV per cube.

The CSV has one row per observation and one column per property of the observations
(dimensions, measures, attributes), named by the property's local name; IRIs stay IRIs,
literals give their lexical form. Column order is stable: ``observation`` first, then the
names sorted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode

from regiograph.catalog.sparql import query
from regiograph.store import Store


def list_cubes(store: Store) -> list[dict]:
    return store.select(query("cubes"))


def stem(cube: NamedNode) -> str:
    """``cube-{last segment}`` with anything unusual replaced, for file names and slugs."""
    tail = re.split(r"[/#]", cube.value.rstrip("/#"))[-1].lower()
    return "cube-" + (re.sub(r"[^a-z0-9_-]+", "-", tail).strip("-") or "unnamed")[:80]


def csv_rows(store: Store, cube: NamedNode) -> Iterator[bytes]:
    rows: dict[str, dict[str, str]] = {}
    columns: set[str] = set()
    for row in store.select(query("cube-observations"), {"cube": cube}):
        name = _local_name(row["p"].value)
        columns.add(name)
        cells = rows.setdefault(row["obs"].value, {})
        value = row["o"].value if isinstance(row["o"], NamedNode | Literal) else ""
        cells[name] = f"{cells[name]} {value}" if name in cells else value
    header = ["observation", *sorted(columns)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    yield buffer.getvalue().encode()
    for observation, cells in rows.items():
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([observation, *(cells.get(c, "") for c in header[1:])])
        yield buffer.getvalue().encode()


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1] or iri
