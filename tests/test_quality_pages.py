"""The quality scores on the pages (issue 16 item 5): a harvested dataset's page shows ITS five
dimensions and whole, /harvests each source's, in German and English.

Two real catalogues of ../shared/data (GovData's ckanext-dcatde example and Destatis' export)
are harvested over loopback with the default policy into a platform of this module's own.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

import httpfixtures
from conftest import make_config
from httpfixtures import Reply
from regiograph import config as configuration
from regiograph.loader import pipeline, quality
from regiograph.resources import values
from regiograph.runtime import open_store
from regiograph.server import create_app

DASHBOARD = "dcat-ap-de-shacl/testcases/dashboard"
RDFXML = "application/rdf+xml"
CATALOGUES = {
    "govdata": "ckanext-dcatde/examples/catalog-endpoint.rdf",
    "destatis": f"{DASHBOARD}/destatis-catalog-original-input.rdf",
}
NAMES = {
    "de": {"findability": "Auffindbarkeit", "qualityScore": "Insgesamt"},
    "en": {"findability": "Findability", "qualityScore": "Whole"},
}
KEYS = (*quality.DIMENSIONS, quality.TOTAL)

_server = pytest.fixture(name="http_server", scope="module")(httpfixtures.serving)


@pytest.fixture(scope="module")
def platform(tmp_path_factory, http_server, shared_data):
    """(app, {source id: run}) after harvesting the two catalogues."""
    tables = []
    for source_id, name in CATALOGUES.items():
        url = http_server.route(f"/{source_id}.rdf", Reply.file(shared_data / name, RDFXML))
        tables.append({"id": source_id, "kind": "dcat", "location": url, "allow_private": True})
    defaults = make_config(tmp_path_factory.mktemp("quality-pages"))
    cfg = configuration.Config(
        {s.name: defaults[s.name] for s in configuration.SETTINGS}, {"sources": tables}, "test"
    )
    with open_store(cfg) as (cfg, store):
        runs = {run.source.id: run for run in pipeline.harvest_all(cfg, store)}
        assert {r.outcome for r in runs.values()} == {"published"}, runs
        app = create_app(cfg, store)
        app.testing = True
        yield app, runs


def shown(page: str) -> dict[str, tuple[str, str, str]]:
    """{metric: (name, meter value, per cent as written)} of the page's one quality block."""
    rows = re.findall(
        r'data-metric="(\w+)"><dt>([^<]*)</dt><dd><meter[^>]*value="([\d.]+)"[^>]*></meter> '
        r'<span class="percent">([^<]*) %</span>',
        page,
    )
    return {metric: (name, meter, written) for metric, name, meter, written in rows}


def expected(share: float, lang: str) -> tuple[str, str]:
    return f"{share:.1f}", values.format_number(round(share, 1), lang)


def two_datasets(runs) -> list[tuple[str, dict[str, float]]]:
    """A published dataset of each source whose scores differ (the answer must be ITS own)."""
    chosen = []
    for run in runs.values():
        accepted = {v.dataset for v in run.datasets.accepted}
        dataset = next(d for d in run.quality.datasets if d in accepted)
        chosen.append((dataset.value, run.quality.datasets[dataset].percent()))
    assert chosen[0][1] != chosen[1][1], "two datasets with different scores"
    return chosen


@pytest.mark.shared
@pytest.mark.parametrize("lang", ["de", "en"])
def test_each_dataset_page_shows_its_own_scores(platform, lang):
    app, runs = platform
    client = app.test_client()
    answers = []
    for iri, scores in two_datasets(runs):
        response = client.get(f"/catalog/dataset?iri={quote(iri, safe='')}&lang={lang}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        block = shown(page)
        assert set(block) == set(KEYS), iri
        for key in KEYS:
            _, meter, written = block[key]
            assert (meter, written) == expected(scores[key], lang), (iri, key)
        assert block["findability"][0] == NAMES[lang]["findability"]
        assert block["qualityScore"][0] == NAMES[lang]["qualityScore"]
        answers.append(tuple(block[k][1] for k in KEYS))
    assert answers[0] != answers[1], "two datasets, two answers"


@pytest.mark.shared
@pytest.mark.parametrize("lang", ["de", "en"])
def test_harvests_shows_each_sources_scores(platform, lang):
    app, runs = platform
    page = app.test_client().get(f"/harvests?lang={lang}").get_data(as_text=True)
    heading = {"de": "Qualität der Metadaten je Quelle", "en": "Metadata quality per source"}
    assert heading[lang] in page
    answers = []
    for source_id, run in runs.items():
        start = page.index(f'id="quality-{source_id}"')
        block = shown(page[start : page.index("</section>", start)])
        scores = run.quality.source()
        for key in KEYS:
            assert block[key][1:] == expected(scores[key], lang), (source_id, key)
        assert block["findability"][0] == NAMES[lang]["findability"]
        answers.append(tuple(block[k][1] for k in KEYS))
    assert answers[0] != answers[1], "two sources, two answers"


@pytest.mark.shared
def test_the_scores_fit_a_375_pixel_screen(platform, browser):
    """In Chromium at 375 px: every score block, its names, meters and per cents lie within
    the screen (no horizontal scrolling for them), on a dataset page and on /harvests."""
    from livesite import live_server

    app, runs = platform
    (iri, _), _ = two_datasets(runs)
    tab = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        with live_server(app) as base:
            for path in (f"/catalog/dataset?iri={quote(iri, safe='')}&lang=de", "/harvests"):
                tab.goto(base + path)
                rights = tab.eval_on_selector_all(
                    ".quality-scores, .quality-scores dt, .quality-scores meter, "
                    ".quality-scores .percent",
                    "nodes => nodes.map(n => n.getBoundingClientRect().right)",
                )
                assert rights, path
                assert max(rights) <= 375, (path, max(rights))
    finally:
        tab.close()
