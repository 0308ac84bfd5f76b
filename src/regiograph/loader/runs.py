"""Runs of a source: the one lock that lets a single harvest run at a time, the one outcome
vocabulary, and what a source is doing now and did last.

**The lock.** :func:`lock_path` is the only place that names the lock file,
``{data_dir}/locks/{source}.lock``; every harvest (``regiograph harvest``, the scheduler, the
admin API) goes through :func:`regiograph.loader.pipeline.harvest`, which holds an exclusive
``flock`` on it for the whole run. The lock belongs to the open file, so it excludes other
processes and other threads alike, and a crashed harvest releases it with its process. A second
harvest of the same source waits up to ``wait_s`` seconds, then is refused (outcome ``busy``)
with a message naming the process that holds it. While it runs, the file says who holds it
(pid, since, trigger); a file that still says so while nobody holds the lock is a run whose
process died (state ``interrupted``).

**The record.** The one record of finished runs is the ``hv:HarvestRun`` in the metadata
graph (:mod:`.provenance`), not a state file beside it: it is what ``/harvests``,
``regiograph sources``, conditional GET and the shrink check already read, it is published
and backed up with the data, and it holds every run whichever path started it. So the
scheduler's "last start" and the admin API's status are read from it too; only a run in
progress, which has no record yet, is known from its lock file.

**The outcomes** (:data:`OUTCOMES`): ``published``, ``unchanged`` (HTTP 304), ``rejected``
(the policy refused the candidate), ``failed`` (a step broke) and ``busy`` (another harvest
of the source was running: nothing was fetched and nothing is recorded).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from regiograph.loader import provenance
from regiograph.loader.errors import SourceBusy
from regiograph.store import Store

OUTCOMES = ("published", "unchanged", "rejected", "failed", "busy")
TRIGGERS = ("cli", "schedule", "admin")  # who started a run; kept in its record
POLL_S = 0.1


def lock_path(data_path: Path, source_id: str) -> Path:
    return Path(data_path) / "locks" / f"{source_id}.lock"


class SourceLock:
    """The source's lock, held from :meth:`acquire` to :meth:`release`. Another thread may
    release it than took it: the admin API takes it while answering, the harvest thread it
    starts releases it."""

    def __init__(self, data_path: Path, source_id: str, trigger: str = "cli"):
        self.path = lock_path(data_path, source_id)
        self.source_id, self.trigger = source_id, trigger
        self._handle: TextIO | None = None

    def acquire(self, wait_s: float = 0.0) -> SourceLock:
        """Take the lock, waiting up to ``wait_s`` seconds; SourceBusy if it stays taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        deadline = time.monotonic() + wait_s
        while not _try_lock(handle):
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = _holder(handle.read())
                handle.close()
                raise SourceBusy(
                    f"source '{self.source_id}' is being harvested by another process{holder}; "
                    "try again when it has finished (or pass --wait SECONDS)"
                )
            time.sleep(POLL_S)
        handle.seek(0)
        handle.truncate()
        since = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(json.dumps({"pid": os.getpid(), "since": since, "trigger": self.trigger}))
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        handle.truncate(0)  # an empty file: nobody is harvesting, nothing was interrupted
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    def __enter__(self) -> SourceLock:
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def source_lock(data_path: Path, source_id: str, wait_s: float = 0.0) -> SourceLock:
    """The source's lock, taken (``with source_lock(...):``)."""
    return SourceLock(data_path, source_id).acquire(wait_s)


def is_running(data_path: Path, source_id: str) -> bool:
    """Whether someone holds the source's lock right now."""
    path = lock_path(data_path, source_id)
    if not path.exists():
        return False
    with path.open("a+") as handle:
        if not _try_lock(handle):
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def status(data_path: Path, store: Store, source_id: str) -> dict:
    """What the source is doing (``running``) and its state: ``running`` or ``interrupted``
    from the lock file, else ``finished`` (the last recorded run) or ``never run``."""
    running = is_running(data_path, source_id)
    live = _lock_content(data_path, source_id)
    if live:
        state = "running" if running else "interrupted"
        return {"source": source_id, "state": state, **live, "running": running}
    last = provenance.runs(store, source_id)[:1]
    if not last:
        return {"source": source_id, "state": "never run", "running": running}
    return {**finished(last[0]), "running": running}


def finished(run: dict) -> dict:
    """A recorded run (:func:`provenance.runs`) as plain JSON values."""
    return {
        "source": run["sourceId"],
        "state": "finished",
        "trigger": run["trigger"] or "",
        "started": _iso(run["started"]),
        "finished": _iso(run["ended"]),
        "duration_s": run["seconds"],
        "outcome": run["outcome"],
        "report": {
            "run": run["run"],
            "step": run["step"] or "",
            "message": run["message"] or "",
            "triples_fetched": run["fetched"],
            "triples_published": run["published"],
            "pages": run["pages"],
            "records": run["records"],
            "violations": run["violations"],
            "warnings": run["warnings"],
        },
    }


def last_starts(store: Store) -> dict[str, datetime]:
    """Source id → start of its newest recorded run."""
    return {source_id: run["started"] for source_id, run in provenance.last_runs(store).items()}


def _try_lock(handle: TextIO) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock_content(data_path: Path, source_id: str) -> dict | None:
    try:
        info = json.loads(lock_path(data_path, source_id).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(info, dict):
        return None
    return {
        "trigger": info.get("trigger", ""),
        "started": info.get("since"),
        "pid": info.get("pid"),
    }


def _holder(text: str) -> str:
    try:
        info = json.loads(text)
        return f" (pid {info['pid']}, since {info['since']})"
    except (ValueError, KeyError, TypeError):
        return ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None
