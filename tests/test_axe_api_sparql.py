"""axe-core on the two pages that run third-party widgets (#17): /api with Swagger UI drawn
and /sparql with YASGUI, at desktop and phone width, in German and English — nothing
serious or critical, and on /api none of the landmark and heading findings Swagger UI's own
<main> and title block caused (static/api.js and api.css)."""

from __future__ import annotations

import pytest

from livesite import AXE

pytestmark = pytest.mark.browser
READY = {"/api": "#swagger-ui[data-ready=true] .opblock", "/sparql": ".yasqe .CodeMirror"}
FIXED_ON_API = {
    "landmark-no-duplicate-main",
    "landmark-main-is-top-level",
    "landmark-unique",
    "heading-order",
}


def findings(page) -> list[dict]:
    page.evaluate(AXE.read_text(encoding="utf-8") + "; void 0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", ["/api", "/sparql"])
def test_no_serious_finding_with_the_widget_drawn(browser, live_url, path, lang, width):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install in the repository)")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_url}{path}?lang={lang}")
    page.wait_for_selector(READY[path], timeout=60000)
    page.wait_for_load_state("networkidle")
    found = findings(page)
    context.close()
    serious = [v["id"] for v in found if v["impact"] in {"serious", "critical"}]
    assert serious == []
    assert {v["id"] for v in found} & FIXED_ON_API == set()
