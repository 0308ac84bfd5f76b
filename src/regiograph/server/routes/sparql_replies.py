"""What every ``/sparql`` answer shares on the HTTP side: error bodies, validators (``ETag``,
``Last-Modified``) from the data version, the 304 check, and cache and CORS headers.

Used by the query and update routes (:mod:`.sparql`) and by the endpoint's self-description
(:mod:`.sparql_describe`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Response, request

from regiograph.server.kit import public
from regiograph.sparql.endpoint import Endpoint

CORS = {"Access-Control-Allow-Origin": "*"}


def validators_for(version: str, variant: str) -> dict[str, str]:
    headers = {"ETag": f'W/"{version}-{variant}"'}
    modified = _version_time(version)
    if modified:
        headers["Last-Modified"] = modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return headers


def _version_time(version: str) -> datetime | None:
    """Data versions start with the time of the change in hex nanoseconds."""
    try:
        return datetime.fromtimestamp(int(version.split("-", maxsplit=1)[0], 16) / 1e9, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def not_modified(validators: dict[str, str]) -> bool:
    if request.if_none_match:
        tag = validators["ETag"][3:-1]  # without W/" and "
        return request.if_none_match.contains_weak(tag) or "*" in request.if_none_match
    since = request.if_modified_since
    modified = _version_time(validators["ETag"][3:-1].rsplit("-", 1)[0])
    return bool(since and modified and modified.replace(microsecond=0) <= since)


def with_cache(response: Response, validators: dict[str, str], state: Endpoint) -> Response:
    response.headers.update(validators)
    response.headers.update(CORS)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = f"public, max-age={state.max_age}"
    return response


def error_response(
    status: int,
    message: str,
    *,
    headers: dict | None = None,
    retry_after: int | None = None,
    cors: bool = True,
) -> Response:
    """A SPARQL error: plain text (or JSON when asked for), never cached; the message as the
    public may read it (:func:`.public.scrub`)."""
    message = public.scrub(message)
    title = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        405: "Method Not Allowed",
        406: "Not Acceptable",
        413: "Content Too Large",
        415: "Unsupported Media Type",
        429: "Too Many Requests",
        500: "Query Request Refused",
        502: "Bad Gateway",
        503: "Service Unavailable",
    }.get(status, "Error")
    if request.accept_mimetypes.best == "application/json":
        body = json.dumps({"error": title, "status": status, "message": message})
        response = Response(body, status=status, mimetype="application/json")
    else:
        response = Response(
            f"{title}: {message}\n", status=status, content_type="text/plain; charset=utf-8"
        )
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept"
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    if cors:
        response.headers.update(CORS)
    return response
