"""A real browser on a query page: change a parameter, see the chart change."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


@pytest.mark.browser
def test_changing_a_parameter_changes_the_chart(page, live_url):
    page.goto(f"{live_url}/queries/stats-population-development")
    chart = page.locator("svg#chart")
    before = chart.inner_html()
    legend_before = page.locator("ul.legend").inner_text()
    assert "Dielheim" in legend_before  # Rhein-Neckar-Kreis, the default district
    page.select_option("#p-district", label="Landkreis Bergstraße")
    page.click("form#parameters button[type=submit]")
    page.wait_for_url("**district=*")
    after = page.locator("svg#chart").inner_html()
    assert after != before
    assert "Bensheim" in page.locator("ul.legend").inner_text()
    assert page.locator("table#results tbody tr").count() == 12 * 10
