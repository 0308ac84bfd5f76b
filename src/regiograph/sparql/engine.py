"""Running a public query: the worker pool (embedded store) or the store's endpoint (proxy).

Results are all or nothing. The pool's workers serialise the whole result under the byte and
row limits before sending it; the proxy reads the store's streamed response up to the byte
limit, and the store withholds its end until it has looked for Oxigraph's cancellation note
(:mod:`regiograph.store.results`), before a single byte goes to the client. So a stopped
query is always an error status, never a 200 with a truncated body.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from regiograph.sparql import services
from regiograph.sparql.pool import PoolBusy, PoolTimeout, QueryPool, WorkerLost
from regiograph.store import (
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreError,
    StoreUnavailable,
)

log = logging.getLogger(__name__)


class QueryFailed(Exception):
    """The query did not produce a result; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None):
        self.status = status
        self.message = message
        self.retry_after = retry_after
        super().__init__(message)


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 30.0
    max_result_bytes: int = 50_000_000
    max_result_rows: int = 100_000


@dataclass(frozen=True)
class QuerySpec:
    text: str
    base: str
    formats: dict[str, str]  # result kind -> format name the engine writes
    media_type: str  # what to ask an external store for
    default_graphs: list[str]
    named_graphs: list[str]
    union: bool  # the default graph is the union of the named graphs (no FROM in the query)
    version: str  # data version, so that workers reopen their handles when it moves


@dataclass(frozen=True)
class Result:
    kind: str  # solutions, boolean, graph
    format: str  # short format name (endpoint.formats)
    body: bytes


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
            store_path if mode == "pool" else None, workers if mode == "pool" else 1
        )

    def close(self) -> None:
        self.pool.close()

    def query(self, spec: QuerySpec) -> Result:
        job = {
            "operation": "query",
            "query": spec.text,
            "base": spec.base,
            "formats": spec.formats,
            "default_graphs": spec.default_graphs,
            "named_graphs": spec.named_graphs,
            "union": spec.union,
            "max_bytes": self.limits.max_result_bytes,
            "max_rows": self.limits.max_result_rows,
            "version": spec.version,
            "allow": self.allow,
            "check_only": self.mode != "pool",
        }
        reply = self._run(job)
        if self.mode == "pool":
            return Result(reply[1], reply[2], reply[3])
        return self._proxy(spec)

    def check_update(self, text: str, base: str) -> None:
        """The SERVICE rule for an update (raises QueryFailed)."""
        self._run(
            {
                "operation": "update",
                "query": text,
                "base": base,
                "allow": self.allow,
                "check_only": True,
                "version": "",
            }
        )

    def _run(self, job: dict) -> tuple:
        try:
            reply = self.pool.run(job, self.limits.timeout_s)
        except PoolTimeout:
            raise QueryFailed(
                503,
                f"the query was stopped at this endpoint's time limit of "
                f"{self.limits.timeout_s:g} s (setting sparql.timeout_s)",
            ) from None
        except PoolBusy:
            raise QueryFailed(
                503,
                "every query worker stayed busy for the whole time limit; try again shortly",
                retry_after=5,
            ) from None
        except WorkerLost as exc:
            raise QueryFailed(
                500,
                f"the query worker died while running the query ({exc}); "
                "it may have needed too much memory",
            ) from None
        status = reply[0]
        if status == "ok":
            return reply
        if status == "syntax":
            raise QueryFailed(400, reply[1])
        if status == "refused":
            raise QueryFailed(403, reply[2])
        if status == "too-large":
            raise QueryFailed(500, f"query request refused: {reply[1]}")
        log.warning("SPARQL worker error: %s", reply[1])
        raise QueryFailed(500, f"the query failed: {reply[1]}")

    def _proxy(self, spec: QuerySpec) -> Result:
        try:
            with self.store.query_stream(
                spec.text,
                spec.media_type,
                default_graphs=spec.default_graphs,
                named_graphs=spec.named_graphs,
            ) as answer:
                body = _read_limited(answer.chunks, self.limits.max_result_bytes)
        except QuerySyntaxError as exc:
            raise QueryFailed(400, exc.message) from None
        except QueryTimeout as exc:  # also a cancellation note at the end of the answer
            raise QueryFailed(503, str(exc)) from None
        except StoreError as exc:
            status = 503 if isinstance(exc, StoreUnavailable) else 502
            raise QueryFailed(status, str(exc)) from None
        kind, name = _kind_of(answer.media_type or spec.media_type, spec.formats)
        return Result(kind, name, body)


def _read_limited(chunks: Iterable[bytes], limit: int) -> bytes:
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if limit and size > limit:
            raise QueryFailed(
                500,
                f"query request refused: the result is larger than the "
                f"endpoint's limit of {limit:,} bytes (setting "
                "sparql.max_result_bytes)",
            )
        parts.append(chunk)
    return b"".join(parts)


def _kind_of(content_type: str, formats: dict[str, str]) -> tuple[str, str]:
    from regiograph.sparql.formats import BY_NAME

    for kind in ("solutions", "graph"):
        name = formats[kind]
        if BY_NAME[name].media_type == content_type:
            return kind, name
    return "solutions", formats["solutions"]


__all__ = ["Engine", "Limits", "QueryFailed", "Result", "services"]
