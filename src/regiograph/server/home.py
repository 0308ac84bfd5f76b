"""The home page and the health check."""

from flask import Blueprint, jsonify, render_template

from regiograph import __version__
from regiograph.server.context import config, store
from regiograph.store import StoreError

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index():
    graphs = store().graphs()
    return render_template(
        "home.html",
        graphs=sorted(graphs.items()),
        total=sum(graphs.values()),
        base=config().base_iri,
    )


@blueprint.get("/healthz")
def healthz():
    """Store reachable, triple count, versions: for load balancers and the Docker HEALTHCHECK."""
    try:
        graphs = store().graphs()
        data_version = store().data_version()
    except StoreError as exc:
        response = jsonify(
            status="unavailable", store="unreachable", message=str(exc), version=__version__
        )
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    return jsonify(
        status="ok",
        store="reachable",
        triples=sum(graphs.values()),
        graphs=len(graphs),
        data_version=data_version,
        version=__version__,
    )
