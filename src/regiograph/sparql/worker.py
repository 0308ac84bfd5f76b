"""One query worker process: a read-only pyoxigraph handle on the embedded store's newest
snapshot (:mod:`regiograph.store.snapshots`), never on the live store directory, which only
its owner opens.

The parent (:mod:`.pool`) sends a :class:`~.jobs.Job` through a pipe and waits for one
:class:`~.jobs.Reply`; when the time limit passes first, it kills this process, which is the
only way to stop a running pyoxigraph query. Whenever the job carries a data version other
than the one the worker last saw, it looks for a newer snapshot and opens that; a worker
without a job for a while lets go of its snapshot, so that the owner can delete it.

A worker may cap its own address space (``RLIMIT_AS``), so that one query cannot take the
machine's memory: a Python allocation past the cap is a MemoryError, answered as
TOO_MUCH_MEMORY; a Rust allocation (pyoxigraph's evaluation) aborts the process, which the
parent reports the same way.

Each job's text is read here, killable, by the endpoint's one parser (:mod:`.parsed`): it
says what the text is (an update sent as a query is refused), its SERVICE targets (checked
before anything runs), its form (a form whose kind the client accepts no format of is
NOT_ACCEPTABLE) and whether it names its own dataset (then the default graph is not the
union). The engine runs with the platform's prefix table as default prefixes. A query
that cannot hold FROM or SERVICE is read only up to its form (:func:`.parsed.quick_form`:
reading it whole costs more than running a lookup) and run at once; only if the engine
refuses it is it read whole, for the endpoint's message.

A snapshot that cannot be opened (damaged: then put aside) or is missing (older than the job's
data version) is answered UNAVAILABLE (503, retry shortly); the pool then replaces the worker.

A worker replies OK, SYNTAX, REFUSED, NOT_ACCEPTABLE, TOO_LARGE, TOO_MUCH_MEMORY, UNAVAILABLE or
FAILED; the other outcomes are the parent's (a timeout kills the worker before it could reply).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import resource
import signal
import threading
import time

import pyoxigraph as ox

from regiograph.mediatypes import BY_NAME
from regiograph.namespaces import PREFIXES
from regiograph.sparql import grammar, services
from regiograph.sparql.jobs import Job, Outcome, Reply
from regiograph.sparql.parsed import Parsed, SparqlSyntaxError, parse, quick_form
from regiograph.store.snapshots import Reader, Unreadable, sequence_in

UPDATE_REFUSED = (
    "SPARQL Update is not accepted on the public query endpoint; writes go to /sparql/update "
    "with the write token"
)
_UNKNOWN_FUNCTION = re.compile(r"The custom function <(.+)> is not supported")
_MAX_UNKNOWN = 20  # unknown functions stubbed per query before it counts as a failure


class TooLarge(Exception):
    pass


def main(conn, store_path: str | None, memory_bytes: int = 0, idle_s: float = 30.0) -> None:
    """Serve jobs from ``conn`` until it closes, within ``memory_bytes`` (0: no cap); after
    ``idle_s`` without a job, let go of the snapshot (:func:`_let_go`)."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    if memory_bytes:
        _one_malloc_arena()
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            memory_bytes = min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))
    state: dict = {"store": None, "version": None}
    grammar.parser()  # built before the first job, not during it
    try:
        conn.send(("ready",))
    except (BrokenPipeError, OSError):
        return
    while True:
        try:
            if not conn.poll(idle_s):
                _let_go(state)
                continue
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = handle(job, store_path, state)
        except MemoryError:  # past the cap in Python (the engine words the message)
            reply = Reply.failed(Outcome.TOO_MUCH_MEMORY, "")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


def _let_go(state: dict) -> None:
    """Drop an idle worker's snapshot handle and its lock. The pool hands out the worker that
    answered last, so the others may idle for hours, and a snapshot a reader holds is one the
    owner cannot delete: its files would stay on disk after every later write. The next job
    opens the newest snapshot."""
    reader = state.get("reader")
    if reader is not None and reader.store is not None:
        state["store"] = state["version"] = None  # the handle goes before the lock
        reader.close()


def handle(job: Job, store_path: str | None, state: dict) -> Reply:
    try:
        return _handle(job, store_path, state)
    except services.ServiceRefused as exc:
        return Reply.failed(Outcome.REFUSED, str(exc))
    except (SparqlSyntaxError, SyntaxError) as exc:
        return Reply.failed(Outcome.SYNTAX, str(exc))
    except TooLarge as exc:
        return Reply.failed(Outcome.TOO_LARGE, f"query request refused: {exc}")
    except Unreadable as exc:  # the pool replaces this worker; the owner remakes the snapshot
        return Reply.failed(Outcome.UNAVAILABLE, f"the store's snapshot: {exc}", retry_after_s=1)
    except Exception as exc:  # reported to the client as a failure, never a crash of the worker
        return Reply.failed(Outcome.FAILED, f"the query failed: {type(exc).__name__}: {exc}")


