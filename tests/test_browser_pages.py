"""Pages in a real browser (Debian's chromium via Playwright): maps and charts are drawn,
the search box suggests, and axe-core finds no serious or critical accessibility problems.
Screenshots are taken on every run (a page that cannot be drawn fails here); they replace
the documentation's docs/screenshots/ only with REGIOGRAPH_SCREENSHOTS=1, so a test run leaves
the working tree as it was."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from livesite import live_server

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    if os.environ.get("REGIOGRAPH_SCREENSHOTS") == "1":
        return ROOT / "docs" / "screenshots"
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def base_url(demo_platform):
    from regiograph.server import create_app

    cfg, store = demo_platform
    # no tiles: the test machine has no internet, and the map must draw without them
    app = create_app(cfg.with_overrides(pages__tile_url=""), store)
    with live_server(app) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.errors = errors
    yield tab
    context.close()


def serious_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install in the repository)")
    # evaluated through the DevTools protocol, so the page's CSP still holds for its own code
    page.evaluate(AXE.read_text(encoding="utf-8") + "; void 0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def csp_errors(page) -> list[str]:
    return [e for e in page.errors if "Content Security Policy" in e]


def test_municipality_map_and_chart_are_drawn(page, base_url, shots):
    page.goto(f"{base_url}/page/municipality/08222000")
    page.wait_for_selector(".map[data-drawn=true]", timeout=10_000)
    assert page.locator(".map .leaflet-interactive").count() >= 1  # the location marker
    assert page.locator("svg.chart polyline").count() >= 1
    assert "310.658" in page.inner_text("main")
    assert csp_errors(page) == []
    page.screenshot(path=str(shots / "municipality.png"), full_page=False)
    assert serious_violations(page) == []


def test_project_partners_map(page, base_url, shots):
    page.goto(f"{base_url}/page/project/smarte-region-rhein-neckar")
    page.wait_for_selector(".map[data-drawn=true]", timeout=10_000)
    assert page.locator(".map .leaflet-interactive").count() >= 2
    assert "Modellprojekt Smart Cities" in page.inner_text("h1")
    page.screenshot(path=str(shots / "project.png"), full_page=False)
    assert serious_violations(page) == []


def test_search_suggests_and_finds_with_a_typo(page, base_url, shots):
    page.goto(f"{base_url}/search")
    page.fill("#q", "Heidelb")
    page.wait_for_selector("#q-list li", timeout=10_000)
    assert "Heidelberg" in page.inner_text("#q-list")
    page.keyboard.press("Escape")
    page.fill("#q", "Manheim")
    page.press("#q", "Enter")
    page.wait_for_selector(".results-list")
    assert page.locator(".results-list a.result-title").first.inner_text() == "Mannheim"
    page.screenshot(path=str(shots / "search.png"), full_page=False)
    assert serious_violations(page) == []


def test_home_map_of_the_region(page, base_url, shots):
    page.goto(base_url + "/")
    page.wait_for_selector(".map[data-drawn=true]", timeout=10_000)
    assert page.locator(".map .leaflet-interactive").count() >= 50  # the municipalities
    assert page.locator(".latest-projects a").count() >= 5
    assert csp_errors(page) == []
    page.screenshot(path=str(shots / "home.png"), full_page=False)
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    "path",
    [
        "/page/programme/modellprojekte-smart-cities",
        "/page/district/08226",
        "/page/dataset/rufbus-haltepunkte-leiningerland",
        "/page/organisation/verband-region-rhein-neckar",
        "/browse",
        "/",
    ],
)
def test_other_page_types_are_accessible(page, base_url, path):
    page.goto(base_url + path)
    assert serious_violations(page) == []
    assert csp_errors(page) == []


def test_phone_layout_has_no_horizontal_scroll(browser, base_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="de-DE")
    tab = context.new_page()
    tab.goto(f"{base_url}/page/municipality/08222000")
    width = tab.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 380
