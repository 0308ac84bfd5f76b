"""The query editor in a real browser (Debian's chromium via Playwright): YASGUI served by the
platform runs a typed query and shows its rows; without JavaScript the plain form does."""

from __future__ import annotations

import pytest

from livesite import live_server
from regiograph.server import create_app

QUERY = (
    "PREFIX rg: <https://w3id.org/regiograph/ontology#>\n"
    "SELECT ?m WHERE { ?m a rg:Municipality } ORDER BY ?m LIMIT 7"
)


@pytest.fixture(scope="module")
def live_url(demo_platform):
    cfg, store = demo_platform
    app = create_app(cfg, store)
    with live_server(app) as url:
        yield url
    app.extensions.get("regiograph.sparql") and app.extensions["regiograph.sparql"].engine.close()


@pytest.mark.browser
def test_yasgui_runs_a_typed_query_and_shows_rows(browser, live_url):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_url}/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)
    assert page.locator("#sparql-form").is_hidden()  # YASGUI replaces the plain form
    page.click(".yasqe .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(QUERY)
    page.click(".yasqe_queryButton")
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=15000)
    assert rows.count() == 7
    assert "/id/municipality/" in page.locator(".yasr table tbody").inner_text()
    assert not errors, errors
    page.close()


@pytest.mark.browser
def test_counts_per_label_get_a_bar_chart(browser, live_url):
    page = browser.new_page()
    page.goto(f"{live_url}/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)
    page.click(".yasqe .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(
        "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class "
        "ORDER BY DESC(?n) LIMIT 6"
    )
    page.click(".yasqe_queryButton")
    page.locator(".yasr table tbody tr").first.wait_for(timeout=15000)
    page.click(".yasr .select_chart")
    page.wait_for_selector("svg.sparql-chart")
    assert page.locator("svg.sparql-chart rect").count() == 6
    page.close()


@pytest.mark.browser
def test_the_plain_form_works_without_javascript(browser, live_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_url}/sparql")
    page.fill("#sparql-query", QUERY)
    page.click("#sparql-form button[type=submit]")
    page.wait_for_selector(".sparql-results table")
    assert page.locator(".sparql-results tbody tr").count() == 7
    link = page.locator(".sparql-results tbody a").first.get_attribute("href")
    assert "/id/municipality/" in link
    context.close()


@pytest.mark.browser
def test_examples_come_from_the_saved_queries(browser, live_url):
    page = browser.new_page()
    page.goto(f"{live_url}/sparql")
    examples = page.locator(".sparql-examples li a")
    assert examples.count() >= 3
    page.close()
