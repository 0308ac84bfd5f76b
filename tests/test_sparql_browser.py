"""The query editor in a real browser (Debian's chromium via Playwright): YASGUI served by the
platform runs a typed query and shows its rows; without JavaScript the plain form does."""

from __future__ import annotations

import pytest

from livesite import AXE, run_query, serious_violations, type_query

QUERY = (
    "PREFIX rg: <https://w3id.org/regiograph/ontology#>\n"
    "SELECT ?m WHERE { ?m a rg:Municipality } ORDER BY ?m LIMIT 7"
)


@pytest.mark.browser
def test_yasgui_runs_a_typed_query_and_shows_rows(browser, live_url):
    errors = []
    page = _editor(browser, live_url, errors)
    assert page.locator("#sparql-form").is_hidden()  # YASGUI replaces the plain form
    run_query(page, QUERY)
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=15000)
    assert rows.count() == 7
    assert "/id/municipality/" in page.locator(".yasr table tbody").inner_text()
    assert not errors, errors
    page.close()


def _editor(browser, live_url: str, errors: list[str] | None = None):
    """A new tab with the query editor loaded; its script errors go to ``errors``."""
    page = browser.new_page()
    if errors is not None:
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_url}/sparql")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)
    return page


def _drawn(browser, live_url: str, query: str, view: str, errors: list[str] | None = None):
    """A new editor tab that has run ``query`` and drawn its result as ``view`` (a selector)."""
    page = _editor(browser, live_url, errors)
    run_query(page, query)
    page.wait_for_selector(view, timeout=15000)
    return page


@pytest.mark.browser
def test_counts_per_label_get_a_bar_chart_and_the_reader_can_switch(browser, live_url):
    counts = (
        "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class "
        "ORDER BY DESC(?n) LIMIT 6"
    )
    page = _drawn(browser, live_url, counts, "svg.sparql-chart")  # chosen without a click
    assert page.locator("svg.sparql-chart rect").count() == 6
    page.click(".yasr .select_table")
    page.locator(".yasr table tbody tr").first.wait_for(timeout=15000)
    assert page.locator(".yasr table tbody tr").count() == 6
    page.close()


@pytest.mark.browser
def test_a_series_over_years_draws_a_line_per_series(browser, live_url):
    series = (
        'SELECT ?city ?year ?value WHERE { VALUES (?city ?year ?value) { ("A" 2015 1) '
        '("A" 2016 3) ("A" 2017 4) ("B" 2015 2) ("B" 2016 1) ("B" 2017 2) } }'
    )
    page = _drawn(browser, live_url, series, "svg.sparql-line path")
    paths = page.locator("svg.sparql-line path")
    assert paths.count() == 2
    assert [t.strip() for t in paths.locator("title").all_text_contents()] == ["A", "B"]
    assert paths.first.get_attribute("d").count("L") == 2  # three years: one move, two lines
    page.close()


@pytest.mark.browser
def test_wkt_boundaries_are_shown_on_a_map(browser, live_url):
    errors = []
    boundaries = (
        "SELECT ?district ?name ?wkt WHERE { ?district a rg:District ; rdfs:label ?name ; "
        'geo:hasGeometry/geo:asWKT ?wkt FILTER(LANG(?name) = "de") } LIMIT 4'
    )
    page = _drawn(browser, live_url, boundaries, ".sparql-map[data-drawn=true]", errors)
    assert page.locator(".sparql-map path.leaflet-interactive").count() == 4
    assert not errors, errors
    page.close()


SNIPPET_QUERY = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


@pytest.mark.browser
def test_snippets_hold_the_current_query_and_this_hosts_endpoint(browser, live_url):
    page = _editor(browser, live_url)
    run_query(page, SNIPPET_QUERY)
    page.click("#snippets-heading")
    code = {
        key: page.locator(f"code[data-snippet={key}]").inner_text()
        for key in ("curl", "sparqlwrapper", "requests", "r")
    }
    assert f"--data-urlencode 'query={SNIPPET_QUERY}'" in code["curl"]
    assert f'SPARQLWrapper("{live_url}/sparql")' in code["sparqlwrapper"]
    assert f'"""{SNIPPET_QUERY}"""' in code["sparqlwrapper"]
    assert f'query = """{SNIPPET_QUERY}"""' in code["requests"]
    assert f'query <- r"-({SNIPPET_QUERY})-"' in code["r"]
    assert all(f"{live_url}/sparql" in text for text in code.values())
    page.close()


@pytest.mark.browser
def test_the_example_filter_narrows_the_list(browser, live_url):
    page = _editor(browser, live_url)
    items = page.locator("#example-list li")
    total = items.count()
    first = items.first.inner_text().strip()
    page.fill("#example-filter", first)
    visible = page.locator("#example-list li:visible")
    assert 1 <= visible.count() < total
    assert first in visible.all_inner_texts()[0]
    page.fill("#example-filter", "no example says this zzqx")
    assert page.locator("#example-list li:visible").count() == 0
    assert page.locator("#example-count").inner_text().startswith("0")
    page.close()


@pytest.mark.browser
def test_predefined_prefixes_are_listed_and_completed(browser, live_url):
    page = _editor(browser, live_url)
    listed = page.locator(".sparql-prefixes th code").all_text_contents()
    assert "rdfs:" in listed and "rg:" in listed
    type_query(page, "PREFIX rg")
    page.locator(".CodeMirror-hints li").first.wait_for(timeout=15000)
    hints = page.locator(".CodeMirror-hints").inner_text()
    assert "rg: <https://w3id.org/regiograph/ontology#>" in hints
    page.close()


@pytest.mark.browser
def test_a_share_link_restores_and_runs_the_query(browser, live_url):
    page = browser.new_page()
    page.goto(
        f"{live_url}/sparql#query="
        "SELECT%20%3Fx%20WHERE%20%7B%20VALUES%20%3Fx%20%7B%20%22a%22%20%22b%22%20%7D%20%7D"
    )
    page.locator(".yasr table tbody tr").first.wait_for(timeout=15000)
    assert page.locator(".yasr table tbody tr").count() == 2
    assert 'VALUES ?x { "a" "b" }' in page.locator(".yasqe .CodeMirror").inner_text()
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


@pytest.mark.browser
@pytest.mark.parametrize(
    ("query", "drawn"),
    [
        (
            "SELECT ?district ?name ?wkt WHERE { ?district a rg:District ; rdfs:label ?name ; "
            'geo:hasGeometry/geo:asWKT ?wkt FILTER(LANG(?name) = "de") } LIMIT 4',
            ".sparql-map[data-drawn=true]",
        ),
        (
            'SELECT ?city ?year ?value WHERE { VALUES (?city ?year ?value) { ("A" 2015 1) '
            '("A" 2016 3) ("B" 2015 2) ("B" 2016 1) } }',
            "svg.sparql-line path",
        ),
    ],
)
def test_result_views_and_snippets_fit_a_phone_and_pass_axe(browser, live_url, query, drawn):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install in the repository)")
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(f"{live_url}/sparql")
    run_query(page, query)
    page.wait_for_selector(drawn, timeout=15000)
    page.click("#snippets-heading")
    page.click(".sparql-prefixes summary")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    serious = [
        f"{v['id']}: {[node['html'][:120] for node in v['nodes']]}"
        for v in serious_violations(page)
    ]
    assert serious == []
    context.close()