def _handle(job: Job, store_path: str | None, state: dict) -> Reply:
    quick = _quick(job)
    if quick is not None:
        try:
            return run(_store(store_path, job.version, state), job, quick)
        except SyntaxError:
            pass  # the whole reading below words it (or refuses an update), as it always did
    parsed = read(job)
    if job.operation == "query" and parsed.operation == "update":
        return Reply.failed(Outcome.REFUSED, UPDATE_REFUSED)
    if job.check_services:  # the store owner's own queries are the platform's
        services.check(parsed.services, job.allow)
    kind = _kind(parsed.form)
    if job.formats is not None and parsed.operation == "query" and not job.formats.get(kind):
        return Reply(Outcome.NOT_ACCEPTABLE, kind=kind)
    if job.check_only:
        if job.operation == "update" and not parsed.services:
            # The engine's own verdict and message for the client's text: run it on a fresh
            # in-memory store (SERVICE is excluded above, LOAD by the endpoint).
            ox.Store().update(job.text, base_iri=job.base, prefixes=PREFIXES)
        return Reply(Outcome.OK, kind=kind, prologue=_prologue(parsed.defaulted))
    return run(_store(store_path, job.version, state), job, parsed)


def _quick(job: Job) -> Parsed | None:
    """What the whole reading would say of a query job that only its form tells apart
    (:func:`~.parsed.quick_form`: no dataset, no SERVICE), if the client accepts a format
    of that form's kind; None: read it whole."""
    if job.operation != "query" or job.check_only:
        return None
    form = quick_form(job.text)
    if form is None or (job.formats is not None and not job.formats.get(_kind(form))):
        return None
    return Parsed("query", form=form)


def read(job: Job) -> Parsed:
    """The job's text read by the endpoint's parser (a query job may turn out an update)."""
    operation = "update" if job.operation == "update" else None
    return parse(job.text, base=job.base, defaults=PREFIXES, operation=operation)


def _kind(form: str | None) -> str:
    return {"ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(
        form or "", "solutions"
    )


def _prologue(defaulted) -> str:
    return "".join(f"PREFIX {name}: <{namespace}> " for name, namespace in defaulted.items())


def _store(snapshot_dir: str | None, version: str, state: dict):
    if snapshot_dir is None:
        raise RuntimeError("this worker has no snapshot directory")
    if state["store"] is None or state["version"] != version:
        reader = state.setdefault("reader", Reader(snapshot_dir))
        state["store"] = reader.current()
        wanted = sequence_in(version)
        if wanted is not None and reader.snapshot.sequence < wanted:
            state["store"] = None  # the snapshot this version names is gone (deleted)
            raise Unreadable(f"snapshot {wanted} is not there (yet)")
        state["version"] = version
    return state["store"]


def run(store, job: Job, parsed: Parsed) -> Reply:
    options: dict = {"base_iri": job.base or None, "prefixes": PREFIXES}
    if job.default_graphs or job.named_graphs:
        # A dataset given by the protocol replaces the query's FROM / FROM NAMED entirely.
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    else:
        options["use_default_graph_as_union"] = job.union and not parsed.has_dataset
    unknown: dict = {}
    while True:
        try:
            return _answer(store.query(job.text, custom_functions=unknown, **options), job)
        except RuntimeError as exc:
            # An extension function the engine does not know is an expression error (SPARQL
            # 1.1, 17.3): the expression is unbound. Oxigraph stops the query instead, so the
            # query runs again with the function defined as one that always fails.
            name = _UNKNOWN_FUNCTION.fullmatch(str(exc))
            if name is None or name.group(1) in unknown or len(unknown) >= _MAX_UNKNOWN:
                raise
            unknown[ox.NamedNode(name.group(1))] = _unbound


def _unbound(*_arguments) -> None:
    return None


def _answer(result, job: Job) -> Reply:
    formats = job.formats or {}
    if isinstance(result, ox.QueryBoolean):
        name = formats["boolean"]
        sink = Sink(job.max_bytes, None)
        result.serialize(sink, format=BY_NAME[name].results)
        return Reply.ok("boolean", name, sink.value())
    if isinstance(result, ox.QuerySolutions):
        name = formats["solutions"]
        sink = Sink(job.max_bytes, RowCounter(name, job.max_rows))
        _serialize(result, sink, BY_NAME[name].results)
        return Reply.ok("solutions", name, sink.value())
    name = formats["graph"]
    sink = Sink(job.max_bytes, None)
    _serialize(result, sink, BY_NAME[name].rdf)
    return Reply.ok("graph", name, sink.value())


