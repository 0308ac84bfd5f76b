"""A real browser on query pages: change a parameter, see the chart change; a map drawn."""

from __future__ import annotations

import pytest

from livesite import live_server


@pytest.fixture
def live_url(app):
    with live_server(app) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_changing_a_parameter_changes_the_chart(page, live_url):
    page.goto(f"{live_url}/queries/stats-population-development")
    chart = page.locator("svg#chart")
    before = chart.inner_html()
    legend_before = page.locator("ul.legend").inner_text()
    # Rhein-Neckar-Kreis, the default district: its largest town is drawn (8 of 54 series)
    assert legend_before.splitlines()[0] == "Weinheim"
    page.select_option("#p-district", label="Landkreis Bergstraße")
    page.click("form#parameters button[type=submit]")
    page.wait_for_url("**district=*")
    after = page.locator("svg#chart").inner_html()
    assert after != before
    assert "Bensheim" in page.locator("ul.legend").inner_text()
    # Landkreis Bergstraße: 22 municipalities x 7 Stichtage 2009-2023 (GV-ISys)
    assert page.locator("table#results tbody tr").count() == 22 * 7


@pytest.mark.browser
def test_a_map_query_draws_its_places(page, live_url):
    page.goto(f"{live_url}/queries/competency-places-map")
    page.wait_for_selector(".map[data-drawn=true]", timeout=10_000)
    assert page.locator(".map .leaflet-interactive").count() == 10
    page.select_option(
        "#p-placeType", value="https://w3id.org/regiograph/concepts/place-type/coworking-space"
    )
    page.click("form#parameters button[type=submit]")
    page.wait_for_url("**placeType=*")
    page.wait_for_selector(".map[data-drawn=true]", timeout=10_000)
    assert 0 < page.locator(".map .leaflet-interactive").count() < 10
