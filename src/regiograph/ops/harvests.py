"""Running one source's harvest for the scheduler and the admin API, never twice at once.

The guard is an exclusive ``flock`` on ``{data_dir}/locks/harvest-{source}.lock``, the same file the
loader locks, so a harvest from ``regiograph harvest``, the scheduler of ``serve``, a cron job
and the admin API exclude each other across processes; the kernel drops the lock when a
process dies, so a crash never leaves a source blocked. The last run of each source is kept in
``{data_dir}/harvests/{source}.json`` (start, end, outcome, the loader's report summary).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from regiograph.config import Config
from regiograph.ops import metrics

log = logging.getLogger(__name__)


class HarvestRunning(Exception):
    """The source is being harvested right now (by this or another process)."""


class UnknownSource(LookupError):
    """No ``[[sources]]`` table has this id."""


def source_ids(config: Config) -> list[str]:
    return [str(table.get("id")) for table in config.sources if table.get("id")]


def check_known(config: Config, source_id: str) -> None:
    if source_id not in source_ids(config):
        raise UnknownSource(f"no source with the id '{source_id}' is configured")


def lock_path(config: Config, source_id: str) -> Path:
    return config.data_path / "locks" / f"harvest-{source_id}.lock"  # loader.locks names it so


def take_lock(config: Config, source_id: str):
    """An open, locked file handle; HarvestRunning if someone else holds it."""
    path = lock_path(config, source_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise HarvestRunning(f"source '{source_id}' is being harvested right now") from None
    return handle


def release_lock(handle) -> None:
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


@contextmanager
def source_lock(config: Config, source_id: str):
    handle = take_lock(config, source_id)
    try:
        yield
    finally:
        release_lock(handle)


def is_running(config: Config, source_id: str) -> bool:
    try:
        release_lock(take_lock(config, source_id))
    except HarvestRunning:
        return True
    return False


def run(config: Config, store, source_id: str, *, trigger: str, harvest=None) -> str:
    """Harvest one source under its lock and record the run; returns the outcome."""
    check_known(config, source_id)
    handle = take_lock(config, source_id)
    try:
        return run_locked(config, store, source_id, trigger=trigger, harvest=harvest)
    finally:
        release_lock(handle)


def start_in_background(
    config: Config, store, source_id: str, *, trigger: str, harvest=None
) -> threading.Thread:
    """Take the lock now (HarvestRunning → 409 before anything starts), harvest in a thread."""
    check_known(config, source_id)
    handle = take_lock(config, source_id)

    def work():
        try:
            run_locked(config, store, source_id, trigger=trigger, harvest=harvest)
        finally:
            release_lock(handle)

    thread = threading.Thread(target=work, name=f"harvest-{source_id}", daemon=True)
    thread.start()
    return thread


def run_locked(config: Config, store, source_id: str, *, trigger: str, harvest=None) -> str:
    """The run itself; the caller holds the source's lock."""
    started = _now()
    _write_state(
        config,
        source_id,
        {
            "source": source_id,
            "state": "running",
            "trigger": trigger,
            "started": started,
            "pid": os.getpid(),
        },
    )
    clock = time.monotonic()
    try:
        outcome, report = (harvest or loader_harvest)(config, store, source_id)
    except Exception as exc:  # recorded and counted; the published graph is untouched
        log.exception("harvest of %s failed", source_id, extra={"source": source_id})
        outcome, report = "failed", {"error": f"{type(exc).__name__}: {exc}"}
    _write_state(
        config,
        source_id,
        {
            "source": source_id,
            "state": "finished",
            "trigger": trigger,
            "started": started,
            "finished": _now(),
            "duration_s": round(time.monotonic() - clock, 3),
            "outcome": outcome,
            "report": report,
        },
    )
    metrics.record_harvest(source_id, outcome)
    log.info(
        "harvest of %s: %s", source_id, outcome, extra={"source": source_id, "outcome": outcome}
    )
    return outcome


def loader_harvest(config: Config, store, source_id: str) -> tuple[str, dict]:
    """The loader's pipeline for one source, as (outcome, report summary)."""
    from regiograph.loader import pipeline

    report = pipeline.harvest(config, store, source_id, lock=False)
    summary = report.summary() if hasattr(report, "summary") else dict(report)
    return (
        "ok" if summary.get("accepted", summary.get("outcome") == "ok") else "rejected",
        summary,
    )


# --- state ------------------------------------------------------------------------------


def status(config: Config, source_id: str) -> dict:
    check_known(config, source_id)
    state = read_state(config, source_id) or {"source": source_id, "state": "never run"}
    if state.get("state") == "running" and not is_running(config, source_id):
        state = {**state, "state": "interrupted"}  # the process died mid-run
    return {**state, "running": is_running(config, source_id)}


def read_state(config: Config, source_id: str) -> dict | None:
    try:
        return json.loads(_state_path(config, source_id).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def last_start(config: Config, source_id: str) -> datetime | None:
    state = read_state(config, source_id)
    return datetime.fromisoformat(state["started"]) if state and "started" in state else None


def _write_state(config: Config, source_id: str, state: dict) -> None:
    path = _state_path(config, source_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_text(json.dumps(state, indent=2, default=str), encoding="utf-8")
    temporary.replace(path)


def _state_path(config: Config, source_id: str) -> Path:
    return config.data_path / "harvests" / f"{source_id}.json"


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
