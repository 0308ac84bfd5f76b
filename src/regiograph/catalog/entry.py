"""One dataset as the catalogue lists it: its IRI, graph, dates, facet values and texts —
what the key list keeps of it (:mod:`.keys`) and the index, the search and the pages read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Entry:
    iri: str
    graph: str | None  # None: one of the platform's own datasets
    modified: datetime | None
    harvested: str | None = None  # xsd:dateTime text of the last harvest
    modified_text: str | None = None
    # theme, publisher, format, licence, area -> values, for the HTML view's filters
    facets: dict = field(default_factory=dict, compare=False, hash=False)
    # {"title"|"description": {language: text}, "search": folded text}: the HTML view's list,
    # search and sort
    texts: dict = field(default_factory=dict, compare=False, hash=False)
