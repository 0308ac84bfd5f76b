"""The owner's writes: the one read-write pyoxigraph handle on ``{data_dir}/store``.

Every write is serialised (bulk parts aside); queries run in killable workers over immutable
snapshots (:mod:`regiograph.store.snapshots`), never on the live directory. A snapshot is made
when a reader next asks for the data (:meth:`Owner.readable`), not after every write: a write
of one triple costs a transaction, and a burst of writes one snapshot.

The data version is the newest snapshot's sequence, so it names exactly what readers see and
moves if and only if a committed write is in it. Which writes are committed but not in a
snapshot yet is on disk beside the store (``store.pending``), so that a crash cannot lose
the move:

- A write in one pyoxigraph transaction (an update, a small load, a graph's removal) happened
  or did not. Before it the owner notes the write-ahead log's end (``store.writing``); after a
  crash in the middle, a longer log means it committed (the version will move), the same log
  that it did not (the version stays).
- Any other write (a replacement: clear, then bulk load; bulk parts) starts from a snapshot of
  everything committed before it; a failure, or a crash before its bookkeeping, rolls the live
  store back to that snapshot (old, with the old version), else it counts as committed.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import threading
import time
from pathlib import Path

import pyoxigraph as ox

from regiograph.store import snapshots

log = logging.getLogger(__name__)


class WriteFailed(Exception):
    """A write did not happen; the store is as it was before it."""

    def __init__(self, message: str, *, client_error: bool = False):
        super().__init__(message)
        self.client_error = client_error  # the request was at fault (data that does not parse)


SNAPSHOT_RETRY_S = 1.0  # after a failed snapshot, readers keep the last good one this long


class Owner:
    """The live store, its snapshots and the locks that order writes and snapshots."""

    def __init__(self, location: Path, snapshot_dir: Path):
        self.location = Path(location)
        self.snapshot_dir = Path(snapshot_dir)
        self.marker = self.location.with_name(self.location.name + ".writing")
        self.pending = self.location.with_name(self.location.name + ".pending")
        self.write_lock = _SharedExclusive()
        self._marker_lock = threading.Lock()
        # Held by a transactional write from its marker to its bookkeeping, and while a
        # snapshot is made: a snapshot holds all of a write and its bookkeeping, or none.
        self._snapshot_lock = threading.RLock()
        self.problems: dict[str, str] = {}  # what is wrong right now (for /healthz), by kind
        self._retry_at = 0.0  # no snapshot attempt before (after one failed: a full disk)
        self._rolled_back = True  # False: a roll-back failed, and is owed before any write
        self._unsettled = False  # a transactional write's marker outlived it (see _settle)
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
        latest = self.readable()
        return {
            "data": f"{latest.made_ns:x}-{self.store_id}.{latest.sequence}",
            "content": f"{self.store_id}.{latest.content}",
        }

    def readable(self) -> snapshots.Snapshot:
        """The newest snapshot, made now if committed writes are not in it yet (a reader is
        about to read). If it cannot be made (a full disk), readers keep the last good one,
        with its version, and the problem is reported until a snapshot succeeds."""
        if not self.pending.exists() and self.latest.path.exists() and not self._unsettled:
            return self.latest
        with self._snapshot_lock:
            if time.monotonic() < self._retry_at:
                return self.latest  # failed a moment ago: not again for every query
            try:
                self._snapshot()
            except OSError as exc:
                self._snapshot_failed(exc)
        return self.latest

    def _snapshot_failed(self, exc: OSError) -> None:
        self._problem("snapshot", f"the newest writes are not readable yet: {exc}")
        self._retry_at = time.monotonic() + SNAPSHOT_RETRY_S
        if self._marker_kind() != "bulk":  # (a bulk write has the handle; it reopens it)
            self._reopen()  # RocksDB refuses to flush after an I/O error until reopened

    # --- writes -----------------------------------------------------------------------

    def write(self, apply, *, content: bool, transactional: bool, commit: bool = True) -> None:
        """Run ``apply(store)`` as one write: committed (readable from the next snapshot),
        or undone.

        ``transactional``: ``apply`` is one pyoxigraph transaction, so a failure left nothing
        behind. ``commit=False`` (the bulk path's parts) leaves the bookkeeping to a later
        :meth:`commit`; a crash before it undoes the parts. Parts run side by side, as they
        did in Oxigraph's server (one parser each); everything else runs alone."""
        if not commit:
            self._write_part(apply, content)
            return
        with self.write_lock.exclusive():
            self._owed_roll_back()
            if transactional and self._marker_kind() != "bulk":
                self._write_atomic(apply, content)
                return
            self._undo_point()
            self._mark_bulk(content)
            failure = _attempt(apply, self)
            if failure:
                # (Only now: the exception's frames held the handle the roll-back closes.)
                self._roll_back()
                self._failed(failure)
            self._commit_bulk()

    def _write_atomic(self, apply, content: bool) -> None:
        with self._snapshot_lock:
            try:
                self._settle()  # (its marker is about to be overwritten)
            except OSError as exc:
                self._failed(WriteFailed(f"the store cannot note the write: {exc}"))
            self._write_marker({"kind": "atomic", "content": content, "log": _log_end(self)})
            failure = _attempt(apply, self)
            if failure:
                self.marker.unlink()  # nothing was written: the version must not move
                if not failure.client_error:
                    self._reopen()  # RocksDB refuses every write after an I/O error until reopened
                self._failed(failure)
            try:
                self._note_pending(content)
                self.marker.unlink()
            except OSError as exc:  # a full disk: the marker stays, and says what happened
                self._unsettled = True
                self._problem("write", f"a write's bookkeeping failed: {exc}")
                return
        self.problems.pop("write", None)

    def _write_part(self, apply, content: bool) -> None:
        while True:
            with self.write_lock.shared():
                with self._marker_lock:
                    ready = self._rolled_back and (
                        self._marker_kind() == "bulk" or self._undo_point_ready()
                    )
                    if ready:
                        self._mark_bulk(content)
                if ready:
                    failure = _attempt(apply, self)
                    break
            with self.write_lock.exclusive():  # the first part: a snapshot to undo to
                self._owed_roll_back()
                self._undo_point()
        if failure:
            with self.write_lock.exclusive():
                self._roll_back()
            self._failed(failure)

    def commit(self, *, content: bool) -> None:
        """The bookkeeping of the bulk path's parts, if any are waiting."""
        with self.write_lock.exclusive():
            self._owed_roll_back()
            if self._marker_kind() == "bulk":
                self._mark_bulk(content)
                self._commit_bulk()

    def _commit_bulk(self) -> None:
        with self._snapshot_lock:
            self._note_pending(self._read_marker().get("content", True))
            self.marker.unlink()
        self.problems.pop("write", None)

    def _failed(self, failure: WriteFailed):
        if not failure.client_error:
            self._problem("write", f"the last write failed: {failure}")
        raise failure

    # --- bookkeeping ------------------------------------------------------------------

    def _undo_point_ready(self) -> bool:
        return not self.pending.exists() and self.latest.path.exists() and not self._unsettled

    def _undo_point(self) -> None:
        """Before a write that cannot undo itself: a snapshot of everything committed, so
        that a roll-back to it loses nothing that was acknowledged."""
        if self._undo_point_ready():
            return
        with self._snapshot_lock:
            try:
                self._snapshot()
            except OSError as exc:
                self._snapshot_failed(exc)
                raise WriteFailed(f"the store could not make its snapshot: {exc}") from None

    def _snapshot(self) -> None:
        """Make the newest snapshot hold every committed write (the caller holds the
        snapshot lock)."""
        self._settle()
        pending = self._read_pending()
        if pending is None:
            if self.latest.path.exists():
                return
            if self._marker_kind() == "bulk":
                raise OSError("the newest snapshot is gone while a write is under way")
            # Deleted, or put aside as unreadable by a reader: the live store holds exactly
            # its state, so it is made again under its own name (the version does not move).
            log.warning("snapshot %d is gone; making it again", self.latest.sequence)
            latest = self.latest
            self.latest = snapshots.make(
                self.handle(), self.snapshot_dir, latest.sequence, latest.content, latest.made_ns
            )
            return
        sequence = self.latest.sequence + 1
        content = sequence if pending.get("content", True) else self.latest.content
        self.latest = snapshots.make(self.handle(), self.snapshot_dir, sequence, content)
        self.pending.unlink()
        self.problems.pop("snapshot", None)
        # older snapshots go in the background (serve.py's pruner)

    def _settle(self) -> None:
        """A transactional write whose bookkeeping failed left its marker: as after a crash,
        a longer write-ahead log says it committed (no write is under way: the caller holds
        the snapshot lock)."""
        if not self._unsettled:
            return
        marker = self._read_marker()
        if marker.get("kind") == "atomic" and marker.get("log") != _log_end(self):
            self._note_pending(marker.get("content", True))
        self.marker.unlink(missing_ok=True)
        self._unsettled = False

    def _note_pending(self, content: bool, after: int | None = None) -> None:
        """Committed, not in a snapshot yet: written after the write, before its marker goes."""
        before = self._read_pending() or {}
        record = {
            "after": before.get("after", self.latest.sequence if after is None else after),
            "content": bool(content or before.get("content")),
        }
        if record != before:
            _write_json(self.pending, record)

    def _read_pending(self) -> dict | None:
        return _read_json(self.pending)

    def _read_marker(self) -> dict:
        return _read_json(self.marker) or {}

    def _marker_kind(self) -> str | None:
        if not self.marker.exists():
            return None
        return self._read_marker().get("kind", "bulk")  # an older owner's marker: undo it

    def _write_marker(self, record: dict) -> None:
        # Not fsync'd: it guards against the owner's crash (the page cache survives kill -9);
        # a crash of the whole machine is RocksDB's own recovery, and fsyncs cost every write.
        try:
            _write_json(self.marker, record)
        except OSError as exc:
            self._failed(WriteFailed(f"the store cannot note the write: {exc}"))

    def _mark_bulk(self, content: bool) -> None:
        # "The live store may hold writes that are not committed", and whether anything
        # beyond the metadata graph was written since (content).
        before = self._read_marker() if self.marker.exists() else {}
        record = {"kind": "bulk", "content": bool(content or before.get("content"))}
        if record != before:
            self._write_marker(record)

    def _problem(self, kind: str, message: str) -> None:
        log.error("%s", message)
        self.problems[kind] = message

    def handle(self) -> ox.Store:
        """The read-write handle, opened again if closing it after an I/O error left none
        (the reopen itself can fail on a full disk)."""
        if self.store is None:
            self.store = ox.Store(str(self.location))
        return self.store

    def _reopen(self) -> None:
        self.store = None
        gc.collect()  # the RocksDB handle closes when its last reference goes
        try:
            self.handle()
        except OSError as exc:  # the next write or snapshot tries again
            log.error("could not reopen the store: %s", exc)

    def _roll_back(self) -> None:
        """Back to the newest snapshot; if that fails (a full disk), the store refuses writes
        until it succeeds (:meth:`_owed_roll_back`), and a restart rolls back too (marker)."""
        log.warning("rolling the store back to snapshot %d", self.latest.sequence)
        self.store = None
        gc.collect()
        self._rolled_back = False
        try:
            snapshots.restore_into(self.latest, self.location)
        except OSError as exc:
            self._problem("write", f"the store could not undo a failed write yet: {exc}")
            return
        self._rolled_back = True
        self._reopen()
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()

    def _owed_roll_back(self) -> None:
        if not self._rolled_back:
            self._roll_back()
        if not self._rolled_back:
            raise WriteFailed("the store is still undoing a failed write (is the disk full?)")

    def _recover(self) -> None:
        """After a crash in the middle of a write: the last committed state, and a note of
        committed writes that are not in a snapshot yet."""
        latest = snapshots.newest(self.snapshot_dir)
        marker = self._read_marker() if self.marker.exists() else None
        if marker is not None and latest is not None:
            if marker.get("kind") == "atomic":
                if marker.get("log") != _log_end(self):
                    log.warning("a write committed just before a crash; it will be readable")
                    self._note_pending(marker.get("content", True), after=latest.sequence)
            else:
                log.warning("a write was interrupted; rolling back to snapshot %d", latest.sequence)
                snapshots.restore_into(latest, self.location)
                self.pending.unlink(missing_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()
        after = (self._read_pending() or {}).get("after")
        if after is not None and (latest is None or latest.sequence > after):
            self.pending.unlink()  # the snapshot was made; the crash came before this note went

    def prune(self) -> None:
        # Not while a snapshot is being made (readers make them, under the snapshot lock
        # alone): pruning deletes the "partial-…" folder of a checkpoint under way, which
        # then became a snapshot without its CURRENT file that no reader could open.
        with self.write_lock.exclusive(), self._snapshot_lock:
            snapshots.prune(self.snapshot_dir)


def _log_end(owner: Owner) -> list:
    """The newest write-ahead log file of the live store and its size: a transaction that
    commits appends to it (or starts a new one); one that fails writes nothing."""
    logs = [entry for entry in os.scandir(owner.location) if entry.name.endswith(".log")]
    if not logs:
        return []
    newest = max(logs, key=lambda entry: entry.name)
    return [newest.name, newest.stat().st_size]


def _write_json(path: Path, record: dict) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(record))
    partial.replace(path)


def _read_json(path: Path) -> dict | None:
    try:
        value = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError:  # an older owner's marker ("content"/"meta")
        return {}
    return value if isinstance(value, dict) else {}


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


def _attempt(apply, owner: Owner) -> WriteFailed | None:
    try:
        apply(owner.handle())
    except Exception as exc:
        return WriteFailed(
            f"{type(exc).__name__}: {exc}", client_error=isinstance(exc, (SyntaxError, ValueError))
        )
    return None
