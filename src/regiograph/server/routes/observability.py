"""Request ids, request metrics, an access log line per request, and ``GET /metrics``.

Every response carries ``X-Request-Id`` (the client's or proxy's, if well-formed, else a new
one); the same id is in every log record of the request and in error bodies, so a reader
reporting an error page can be matched to the log. ``/metrics`` answers the operator only
(a bearer token, docs/operations.md).
"""

from __future__ import annotations

import hmac
import json
import logging
import time

from flask import Blueprint, Response, g, request

from regiograph.ops import logging as logs
from regiograph.ops import metrics
from regiograph.server.services import config, store

blueprint = Blueprint("observability", __name__)
access_log = logging.getLogger("regiograph.access")
HEADER = "X-Request-Id"


@blueprint.before_app_request
def _start():
    g.request_id = logs.new_request_id(request.headers.get(HEADER))
    g.request_token = logs.request_id.set(g.request_id)
    g.request_started = time.perf_counter()


@blueprint.after_app_request
def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or logs.new_request_id(None)
    response.headers[HEADER] = request_id
    if response.status_code >= 400:
        _add_id_to_error_body(response, request_id)
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started else 0.0
    route = request.url_rule.rule if request.url_rule else "(unmatched)"
    metrics.record_request(request.method, route, response.status_code, seconds)
    access_log.info(
        "%s %s %s %.1f ms",
        request.method,
        request.full_path.rstrip("?"),
        response.status_code,
        seconds * 1000,
        extra={
            "method": request.method,
            "path": request.path,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
        },
    )
    return response


@blueprint.teardown_app_request
def _forget(_exc):
    token = g.pop("request_token", None)
    if token is not None:
        logs.request_id.reset(token)


@blueprint.app_context_processor
def _template_globals():
    return {"request_id": g.get("request_id", "")}


def _add_id_to_error_body(response: Response, request_id: str) -> None:
    """API error bodies name the request id too (HTML error pages show it via the template)."""
    if response.is_streamed or response.direct_passthrough:
        return
    if response.mimetype == "application/json":
        try:
            body = json.loads(response.get_data())
        except ValueError:
            return
        if isinstance(body, dict) and "request_id" not in body:
            body["request_id"] = request_id
            response.set_data(json.dumps(body, ensure_ascii=False))
    elif response.mimetype == "text/plain":
        response.set_data(response.get_data() + f"request id: {request_id}\n".encode())


@blueprint.get("/metrics")
def metrics_page():
    """Prometheus exposition format, for the operator only: ``Authorization: Bearer`` with
    ``server.metrics_token`` (else the write token); with neither set it is off."""
    refused = _operator_only()
    if refused is not None:
        return refused
    body, content_type = metrics.render(store())
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


def _operator_only() -> Response | None:
    """None for the operator's scraper, else the 401/403 to answer (never the metrics: they
    name routes, graphs, sources and error counts)."""
    expected = config()["server.metrics_token"] or config()["server.write_token"]
    if not expected:
        return _refusal(403, "/metrics is off: set server.metrics_token")
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not offered.strip():
        response = _refusal(401, "send 'Authorization: Bearer <server.metrics_token>'")
        response.headers["WWW-Authenticate"] = 'Bearer realm="regiograph metrics"'
        return response
    if not hmac.compare_digest(offered.strip().encode(), expected.encode()):
        return _refusal(403, "the token is not valid")
    return None


def _refusal(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, headers={"Cache-Control": "no-store"})
