"""Catalogue pages: the catalogue node, one page of datasets, their records and Hydra links."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Quad, Triple
from pyoxigraph import Store as MemoryStore

from regiograph import iris
from regiograph.catalog import dumps, facets, harvested, keys, names, own, search
from regiograph.catalog.entry import Entry
from regiograph.catalog.index import Index, build, parse_time
from regiograph.catalog.names import Names
from regiograph.catalog.search import Finder
from regiograph.catalog.sparql import query
from regiograph.catalog.template import fill
from regiograph.catalog.view import summarise
from regiograph.loader import sources
from regiograph.namespaces import DCAT, XSD
from regiograph.store import Store

HTML_PAGE_SIZE = 20


class PageNotFound(LookupError):
    """A page number past the end of the catalogue."""


def prepare(config, store: Store) -> str:
    """Bring the key list and the dumps on disk up to the store's data version (the writing
    process calls this after a change, so no request has to); a short account of the work.

    The dumps lock is held throughout: a request meanwhile serves the previous dumps instead
    of starting to write them itself, and waits only for the key list (seconds).
    """
    version = store.data_version()
    with dumps.building(config):
        previous = dumps.read_manifest(config)
        current = previous is not None and previous.version == version
        current = current and keys.path_for(config, version).exists()
        rows = keys.current(config, store, version)
        manifest = dumps.fresh(config, store, version, own.selections())
    done = "already current" if current else "rebuilt"
    return f"{done}: {len(rows):,} harvested datasets, {len(manifest.files)} dump files"


@dataclass
class State:
    """Everything that changes only with the data version."""

    version: str
    manifest: dumps.Manifest | None
    modified: Literal
    catalogue: list[Triple]
    own: dict[str, list[Triple]]
    index: Index
    finder: Finder  # search, facet counts and sort orders for the HTML view
    names: Names  # names of the facet values
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    number: int
    last: int
    total: int
    entries: list[Entry]
    triples: list[Triple]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # facet -> value -> n


class Catalogue:
    """The catalogue of one deployment; cheap to ask, rebuilt when the data version moves."""

    def __init__(self, config, store: Store):
        self.config = config
        self.store = store
        self.settings = own.Settings.from_config(config)
        self.sources = {s.graph(config.base_iri): s for s in sources.from_config(config)}
        self._state: State | None = None
        self._lock = threading.Lock()

    def state(self) -> State:
        version = self.store.data_version()
        state = self._state
        if state is not None and state.version == version and not self._dumps_arrived(state):
            return state
        with self._lock:
            state = self._state
            if state is None or state.version != version or self._dumps_arrived(state):
                self._state = self._build(version)
            return self._state

    def _dumps_arrived(self, state: State) -> bool:
        """A state built with the previous dumps (someone else was writing this version's)
        is replaced once the new manifest is there."""
        if state.manifest is not None and state.manifest.version == state.version:
            return False
        manifest = dumps.read_manifest(self.config)
        return manifest is not None and manifest.version == state.version

    def _build(self, version: str) -> State:
        manifest = dumps.current(self.config, self.store, own.selections())
        stamp = (
            manifest.generated if manifest else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        )
        modified = Literal(stamp, datatype=NamedNode(XSD + "dateTime"))
        spatial = own.regional_keys(self.store)
        own_triples = own.own_datasets(self.settings, self.store, manifest, modified)
        when = parse_time(stamp)
        catalogue = own.catalogue_triples(self.settings, modified, spatial)
        described = [*catalogue, *(t for triples in own_triples.values() for t in triples)]
        summaries = summarise(described, list(own_triples))
        own_facets, publishers = facets.for_own(summaries)
        own_texts = {
            d["iri"]: search.texts(d["titles"], d["descriptions"], d["keywords"]) for d in summaries
        }
        rows = keys.current(self.config, self.store, version)
        dates = dict.fromkeys(own_triples, when)
        index = build(version, dates, rows, own_facets, own_texts, publishers)
        finder = search.Finder(index.entries)
        named = Names(index.publishers, names.areas(self.store))
        return State(version, manifest, modified, catalogue, own_triples, index, finder, named)

    def page(
        self,
        number: int,
        since: datetime | None = None,
        chosen: dict[str, str] | None = None,
        *,
        text: str = "",
        sort: str = "relevance",
        language: str = "de",
        rdf: bool = True,
    ) -> Page:
        """Page ``number`` (of the catalogue's page size, or :meth:`html_page_size`) of the
        datasets modified since ``since`` that have every ``chosen`` facet value and every
        word of ``text``, ordered by ``sort`` (:data:`.search.SORTS`), with the facet counts
        among them; search, choices and sort are the HTML view's, which asks without ``rdf``
        and gets no triples: it lists the entries from what the key list keeps of them."""
        state = self.state()
        found = state.finder.find(text, chosen, since, sort, language)
        size = self.settings.page_size if rdf else self.html_page_size()
        last = max(1, math.ceil(len(found.positions) / size))
        if not 1 <= number <= last:
            raise PageNotFound(f"page {number} is past the end: the catalogue has {last}")
        shown = found.positions[(number - 1) * size : number * size]
        picked = [state.index.entries[i] for i in shown]
        total = len(found.positions)
        if not rdf:
            return Page(number, last, total, picked, [], found.counts)
        triples = list(state.catalogue) + self._datasets(state, picked)
        triples += self._hydra(number, last, len(found.positions), since)
        return Page(number, last, len(found.positions), picked, _with_types(triples), found.counts)

    def html_page_size(self) -> int:
        """Datasets per HTML page: fewer than per RDF page, which clients walk."""
        return min(HTML_PAGE_SIZE, self.settings.page_size)

    def dataset(self, iri: str) -> tuple[Entry, int, list[Triple]] | None:
        """One dataset of the catalogue: its entry, its place in the catalogue's order (from
        0) and its description as the catalogue publishes it; None if it does not list it."""
        state = self.state()
        position = state.finder.position(iri)
        if position is None:
            return None
        entry = state.index.entries[position]
        return entry, position, list(state.catalogue) + self._datasets(state, [entry])

    def _datasets(self, state: State, chosen: list[Entry]) -> list[Triple]:
        catalog = NamedNode(iris.catalog(self.settings.base))
        foreign = [e for e in chosen if e.graph is not None]
        out = [Triple(catalog, NamedNode(DCAT + "dataset"), NamedNode(e.iri)) for e in chosen]
        out += self._descriptions(state, chosen)
        record_triples, records = harvested.records(
            foreign, self.sources, self.settings.base, state.modified
        )
        out += record_triples
        out += [Triple(catalog, NamedNode(DCAT + "record"), r) for r in records]
        return out

    def _descriptions(self, state: State, chosen: list[Entry]) -> list[Triple]:
        """The datasets' descriptions as published: own ones as built, harvested ones fetched
        and completed."""
        out = [t for entry in chosen for t in state.own.get(entry.iri, [])]
        foreign = [e for e in chosen if e.graph is not None]
        fetched = harvested.fetch(self.store, foreign)
        out += harvested.complete(fetched, foreign, self.settings.base, state.notes)
        return out

    def _hydra(self, number: int, last: int, total: int, since: datetime | None) -> list[Triple]:
        def link(n: int | None) -> NamedNode | None:
            if n is None:
                return None
            params = {"page": n} | ({"modified_since": since.isoformat()} if since else {})
            return NamedNode(iris.catalog_page(self.settings.base, params))

        integer = NamedNode(XSD + "integer")
        return fill(
            "hydra.ttl",
            self.settings.base,
            {
                "catalog": NamedNode(iris.catalog(self.settings.base)),
                "page": link(number),
                "total": Literal(str(total), datatype=integer),
                "per_page": Literal(str(self.settings.page_size), datatype=integer),
                "first": link(1),
                "last": link(last),
                "next": link(number + 1 if number < last else None),
                "previous": link(number - 1 if number > 1 else None),
            },
        )


def _with_types(triples: list[Triple]) -> list[Triple]:
    """The page plus the classes its range shapes expect (``queries/typing.rq``), deduplicated."""
    memory = MemoryStore()
    memory.extend(Quad(t.subject, t.predicate, t.object) for t in triples)
    extra = list(memory.query(query("typing")))
    return list(dict.fromkeys([*triples, *extra]))
