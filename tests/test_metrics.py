"""/metrics, request ids and structured logs, through the app from its factory."""

from __future__ import annotations

import io
import json
import logging
import re
import time

import pytest

from conftest import make_config, store_answers
from regiograph.ops import logging as logs
from regiograph.ops import metrics
from regiograph.runtime import open_store
from regiograph.server import create_app


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample in the exposition text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    match = re.search("^" + pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


METRICS_TOKEN = "scrape-token"


@pytest.fixture(scope="module")
def client(demo_platform):
    """The demo app with a metrics token: /metrics answers only the operator."""
    cfg, store = demo_platform
    app = create_app(cfg.with_overrides(server__metrics_token=METRICS_TOKEN), store)
    app.testing = True
    yield app.test_client()
    app.extensions["regiograph.sparql"].engine.close()


def scrape(client) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_requests_by_route_and_status_with_latency(client):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    client.get("/no/such/page")
    after = scrape(client)
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    assert (
        sample(after, "regiograph_http_requests_total", **labels)
        - sample(before, "regiograph_http_requests_total", **labels)
        == 3
    )
    assert (
        sample(
            after, "regiograph_http_requests_total", method="GET", route="(unmatched)", status="404"
        )
        >= 1
    )
    assert sample(after, "regiograph_http_request_duration_seconds_count", route="/healthz") >= 3
    assert 'regiograph_http_request_duration_seconds_bucket{le="0.005",route="/healthz"}' in after


def test_triples_per_graph_and_store_up(client, demo_store):
    text = scrape(client)
    for graph, count in demo_store.graphs().items():
        assert sample(text, "regiograph_graph_triples", graph=graph) == count
    assert sample(text, "regiograph_store_up") == 1


def test_query_and_harvest_outcomes(client):
    before = scrape(client)
    metrics.record_query("timeout")
    metrics.record_query("too_large")
    metrics.record_harvest("stats", "failed")
    after = scrape(client)
    assert (
        sample(after, "regiograph_sparql_queries_total", outcome="timeout")
        - sample(before, "regiograph_sparql_queries_total", outcome="timeout")
        == 1
    )
    assert sample(after, "regiograph_sparql_queries_total", outcome="too_large") >= 1
    assert sample(after, "regiograph_harvest_runs_total", outcome="failed", source="stats") >= 1
    with pytest.raises(ValueError, match="unknown query outcome"):
        metrics.record_query("fine")


def test_request_id_in_header_error_bodies_and_pages(client):
    given = client.get("/healthz", headers={"X-Request-Id": "proxy-abc.123"})
    assert given.headers["X-Request-Id"] == "proxy-abc.123"
    hostile = client.get("/healthz", headers={"X-Request-Id": "<script>" + "x" * 100})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["X-Request-Id"])
    api_error = client.get("/api/no-such-thing")
    assert api_error.status_code == 404
    assert api_error.get_json()["request_id"] == api_error.headers["X-Request-Id"]
    page = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["X-Request-Id"] in page.get_data(as_text=True)


def test_json_logs_carry_the_request_id(client):
    stream = io.StringIO()
    handler = logs.configure(make_config(".").with_overrides(log__json=True), stream=stream)
    try:
        response = client.get("/healthz", headers={"X-Request-Id": "trace-42"})
    finally:
        logging.getLogger().removeHandler(handler)
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [r for r in records if r["logger"] == "regiograph.access"]
    assert access and access[-1]["request_id"] == "trace-42" == response.headers["X-Request-Id"]
    assert access[-1]["status"] == 200 and access[-1]["route"] == "/healthz"


def test_store_restarts_are_counted(tmp_path):
    with open_store(make_config(tmp_path)) as (cfg, store):
        app = create_app(cfg.with_overrides(server__metrics_token=METRICS_TOKEN), store)
        client = app.test_client()
        before = sample(scrape(client), "regiograph_store_restarts_total")
        store.server._process.kill()
        deadline = time.monotonic() + 60
        while store.server.restarts < 1 or not store_answers(store):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert sample(scrape(client), "regiograph_store_restarts_total") - before == 1


def test_sparql_endpoint_counts_its_queries_by_outcome(client):
    def count(text, outcome):
        return sample(text, "regiograph_sparql_queries_total", outcome=outcome)

    before = scrape(client)
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).status_code == 200
    refused = client.get(
        "/sparql",
        query_string={
            "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
        },
    )
    assert refused.status_code == 403
    bad = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o "})
    assert bad.status_code == 400
    after = scrape(client)
    assert count(after, "ok") - count(before, "ok") == 1
    assert count(after, "refused") - count(before, "refused") == 1
    assert count(after, "error") - count(before, "error") == 1


def test_metrics_answer_the_operator_only(client, demo_platform):
    anonymous = client.get("/metrics")
    assert anonymous.status_code == 401 and "Bearer" in anonymous.headers["WWW-Authenticate"]
    assert b"regiograph_" not in anonymous.data
    wrong = client.get("/metrics", headers={"Authorization": "Bearer guessed"})
    assert wrong.status_code == 403 and b"regiograph_" not in wrong.data
    cfg, store = demo_platform
    by_write_token = create_app(cfg.with_overrides(server__write_token="w"), store).test_client()
    assert by_write_token.get("/metrics", headers={"Authorization": "Bearer w"}).status_code == 200
    assert by_write_token.get("/metrics").status_code == 401
    unconfigured = create_app(cfg, store).test_client().get("/metrics")
    assert unconfigured.status_code == 403 and b"regiograph_" not in unconfigured.data
