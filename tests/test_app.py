"""The web app's skeleton: health check, home page, one place mapping errors to HTTP."""

from __future__ import annotations

from conftest import make_config
from regiograph.server import create_app
from regiograph.store import Store
from regiograph.store.supervisor import free_port


def test_healthz_reports_the_demo_triples(client, demo_store):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["store"] == "reachable"
    assert body["triples"] == demo_store.triple_count() > 1000
    assert body["data_version"] == demo_store.data_version()


def test_home_page_lists_graphs(client):
    page = client.get("/").get_data(as_text=True)
    assert "http://localhost:8080/graph/demo" in page
    assert "Datenbestand" in page


def test_unreachable_store_is_503_with_retry_after(tmp_path):
    cfg = make_config(tmp_path, store__query_url=f"http://127.0.0.1:{free_port()}/query")
    client = create_app(cfg, Store.from_config(cfg)).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"]
    assert health.get_json()["store"] == "unreachable"
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert "text/html" in page.content_type
    assert "is not reachable" in page.get_data(as_text=True)


def test_unknown_path_is_an_html_404_for_browsers_and_json_for_apis(client):
    page = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "text/html" in page.content_type
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.get_json()["status"] == 404
