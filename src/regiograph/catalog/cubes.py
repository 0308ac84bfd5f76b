"""Statistics cubes (qb:DataSet): the list, file names, and a tidy CSV per cube.

The CSV has one row per observation and one column per property of the observations
(dimensions, measures, attributes), named by the property's local name; IRIs stay IRIs,
literals give their lexical form. Column order is stable: ``observation`` first, then the
names sorted; rows are ordered by the observation's IRI.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

from pyoxigraph import Literal, NamedNode, Triple

from regiograph.catalog.sparql import query
from regiograph.namespaces import QB, RDF_TYPE
from regiograph.store import Store

_NOT_COLUMNS = {RDF_TYPE, QB + "dataSet"}  # the same for every row


def list_cubes(store: Store) -> list[dict]:
    return store.select(query("cubes"))


def stem(cube: NamedNode) -> str:
    """``cube-{last segment}`` with anything unusual replaced, for file names and slugs."""
    tail = re.split(r"[/#]", cube.value.rstrip("/#"))[-1].lower()
    return "cube-" + (re.sub(r"[^a-z0-9_-]+", "-", tail).strip("-") or "unnamed")[:80]


def observations(store: Store, cube: NamedNode) -> list[Triple]:
    """Every triple of the cube's observations, one property at a time (why:
    ``cube-observations.rq``)."""
    triples: list[Triple] = []
    for row in store.select(query("cube-properties"), {"cube": cube}):
        triples += store.construct(query("cube-observations"), {"cube": cube, "p": row["p"]})
    return triples


def structure(store: Store, cube: NamedNode) -> list[Triple]:
    """The cube's own triples and its structure's."""
    return store.construct(query("cube-dump"), {"cube": cube})


def csv_rows(observed: Iterable[Triple]) -> Iterator[bytes]:
    """The tidy CSV of a cube's :func:`observations`."""
    rows: dict[str, dict[str, str]] = {}
    columns: set[str] = set()
    for triple in observed:
        if triple.predicate.value in _NOT_COLUMNS:
            continue
        name = _local_name(triple.predicate.value)
        columns.add(name)
        cells = rows.setdefault(triple.subject.value, {})
        value = triple.object.value if isinstance(triple.object, NamedNode | Literal) else ""
        cells[name] = f"{cells[name]} {value}" if name in cells else value
    header = ["observation", *sorted(columns)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    yield buffer.getvalue().encode()
    for observation, cells in sorted(rows.items()):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([observation, *(cells.get(c, "") for c in header[1:])])
        yield buffer.getvalue().encode()


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1] or iri
