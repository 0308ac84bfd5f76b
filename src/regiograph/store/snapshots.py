"""Immutable snapshots of the embedded store: how the owner makes them, how readers open them.

Only the owner (:mod:`regiograph.owner`) opens the live store directory. When a reader next
needs committed writes that no snapshot holds yet, it makes a RocksDB checkpoint with
``pyoxigraph.Store.backup`` (hard links, so cheap) into ``snapshots/{sequence}.{content
sequence}.{time}``; readers (the killable query workers, backups) open a snapshot read-only,
which is safe because nothing ever writes it again. A reader that cannot open one puts it
aside (:func:`put_aside`); the owner then makes its newest snapshot again.

A reader holds a shared ``flock`` on the snapshot's directory for as long as its handle is
open; the owner deletes an older snapshot only after taking the exclusive lock without
waiting, and renames it out of sight first, so no reader ever sees a snapshot half deleted.

The live store also rolls back to the newest snapshot after a crash in the middle of a write
(see :func:`restore_into`): the newest snapshot is by construction the last committed state.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{12})\.(\d{12})\.([0-9a-f]+)$")
STORE_ID = "store-id"  # a random id per store lifetime, so versions of two stores never meet


@dataclass(frozen=True)
class Snapshot:
    path: Path
    sequence: int  # moves with every committed write
    content: int  # the sequence of the last write that changed more than the metadata graph
    made_ns: int  # when (epoch nanoseconds): the data version's Last-Modified

    @classmethod
    def named(cls, path: Path) -> Snapshot | None:
        match = _NAME.match(path.name)
        if not match:
            return None
        return cls(path, int(match.group(1)), int(match.group(2)), int(match.group(3), 16))


def snapshot_name(sequence: int, content: int, made_ns: int) -> str:
    return f"{sequence:012d}.{content:012d}.{made_ns:x}"


def all_snapshots(directory: Path) -> list[Snapshot]:
    """Complete snapshots, oldest first (partial ones have other names)."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    found = [Snapshot.named(Path(directory) / name) for name in names]
    return sorted((s for s in found if s), key=lambda s: s.sequence)


def newest(directory: Path) -> Snapshot | None:
    found = all_snapshots(directory)
    return found[-1] if found else None


def store_id(directory: Path) -> str:
    """The id of the store whose snapshots live in ``directory`` (made on first use)."""
    path = Path(directory) / STORE_ID
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        Path(directory).mkdir(parents=True, exist_ok=True)
        value = uuid.uuid4().hex[:8]
        partial = path.with_suffix(".partial")
        partial.write_text(value)
        partial.rename(path)
        return value


def make(
    store: ox.Store, directory: Path, sequence: int, content: int, made_ns: int = 0
) -> Snapshot:
    """A checkpoint of ``store`` as snapshot ``sequence``; complete or not there at all.
    ``made_ns``: made again with the time of the one it replaces (else now)."""
    directory = Path(directory)
    for attempt in range(1, CHECKPOINT_ATTEMPTS + 1):
        partial = directory / f"partial-{sequence}-{uuid.uuid4().hex[:6]}"
        try:
            store.backup(str(partial))
            made_ns = made_ns or time.time_ns()
            final = directory / snapshot_name(sequence, content, made_ns)
            partial.rename(final)
            return Snapshot(final, sequence, content, made_ns)
        except OSError as exc:
            # "No such file … while link file" was seen right after bulk loads, most likely
            # the pruner deleting this partial-… folder mid-checkpoint (it now waits for the
            # owner's snapshot lock); a file that vanished is worth another attempt anyway.
            if attempt == CHECKPOINT_ATTEMPTS or "No such file" not in str(exc):
                raise
            log.warning("snapshot %d lost a file; trying again: %s", sequence, exc)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
            shutil.rmtree(partial.with_name(partial.name + ".tmp"), ignore_errors=True)
    raise AssertionError("unreachable")


CHECKPOINT_ATTEMPTS = 5


def prune(directory: Path) -> int:
    """Delete every snapshot but the newest that no reader holds; how many were deleted.
    Left-overs of interrupted snapshots and deletions go too."""
    directory = Path(directory)
    found = all_snapshots(directory)
    deleted = 0
    for snapshot in found[:-1]:
        if _delete_unless_held(snapshot.path, directory):
            deleted += 1
    for name in os.listdir(directory):
        if name.startswith(("partial-", "trash-", "broken-")):
            shutil.rmtree(directory / name, ignore_errors=True)
    return deleted


