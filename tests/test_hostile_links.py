"""Nothing hostile runs: an IRI becomes a link only when it is an http(s) or mailto URL — in
/sparql's tables (the server's and YASGUI's) and the catalogue as on the pages — and every HTML
page carries a strict Content-Security-Policy, under which the query editor still works
(Debian's chromium via Playwright)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from pyoxigraph import NamedNode, Triple

from conftest import make_config
from livesite import run_query
from regiograph.server import create_app
from test_catalog_harvested import DCAT, dataset, load

HOSTILE = "javascript:alert(document.domain)//"
DATA_URL = "data:text/html;base64,PHNjcmlwdD5hbGVydChkb2N1bWVudC5kb21haW4pPC9zY3JpcHQ+"
SAFE = "https://example.org/fine"
QUERY = (
    f"SELECT ?link ?data ?fine WHERE {{ BIND(<{HOSTILE}> AS ?link) "
    f"BIND(<{DATA_URL}> AS ?data) BIND(<{SAFE}> AS ?fine) }}"
)
HTML_PAGES = [
    "/",
    "/sparql",
    "/sparql?format=html&query=ASK+%7B%7D",
    "/sparql?format=html&query=SELECT+nonsense",
    "/browse",
    "/search?q=Kreis",
    "/queries",
    "/statistics",
    "/catalog",
    "/harvests",
    "/api",
    "/page/does/not/exist",
    "/no-such-route",
]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value or "" for name, value in attrs if name == "href"]


def hrefs(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def hostile(href: str) -> bool:
    """A link target other than a relative URL or an http(s) or mailto one."""
    return urlsplit(href.strip()).scheme.lower() not in {"", "http", "https", "mailto"}


def test_the_sparql_html_table_links_only_http_iris(client):
    response = client.get("/sparql", query_string={"query": QUERY, "format": "html"})
    assert response.status_code == 200
    links = hrefs(response.get_data(as_text=True))
    assert SAFE in links
    assert not [h for h in links if hostile(h)], links
    assert HOSTILE in response.get_data(as_text=True)  # shown, as text


def test_the_catalogue_links_no_data_or_javascript_urls(tmp_path, scratch_store, graph_iri):
    iri = "https://example.org/hostile/dataset"
    triples = dataset(iri)
    triples.append(
        Triple(NamedNode(iri + "/csv"), NamedNode(DCAT.downloadURL), NamedNode(DATA_URL))
    )
    load(scratch_store, graph_iri, triples)
    client = create_app(make_config(tmp_path), scratch_store).test_client()
    listing = client.get("/catalog").get_data(as_text=True)
    detail = client.get("/catalog/dataset", query_string={"iri": iri})  # where there is one
    scratch_store.drop_graph(graph_iri)
    assert [h for h in hrefs(listing) if "hostile" in h], "the dataset is listed, with a link"
    for html in (listing, detail.get_data(as_text=True) if detail.status_code == 200 else ""):
        assert not [h for h in hrefs(html) if hostile(h)]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_every_html_page_has_a_strict_content_security_policy(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html", (path, response.status_code)
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives.get("script-src") == ["'self'"], (path, policy)
    assert directives.get("object-src") == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


_WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _watched_page(browser):
    page = browser.new_page()
    seen = {"console": [], "dialogs": [], "errors": []}
    page.add_init_script(_WATCH)
    page.on("console", lambda m: seen["console"].append(m.text))
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    return page, seen


def _run_in_yasgui(page, query: str, shows: str):
    run_query(page, query)
    page.locator(".yasr table tbody", has_text=shows).wait_for(timeout=15000)


@pytest.mark.browser
def test_yasgui_works_under_the_policy_and_links_no_javascript_iri(browser, live_url):
    page, seen = _watched_page(browser)
    page.goto(f"{live_url}/sparql")
    _run_in_yasgui(page, "SELECT ?s WHERE { ?s a ?c } LIMIT 3", "/id/")
    assert page.locator(".yasr table tbody tr").count() == 3
    _run_in_yasgui(page, QUERY, "example.org/fine")
    table = page.locator(".yasr table tbody")
    assert HOSTILE in table.inner_text()
    links = table.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert SAFE in links
    assert not [h for h in links if h is None or hostile(h)], links
    page.get_by_text(HOSTILE).first.click()
    violations = page.evaluate("window.__violations")
    csp_messages = [m for m in seen["console"] if "Content Security Policy" in m]
    page.close()
    assert not seen["dialogs"] and not seen["errors"], seen
    assert not violations and not csp_messages, (violations, csp_messages)


@pytest.mark.browser
def test_a_javascript_iri_in_the_server_table_runs_nothing(browser, live_url):
    page, seen = _watched_page(browser)
    page.goto(f"{live_url}/sparql?" + urlencode({"format": "html", "query": QUERY}))
    cell = page.locator(".sparql-results td", has_text=HOSTILE)
    cell.wait_for(state="attached")
    cell.evaluate("el => (el.querySelector('a') || el).click()")
    page.wait_for_load_state()
    assert page.evaluate("document.location.protocol") == "http:"
    page.close()
    assert not seen["dialogs"], seen
