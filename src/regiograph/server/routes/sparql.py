"""The public SPARQL endpoint: ``/sparql`` (SPARQL 1.1 Protocol, the service description, the
query editor), ``/sparql/update`` (writes with the write token) and ``/.well-known/void``.

The request is read and checked by :mod:`.sparql_protocol`; the query runs through
:class:`regiograph.sparql.engine.Engine`; this module does HTTP: negotiation, status codes,
caching headers and CORS. See ``docs/sparql.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from flask import Blueprint, Response, render_template, request

from regiograph import iris, mediatypes
from regiograph.namespaces import PREFIXES
from regiograph.ops import metrics
from regiograph.server.kit import negotiation
from regiograph.server.routes import sparql_describe
from regiograph.server.routes.sparql_protocol import ProtocolError, read
from regiograph.server.routes.sparql_replies import (
    CORS,
    error_response,
    not_modified,
    validators_for,
    with_cache,
)
from regiograph.server.services import config, store
from regiograph.server.services import sparql as endpoint
from regiograph.sparql.admission import Refused
from regiograph.sparql.endpoint import Endpoint
from regiograph.sparql.engine import QuerySpec
from regiograph.sparql.jobs import Outcome, Reply
from regiograph.sparql.parsed import Parsed, SparqlSyntaxError, parse
from regiograph.store import QuerySyntaxError, StoreError, StoreUnavailable

log = logging.getLogger(__name__)
blueprint = Blueprint("sparql", __name__)
_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept, If-None-Match",
    "Access-Control-Max-Age": "86400",
}
_ERROR_POSITION = re.compile(r"error at (\d+):(\d+)")
# What each way a query can fail means in HTTP (docs/sparql.md, "Errors"): the one place.
_STATUS = {
    Outcome.SYNTAX: 400,
    Outcome.NOT_ACCEPTABLE: 406,
    Outcome.REFUSED: 403,
    Outcome.CLIENT_LIMIT: 429,
    Outcome.TOO_LARGE: 500,  # the protocol's "Query Request Refused"
    Outcome.FAILED: 500,
    Outcome.STORE_FAILED: 502,
    Outcome.TIMEOUT: 503,
    Outcome.BUSY: 503,
    Outcome.UNAVAILABLE: 503,
    Outcome.TOO_MUCH_MEMORY: 503,
}
_RETRY_AFTER_S = {Outcome.BUSY: 5, Outcome.CLIENT_LIMIT: 5, Outcome.TOO_MUCH_MEMORY: 5}


def endpoint_url() -> str:
    """The URL of /sparql as the client reached it (behind a trusted proxy: the public one)."""
    return request.host_url + "sparql"


# --- /sparql ------------------------------------------------------------------------------


@blueprint.route(
    "/sparql",
    methods=["GET", "POST", "OPTIONS"],
    strict_slashes=False,
    provide_automatic_options=False,
)
def query_endpoint():
    if request.method == "OPTIONS":
        return Response(status=204, headers={**CORS, **_PREFLIGHT})
    try:
        return _answer_query(endpoint())
    except _Stop as stop:
        return stop.response


class _Stop(Exception):
    """Ends a request early with ``response`` (an error, a 304, the service description)."""

    def __init__(self, response: Response):
        self.response = response


def _answer_query(state: Endpoint) -> Response:
    operation = _operation(state)
    # The query's form is read by the parser in the worker; the formats for both kinds of
    # result are chosen here, and a form whose kind has none ends in NOT_ACCEPTABLE (406).
    chosen = _negotiated(operation.format)
    browser = chosen["solutions"] is mediatypes.HTML
    try:
        version = store().data_version()
    except StoreError as exc:
        raise _Stop(error_response(503, str(exc), retry_after=5)) from None
    validators = validators_for(version, _variant(chosen))
    if request.method == "GET" and not_modified(validators):
        raise _Stop(with_cache(Response(status=304), validators, state))
    spec = QuerySpec(
        operation.text,
        base=iris.sparql_service(config().base_iri),
        formats=_formats_for(chosen),
        default_graphs=operation.default_graphs,
        named_graphs=operation.named_graphs,
        union=True,  # unless the query names its own dataset, which the worker reads
        version=version,
    )
    result = _run_query(state, spec)
    if result.outcome is Outcome.NOT_ACCEPTABLE:
        raise _Stop(error_response(406, _refusal(result.kind, operation.format)))
    if result.outcome is not Outcome.OK:
        # A browser gets the editor with the message; the per-client limit stays plain text.
        if browser and result.outcome is not Outcome.CLIENT_LIMIT:
            raise _Stop(_editor_error(operation.text, _STATUS[result.outcome], result.message))
        raise _Stop(_failure(result))
    if chosen[result.kind] is mediatypes.HTML:
        response = Response(_results_page(operation.text, result), mimetype="text/html")
    else:
        answer_format = mediatypes.BY_NAME[result.format]
        response = Response(result.body, content_type=answer_format.content_type)
    response.headers.update(CORS)
    response.headers["Vary"] = "Accept"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.method == "GET":
        with_cache(response, validators, state)
    return response


_FORM_OF_KIND = {"solutions": "SELECT", "boolean": "ASK", "graph": "CONSTRUCT"}


def _negotiated(requested: str | None) -> dict[str, mediatypes.MediaType | None]:
    """Per kind of result, the format the client gets (None: it accepts none); 406 when no
    kind has one. Remembered per Accept header and ``format=``, which alone decide it:
    clients send the same few again and again, and ranking them is a tenth of a lookup."""
    key = (request.headers.get("Accept"), requested)
    chosen = _CHOSEN.get(key)
    if chosen is None:
        chosen = _negotiate(requested)
        if len(_CHOSEN) < _CHOSEN_KEPT:
            _CHOSEN[key] = chosen
    return chosen


_CHOSEN: dict[tuple, dict] = {}
_CHOSEN_KEPT = 256  # distinct (Accept, format=) pairs remembered; others ranked each time


def _negotiate(requested: str | None) -> dict[str, mediatypes.MediaType | None]:
    chosen: dict[str, mediatypes.MediaType | None] = {}
    refusals = []
    for kind, form in _FORM_OF_KIND.items():
        try:
            chosen[kind] = negotiation.for_sparql(form, requested)
        except negotiation.NotAcceptable as exc:
            chosen[kind] = None
            refusals.append(str(exc))
    if not any(chosen.values()):
        raise _Stop(error_response(406, refusals[0] + "; " + refusals[-1]))
    return chosen


def _refusal(kind: str, requested: str | None) -> str:
    try:
        negotiation.for_sparql(_FORM_OF_KIND.get(kind, "SELECT"), requested)
    except negotiation.NotAcceptable as exc:
        return str(exc)
    return "no acceptable format"  # not reached: the worker found none


def _variant(chosen: dict[str, mediatypes.MediaType | None]) -> str:
    """What the representation depends on besides the data: the format of each kind."""
    return "-".join(fmt.name if fmt else "none" for fmt in (chosen["solutions"], chosen["graph"]))


def _run_query(state: Endpoint, spec: QuerySpec) -> Reply:
    """The engine's reply, if admission lets the client (its address; behind a trusted proxy
    the one the proxy reports) run a query now; counted."""
    try:
        with state.admission.admit(request.remote_addr or "-") as ticket:
            reply = state.engine.query(spec)
            ticket.outcome = reply.outcome
    except Refused as exc:
        reply = Reply.failed(exc.outcome, str(exc), exc.retry_after_s)
    metrics.record_query(reply.outcome)
    return reply


def _failure(reply: Reply, *, writes: bool = False) -> Response:
    """The error response for a reply other than OK; the write path's has neither CORS
    headers nor Retry-After."""
    return error_response(
        _STATUS[reply.outcome],
        reply.message,
        retry_after=None if writes else reply.retry_after_s or _RETRY_AFTER_S.get(reply.outcome),
        cors=not writes,
    )


def _operation(state: Endpoint):
    try:
        operation = read(request, kind="query", max_bytes=state.max_query_bytes)
    except ProtocolError as exc:
        raise _Stop(error_response(exc.status, exc.message, headers=exc.headers)) from None
    if operation.text is None:
        if request.method == "POST":
            raise _Stop(error_response(400, "no 'query' in the request"))
        raise _Stop(sparql_describe.service_description(state))
    return operation


def _formats_for(chosen: dict[str, mediatypes.MediaType | None]) -> dict[str, str]:
    """What the worker writes for each kind of result ("": the client accepts none). The
    HTML page is rendered from JSON results and N-Triples."""
    html = {"solutions": "json", "boolean": "json", "graph": "ntriples"}
    return {
        kind: "" if fmt is None else html[kind] if fmt is mediatypes.HTML else fmt.name
        for kind, fmt in chosen.items()
    }


# --- /sparql/update -----------------------------------------------------------------------


@blueprint.route("/sparql/update", methods=["POST"])
def update_endpoint():
    state = endpoint()
    if not state.write_token:
        return error_response(
            403, "writes are off on this platform (server.write_token is not set)", cors=False
        )
    given = request.headers.get("Authorization", "")
    if not given.startswith("Bearer "):
        return error_response(
            401,
            "SPARQL Update needs 'Authorization: Bearer <write token>'",
            headers={"WWW-Authenticate": 'Bearer realm="regiograph"'},
            cors=False,
        )
    if not hmac.compare_digest(given[7:].strip().encode(), state.write_token.encode()):
        log.warning("SPARQL update refused: wrong token from %s", request.remote_addr)
        return error_response(403, "the write token is not valid", cors=False)
    try:
        operation = read(request, kind="update", max_bytes=state.max_query_bytes)
    except ProtocolError as exc:
        return error_response(exc.status, exc.message, headers=exc.headers, cors=False)
    if operation.text is None:
        return error_response(400, "no 'update' in the request", cors=False)
    return _run_update(state, operation)


def _run_update(state: Endpoint, operation) -> Response:
    base = iris.sparql_service(config().base_iri)
    try:  # updates come from the write token's holder: read here, not in a worker
        parsed = parse(operation.text, base=base, defaults=PREFIXES, operation="update")
    except SparqlSyntaxError as exc:
        return error_response(400, str(exc), cors=False)
    refused = _refused_update(operation, parsed)
    if refused is not None:
        return refused
    checked = state.engine.check_update(operation.text, base)
    if checked.outcome is not Outcome.OK:
        return _failure(checked, writes=True)
    text = _update_text(operation.text, parsed, base)
    digest = hashlib.sha256(operation.text.encode()).hexdigest()[:16]
    try:
        store().update_raw(
            text, using_graphs=operation.default_graphs, using_named_graphs=operation.named_graphs
        )
    except QuerySyntaxError as exc:
        log.info(
            "SPARQL update from %s rejected (sha256 %s): %s",
            request.remote_addr,
            digest,
            exc.message[:200],
        )
        return error_response(400, _shift_lines(exc.message, _prepended(parsed)), cors=False)
    except StoreError as exc:
        return error_response(
            503 if isinstance(exc, StoreUnavailable) else 502, str(exc), cors=False
        )
    log.info(
        "SPARQL update by %s applied (%d bytes, sha256 %s): %s",
        request.remote_addr,
        len(operation.text.encode()),
        digest,
        " ".join(operation.text.split())[:300],
    )
    return Response(status=204)


def _refused_update(operation, parsed: Parsed) -> Response | None:
    if (operation.default_graphs or operation.named_graphs) and parsed.using:
        return error_response(
            400,
            "using-graph-uri/using-named-graph-uri cannot be combined with "
            "USING or WITH in the update (SPARQL 1.1 Protocol 2.2.3)",
            cors=False,
        )
    if parsed.loads:
        return error_response(
            403,
            "LOAD is not accepted through the endpoint; harvest sources with "
            "the loader (rule: update-load)",
            cors=False,
        )
    return None


def _update_text(text: str, parsed: Parsed, base: str) -> str:
    """The update without a closing ';', with the endpoint as its base IRI and the default
    prefixes it uses declared (the store knows neither), on one line in front of it."""
    if parsed.trailing_semicolon is not None:
        text = text[: parsed.trailing_semicolon]
    text = text.rstrip() + "\n"
    if _prepended(parsed):
        declared = "".join(f"PREFIX {p}: <{iri}> " for p, iri in parsed.defaulted.items())
        text = (f"BASE <{base}> " if parsed.base is None else "") + declared + "\n" + text
    return text


def _prepended(parsed: Parsed) -> bool:
    return parsed.base is None or bool(parsed.defaulted)


def _shift_lines(message: str, shifted: bool) -> str:
    """Parser positions in the client's own text (one line was added in front of it)."""
    if not shifted:
        return message
    return _ERROR_POSITION.sub(
        lambda m: f"error at {max(1, int(m.group(1)) - 1)}:{m.group(2)}", message
    )


# --- /.well-known/void --------------------------------------------------------------------


@blueprint.route("/.well-known/void", methods=["GET", "OPTIONS"], provide_automatic_options=False)
def void():
    if request.method == "OPTIONS":
        return Response(status=204, headers={**CORS, **_PREFLIGHT})
    return sparql_describe.void_description(endpoint())


# --- helpers ------------------------------------------------------------------------------


def _results_page(query: str, result) -> str:
    return sparql_describe.results_page(query, result)


def _editor_error(query: str, status: int, message: str) -> Response:
    response = Response(
        render_template(
            "sparql.html", **sparql_describe.editor_context(query=query, error=message)
        ),
        status=status,
        mimetype="text/html",
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept"
    return response
