"""The app's collaborators: built together by :func:`install` when the app is created, and
read from inside a request by the functions below.

Nothing here is built on first use: every collaborator exists before the first request, so
no request races another to build one and no blueprint depends on another having registered
first. Building them is cheap and touches neither the store nor the network (the search
index, the mirror and the catalogue bring themselves up to the data version when asked; the
query workers start with the first query). Each is kept in ``app.extensions`` under its own
key, where tests and benchmarks look at it too.

May not: import from :mod:`regiograph.server.routes`, nor a kit module that reads these
collaborators (kit and routes build on this module; ``kit/pagecache.py`` is plain data).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from regiograph import savedqueries
from regiograph.bundled import data_dir
from regiograph.catalog import Catalogue
from regiograph.config import Config
from regiograph.resources.search import SearchIndex
from regiograph.server.kit.pagecache import PageCache
from regiograph.sparql.describe import Describer
from regiograph.sparql.endpoint import Endpoint
from regiograph.statistics import FILE_NAME, Mirror
from regiograph.store import Store
from regiograph.store.local import reads_for

STORE = "regiograph.store"
PAGE_READS = "regiograph.store.local"
SAVED_QUERIES = "regiograph.savedqueries"
STATISTICS = "regiograph.statistics"
SEARCH_INDEX = "regiograph.resources.search"
CATALOGUE = "regiograph.catalog"
PAGE_CACHE = "regiograph.page_cache"
SPARQL = "regiograph.sparql"
DESCRIBER = "regiograph.sparql.describer"


def install(app: Flask, cfg: Config, st: Store) -> None:
    """Build every collaborator of ``app`` once, from its settings and its store."""
    folder = cfg["queries.dir"]
    app.config["REGIOGRAPH"] = cfg
    app.extensions[STORE] = st
    app.extensions[PAGE_READS] = reads_for(st)
    app.extensions[SAVED_QUERIES] = savedqueries.load_catalog(
        Path(folder) if folder else data_dir("queries")
    )
    app.extensions[STATISTICS] = Mirror(st, cfg.data_path / FILE_NAME)
    app.extensions[SEARCH_INDEX] = SearchIndex(cfg.data_path / "search", st)
    app.extensions[CATALOGUE] = Catalogue(cfg, st)
    app.extensions[PAGE_CACHE] = PageCache(cfg["pages.cache_entries"])
    app.extensions[SPARQL] = Endpoint(cfg, st)
    app.extensions[DESCRIBER] = Describer(st)


def config() -> Config:
    return current_app.config["REGIOGRAPH"]


def store() -> Store:
    return current_app.extensions[STORE]


def page_reads() -> Store:
    """The store for the resource pages' own questions: the embedded store's newest snapshot
    read in this process (:mod:`regiograph.store.local`), else the store itself."""
    return current_app.extensions[PAGE_READS]


def saved_queries() -> savedqueries.Catalog:
    return current_app.extensions[SAVED_QUERIES]


def statistics() -> Mirror:
    """The statistics mirror (DuckDB), the saved queries' ``cube`` engine."""
    return current_app.extensions[STATISTICS]


def search_index() -> SearchIndex:
    """The search index as it is; :func:`regiograph.server.kit.suggestions.search_index`
    brings it up to date first."""
    return current_app.extensions[SEARCH_INDEX]


def catalogue() -> Catalogue:
    return current_app.extensions[CATALOGUE]


def page_cache() -> PageCache:
    return current_app.extensions[PAGE_CACHE]


def sparql() -> Endpoint:
    """The SPARQL endpoint's engine, limiter and limits."""
    return current_app.extensions[SPARQL]


def describer() -> Describer:
    """The numbers behind the endpoint's Service Description and VoID."""
    return current_app.extensions[DESCRIBER]
