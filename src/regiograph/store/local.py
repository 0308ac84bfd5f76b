"""The platform's own page queries, run in this process on the owner's newest snapshot.

A resource page asks the store five small questions. Through the owner each is an HTTP round
trip, a pipe to a query worker and JSON both ways: 4-9 ms each at the national layer, where
the same question on a snapshot opened in this process takes 0.1-2 ms (``bench/README.md``,
"Pages read snapshots in process"). Snapshots are immutable, so opening one read-only here is
as safe as in a query worker: only the owner ever opens the live directory, and the owner
deletes a snapshot only when no reader holds its lock (:mod:`.snapshots`).

Only questions the platform wrote and bounds itself come here (the resource pages'
``.rq`` files: one resource's statements, links paged by LIMIT). They cannot be killed like
``/sparql``'s: an answer still being read when the store's time limit passes is dropped
(:class:`QueryTimeout`), but an evaluation that sorts or groups before its first row runs to
its end. Everything else, and everything when there is no snapshot (a store by URL, a
snapshot that cannot be opened), goes to the :class:`Store` as before.

The data version says which snapshot is current (its sequence), so what a page reads here is
what its ETag names; a handle is closed when a newer snapshot replaced it and no thread reads
it any more.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from regiograph.namespaces import PREFIXES
from regiograph.store import snapshots
from regiograph.store.binding import Term, bind
from regiograph.store.client import Store
from regiograph.store.errors import QuerySyntaxError, QueryTimeout, StoreError
from regiograph.store.results import Solutions, solutions_of

log = logging.getLogger(__name__)
CHECK_EVERY = 1000  # rows read between looks at the clock


class _Handle:
    """One opened snapshot and how many reads use it right now."""

    def __init__(self, snapshot: snapshots.Snapshot, store: ox.Store, fd: int):
        self.snapshot, self.store, self.fd = snapshot, store, fd
        self.users = 0
        self.retired = False

    def close_if_done(self) -> None:
        if self.retired and self.users == 0 and self.store is not None:
            self.store = None  # the handle goes before the lock that protects its files
            with contextlib.suppress(OSError):
                os.close(self.fd)


class SnapshotReads:
    """``select``, ``solutions``, ``ask`` and ``construct`` of :class:`Store`, answered from
    the newest snapshot in this process; every other attribute is the store's."""

    def __init__(self, store: Store, directory: Path):
        self._store = store
        self._directory = Path(directory)
        self._lock = threading.Lock()
        self._handle: _Handle | None = None
        self._pid = os.getpid()

    def __getattr__(self, name):
        return getattr(self._store, name)

    def select(self, query: str, bindings: dict[str, Term | None] | None = None) -> list[dict]:
        return self.solutions(query, bindings).rows

    def solutions(self, query: str, bindings: dict[str, Term | None] | None = None) -> Solutions:
        answer = self._run(bind(query, bindings or {}), _solutions)
        return self._store.solutions(query, bindings) if answer is None else answer

    def ask(self, query: str, bindings: dict[str, Term | None] | None = None) -> bool:
        answer = self._run(bind(query, bindings or {}), _boolean)
        return self._store.ask(query, bindings) if answer is None else answer

    def construct(self, query: str, bindings: dict[str, Term | None] | None = None) -> list:
        answer = self._run(bind(query, bindings or {}), _triples)
        return self._store.construct(query, bindings) if answer is None else answer

    describe = construct

    def _run(self, text: str, read):
        """``read(results, deadline)`` on the snapshot of the current data version; None when
        there is no such snapshot here (the caller asks the store)."""
        handle = self._acquire()
        if handle is None:
            return None
        try:
            return _query(handle.store, text, read, self._store.query_timeout_s)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except (OSError, RuntimeError) as exc:
            log.warning("snapshot %s failed a read, asking the store: %s", handle.snapshot, exc)
            self._retire(handle)
            return None
        finally:
            self._release(handle)

    def _acquire(self) -> _Handle | None:
        wanted = snapshots.sequence_in(self._store.data_version())
        if wanted is None:
            return None
        with self._lock:
            if self._pid != os.getpid():  # a forked web worker: never use the parent's handle
                self._pid, self._handle = os.getpid(), None
            handle = self._handle
            if handle is None or handle.retired or handle.snapshot.sequence < wanted:
                handle = self._open(wanted)
                if handle is None:
                    return None
            handle.users += 1
            return handle

    def _open(self, wanted: int) -> _Handle | None:
        latest = snapshots.newest(self._directory)
        if latest is None or latest.sequence < wanted:
            return None
        try:
            handle = _Handle(*snapshots.open_locked(self._directory, latest))
        except snapshots.Unreadable as exc:
            log.warning("no snapshot to read in process, asking the store: %s", exc)
            return None
        if self._handle is not None:
            self._handle.retired = True
            self._handle.close_if_done()
        self._handle = handle
        return handle

    def _retire(self, handle: _Handle) -> None:
        with self._lock:
            handle.retired = True

    def _release(self, handle: _Handle) -> None:
        with self._lock:
            handle.users -= 1
            handle.close_if_done()


def _query(store: ox.Store, text: str, read, limit_s: float):
    # its own frame: nothing of the answer outlives it, so the handle can close right after
    results = store.query(text, use_default_graph_as_union=True, prefixes=PREFIXES)
    return read(results, time.monotonic() + limit_s)


def _solutions(results, deadline: float) -> Solutions:
    return solutions_of(results, _until(results, deadline))


def _boolean(results, _deadline: float) -> bool:
    if not isinstance(results, ox.QueryBoolean):
        raise StoreError("expected an ASK query")
    return bool(results)


def _triples(results, deadline: float) -> list:
    if not isinstance(results, ox.QueryTriples):
        raise StoreError("expected a CONSTRUCT or DESCRIBE query")
    return list(_until(results, deadline))


def _until(results, deadline: float):
    for count, item in enumerate(results, start=1):
        if count % CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise QueryTimeout("the query was stopped at the store's time limit")
        yield item


def reads_for(store: Store):
    """Page reads for ``store``: from its snapshots when it is the embedded store and this
    process may read them, else the store itself."""
    folder = getattr(store, "snapshots", None)
    return SnapshotReads(store, folder) if folder is not None else store
