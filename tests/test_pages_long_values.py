"""Hostile values on resource pages: long ones are cut with the whole value a click away,
bidirectional controls cannot reverse the text around them (issue 18)."""

from __future__ import annotations

import pytest

from conftest import BASE_IRI, make_config
from regiograph.runtime import open_store
from regiograph.server import create_app

RLO, PDF, FSI, PDI = "\u202e", "\u202c", "\u2068", "\u2069"
LONG_IRI = "https://example.org/" + "x" * 100_000
LONG_LABEL = "L" * 50_000
TURTLE = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rg: <https://w3id.org/regiograph/ontology#> .
<{BASE_IRI}id/organisation/long> a rg:Organisation ;
    rdfs:label "Long" ; rdfs:seeAlso <{LONG_IRI}> ; rdfs:comment "{LONG_LABEL}" .
<{BASE_IRI}id/organisation/bidi> a rg:Organisation ;
    rdfs:label "Stadt{RLO}gnp.exe" ; rdfs:comment "note {PDI}{RLO}reversed" .
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with open_store(make_config(tmp_path_factory.mktemp("long-values"))) as (cfg, store):
        store.replace_graph(BASE_IRI + "graph/hostile", TURTLE.encode(), "text/turtle")
        app = create_app(cfg, store)
        app.testing = True
        yield app.test_client()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_long_values_are_cut_and_the_whole_value_is_one_click_away(client, lang):
    response = client.get("/page/organisation/long", headers={"Accept-Language": lang})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(html) < 60_000, len(html)  # was 304 KB with both values in full
    assert LONG_IRI not in html and LONG_LABEL not in html
    assert 'class="more" href="/data/organisation/long.ttl"' in html
    whole = client.get("/data/organisation/long.ttl").get_data(as_text=True)
    assert LONG_IRI in whole and LONG_LABEL in whole


def test_bidi_overrides_are_isolated_in_title_heading_and_values(client):
    html = client.get("/page/organisation/bidi").get_data(as_text=True)
    isolated = f"{FSI}Stadt{RLO}gnp.exe{PDI}"
    assert f"<title>{isolated} \u2013" in html
    assert f">{isolated}</h1>" in html
    assert f"{FSI}note {RLO}reversed{PDI}" in html  # its own PDI dropped: ours closes it
    for chunk in html.split(RLO)[1:]:  # every override is closed before the markup goes on
        assert PDI in chunk.split("<", 1)[0], chunk[:80]
