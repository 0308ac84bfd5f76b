"""Reading a SPARQL 1.1 Protocol request: the operation, its dataset and the protocol's error
rules, before anything reaches an engine.

Only UTF-8 is accepted: a ``charset`` other than UTF-8 is 415, bytes that are not UTF-8 are
400. Form bodies are decoded strictly here rather than by werkzeug, which would silently
replace bad bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from flask import Request
from pyoxigraph import NamedNode

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
MAX_PARAMETERS = 1000


class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        self.status = status
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


@dataclass
class Operation:
    text: str | None  # None: no query or update at all (a GET for the service description)
    kind: str = "query"  # "query" or "update"
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None


def read(request: Request, *, kind: str, max_bytes: int) -> Operation:
    """The operation of a query (``kind="query"``) or update request, or ProtocolError."""
    params = _params(request.query_string)
    body_params: list[tuple[str, str]] = []
    direct: str | None = None
    if request.method == "POST":
        body_params, direct = _body(request, kind)
    everything = params + body_params
    if len(everything) > MAX_PARAMETERS:
        raise ProtocolError(400, f"more than {MAX_PARAMETERS} parameters")
    values = _grouped(everything)
    other = "update" if kind == "query" else "query"
    if values.get(other):
        if kind == "query":
            raise ProtocolError(
                403,
                "SPARQL Update is not accepted on the public query "
                "endpoint; writes go to /sparql/update with the write token",
            )
        raise ProtocolError(400, "the update endpoint takes 'update', not 'query'")
    text = _single_text(values.get(kind, []), direct, kind, max_bytes)
    if kind == "query":
        default_key, named_key = "default-graph-uri", "named-graph-uri"
    else:
        default_key, named_key = "using-graph-uri", "using-named-graph-uri"
    operation = Operation(
        text,
        kind,
        _iris(values.get(default_key, []), default_key),
        _iris(values.get(named_key, []), named_key),
    )
    formats = values.get("format", [])
    operation.format = formats[0] if formats else None
    return operation


def _single_text(texts: list[str], direct: str | None, kind: str, max_bytes: int) -> str | None:
    if direct is not None:
        texts = [*texts, direct]
    if len(texts) > 1:
        raise ProtocolError(
            400, f"more than one '{kind}' in the request (the protocol allows exactly one)"
        )
    text = texts[0] if texts else None
    if text is not None:
        if not text.strip():
            raise ProtocolError(400, f"the {kind} is empty")
        if len(text.encode("utf-8")) > max_bytes:
            raise ProtocolError(
                413,
                f"the {kind} is longer than this endpoint's limit of "
                f"{max_bytes:,} bytes (setting sparql.max_query_bytes)",
            )
    return text


def _params(raw: bytes) -> list[tuple[str, str]]:
    try:
        text = raw.decode("ascii")
        if text.count("&") >= MAX_PARAMETERS * 2:
            raise ProtocolError(400, f"more than {MAX_PARAMETERS} parameters")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request's parameters are not UTF-8") from None


def _body(request: Request, kind: str) -> tuple[list[tuple[str, str]], str | None]:
    mimetype = request.mimetype
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    direct = SPARQL_QUERY if kind == "query" else SPARQL_UPDATE
    if not mimetype:
        raise ProtocolError(415, f"a POST needs a Content-Type: {FORM} or {direct}")
    if mimetype not in {FORM, direct}:
        if kind == "query" and mimetype == SPARQL_UPDATE:
            raise ProtocolError(
                403,
                "SPARQL Update is not accepted on the public query "
                "endpoint; writes go to /sparql/update with the write token",
            )
        raise ProtocolError(415, f"unsupported Content-Type {mimetype!r}: use {FORM} or {direct}")
    if charset not in {"utf-8", "utf8"}:
        raise ProtocolError(415, f"only UTF-8 is accepted, not charset={charset}")
    raw = request.get_data(cache=True)
    if mimetype == FORM:
        return _params(raw), None
    try:
        return [], raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the request body is not UTF-8 (byte {exc.start})") from None


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _iris(values: list[str], key: str) -> list[str]:
    for value in values:
        try:
            NamedNode(value)
        except ValueError:
            raise ProtocolError(400, f"{key}: not an absolute IRI: {value[:200]!r}") from None
    return values
