"""The admin API: trigger a source's harvest and read its status, for operators' scripts.

Authentication is ``Authorization: Bearer <server.write_token>`` on every call and nothing
else: no cookies and no sessions, so a cross-site form cannot use an operator's browser
(no CSRF surface). Without a configured token the admin API is off. A trigger runs the
loader's own harvest (:func:`regiograph.loader.pipeline.harvest_in_background`), which takes
the source's lock before this answers, so 409 means nothing was started. After the harvest the
derived data (catalogue, search index, statistics mirror) is brought up to date.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, jsonify, request, url_for

from regiograph import derived
from regiograph.loader import pipeline, runs, sources
from regiograph.loader.errors import SourceBusy, UnknownSource
from regiograph.ops import metrics
from regiograph.server.kit.errors import respond
from regiograph.server.services import config, store

blueprint = Blueprint("admin", __name__, url_prefix="/api/admin")

# Described for /api's OpenAPI document in server/kit/openapi.py.


def _after_harvest():
    """What the harvest thread does when its run is over: count it, and bring the derived
    data up to date in this process (a web worker forks nothing, so its build locks stay its
    own)."""
    cfg, st = config(), store()

    def then(result: pipeline.RunResult) -> None:
        metrics.record_harvest(result.source.id, result.outcome)
        derived.warm(cfg, st)

    return then


@blueprint.before_request
def _authenticate():
    expected = config()["server.write_token"]
    header = request.headers.get("Authorization", "")
    scheme, _, offered = header.partition(" ")
    if not expected:
        return respond(403, "Forbidden", "the admin API is off: server.write_token is not set")
    if scheme.lower() != "bearer" or not offered.strip():
        response = respond(401, "Unauthorized", "send 'Authorization: Bearer <token>'")
        response.headers["WWW-Authenticate"] = 'Bearer realm="regiograph admin"'
        return response
    if not hmac.compare_digest(offered.strip().encode(), expected.encode()):
        return respond(403, "Forbidden", "the token is not valid")
    return None


@blueprint.get("/harvests")
def list_harvests():
    cfg, st = config(), store()
    configured = sources.from_config(cfg)
    return jsonify(sources=[runs.status(cfg.data_path, st, s.id) for s in configured])


@blueprint.get("/harvests/<source>")
def harvest_status(source: str):
    cfg = config()
    try:
        (chosen,) = sources.select(sources.from_config(cfg), [source])
    except UnknownSource as exc:
        return respond(404, "Not Found", str(exc))
    return jsonify(runs.status(cfg.data_path, store(), chosen.id))


@blueprint.post("/harvests/<source>")
def trigger_harvest(source: str):
    try:
        pipeline.harvest_in_background(
            config(), store(), source, trigger="admin", then=_after_harvest()
        )
    except UnknownSource as exc:
        return respond(404, "Not Found", str(exc))
    except SourceBusy as exc:
        return respond(409, "Conflict", str(exc))
    status_url = url_for("admin.harvest_status", source=source)
    response = jsonify(source=source, state="started", status=status_url)
    response.status_code = 202
    response.headers["Location"] = status_url
    return response
