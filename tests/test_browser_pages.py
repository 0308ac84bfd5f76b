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
    assert page.locator(".map .leaflet-interactive").count() >= 1  # the boundary
    assert page.locator("svg.chart polyline").count() >= 1
    assert "316.877 (31.12.2023)" in page.inner_text("main")  # GV-ISys 31.12.2023
    assert csp_errors(page) == []
    page.screenshot(path=str(shots / "municipality.png"), full_page=False)
    assert serious_violations(page) == []


# Leaflet draws a polygon as an SVG path of straight segments ("M x y L x y … z") and a
# circle marker as arcs ("a r r 0 1 0 …"): the path tells which one the map drew.
AREA_PATHS = """() => [...document.querySelectorAll('.leaflet-overlay-pane svg path')]
  .map(p => p.getAttribute('d') || '').filter(d => d.includes('L') && !d.includes('a'))
  .length"""


def test_municipality_map_draws_its_boundary(page, base_url):
    page.goto(f"{base_url}/page/municipality/08221000")
    page.wait_for_selector(".map[data-drawn=true]", timeout=10_000)
    assert page.evaluate(AREA_PATHS) == 1  # Heidelberg's polygon, no marker
    assert csp_errors(page) == []


def test_district_map_draws_its_members_as_areas(page, base_url):
    page.goto(f"{base_url}/page/district/08226")
    page.wait_for_selector(".map[data-drawn=true]", timeout=10_000)
    members = page.locator("table.members tbody tr").count()
    assert members == 54
    assert page.evaluate(AREA_PATHS) == members + 1  # and the district's own outline
    assert csp_errors(page) == []


PROJECT_WITH_PLACED_PARTNERS = """
PREFIX rg: <https://w3id.org/regiograph/ontology#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?project (COUNT(DISTINCT ?org) AS ?n) WHERE {
  ?project a rg:Project ; rg:lead|rg:participant ?org .
  ?org rg:locatedIn?/geo:hasGeometry ?where .
} GROUP BY ?project HAVING (COUNT(DISTINCT ?org) >= 2) ORDER BY DESC(?n) ?project LIMIT 1
"""


def test_project_partners_map(page, base_url, shots, demo_store):
    (row,) = demo_store.select(PROJECT_WITH_PLACED_PARTNERS)
    page.goto(f"{base_url}/page/project/{row['project'].value.rsplit('/', 1)[1]}")
    page.wait_for_selector(".map[data-drawn=true]", timeout=10_000)
    assert page.locator(".map .leaflet-interactive").count() == int(row["n"].value)
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
