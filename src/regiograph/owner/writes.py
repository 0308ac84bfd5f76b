"""The owner's writes: the one read-write pyoxigraph handle on ``{data_dir}/store``.

Every write is serialised (bulk parts aside) and ends in an immutable snapshot
(:mod:`regiograph.store.snapshots`); queries run in killable workers over the newest
snapshot (:mod:`.serve`), never on the live directory.

Old or new, always: before a write the owner leaves a marker beside the store; a write that
fails, or a crash before the write's snapshot is made, rolls the live store back to the
newest snapshot (the last committed state). So the data version — the snapshot's sequence —
moves if and only if the data moved: they are made in one step.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from pathlib import Path

import pyoxigraph as ox

from regiograph.store import snapshots

log = logging.getLogger(__name__)


class WriteFailed(Exception):
    """A write did not happen; the store is as it was before it."""

    def __init__(self, message: str, *, client_error: bool = False):
        super().__init__(message)
        self.client_error = client_error  # the request was at fault (data that does not parse)


class Owner:
    """The live store, its snapshots and the one lock that orders writes."""

    def __init__(self, location: Path, snapshot_dir: Path):
        self.location = Path(location)
        self.snapshot_dir = Path(snapshot_dir)
        self.marker = self.location.with_name(self.location.name + ".writing")
        self.write_lock = _SharedExclusive()
        self._marker_lock = threading.Lock()
        self.store_id = snapshots.store_id(self.snapshot_dir)
        self._recover()
        self.store = ox.Store(str(self.location))  # OSError names a held LOCK
        latest = snapshots.newest(self.snapshot_dir)
        if latest is None:  # a new store, or one written before snapshots existed
            latest = snapshots.make(self.store, self.snapshot_dir, 1, 1)
        self.latest = latest
        snapshots.prune(self.snapshot_dir)

    # --- versions ---------------------------------------------------------------------

    def versions(self) -> dict[str, str]:
        # "{time in hex ns}-…": the form the platform's validators read Last-Modified from.
        latest = self.latest
        return {
            "data": f"{latest.made_ns:x}-{self.store_id}.{latest.sequence}",
            "content": f"{self.store_id}.{latest.content}",
        }

    # --- writes -----------------------------------------------------------------------

    def write(self, apply, *, content: bool, transactional: bool, commit: bool = True) -> None:
        """Run ``apply(store)`` as one write: committed and snapshotted, or undone.

        ``transactional``: ``apply`` is one pyoxigraph transaction, so a failure left nothing
        behind. ``commit=False`` (the bulk path's parts) leaves the snapshot to a later
        :meth:`commit`; a crash before it undoes the parts. Parts run side by side, as they
        did in Oxigraph's server (one parser each); everything else runs alone."""
        if not commit:
            self._write_part(apply, content)
            return
        with self.write_lock.exclusive():
            before = self.marker.read_text() if self.marker.exists() else None
            self._mark(content)
            failure = _attempt(apply, self.store)
            if failure:
                # (Only now: the exception's frames held the handle the roll-back closes.)
                if not transactional:
                    self._roll_back()
                else:
                    self._unmark(before)  # nothing was written: the version must not move
                raise failure
            self._snapshot()

    def _write_part(self, apply, content: bool) -> None:
        with self.write_lock.shared():
            with self._marker_lock:
                self._mark(content)
            failure = _attempt(apply, self.store)
        if failure:
            with self.write_lock.exclusive():
                self._roll_back()
            raise failure

    def commit(self, *, content: bool) -> None:
        """Snapshot writes of the bulk path, if any are waiting."""
        with self.write_lock.exclusive():
            if self.marker.exists():
                self._mark(content)
                self._snapshot()

    def _mark(self, content: bool) -> None:
        # The marker says "the live store may be ahead of the newest snapshot", and whether
        # anything beyond the metadata graph was written since (content).
        # Not fsync'd: it guards against the owner's crash (the page cache survives kill -9);
        # a crash of the whole machine is RocksDB's own recovery, and fsyncs cost every write.
        before = self.marker.read_text() if self.marker.exists() else ""
        value = "content" if content or before == "content" else "meta"
        if value != before:
            self.marker.write_text(value)

    def _unmark(self, before: str | None) -> None:
        if before is None:
            self.marker.unlink()
        else:
            self.marker.write_text(before)

    def _snapshot(self) -> None:
        content = self.marker.read_text() == "content"
        sequence = self.latest.sequence + 1
        made, error = None, ""
        try:
            made = snapshots.make(
                self.store,
                self.snapshot_dir,
                sequence,
                sequence if content else self.latest.content,
            )
        except OSError as exc:
            error = str(exc)
        if made is None:
            # Readers keep the last good snapshot; the write is undone so that what they
            # see and what is stored never part.
            log.error("snapshot %d failed (%s); the write is undone", sequence, error)
            self._roll_back()
            raise WriteFailed(f"the store could not make its snapshot: {error}")
        self.latest = made
        self.marker.unlink()  # older snapshots go in the background (serve.py's pruner)

    def _roll_back(self) -> None:
        log.warning("rolling the store back to snapshot %d", self.latest.sequence)
        self.store = None
        gc.collect()  # the RocksDB handle closes when its last reference goes
        snapshots.restore_into(self.latest, self.location)
        self.store = ox.Store(str(self.location))
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()

    def _recover(self) -> None:
        """After a crash in the middle of a write: back to the last committed state."""
        latest = snapshots.newest(self.snapshot_dir)
        if self.marker.exists() and latest is not None:
            log.warning("a write was interrupted; rolling back to snapshot %d", latest.sequence)
            snapshots.restore_into(latest, self.location)
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()

    def prune(self) -> None:
        with self.write_lock.exclusive():
            snapshots.prune(self.snapshot_dir)


class _SharedExclusive:
    """A lock held by many bulk parts at once, or by one other write alone."""

    def __init__(self):
        self._changed = threading.Condition()
        self._shared = 0
        self._exclusive = False

    @contextlib.contextmanager
    def shared(self):
        with self._changed:
            self._changed.wait_for(lambda: not self._exclusive)
            self._shared += 1
        try:
            yield
        finally:
            with self._changed:
                self._shared -= 1
                self._changed.notify_all()

    @contextlib.contextmanager
    def exclusive(self):
        with self._changed:
            self._changed.wait_for(lambda: not self._exclusive and not self._shared)
            self._exclusive = True
        try:
            yield
        finally:
            with self._changed:
                self._exclusive = False
                self._changed.notify_all()


def _attempt(apply, store: ox.Store) -> WriteFailed | None:
    try:
        apply(store)
    except Exception as exc:
        return WriteFailed(
            f"{type(exc).__name__}: {exc}", client_error=isinstance(exc, (SyntaxError, ValueError))
        )
    return None
