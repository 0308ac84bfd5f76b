"""``sparql.engine = proxy`` (how an external store is served): the store's own endpoint answers,
streamed into a bounded buffer, and a cancelled query is never a 200 with a truncated body."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from httpfixtures import QuietHandler, loopback
from regiograph.server import create_app
from regiograph.store import Endpoints, Store

CANCELLED = b"The SPARQL operation has been cancelled"


@pytest.fixture(scope="module")
def proxy_app(demo_platform):
    cfg, store = demo_platform
    app = create_app(
        cfg.with_overrides(sparql__engine="proxy", sparql__max_result_bytes=100_000), store
    )
    app.testing = True
    yield app
    app.extensions["regiograph.sparql"].engine.close()


def test_proxy_answers_in_every_format(proxy_app):
    web = proxy_app.test_client()
    select = web.get(
        "/sparql",
        query_string={
            "query": "SELECT ?s WHERE { ?s a <https://w3id.org/regiograph/ontology#Municipality> } "
            "LIMIT 3"
        },
        headers={"Accept": "text/csv"},
    )
    assert select.status_code == 200
    assert select.mimetype == "text/csv"
    assert len(select.data.splitlines()) == 4
    graph = web.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3"},
        headers={"Accept": "application/n-triples"},
    )
    assert graph.status_code == 200
    assert graph.mimetype == "application/n-triples"
    assert proxy_app.extensions["regiograph.sparql"].engine.mode == "proxy"


def test_proxy_passes_the_stores_syntax_error(proxy_app):
    response = proxy_app.test_client().get("/sparql", query_string={"query": "SELECT * {"})
    assert response.status_code == 400
    assert b"error" in response.data.lower()


def test_proxy_checks_service_and_size(proxy_app):
    web = proxy_app.test_client()
    service = web.get(
        "/sparql",
        query_string={"query": "SELECT * { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }"},
    )
    assert service.status_code == 403
    assert b"rule: service-private-address" in service.data
    big = web.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert big.status_code == 500
    assert b"100,000 bytes" in big.data


class _Cancelling(QuietHandler):
    """Answers like Oxigraph when its time limit stops a query: 200, then the note."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        query = parse_qs(self.rfile.read(length).decode())["query"][0]
        if "dataVersion" in query:
            body = json.dumps(
                {
                    "head": {"vars": ["v"]},
                    "results": {
                        "bindings": [{"v": {"type": "literal", "value": "18ea0000000000000-cafe"}}]
                    },
                }
            ).encode()
        else:
            body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":' + CANCELLED
        self.answer(body, {"Content-Type": "application/sparql-results+json"})


def test_a_cancelled_query_is_503_not_a_truncated_200(demo_platform):
    cfg, _ = demo_platform
    with loopback(_Cancelling) as base:
        url = f"{base}/query"
        store = Store(
            Endpoints(query=url, update=url, dialect="oxigraph"),
            meta_graph=cfg.base_iri + "graph/meta",
        )
        app = create_app(cfg.with_overrides(store__query_url=url), store)
        try:
            response = app.test_client().get(
                "/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"}
            )
            assert response.status_code == 503
            assert b"time limit" in response.data
            assert CANCELLED not in response.data
        finally:
            app.extensions.get("regiograph.sparql") and app.extensions[
                "regiograph.sparql"
            ].engine.close()
