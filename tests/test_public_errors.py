"""Public messages name nothing internal: a store that is down is said to be down without its
address (pages, /healthz, /sparql); a SERVICE that redirects or answers with an error body is
not echoed; the operator finds the details in the log. Error pages are never cached, a query
stopped at the time limit says when to come back, and a page key no IRI may hold is a 404."""

from __future__ import annotations

import logging

import pytest

from conftest import make_config
from httpfixtures import QuietHandler, loopback
from regiograph.server import create_app
from regiograph.store import Store
from regiograph.store.supervisor import free_port

SECRET_HOST = "10.20.30.40"
BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture
def down(tmp_path):
    """An app whose store listens nowhere, and the port it names."""
    port = free_port()
    cfg = make_config(tmp_path, store__query_url=f"http://127.0.0.1:{port}/query")
    return create_app(cfg, Store.from_config(cfg)).test_client(), str(port)


@pytest.mark.parametrize(
    "path, accept",
    [
        ("/", "text/html"),
        ("/page/some/thing", "text/html"),
        ("/healthz", "application/json"),
        ("/sparql?query=ASK+%7B%7D", "*/*"),
        ("/sparql?query=ASK+%7B%7D&format=html", "text/html"),
        ("/sparql?query=ASK+%7B%7D", "application/json"),
        ("/.well-known/void", "text/turtle"),
    ],
)
def test_a_store_that_is_down_is_not_named(down, caplog, path, accept):
    client, port = down
    with caplog.at_level(logging.WARNING):
        response = client.get(path, headers={"Accept": accept})
    body = response.get_data(as_text=True)
    assert response.status_code in {502, 503}, (path, response.status_code)
    assert "not reachable" in body
    assert port not in body and "127.0.0.1" not in body, body
    assert port in caplog.text, "the operator sees where the store was looked for"


def test_html_error_pages_are_never_stored(down, client, scratch_platform):
    store_down, _ = down
    assert store_down.get("/", headers={"Accept": "text/html"}).headers["Cache-Control"] == (
        "no-store"
    )
    for path in ("/page/no/such/thing", "/no-such-route"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404 and response.headers["Cache-Control"] == "no-store"
    app = create_app(*scratch_platform)
    app.add_url_rule("/fails", "fails", lambda: 1 / 0)
    failed = app.test_client().get("/fails", headers={"Accept": "text/html"})
    assert failed.status_code == 500 and failed.mimetype == "text/html"
    assert failed.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("key", ['a"b', "a>b", "a b", "a%00b", "a%0Ab", "a\\b", "a%5Cb"])
@pytest.mark.parametrize("route", ["/page/test/{}", "/data/test/{}.ttl", "/id/test/{}"])
def test_a_key_no_iri_may_hold_is_400_or_404(client, route, key):
    response = client.get(route.format(key), headers={"Accept": "text/html"})
    assert response.status_code in {400, 404}, response.status_code


class _Redirecting(QuietHandler):
    """A SERVICE that sends every query on to a host inside the network, and says so."""

    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()

    def _answer(self):
        target = f"http://{SECRET_HOST}:9999/internal/admin"
        body = f"Redirecting to {target} (root:x:0:0:root:/root:/bin/bash)".encode()
        self.answer(body, {"Location": target}, status=307)


@pytest.fixture(scope="module")
def redirecting():
    with loopback(_Redirecting) as base:
        yield f"{base}/sparql"


@pytest.mark.parametrize("fmt", ["", "html"])
def test_a_service_redirect_does_not_echo_its_target(scratch_platform, redirecting, caplog, fmt):
    cfg, store = scratch_platform
    app = create_app(cfg.with_overrides(sparql__service_allow=redirecting), store)
    query = f"SELECT * WHERE {{ SERVICE <{redirecting}> {{ ?s ?p ?o }} }}"
    with caplog.at_level(logging.WARNING):
        response = app.test_client().get("/sparql", query_string={"query": query, "format": fmt})
    app.extensions["regiograph.sparql"].engine.close()
    body = response.get_data(as_text=True)
    assert response.status_code >= 400
    assert SECRET_HOST not in body and "root:" not in body, body
    assert redirecting in body, "the client's own SERVICE address may be named"
    assert SECRET_HOST in caplog.text


@pytest.fixture(scope="module")
def slow_app(demo_platform):
    cfg, store = demo_platform
    app = create_app(cfg.with_overrides(sparql__timeout_s=1.0), store)
    yield app
    app.extensions["regiograph.sparql"].engine.close()


@pytest.mark.parametrize("fmt", ["", "html"])
def test_a_query_stopped_at_the_time_limit_says_when_to_retry(slow_app, fmt):
    response = slow_app.test_client().get("/sparql", query_string={"query": BOMB, "format": fmt})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"
