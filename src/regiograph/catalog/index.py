"""Which datasets the catalogue lists, in which order: the key list behind stable paging.

The catalogue is ordered by dataset IRI, own datasets first. The ordered keys are computed
once per data version (one SELECT, kept on disk by :mod:`.keys`) and held in memory; page
*n* is then the slice ``keys[(n-1)*size : n*size]`` and its descriptions are fetched for
exactly those IRIs (``VALUES``), so the last page costs what the first does — no OFFSET over
a sort per request.

Harvested datasets that miss a mandatory property are left out, each kept in ``excluded`` with
the reason (a source's defaults are completed by its harvest, in :mod:`regiograph.loader.map`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from pyoxigraph import NamedNode

from regiograph.catalog import facets, search
from regiograph.catalog.entry import Entry
from regiograph.catalog.sparql import query
from regiograph.store import Store


@dataclass
class Index:
    version: str
    entries: list[Entry]
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (dataset, reason)
    publishers: dict[str, dict[str, str]] = field(default_factory=dict)  # value -> names


# What the key list keeps of each harvested dataset: plain values, independent of the
# configuration, so one file per data version serves every process (see :mod:`.keys`).
COLUMNS = (
    "ds",
    "graph",
    "modified",
    "harvested",
    "title",
    "description",
    "publisher",
    "facets",
    "texts",
)


def harvested_rows(store: Store) -> list[list]:
    """One row per harvested dataset (``COLUMNS``): a SELECT over every dataset, one over
    their facets and one over their texts."""
    rows = store.select(query("harvested-index"), {"meta": NamedNode(store.meta_graph)})
    raw = facets.harvested(store)
    texts = search.harvested_texts(store)
    return [
        [
            row["ds"].value,
            row["graph"].value,
            row["modified"].value if "modified" in row else None,
            row["harvested"].value if "harvested" in row else None,
            int(row["title"].value),
            int(row["description"].value),
            int(row["publisher"].value),
            raw.get((row["ds"].value, row["graph"].value), {}),
            texts.get((row["ds"].value, row["graph"].value), {}),
        ]
        for row in rows
    ]


def build(
    version: str,
    own: dict[str, datetime | None],
    rows: list[list],
    own_facets: dict[str, dict] | None = None,
    own_texts: dict[str, dict] | None = None,
    publishers: dict[str, dict[str, str]] | None = None,
) -> Index:
    """The index for one data version; ``publishers`` the own datasets' publishers' names."""
    own_facets, own_texts = own_facets or {}, own_texts or {}
    entries = [
        Entry(iri, None, modified, facets=own_facets.get(iri, {}), texts=own_texts.get(iri, {}))
        for iri, modified in sorted(own.items())
    ]
    excluded: list[tuple[str, str]] = []
    harvested = []
    names = dict(publishers or {})
    for values in rows:
        row = dict(zip(COLUMNS, values, strict=True))
        if row["ds"] in own:
            continue
        entry, reason = _entry(row, names)
        if entry is None:
            excluded.append((row["ds"], reason))
        else:
            harvested.append(entry)
    entries += sorted(harvested, key=lambda e: e.iri)
    return Index(version, entries, sorted(excluded), names)


def _entry(row: dict, names: dict) -> tuple[Entry | None, str]:
    graph = row["graph"]
    if not row["title"]:
        return None, f"no dct:title (source graph {graph})"
    if not row["description"]:
        return None, f"no dct:description (source graph {graph})"
    if not row["publisher"]:
        return None, (
            f"no dct:publisher with a foaf:name (source graph {graph}; its harvest completes "
            "one from the source's default_publisher)"
        )
    modified_text, harvested = row["modified"], row["harvested"]
    modified = parse_time(modified_text) or parse_time(harvested)
    found, publishers = facets.for_harvested(row["facets"])
    for key, named in publishers.items():
        names.setdefault(key, named)
    entry = Entry(row["ds"], graph, modified, harvested, modified_text, found, row["texts"])
    return entry, ""


def parse_time(text: str | None) -> datetime | None:
    """An xsd:date or xsd:dateTime as an aware datetime (UTC when no zone is given)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return None
        value = datetime(day.year, day.month, day.day)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
