"""Dereferencing and content negotiation (W3C Cool URIs), request by request."""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat, parse

from regiograph.server import create_app

KEY = "municipality/08222000"
IRI = f"http://localhost:8080/id/{KEY}"
WIKIDATA = "http://www.wikidata.org/entity/Q2119"  # only linked to, no statements of its own
THEME = "https://w3id.org/regiograph/concepts/theme/mobility"  # outside the base, described


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        (None, f"/page/{KEY}"),
        ("text/html", f"/page/{KEY}"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", f"/page/{KEY}"),
        ("*/*", f"/page/{KEY}"),
        ("text/turtle", f"/data/{KEY}.ttl"),
        ("application/ld+json", f"/data/{KEY}.jsonld"),
        ("application/n-triples", f"/data/{KEY}.nt"),
        ("application/rdf+xml", f"/data/{KEY}.rdf"),
        ("text/turtle;q=0.9, text/html;q=0.5", f"/data/{KEY}.ttl"),
        ("text/html;q=0.9, text/turtle;q=0.5", f"/page/{KEY}"),
        ("image/png", f"/page/{KEY}"),  # nothing acceptable: the human page
    ],
)
def test_id_redirects_by_accept(client, accept, location):
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/id/{KEY}", headers=headers)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(location)
    assert "Accept" in response.headers["Vary"]
    assert 'rel="alternate"; type="text/turtle"' in response.headers["Link"]


@pytest.mark.parametrize(
    ("path", "accept", "media_type", "fmt"),
    [
        (f"/data/{KEY}.ttl", None, "text/turtle", RdfFormat.TURTLE),
        (f"/data/{KEY}.jsonld", None, "application/ld+json", RdfFormat.JSON_LD),
        (f"/data/{KEY}.nt", None, "application/n-triples", RdfFormat.N_TRIPLES),
        (f"/data/{KEY}.rdf", None, "application/rdf+xml", RdfFormat.RDF_XML),
        (f"/data/{KEY}", "application/n-triples", "application/n-triples", RdfFormat.N_TRIPLES),
        (f"/data/{KEY}", None, "text/turtle", RdfFormat.TURTLE),
        (f"/resource?iri={THEME}&format=nt", None, "application/n-triples", RdfFormat.N_TRIPLES),
        (f"/resource?iri={THEME}", "text/turtle", "text/turtle", RdfFormat.TURTLE),
    ],
)
def test_rdf_documents_parse(client, path, accept, media_type, fmt):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == media_type
    triples = list(parse(response.data, format=fmt))
    assert triples
    assert "Accept" in response.headers["Vary"]


def test_rdf_description_has_blank_node_closure_and_labels_of_links(client):
    triples = list(parse(client.get(f"/data/{KEY}.nt").data, format=RdfFormat.N_TRIPLES))
    predicates = {t.predicate.value for t in triples}
    assert "http://www.opengis.net/ont/geosparql#asWKT" in predicates  # inside a blank node
    district = "http://localhost:8080/id/district/08222"
    assert any(
        t.subject.value == district and t.object.value == "Stadtkreis Mannheim" for t in triples
    )  # the label of what it links to


def test_data_asking_for_html_goes_to_the_page(client):
    response = client.get(f"/data/{KEY}", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/page/{KEY}")


def test_page_has_canonical_and_alternate_links(client):
    response = client.get(f"/page/{KEY}")
    html = response.get_data(as_text=True)
    assert f'<link rel="canonical" href="http://localhost/page/{KEY}">' in html
    assert 'rel="canonical"' in response.headers["Link"]
    assert f"/data/{KEY}.jsonld>" in response.headers["Link"]


def test_resource_for_a_foreign_iri_renders_its_page(client):
    response = client.get(f"/resource?iri={WIKIDATA}")
    assert response.status_code == 200
    assert "Mannheim" in response.get_data(as_text=True)  # linked to it via owl:sameAs


def test_resource_with_a_base_iri_redirects_to_id(client):
    response = client.get(f"/resource?iri={IRI}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/id/{KEY}")


@pytest.mark.parametrize(
    "iri", ["", "not an iri", "relative/path", "http://x/<script>", "http://x/" + "a" * 5000]
)
def test_malformed_iri_is_400(client, iri):
    assert client.get("/resource", query_string={"iri": iri}).status_code == 400


def test_unknown_format_is_400(client):
    response = client.get("/resource", query_string={"iri": WIKIDATA, "format": "csv"})
    assert response.status_code == 400


def test_unknown_data_is_404(client):
    assert client.get("/data/municipality/00000000.ttl").status_code == 404


def test_public_urls_behind_a_proxy(demo_platform):
    cfg, store = demo_platform
    app = create_app(cfg.with_overrides(site__trust_proxy=True), store)
    response = app.test_client().get(
        f"/page/{KEY}",
        headers={
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "daten.example.org",
            "X-Forwarded-Prefix": "/rn",
        },
    )
    assert f"<https://daten.example.org/rn/data/{KEY}.ttl>" in response.headers["Link"]
    assert (
        f'<link rel="canonical" href="https://daten.example.org/rn/page/{KEY}">'
        in response.get_data(as_text=True)
    )
