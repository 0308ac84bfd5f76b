"""Running a public query: the worker pool (embedded store) or the store's endpoint (proxy).

Every query ends in a :class:`~regiograph.sparql.jobs.Reply`, whatever happened; what it means
for HTTP is the route's business. Results are all or nothing. The pool's workers serialise the
whole result under the byte and row limits before sending it; the proxy reads the store's
streamed answer up to the byte limit, and the store withholds its end until it has looked for
Oxigraph's cancellation note (:mod:`regiograph.store.results`). So a stopped query is always
a failed reply, never a truncated result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from regiograph.mediatypes import BY_NAME
from regiograph.sparql import services
from regiograph.sparql.jobs import Job, Outcome, Reply
from regiograph.sparql.pool import (
    PoolBusy,
    PoolTimeout,
    QueryPool,
    WorkerLost,
    WorkerOutOfMemory,
)
from regiograph.store import (
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreError,
    StoreUnavailable,
)

log = logging.getLogger(__name__)
_FIRST_LINE_POSITION = re.compile(r"error at 1:(\d+)")


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 30.0
    max_result_bytes: int = 50_000_000
    max_result_rows: int = 100_000
    worker_memory_bytes: int = 0  # each pool worker's address-space cap; 0: none


@dataclass(frozen=True)
class QuerySpec:
    text: str
    base: str
    formats: dict[str, str]  # result kind -> format name the engine writes ("": none)
    default_graphs: list[str]
    named_graphs: list[str]
    union: bool  # without FROM in the query, the default graph is the union of named graphs
    version: str  # data version, so that workers reopen their handles when it moves


class Engine:
    def __init__(
        self,
        store: Store,
        *,
        mode: str,
        store_path: str | None,
        workers: int,
        limits: Limits,
        allow: frozenset[str],
    ):
        if mode == "auto":
            mode = "pool" if store_path else "proxy"
        if mode == "pool" and not store_path:
            raise ValueError("sparql.engine = pool needs the embedded store (its directory)")
        self.store = store
        self.mode = mode
        self.limits = limits
        self.allow = allow
        # In proxy mode the pool only checks SERVICE targets (parsing runs there, killable).
        self.pool = QueryPool(
            store_path if mode == "pool" else None,
            workers if mode == "pool" else 1,
            memory_bytes=limits.worker_memory_bytes,
        )

    def close(self) -> None:
        self.pool.close()

    def query(self, spec: QuerySpec) -> Reply:
        """The result, or why there is none. In proxy mode the workers only check the
        SERVICE rule (parsing runs there, killable) and the store runs the query."""
        reply = self._run(
            Job(
                operation="query",
                text=spec.text,
                base=spec.base,
                allow=self.allow,
                check_only=self.mode != "pool",
                version=spec.version,
                formats=spec.formats,
                default_graphs=tuple(spec.default_graphs),
                named_graphs=tuple(spec.named_graphs),
                union=spec.union,
                max_bytes=self.limits.max_result_bytes,
                max_rows=self.limits.max_result_rows,
            )
        )
        if self.mode == "pool" or reply.outcome is not Outcome.OK:
            return reply
        return self._proxy(spec, reply)

    def check_update(self, text: str, base: str) -> Reply:
        """The SERVICE rule and the syntax of an update, which the store then runs."""
        return self._run(Job("update", text, base, self.allow, check_only=True))

    def _run(self, job: Job) -> Reply:
        try:
            reply = self.pool.run(job, self.limits.timeout_s)
        except PoolTimeout:
            return Reply.failed(
                Outcome.TIMEOUT,
                f"the query was stopped at this endpoint's time limit of "
                f"{self.limits.timeout_s:g} s (setting sparql.timeout_s)",
            )
        except PoolBusy:
            return Reply.failed(
                Outcome.BUSY,
                "every query worker stayed busy for the whole time limit; try again shortly",
            )
        except WorkerOutOfMemory:
            return self._too_much_memory()
        except WorkerLost as exc:
            return Reply.failed(
                Outcome.FAILED,
                f"the query worker died while running the query ({exc}); "
                "it may have needed too much memory",
            )
        if reply.outcome is Outcome.FAILED:
            log.warning("SPARQL worker error: %s", reply.message)
        if reply.outcome is Outcome.TOO_MUCH_MEMORY:
            return self._too_much_memory()
        return reply

    def _too_much_memory(self) -> Reply:
        log.warning("a SPARQL query ran into the query worker's memory cap")
        return Reply.failed(
            Outcome.TOO_MUCH_MEMORY,
            f"the query needed more memory than a query worker may use "
            f"({self.limits.worker_memory_bytes // 2**20:,} MB, setting "
            "sparql.worker_memory_mb); the worker was replaced. Narrow the query (fewer "
            "groups, a LIMIT, more selective patterns)",
        )

    def _proxy(self, spec: QuerySpec, checked: Reply) -> Reply:
        """The store's answer; ``checked`` (the worker's check) says the kind of result and
        the default prefixes the text uses, which the store does not know."""
        media_type = BY_NAME[spec.formats[checked.kind]].media_type
        try:
            with self.store.query_stream(
                checked.prologue + spec.text,
                media_type,
                default_graphs=spec.default_graphs,
                named_graphs=spec.named_graphs,
            ) as answer:
                body = _read_limited(answer.chunks, self.limits.max_result_bytes)
        except QuerySyntaxError as exc:
            return Reply.failed(Outcome.SYNTAX, _unshifted(exc.message, len(checked.prologue)))
        except QueryTimeout as exc:  # also a cancellation note at the end of the answer
            return Reply.failed(Outcome.TIMEOUT, str(exc))
        except StoreUnavailable as exc:
            return Reply.failed(Outcome.UNAVAILABLE, str(exc))
        except StoreError as exc:  # an error status, or the answer broke off
            return Reply.failed(Outcome.STORE_FAILED, str(exc))
        if body is None:
            return Reply.failed(
                Outcome.TOO_LARGE,
                f"query request refused: the result is larger than the endpoint's limit of "
                f"{self.limits.max_result_bytes:,} bytes (setting sparql.max_result_bytes)",
            )
        kind, name = _kind_of(answer.media_type or media_type, spec.formats)
        return Reply.ok(kind, name, body)


def _unshifted(message: str, added: int) -> str:
    """Parser positions in the client's own text (``added`` characters went before line 1)."""
    if not added:
        return message
    return _FIRST_LINE_POSITION.sub(lambda m: f"error at 1:{max(1, int(m[1]) - added)}", message)


def _read_limited(chunks: Iterable[bytes], limit: int) -> bytes | None:
    """The whole answer, or None as soon as it is over ``limit`` bytes (0: no limit)."""
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if limit and size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


def _kind_of(content_type: str, formats: dict[str, str]) -> tuple[str, str]:
    for kind in ("solutions", "graph"):
        name = formats[kind]
        if name and BY_NAME[name].media_type == content_type:
            return kind, name
    return "solutions", formats["solutions"]


__all__ = ["Engine", "Limits", "Outcome", "QuerySpec", "Reply", "services"]
