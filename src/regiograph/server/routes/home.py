"""The home page (the region on a map, the latest projects, search, the data holdings) and
the health check."""

import logging

from flask import Blueprint, jsonify, make_response, render_template

from regiograph import __version__
from regiograph.resources import region
from regiograph.resources.ontology import ontology
from regiograph.resources.present import Presenter
from regiograph.server.kit import headers, i18n, public
from regiograph.server.kit.caching import cached
from regiograph.server.kit.counting import CountingStore
from regiograph.server.kit.negotiation import HTML
from regiograph.server.kit.suggestions import search_index
from regiograph.server.kit.urls import link_for
from regiograph.server.services import config, store
from regiograph.store import QueryTimeout, StoreError

log = logging.getLogger(__name__)
blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index():
    # kept per data version like the resource pages: counting every graph is not cheap
    response = cached(HTML, _render_home)
    return headers.secure(response)


def _render_home():
    counted = CountingStore(store())
    graphs = counted.graphs()
    presenter = Presenter(
        ontology(),
        i18n.language(),
        link_for,
        config().base_iri,
        lookup=search_index().labels,
    )
    response = make_response(
        render_template(
            "home.html",
            graphs=sorted(graphs.items()),
            total=sum(graphs.values()),
            base=config().base_iri,
            points=region.places(counted, presenter),
            projects=region.latest_projects(counted, presenter),
        )
    )
    response.headers["X-Store-Queries"] = str(counted.queries + 1)  # + graphs()
    return response


@blueprint.get("/healthz")
def healthz():
    """Store reachable, triple count, versions: for load balancers and the Docker HEALTHCHECK.

    Healthy means the store answers; a triple count that runs into the store's time limit
    (a first count on a very large store) is reported as null rather than as unhealthy.
    What the embedded store's owner reports wrong (a full disk: writes failing, or not
    readable yet) makes it "degraded", with the problems in words: reads still work.
    """
    try:
        data_version = store().data_version()
        try:
            graphs: dict[str, int] | None = store().graphs()
        except QueryTimeout:
            graphs = None
    except StoreError as exc:
        response = jsonify(
            status="unavailable",
            store="unreachable",
            message=public.store_message(exc),
            version=__version__,
        )
        response.status_code = 503
        response.headers["Retry-After"] = "5"
        return response
    try:
        problems = store().owner_problems()
    except StoreError as exc:  # named without its address; the log has that
        log.warning("the store's owner did not say how it is: %s", exc)
        problems = ["the store's owner did not say how it is"]
    return jsonify(
        status="degraded" if problems else "ok",
        problems=problems,
        store="reachable",
        triples=sum(graphs.values()) if graphs is not None else None,
        graphs=len(graphs) if graphs is not None else None,
        data_version=data_version,
        version=__version__,
    )