def _delete_unless_held(path: Path, directory: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a reader has it open
        trash = directory / f"trash-{uuid.uuid4().hex[:8]}"
        path.rename(trash)  # out of sight first: no reader can pick it any more
    finally:
        os.close(fd)
    shutil.rmtree(trash, ignore_errors=True)
    return True


class Unreadable(OSError):
    """No snapshot could be opened (none there, or the newest is damaged or gone)."""


def put_aside(path: Path) -> None:
    """A reader found this snapshot unreadable: renamed out of sight, so that no reader opens
    it again and the owner, finding its newest snapshot gone, makes it anew (the owner's
    pruner deletes it)."""
    with contextlib.suppress(OSError):
        path.rename(path.with_name(f"broken-{uuid.uuid4().hex[:8]}-{path.name}"))
        log.error("snapshot %s was unreadable; put aside", path.name)


def sequence_in(version: str) -> int | None:
    """The snapshot sequence a data version names (``….{sequence}``), if it names one."""
    tail = version.rpartition(".")[2]
    return int(tail) if tail.isdigit() else None


class Reader:
    """A read-only handle on the newest snapshot, held (locked) while it is in use."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)
        self.snapshot: Snapshot | None = None
        self.store: ox.Store | None = None
        self._fd: int | None = None

    def current(self) -> ox.Store:
        """The newest snapshot's store, reopened when a newer one exists."""
        latest = newest(self.directory)
        if latest is None:
            raise Unreadable(f"no snapshot of the store in {self.directory}")
        if self.snapshot is None or latest.sequence != self.snapshot.sequence:
            self._open(latest)
        return self.store

    def _open(self, wanted: Snapshot) -> None:
        snapshot, store, fd = open_locked(self.directory, wanted)
        self.close()
        self.snapshot, self.store, self._fd = snapshot, store, fd

    def close(self) -> None:
        self.store = None  # drop the handle before the lock that protects its files
        self.snapshot = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def open_locked(directory: Path, wanted: Snapshot) -> tuple[Snapshot, ox.Store, int]:
    """``wanted`` (or, if the owner deleted it meanwhile, the newest) opened read-only, with
    the descriptor of its shared lock: close the descriptor only after the handle is dropped."""
    for _ in range(20):  # the owner may delete one between listing and locking
        fd = _locked(wanted.path)
        if fd is not None:
            try:
                return wanted, ox.Store.read_only(str(wanted.path)), fd
            except (OSError, RuntimeError) as exc:  # RocksDB's "Corruption: …" too
                os.close(fd)
                put_aside(wanted.path)
                raise Unreadable(f"snapshot {wanted.sequence} cannot be read: {exc}") from None
            except BaseException:
                os.close(fd)
                raise
        wanted = newest(directory) or wanted
    raise Unreadable(f"the snapshots in {directory} kept disappearing")


def _locked(path: Path) -> int | None:
    """A shared lock on the snapshot directory, or None if it is gone (or going)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return None
    fcntl.flock(fd, fcntl.LOCK_SH)
    try:
        if not os.path.samestat(os.fstat(fd), os.stat(path)):
            raise FileNotFoundError(path)
    except FileNotFoundError:
        os.close(fd)
        return None
    return fd


def restore_into(snapshot: Snapshot, live: Path) -> None:
    """Make ``live`` a copy of ``snapshot`` (the owner, before opening, after a crash in the
    middle of a write). Table files are immutable and hard-linked; the files RocksDB
    rewrites on open (manifest, log, options) are copied, so the snapshot stays untouched."""
    live = Path(live)
    fresh = live.with_name(live.name + ".rollback")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    for entry in os.scandir(snapshot.path):
        target = fresh / entry.name
        if entry.name.endswith(".sst"):
            os.link(entry.path, target)
        else:
            shutil.copy2(entry.path, target)
    crashed = live.with_name(live.name + ".crashed")
    shutil.rmtree(crashed, ignore_errors=True)
    if live.exists():
        live.rename(crashed)
    fresh.rename(live)
    shutil.rmtree(crashed, ignore_errors=True)
