"""Domain errors to HTTP responses, in one place.

APIs (``/sparql``, ``/api/…``, ``/healthz`` and clients that prefer JSON) get a plain or
JSON body; pages get an HTML page in the reader's language.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from regiograph.savedqueries import ParameterError, UnknownQuery
from regiograph.server.kit import public
from regiograph.store import (
    NotAllowed,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
)

log = logging.getLogger(__name__)
RETRY_AFTER_S = "5"
_API_PREFIXES = ("/sparql", "/api/", "/healthz", "/.well-known/")

# error class -> (HTTP status, short title)
STATUS = {
    QuerySyntaxError: (400, "Bad Request"),
    NotAllowed: (403, "Forbidden"),
    QueryTimeout: (503, "Query time limit exceeded"),
    StoreUnavailable: (503, "Store unavailable"),
    StoreError: (502, "Store error"),
}


def register(app: Flask) -> None:
    for error_class in STATUS:
        app.register_error_handler(error_class, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ParameterError, _parameter_error)
    app.register_error_handler(UnknownQuery, _unknown_query)


def _domain_error(exc: StoreError):
    status, title = next(v for k, v in STATUS.items() if isinstance(exc, k))
    if status >= 500:
        log.warning("%s %s: %s", request.method, request.path, exc)
    response = respond(status, title, public.store_message(exc))
    if status == 503:
        response.headers["Retry-After"] = RETRY_AFTER_S
    return response


def _http_error(exc: HTTPException):
    response = respond(exc.code or 500, exc.name, exc.description or "")
    for header in ("Allow", "Retry-After", "WWW-Authenticate"):
        if exc.get_response().headers.get(header):
            response.headers[header] = exc.get_response().headers[header]
    return response


def _parameter_error(exc: ParameterError):
    """A bad value for a saved query or the statistics explorer: 400, naming the parameter
    in the API's JSON."""
    if request.path.startswith("/api/"):
        response = jsonify(
            error="Bad Request", status=400, message=str(exc), parameter=exc.parameter
        )
        response.status_code = 400
        return response
    return respond(400, "Bad Request", str(exc))


def _unknown_query(exc: UnknownQuery):
    return respond(404, "Not Found", str(exc))


def respond(status: int, title: str, message: str):
    """An error response in the form the client asked for."""
    if _wants_api_body():
        if request.accept_mimetypes.best == "application/json" or request.path.startswith(
            ("/api/", "/healthz")
        ):
            response = jsonify(error=title, status=status, message=message)
        else:
            response = Response(f"{title}: {message}\n", mimetype="text/plain")
    else:
        response = Response(
            render_template("error.html", status=status, title=title, message=message),
            mimetype="text/html",
        )
    response.status_code = status
    return response


def _wants_api_body() -> bool:
    if request.path.startswith(_API_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"
