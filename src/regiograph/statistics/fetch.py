"""How the mirror's raw tables are read from the store: SPARQL SELECTs in adaptive pages.

Every raw table arrives as SPARQL 1.1 CSV results; ``mirror.py`` loads each page's file with
DuckDB's CSV reader through a ``load(path) -> rows`` callback, so no Python code looks at
single rows. Each SELECT is fetched in pages (``LIMIT``/``OFFSET``) small enough to finish
inside the store's query time limit; the page grows while pages come back fast and shrinks
when one hits the limit. Paging relies on the store returning one query's solutions in the
same order every time, which index scans do (Oxigraph, Virtuoso, Fuseki). A store that cuts
results at a row cap (Virtuoso's ``ResultSetMaxRows``) is handled by moving on by the rows
received and stopping only at an empty page.

The same path serves the embedded store. Reading its directory in-process through a
read-only pyoxigraph handle (DESIGN hazard 8) was measured and rejected: at 20M triples it
delivered the same scans at about 25k rows/s (667 s for the mirror) where ``oxigraph serve``
delivered about 75k rows/s into DuckDB (230 s); see docs/statistics.md.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from regiograph.store import QueryTimeout, Store

log = logging.getLogger(__name__)
Load = Callable[[Path], int]  # loads one CSV file into the current raw table, returns rows
_CSV = "text/csv"
FIRST_PAGE = 100_000
MAX_PAGE = 2_000_000
MIN_PAGE = 1_000


class Pages:
    """A SPARQL 1.1 store over HTTP, read in pages that each fit its time limit."""

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
    """Stream one SELECT's CSV results into ``target`` without holding them in memory
    (QueryTimeout, with part of a page in ``target``, when the store stopped the query)."""
    with store.query_stream(query, _CSV, chunk_size=1 << 20) as result, target.open("wb") as out:
        for chunk in result.chunks:
            out.write(chunk)
