"""Admission to ``/sparql``, decided before a query takes a worker, for all web processes.

gunicorn runs several web processes that share nothing but the data folder, so a per-process
count lets one client run the limit's worth of queries in every process and never meet it.
Here the counts live in one small SQLite database in the data folder (``admission.sqlite3``,
WAL; one short transaction to admit a query and one to release it), and every process asks it:

- **concurrency**: at most ``per_client`` queries of one client run at once, over all
  processes, and at most ``per_client_in_process`` in one process, so that no client holds
  every query worker of a process and another client's query always finds one;
- **processing time**: the seconds a client's queries held the endpoint in the last minute
  (running ones count as far as they got; every query costs at least ``MIN_CHARGE_S``, the
  web side's share) may not exceed ``time_budget_s``;
- **errors**: a client whose queries failed ``error_budget`` times in the last minute (syntax,
  a SERVICE rule, too large, the time limit, too much memory) waits until the oldest expires;
- **threads**: at most ``process_slots`` requests of this process are inside ``/sparql`` at
  once, so the process's other threads stay free for pages and ``/healthz`` while queries queue.

A refusal is a :class:`Refused` with the outcome and the seconds after which the same request
would be admitted (``Retry-After``). Clients are named by the caller (the address, or the
proxy's with ``site.trust_proxy``). When the database cannot be used (a read-only or full
disk), queries are admitted and a warning is logged: accounting never takes the endpoint down
(a query whose end could not be written is deleted by the next admission that can write).
"""

from __future__ import annotations

import logging
import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from regiograph.sparql.jobs import Outcome

log = logging.getLogger(__name__)

