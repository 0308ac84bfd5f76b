"""What the engine asks of a query worker (:class:`Job`) and what every query ends in
(:class:`Reply`), typed, without HTTP: ``server/routes/sparql.py`` maps an :class:`Outcome`
to a status once, and ``ops/metrics.py`` counts outcomes.

Both cross a pipe between processes (pickled), so they hold only plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


class Outcome(Enum):
    OK = "ok"
    TIMEOUT = "timeout"  # stopped at the time limit (ours or the store's)
    BUSY = "busy"  # no worker became free within the time limit
    CLIENT_LIMIT = "client_limit"  # the client already runs as many queries as it may
    SYNTAX = "syntax"  # the text does not parse; the message is the parser's
    NOT_ACCEPTABLE = "not_acceptable"  # the query's form has no format the client accepts
    REFUSED = "refused"  # a SERVICE rule refused it; the message names the rule
    TOO_LARGE = "too_large"  # the result is over the row or byte limit
    UNAVAILABLE = "unavailable"  # the store cannot be reached
    STORE_FAILED = "store_failed"  # the external store answered with an error or broke off
    FAILED = "failed"  # the engine itself failed (a worker died or raised)
    TOO_MUCH_MEMORY = "too_much_memory"  # the worker ran into its memory cap and was replaced


@dataclass(frozen=True)
class Job:
    """One query or update for a worker.

    ``check_only``: apply the SERVICE rule (and, for an update, parse it) but run nothing;
    the proxy engine and the write path use that. The rest matters only for running.
    """

    operation: str  # "query" or "update"
    text: str
    base: str  # relative IRIs resolve against it
    allow: frozenset[str]  # SERVICE endpoints on the allow-list
    check_only: bool
    check_services: bool = True  # False: the store owner's own queries (the platform's)
    version: str = ""  # data version: a worker reopens its snapshot when it moves
    # result kind -> mediatypes.BY_NAME key; "" for a kind the client accepts no format of
    formats: Mapping[str, str] | None = None
    default_graphs: tuple[str, ...] = ()  # a protocol dataset replaces FROM / FROM NAMED
    named_graphs: tuple[str, ...] = ()
    # Without a protocol dataset and without FROM / FROM NAMED in the query (which the worker
    # reads), the default graph is the union of the named graphs.
    union: bool = True
    max_bytes: int = 0  # 0: no limit
    max_rows: int = 0


@dataclass(frozen=True)
class Reply:
    """How a query ended. With OK: ``kind`` (solutions, boolean, graph: what the query's
    form gives, also after a check only), ``format`` (the short name it is written in) and
    ``body``; else ``message``, in words for the client, and ``retry_after_s`` when the same
    request may succeed later (0: the route's default for the outcome)."""

    outcome: Outcome
    message: str = ""
    kind: str = ""
    format: str = ""
    body: bytes = b""
    retry_after_s: int = 0
    # After a check only: PREFIX lines for the platform's default prefixes the text uses
    # without declaring them (an external store does not know them).
    prologue: str = ""

    @classmethod
    def ok(cls, kind: str = "", fmt: str = "", body: bytes = b"") -> Reply:
        return cls(Outcome.OK, kind=kind, format=fmt, body=body)

    @classmethod
    def failed(cls, outcome: Outcome, message: str, retry_after_s: int = 0) -> Reply:
        return cls(outcome, message, retry_after_s=retry_after_s)
