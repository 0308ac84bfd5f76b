"""Where the mirror's raw tables come from: the embedded store's files, or SPARQL pages.

Either way a raw table arrives as SPARQL 1.1 CSV results (the same text from both), and
``mirror.py`` loads each CSV file with DuckDB's reader through a ``load(path) -> rows``
callback; nothing here touches DuckDB and no Python code looks at single rows.

- :class:`Local` — the embedded store, whose directory the platform knows. A read-only
  pyoxigraph handle (DESIGN hazard 8: it may be opened while ``oxigraph serve`` holds the
  directory; both are pinned to one version) runs the SELECTs in-process and Oxigraph writes
  the CSV straight into a file: no HTTP, no query time limit, and the GIL is released while
  it runs. The data version is read from the same handle, so the mirror records exactly the
  version its rows were read at.
- :class:`Pages` — any other SPARQL 1.1 store, given by URL. Each SELECT is fetched in pages
  (``LIMIT``/``OFFSET``) small enough to finish inside the store's time limit; the page size
  adapts to how fast the store answers. Pages rely on the store returning one query's
  solutions in the same order every time, which index scans do (Oxigraph, Virtuoso,
  Fuseki). A store that cuts results at a row cap (Virtuoso's ``ResultSetMaxRows``) is
  handled by moving on by the rows received and stopping only at an empty page.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph

from regiograph.store import QueryTimeout, Store

log = logging.getLogger(__name__)
Load = Callable[[Path], int]  # loads one CSV file into the current raw table, returns rows
_CSV = "text/csv"
_CANCELLED = b"The SPARQL operation has been cancelled"
_VERSION = "SELECT ?v WHERE {{ GRAPH {g} {{ {g} <{rg}dataVersion> ?v }} }}"
_RG = "https://w3id.org/regiograph/ontology#"
FIRST_PAGE = 100_000
MAX_PAGE = 2_000_000
MIN_PAGE = 1_000


def source(store: Store) -> Local | Pages:
    """The fastest way to read ``store``: its directory when it is ours, else SPARQL pages."""
    server = getattr(store, "server", None)
    if server is not None:
        try:
            return Local(server.location, store.meta_graph)
        except OSError:
            log.warning("cannot open the store directory read-only; exporting over SPARQL")
    return Pages(store)


class Local:
    """The embedded store's directory, opened read-only in this process."""

    def __init__(self, location: Path, meta_graph: str):
        self._handle = pyoxigraph.Store.read_only(str(location))
        graph = pyoxigraph.NamedNode(meta_graph)
        rows = list(self._handle.query(_VERSION.format(g=graph, rg=_RG)))
        self.version: str | None = rows[0]["v"].value if rows else "0"

    def copy(self, query: str, work: Path, load: Load) -> int:
        target = work / "export.csv"
        # The platform's store serves the union of its named graphs as the default graph.
        results = self._handle.query(query, use_default_graph_as_union=True)
        results.serialize(str(target), pyoxigraph.QueryResultsFormat.CSV)
        try:
            return load(target)
        finally:
            target.unlink()


class Pages:
    """A SPARQL 1.1 store over HTTP, read in pages that each fit its time limit."""

    version: str | None = None  # the caller's version, read before the first page

    def __init__(self, store: Store):
        self.store = store
        self.size = FIRST_PAGE

    def copy(self, query: str, work: Path, load: Load) -> int:
        total = 0
        while True:
            rows = self._page(query, total, work, load)
            if rows == 0:
                return total
            total += rows

    def _page(self, query: str, offset: int, work: Path, load: Load) -> int:
        target = work / f"page-{offset}.csv"
        while True:
            started = time.monotonic()
            try:
                _download(self.store, f"{query}\nLIMIT {self.size} OFFSET {offset}", target)
            except QueryTimeout:
                if self.size <= MIN_PAGE:
                    raise
                self.size = max(MIN_PAGE, self.size // 4)
                log.info("statistics export: page timed out, now %d rows a page", self.size)
                continue
            break
        try:
            rows = load(target)
        finally:
            target.unlink()
        # Grow the page while a page takes under a tenth of the store's time limit.
        if rows == self.size and time.monotonic() - started < self.store.query_timeout_s / 10:
            self.size = min(MAX_PAGE, self.size * 2)
        return rows


def _download(store: Store, query: str, target: Path) -> None:
    """Stream one SELECT's CSV results into ``target`` without holding them in memory."""
    response = store.query_raw(query, _CSV)
    try:
        with target.open("wb") as out:
            for chunk in response.iter_content(1 << 20):
                out.write(chunk)
    finally:
        response.close()
    with target.open("rb") as written:
        written.seek(max(0, target.stat().st_size - 64))
        if _CANCELLED in written.read():
            raise QueryTimeout("the store stopped the statistics export at its time limit")
