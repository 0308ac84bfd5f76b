"""A pool of killable query workers, one pool per web server process.

Each worker (:mod:`.worker`) is a separate process; a request borrows an idle one, sends the
job and waits at most until its deadline. When the deadline passes, the worker is killed
(SIGKILL: the CPU is free at once) and a fresh one is started in the background, while the
query ends in a timeout. Waiting for an idle worker, and for a new one to finish starting,
counts against the same deadline, so a client never waits longer than the time limit. The
pool starts lazily and again after a fork (gunicorn forks its workers after the app is built).
Each worker may cap its own address space (``memory_bytes``); one that dies of it (Rust aborts
on a failed allocation) is reported as :class:`WorkerOutOfMemory` and replaced like any other,
and the other workers live on.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from dataclasses import dataclass

from regiograph.sparql import worker as worker_module
from regiograph.sparql.jobs import Job, Outcome, Reply

log = logging.getLogger(__name__)
_CONTEXT = multiprocessing.get_context("spawn")
STARTUP_TIMEOUT_S = 60.0


class PoolTimeout(Exception):
    """The job ran into the deadline; its worker was killed."""


class PoolBusy(Exception):
    """No worker became free before the deadline."""


class WorkerLost(Exception):
    """The worker died while running the job."""


class WorkerOutOfMemory(WorkerLost):
    """The worker died of its memory cap while running the job."""


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.Process
    conn: object  # multiprocessing.connection.Connection
    ready: bool = False  # the worker has sent its ready signal (imports done)


class QueryPool:
    def __init__(
        self, store_path: str | None, size: int = 2, memory_bytes: int = 0, idle_s: float = 30.0
    ):
        self.store_path = store_path  # the embedded store's snapshot directory
        self.size = max(1, size)
        self.memory_bytes = memory_bytes  # each worker's address-space cap; 0: none
        self.idle_s = idle_s  # a worker without a job this long lets go of its snapshot
        # Last in, first out: the worker that answered last answers next while its caches
        # are warm; taking them in turn cost each lookup a third more of the workers' CPU.
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._workers: set[_Worker] = set()
        self.killed = 0

    def run(self, job: Job, timeout_s: float) -> Reply:
        """The worker's reply to ``job``; PoolTimeout/PoolBusy/WorkerLost otherwise.

        One deadline for the whole request: waiting for a free worker, for a new one to
        finish starting, and the query itself all count against ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        self._ensure_started()
        try:
            worker = self._idle.get(timeout=max(0.0, timeout_s))
        except queue.Empty:
            raise PoolBusy() from None
        if not self._ready_by(worker, deadline):
            self._idle.put(worker)  # still starting: the next request may have it
            raise PoolBusy()
        try:
            worker.conn.send(job)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not worker.conn.poll(remaining):
                self._replace(worker)
                raise PoolTimeout()
            reply = worker.conn.recv()
            if reply.outcome is Outcome.UNAVAILABLE:  # its snapshot broke: a fresh worker
                self._replace(worker)
                return reply
        except (EOFError, OSError) as exc:
            aborted = self._aborted(worker)
            self._replace(worker)
            if aborted and self.memory_bytes:
                raise WorkerOutOfMemory() from None
            raise WorkerLost(str(exc) or type(exc).__name__) from None
        self._idle.put(worker)
        return reply

    def idle(self) -> int:
        """How many workers are waiting for a job right now."""
        return self._idle.qsize()

    @staticmethod
    def _aborted(worker: _Worker) -> bool:
        """Whether the lost worker ended by SIGABRT, as Rust ends on a failed allocation."""
        worker.process.join(timeout=2)
        return worker.process.exitcode == -signal.SIGABRT

    def _ready_by(self, worker: _Worker, deadline: float) -> bool:
        """Whether ``worker`` is ready before ``deadline`` (a lost one counts as ready: the
        job then fails with WorkerLost)."""
        if worker.ready:
            return True
        try:
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                return False
            self._wait_ready(worker)
        except (EOFError, OSError):
            return True
        return True

    def _wait_ready(self, worker: _Worker) -> None:
        if worker.ready:
            return
        if not worker.conn.poll(STARTUP_TIMEOUT_S):
            raise OSError(f"the worker did not start within {STARTUP_TIMEOUT_S:.0f} s")
        message = worker.conn.recv()
        if message != ("ready",):
            raise OSError(f"the worker sent {message!r} instead of its ready signal")
        worker.ready = True

    def close(self) -> None:
        with self._lock:
            workers, self._workers = list(self._workers), set()
            self._pid = None
        for worker in workers:
            _kill(worker)

    # --- internals --------------------------------------------------------------------

    def _ensure_started(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            # After a fork the inherited workers belong to the parent: forget them.
            self._idle = queue.LifoQueue()
            self._workers = set()
            for _ in range(self.size):
                self._idle.put(self._start())
            self._pid = os.getpid()

    def _start(self) -> _Worker:
        parent, child = _CONTEXT.Pipe()
        process = _CONTEXT.Process(
            target=worker_module.main,
            args=(child, self.store_path, self.memory_bytes, self.idle_s),
            name="regiograph-sparql-worker",
            daemon=True,
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        self.killed += 1
        _kill(worker)
        self._workers.discard(worker)

        def start_new():
            try:
                fresh = self._start()
                self._wait_ready(fresh)  # never hand a request a worker still importing
                self._idle.put(fresh)
            except Exception:
                log.exception("could not start a SPARQL query worker")

        threading.Thread(target=start_new, name="sparql-worker-start", daemon=True).start()


def _kill(worker: _Worker) -> None:
    try:
        worker.process.kill()
        worker.process.join(timeout=5)
    except (OSError, ValueError, AssertionError):
        pass
    with contextlib.suppress(OSError):
        worker.conn.close()