FILE_NAME = "admission.sqlite3"
WINDOW_S = 60.0  # the budgets are per minute, over a sliding window
MIN_CHARGE_S = 0.05  # so that a flood of cheap queries meets the time budget too
CONCURRENCY_RETRY_S = 5
BUSY_RETRY_S = 2
# Outcomes a client causes (and can avoid); others (busy, store down) are the platform's.
COUNTED_ERRORS = frozenset(
    {Outcome.SYNTAX, Outcome.REFUSED, Outcome.TOO_LARGE, Outcome.TIMEOUT, Outcome.TOO_MUCH_MEMORY}
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS running (
    id INTEGER PRIMARY KEY, client TEXT NOT NULL, pid INTEGER NOT NULL, started REAL NOT NULL);
CREATE INDEX IF NOT EXISTS running_client ON running (client, pid);
CREATE TABLE IF NOT EXISTS spent (
    client TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL, amount REAL NOT NULL);
CREATE INDEX IF NOT EXISTS spent_client ON spent (client, kind, at);
CREATE INDEX IF NOT EXISTS spent_at ON spent (at);
"""


@dataclass(frozen=True)
class Policy:
    """The limits; 0 switches one off."""

    per_client: int = 2
    per_client_in_process: int = 0
    time_budget_s: float = 60.0
    error_budget: int = 30
    process_slots: int = 0
    stale_after_s: float = 120.0  # a running row this old belongs to a request that is gone


class Refused(Exception):
    """Not admitted: ``outcome`` (CLIENT_LIMIT or BUSY), a message for the client, and the
    seconds after which to try again."""

    def __init__(self, outcome: Outcome, message: str, retry_after_s: int):
        super().__init__(message)
        self.outcome = outcome
        self.retry_after_s = max(1, int(retry_after_s))


class Ticket:
    """One admitted query; the caller sets ``outcome`` before leaving the ``admit`` block."""

    def __init__(self, row: int | None, started: float):
        self.row = row
        self.started = started
        self.outcome: Outcome | None = None


class Admission:
    def __init__(self, path: Path, policy: Policy):
        self.path = Path(path)
        self.policy = policy
        self._in_process = 0
        self._in_process_lock = threading.Lock()
        self._local = threading.local()
        self._warned = False
        # Rows of finished queries whose release failed (a full disk): deleted by the next
        # admission that can write, else they counted as running for ``stale_after_s`` and
        # the client got 429 for queries it no longer ran.
        self._unreleased: set[int] = set()
        self._unreleased_lock = threading.Lock()

    @contextmanager
    def admit(self, client: str) -> Iterator[Ticket]:
        """Hold a place for one query of ``client``; raises :class:`Refused`."""
        self._enter_process()
        try:
            ticket = Ticket(self._admit_shared(client), time.time())
            try:
                yield ticket
            finally:
                self._release_shared(client, ticket)
        finally:
            with self._in_process_lock:
                self._in_process -= 1

    def running(self, client: str) -> int:
        """How many queries of ``client`` run now, in all processes."""
        with self._transaction() as db:
            query = "SELECT count(*) FROM running WHERE client = ?"
            return db.execute(query, (client,)).fetchone()[0]

    # --- this process's threads -------------------------------------------------------

    def _enter_process(self) -> None:
        with self._in_process_lock:
            slots = self.policy.process_slots
            if slots and self._in_process >= slots:
                raise Refused(
                    Outcome.BUSY,
                    "this server is answering as many queries as it takes at once "
                    "(the rest of its threads are kept for pages); try again shortly",
                    BUSY_RETRY_S,
                )
            self._in_process += 1

    # --- the shared counts ------------------------------------------------------------

    def _admit_shared(self, client: str) -> int | None:
        now = time.time()
        try:
            self._delete_unreleased()
            with self._transaction() as db:
                self._forget_the_gone(db, now)
                self._check(db, client, now)
                cursor = db.execute(
                    "INSERT INTO running (client, pid, started) VALUES (?, ?, ?)",
                    (client, os.getpid(), now),
                )
                return cursor.lastrowid
        except sqlite3.Error as exc:
            self._warn(exc)
            return None

    def _release_shared(self, client: str, ticket: Ticket) -> None:
        now = time.time()
        charge = 0.0 if ticket.outcome is Outcome.BUSY else max(now - ticket.started, MIN_CHARGE_S)
        try:
            with self._transaction() as db:
                if ticket.row is not None:
                    db.execute("DELETE FROM running WHERE id = ?", (ticket.row,))
                rows = [(client, "time", now, charge)]
                if ticket.outcome in COUNTED_ERRORS:
                    rows.append((client, "error", now, 1.0))
                db.executemany("INSERT INTO spent VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            if ticket.row is not None:
                with self._unreleased_lock:
                    self._unreleased.add(ticket.row)
            self._warn(exc)

    def _delete_unreleased(self) -> None:
        """The running rows whose release failed, gone (in a transaction of their own: a
        refusal rolls the admission's back)."""
        with self._unreleased_lock:
            rows = list(self._unreleased)
        if not rows:
            return
        with self._transaction() as db:
            db.executemany("DELETE FROM running WHERE id = ?", [(row,) for row in rows])
        with self._unreleased_lock:
            self._unreleased.difference_update(rows)

    def _forget_the_gone(self, db: sqlite3.Connection, now: float) -> None:
        """Rows of processes that died and of requests older than any query can run."""
        db.execute("DELETE FROM spent WHERE at < ?", (now - WINDOW_S,))
        db.execute("DELETE FROM running WHERE started < ?", (now - self.policy.stale_after_s,))
        for (pid,) in db.execute("SELECT DISTINCT pid FROM running").fetchall():
            if not _alive(pid):
                db.execute("DELETE FROM running WHERE pid = ?", (pid,))

    def _check(self, db: sqlite3.Connection, client: str, now: float) -> None:
        policy = self.policy
        everywhere, here, elapsed = db.execute(
            "SELECT count(*), coalesce(sum(pid = ?), 0), coalesce(sum(? - started), 0) "
            "FROM running WHERE client = ?",
            (os.getpid(), now, client),
        ).fetchone()
        if policy.per_client and everywhere >= policy.per_client:
            raise Refused(
                Outcome.CLIENT_LIMIT,
                f"at most {policy.per_client} concurrent queries per client (setting "
                "sparql.max_concurrent_per_client); wait for one to finish",
                CONCURRENCY_RETRY_S,
            )
        if policy.per_client_in_process and here >= policy.per_client_in_process:
            raise Refused(
                Outcome.CLIENT_LIMIT,
                "your other queries hold this server's query workers it does not keep for "
                "other clients; wait for one to finish",
                CONCURRENCY_RETRY_S,
            )
        if policy.time_budget_s:
            self._check_time(db, client, now, elapsed)
        if policy.error_budget:
            self._check_errors(db, client, now)

    def _check_time(self, db: sqlite3.Connection, client: str, now: float, elapsed: float):
        spent = self._spent(db, client, "time")
        total = elapsed + sum(amount for _, amount in spent)
        budget = self.policy.time_budget_s
        if total < budget:
            return
        # Wait until enough of the oldest charges have left the window.
        retry, left = WINDOW_S, total
        for at, amount in spent:
            left -= amount
            if left < budget:
                retry = at + WINDOW_S - now
                break
        raise Refused(
            Outcome.CLIENT_LIMIT,
            f"your queries used {total:.1f} s of query time in the last minute; the budget "
            f"is {budget:g} s per minute (setting sparql.time_budget_s)",
            math.ceil(retry),
        )

    def _check_errors(self, db: sqlite3.Connection, client: str, now: float) -> None:
        errors = self._spent(db, client, "error")
        budget = self.policy.error_budget
        if len(errors) < budget:
            return
        oldest_to_expire = errors[len(errors) - budget][0]
        raise Refused(
            Outcome.CLIENT_LIMIT,
            f"{len(errors)} of your queries failed in the last minute (syntax errors, refusals, "
            f"time or size limits); the budget is {budget} per minute (setting "
            "sparql.error_budget)",
            math.ceil(oldest_to_expire + WINDOW_S - now),
        )

    @staticmethod
    def _spent(db: sqlite3.Connection, client: str, kind: str) -> list[tuple[float, float]]:
        return db.execute(
            "SELECT at, amount FROM spent WHERE client = ? AND kind = ? ORDER BY at",
            (client, kind),
        ).fetchall()

    # --- the database -----------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked process opens its own)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")  # counts of the last minute; no need to fsync
            db.executescript(_SCHEMA)
            local.db, local.pid = db, os.getpid()
        return local.db

    def _warn(self, exc: Exception) -> None:
        if not self._warned:
            self._warned = True
            log.warning("SPARQL admission counts unavailable (%s); admitting queries", exc)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
