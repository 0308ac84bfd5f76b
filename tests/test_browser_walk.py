"""Every page type in a real browser (Debian's chromium via Playwright), in German and
English, at phone width: no sideways scrolling, no serious or critical axe-core finding,
and no interface string of the other language.

The other language's strings are the message catalogue's: on a German page no English
message id may stand as a text of its own, on an English page no German translation. Texts
of the data (marked with their own ``lang``) are not interface and are left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo

from livesite import AXE, live_app, serious_violations

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "src/regiograph/server/translations/de/LC_MESSAGES/messages.mo"
PHONE = {"width": 375, "height": 740}

# One path per page type; the demo's resources, or pages that exist whatever it holds.
PAGES = [
    "/",
    "/browse",
    "/browse?class=https://w3id.org/regiograph/ontology%23Municipality",
    "/search?q=mann",
    "/page/municipality/08222000",
    "/page/district/08226",
    "/page/state/08",
    "/page/project/smarte-region-rhein-neckar",
    "/page/programme/modellprojekte-smart-cities",
    "/page/organisation/verband-region-rhein-neckar",
    "/page/municipality/no-such-key",
    "/queries",
    "/queries/funding-per-district",
    "/queries/stats-population-development",
    "/statistics",
    "/catalog",
    "/catalog?q=rufbus&sort=title",
    "/catalog?format=CSV&sort=modified&theme=TRAN",
    "/catalog/dataset?iri=http://localhost:8080/id/cube/pendler-kreise",
    "/catalog/dataset?iri=http://localhost:8080/id/dataset/rufbus-haltepunkte-leiningerland",
    "/api",
    "/sparql",
    "/sparql?query=SELECT+%3Fs+%3Fp+%3Fo+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D+LIMIT+3",
    "/harvests",
    "/page/dataset/rufbus-haltepunkte-leiningerland",  # invented: the illustrative banner
    "/legal/imprint",  # a legal notice the operator has not provided yet
]

# every UI text node, and the names screen readers and placeholders give, outside data
TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    const skip = 'script, style, code, pre, [lang]:not(html), #yasgui';
    if (!element || element.closest(skip)) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder]')) {
    if (el.closest('[lang]:not(html), #yasgui')) continue;
    for (const name of ['aria-label', 'placeholder']) {
      if (el.getAttribute(name)) out.push(el.getAttribute(name).trim());
    }
  }
  return out;
}"""


def _foreign() -> dict[str, set[str]]:
    """Per page language, the catalogue's strings that belong to the other language."""
    with open(CATALOGUE, "rb") as mo:
        catalogue = read_mo(mo)
    english, german = set(), set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, list | tuple) else (message.id,)
        strings = message.string if isinstance(message.string, list | tuple) else (message.string,)
        for source, translated in zip(ids, strings, strict=False):
            if not source or "%(" in source or source.casefold() == translated.casefold():
                continue
            english.add(source)
            german.add(translated)
    return {"de": english, "en": german}


FOREIGN = _foreign()


@pytest.fixture(scope="module")
def base_url(demo_platform):
    cfg, store = demo_platform
    with live_app(cfg.with_overrides(pages__tile_url=""), store) as url:  # no internet here
        yield url


@pytest.fixture(scope="module")
def phone(browser):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install in the repository)")
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_page_at_phone_width_in_one_language_and_accessible(phone, base_url, path, lang):
    url = f"{base_url}{path}{'&' if '?' in path else '?'}lang={lang}"
    response = phone.goto(url, timeout=120_000)
    assert response.status in {200, 404}, (url, response.status)
    phone.wait_for_load_state("load")
    assert phone.evaluate("document.documentElement.lang") == lang
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide at {PHONE['width']} px"
    foreign = sorted({t for t in phone.evaluate(TEXTS) if t in FOREIGN[lang]})
    assert foreign == [], f"{path} in {lang} shows {foreign}"
    serious = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in serious_violations(phone)
    ]
    assert serious == [], path


def test_header_menu_folds_on_a_phone_and_opens(phone, base_url):
    phone.goto(base_url + "/?lang=en")
    assert phone.locator("header.site nav").is_hidden()
    height = phone.evaluate("document.querySelector('header.site').offsetHeight")
    assert height <= 80, height
    phone.click("header.site .menu-toggle")
    assert phone.locator("header.site nav").is_visible()
    assert phone.get_attribute("header.site .menu-toggle", "aria-expanded") == "true"


def test_sparql_share_link_restores_the_query_and_a_page_link_runs_once(browser, base_url):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    posts: list[str] = []
    tab.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    shared = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    tab.goto(
        f"{base_url}/sparql#query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%201"
    )
    tab.wait_for_selector(".CodeMirror")
    assert tab.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()") == shared
    tab.wait_for_function("document.querySelectorAll('.yasr .dataTable tbody tr').length > 0")
    posts.clear()
    tab.goto(
        f"{base_url}/sparql?query=SELECT+%3Fs+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D+LIMIT+2&format=html"
    )
    tab.wait_for_selector(".CodeMirror")
    tab.wait_for_load_state("networkidle")
    assert posts == []  # the server answered; the editor does not ask again
    assert tab.locator(".sparql-results table tbody tr").count() == 2
    context.close()


def test_print_and_dark_styles(browser, base_url):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, color_scheme="dark")
    tab = context.new_page()
    tab.goto(base_url + "/page/municipality/08222000?lang=de")
    background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"
    tab.evaluate(AXE.read_text(encoding="utf-8") + "; void 0")
    contrast = [
        v
        for v in tab.evaluate("async () => await axe.run(document)")["violations"]
        if v["id"] == "color-contrast"
    ]
    assert contrast == []
    tab.emulate_media(media="print")
    assert tab.locator("header.site nav").is_hidden()
    assert tab.locator(".map").count() == 0 or tab.locator(".map").first.is_hidden()
    context.close()
