"""Derived data, brought up to the store's data version by the process that changed the data.

Three artefacts are computed from the store once per data version: the catalogue's key list
and dumps (:mod:`regiograph.catalog`), the search index (:mod:`regiograph.resources.search`) and
the statistics mirror (:mod:`regiograph.statistics.mirror`). Each one checks its version and
builds under its own lock file, so :func:`warm` after a harvest or load means the first web
request finds them ready; a request that arrives during the build serves the previous
version or waits for the one build, never starts a second. Without a warm-up (a store that
someone else writes to) the first request still builds them: ``regiograph warm`` is for that.

A failing step is logged and the others still run; the data is published either way, so a
warm-up never changes the outcome of the harvest or load before it. A failed build is
remembered for its data version (:mod:`.failures`; the catalogue's dumps use it), so that web
requests serve without the artefact instead of each starting the same failing build.

May not: import :mod:`regiograph.ops` or :mod:`regiograph.server` (they call it, not the other
way round), or write to the store.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from regiograph.config import Config
from regiograph.store import Store, StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool
    seconds: float
    detail: str  # what was done, or why it failed


def _catalogue(config: Config, store: Store) -> str:
    from regiograph.catalog.pages import prepare

    return prepare(config, store)


def _search_index(config: Config, store: Store) -> str:
    from regiograph.resources.search import SearchIndex

    index = SearchIndex(config.data_path / "search", store)
    before = index.rebuilds
    index.fresh(wait=True)
    return "rebuilt" if index.rebuilds > before else "already current"


def _statistics_mirror(config: Config, store: Store) -> str:
    from regiograph.statistics import FILE_NAME
    from regiograph.statistics.mirror import rebuild

    path = config.data_path / FILE_NAME
    before = _stamp(path)
    rebuild(store, path, store.content_version())  # returns at once when the file is current
    return "rebuilt" if _stamp(path) != before else "already current"


def _stamp(path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns


STEPS: tuple[tuple[str, Callable[[Config, Store], str]], ...] = (
    ("catalogue", _catalogue),
    ("search index", _search_index),
    ("statistics mirror", _statistics_mirror),
)


def warm(config: Config, store: Store) -> list[Step]:
    """Every derived artefact for the current data version, each step timed and logged."""
    try:
        version = store.data_version()
    except StoreError as exc:
        log.error("derived data not brought up to date: %s", exc)
        return [Step(name, False, 0.0, str(exc)) for name, _ in STEPS]
    log.info("derived data: bringing it up to data version %s", version)
    return [_run(name, build, config, store) for name, build in STEPS]


def _run(name: str, build: Callable[[Config, Store], str], config: Config, store: Store) -> Step:
    started = time.monotonic()
    try:
        detail = build(config, store)
    except StoreError as exc:
        seconds = time.monotonic() - started
        log.error("derived data: %s failed after %.1f s: %s", name, seconds, exc)
        return Step(name, False, seconds, str(exc))
    except Exception as exc:  # one artefact's bug must not leave the others stale
        seconds = time.monotonic() - started
        log.exception("derived data: %s failed after %.1f s", name, seconds)
        return Step(name, False, seconds, f"{type(exc).__name__}: {exc}")
    seconds = time.monotonic() - started
    log.info("derived data: %s in %.1f s (%s)", name, seconds, detail)
    return Step(name, True, seconds, detail)


def summary(steps: list[Step]) -> str:
    """One line for the command line: each step with its time or failure."""
    parts = [
        f"{s.name} {s.seconds:.1f} s" if s.ok else f"{s.name} FAILED ({s.detail})" for s in steps
    ]
    return "derived data: " + ", ".join(parts)