def _serialize(result, sink: Sink, fmt) -> None:
    try:
        result.serialize(sink, format=fmt)
    except Exception:
        if sink.error:
            raise sink.error from None
        raise
    if sink.error:
        raise sink.error
    if sink.rows is not None:
        sink.rows.finish()


class Sink:
    """A binary output that keeps the bytes and stops at the size (and row) limit."""

    def __init__(self, max_bytes: int, rows: RowCounter | None):
        self.max_bytes = max_bytes
        self.rows = rows
        self.parts: list[bytes] = []
        self.size = 0
        self.error: TooLarge | None = None

    def write(self, data) -> int:
        data = bytes(data)
        self.size += len(data)
        if self.max_bytes and self.size > self.max_bytes:
            self.error = TooLarge(
                f"the result is larger than the endpoint's limit of "
                f"{self.max_bytes:,} bytes (setting sparql.max_result_bytes); "
                "narrow the query or page through it with LIMIT and OFFSET"
            )
            raise self.error
        if self.rows is not None:
            try:
                self.rows.feed(data)
            except TooLarge as exc:
                self.error = exc
                raise
        self.parts.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


class RowCounter:
    """Counts result rows in the serialised output of Oxigraph's writers, per format."""

    _JSON = re.compile(rb'[\\"{}]')
    _CSV = re.compile(rb'["\n]')

    def __init__(self, fmt: str, limit: int):
        self.fmt = fmt
        self.limit = limit
        self.count = 0
        self._in_string = False
        self._escaped_at = -2
        self._depth = 0
        self._offset = 0
        self._tail = b""

    def feed(self, data: bytes) -> None:
        if not self.limit:
            return
        getattr(self, "_feed_" + self.fmt)(data)
        self._offset += len(data)
        if self.count > self.limit:
            raise TooLarge(
                f"the result has more than the endpoint's limit of {self.limit:,} "
                "rows (setting sparql.max_result_rows); page through it with LIMIT "
                "and OFFSET"
            )

    def finish(self) -> None:
        pass

    def _feed_tsv(self, data: bytes) -> None:
        if self._offset == 0 and not self._tail:
            self.count -= 1  # the header line
            self._tail = b"h"
        self.count += data.count(b"\n")

    def _feed_csv(self, data: bytes) -> None:
        if self._offset == 0:
            self.count -= 1
        for match in self._CSV.finditer(data):
            if match.group() == b'"':
                self._in_string = not self._in_string
            elif not self._in_string:
                self.count += 1

    def _feed_xml(self, data: bytes) -> None:
        window = self._tail + data
        self.count += window.count(b"<result>")
        self._tail = data[-7:]

    def _feed_json(self, data: bytes) -> None:
        base = self._offset
        for match in self._JSON.finditer(data):
            char, position = match.group(), base + match.start()
            if self._in_string:
                if self._escaped_at == position - 1:
                    self._escaped_at = -2
                    continue
                if char == b"\\":
                    self._escaped_at = position
                elif char == b'"':
                    self._in_string = False
            elif char == b'"':
                self._in_string = True
            elif char == b"{":
                self._depth += 1
                if self._depth == 3:
                    self.count += 1
            elif char == b"}":
                self._depth -= 1


def _one_malloc_arena() -> None:
    """All threads allocate from one glibc arena. The cap counts address space, and each
    thread's own arena reserves 64 MiB of it up front (RocksDB's threads made five, about
    320 MiB of the default 2 GiB), so the query had that much less. Measured on the demo
    region under the 2 GiB cap: the ORDER BY bomb of tests/test_sparql_limits.py had
    1,648 MiB in use when the cap ended it, 1,909 MiB with one arena — a fast query must not
    end as 'too much memory' before its time limit. The query runs on one thread, so nothing
    waits on the shared arena."""
    with contextlib.suppress(AttributeError, OSError):  # not glibc: no such arenas
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1)


_M_ARENA_MAX = -8  # glibc's <malloc.h>


def _die_with_parent() -> None:
    """Exit as soon as the web server process that started this worker is gone.

    (Not PR_SET_PDEATHSIG: that fires when the *thread* that started the process ends, and
    replacements are started from short-lived threads.) A watchdog thread looks at the parent
    pid once a second, so a worker busy with a long query does not outlive its parent.
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
