"""Harvest schedules: each ``[[sources]]`` table may carry ``schedule = "every 6h"`` (an
interval: s, m, h, d or w) or a cron expression (``"0 3 * * *"``, ``"@daily"``; server's local
time). A source is due when it never ran, or when its next time after the last run's start
has come. The last run is the newest ``hv:HarvestRun`` of the source in the metadata graph
(:mod:`regiograph.loader.runs`), whichever path started it; a failed run also counts, so a
broken source is retried at its next time, not in a tight loop. :func:`run_due` is what
``regiograph schedule run-due`` and the background thread of ``regiograph serve`` call; each
harvest is the loader's own :func:`regiograph.loader.pipeline.harvest`, under the source's lock.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import CroniterBadCronError, croniter

from regiograph.config import Config, ConfigError
from regiograph.loader import pipeline, runs, sources
from regiograph.ops import metrics

log = logging.getLogger(__name__)

_INTERVAL = re.compile(r"(?:every\s+)?(\d+)\s*(s|m|h|d|w)", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
CHECK_EVERY_S = 30.0


class ScheduleError(ConfigError):
    """A schedule that does not parse; the message names the source."""


@dataclass(frozen=True)
class Schedule:
    text: str
    interval: timedelta | None = None  # either an interval …
    cron: str = ""  # … or a cron expression

    def next_after(self, last: datetime) -> datetime:
        if self.interval is not None:
            return last + self.interval
        return croniter(self.cron, last).get_next(datetime)


def parse(text: str, source_id: str) -> Schedule:
    """The schedule of one source, or ScheduleError that says which source and why."""
    cleaned = " ".join(str(text).split())
    match = _INTERVAL.fullmatch(cleaned)
    if match:
        seconds = int(match.group(1)) * _UNITS[match.group(2).lower()]
        if seconds < 60:
            raise ScheduleError(
                f"source '{source_id}': schedule {text!r} is shorter than a "
                "minute; harvests that often would hammer the publisher"
            )
        return Schedule(cleaned, interval=timedelta(seconds=seconds))
    try:
        croniter(cleaned)
    except (CroniterBadCronError, ValueError, KeyError) as exc:
        raise ScheduleError(
            f"source '{source_id}': schedule {text!r} is neither an interval ('every 6h', "
            f"'30m', '1d') nor a cron expression ('0 3 * * *', '@daily'): {exc}"
        ) from None
    return Schedule(cleaned, cron=cleaned)


def schedules(config: Config) -> dict[str, Schedule]:
    """The parsed schedule of every source that has one; any bad one stops the start-up."""
    return {s.id: parse(s.schedule, s.id) for s in sources.from_config(config) if s.schedule}


def due(config: Config, store, now: datetime | None = None) -> list[str]:
    """Ids of the sources whose next harvest time has come."""
    now = now or datetime.now().astimezone()
    last_starts = runs.last_starts(store)
    ready = []
    for source_id, schedule in schedules(config).items():
        last = last_starts.get(source_id)
        # in local time: a cron expression speaks of the server's clock
        if last is None or schedule.next_after(last.astimezone()) <= now:
            ready.append(source_id)
    return ready


def run_due(config: Config, store, now: datetime | None = None) -> dict[str, str]:
    """Harvest every due source, one after another; source id → outcome (runs.OUTCOMES,
    ``busy`` for a source that another harvest holds right now)."""
    outcomes = {}
    for source in sources.select(sources.from_config(config), due(config, store, now)):
        result = pipeline.harvest(config, store, source, trigger="schedule")
        metrics.record_harvest(source.id, result.outcome)
        outcomes[source.id] = result.outcome
    return outcomes


def harvested(outcomes: dict[str, str]) -> bool:
    """Whether any harvest ran (and so wrote at least its run record: a new data version)."""
    return any(outcome != "busy" for outcome in outcomes.values())


class Scheduler:
    """The background thread of ``regiograph serve``: checks every half minute."""

    def __init__(self, config: Config, store, every_s: float = CHECK_EVERY_S):
        schedules(config)  # a bad schedule stops the start-up, not the thread later
        self.config, self.store, self.every_s = config, store, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        from regiograph.ops import warmup

        while not self._stop.is_set():
            try:
                if harvested(run_due(self.config, self.store)):
                    # in a child process: this thread lives in the process that forks workers
                    warmup.in_background(self.config, self.store)
            except Exception:  # the thread must outlive one bad run; the log says what broke
                log.exception("scheduled harvests failed")
            self._stop.wait(self.every_s)
