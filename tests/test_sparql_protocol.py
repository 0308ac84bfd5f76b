"""/sparql speaks the SPARQL 1.1 Protocol: operations, dataset, negotiation, errors, caching."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import RdfFormat, parse

from conftest import built_app

QUERY = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"
COUNT_MUNICIPALITIES = (
    "PREFIX rg: <https://w3id.org/regiograph/ontology#> "
    "SELECT (COUNT(?m) AS ?n) WHERE { ?m a rg:Municipality }"
)


@pytest.fixture(scope="module")
def sparql_app(demo_platform):
    cfg, store = demo_platform
    with built_app(cfg.with_overrides(sparql__timeout_s=10.0), store) as app:
        yield app


@pytest.fixture
def web(sparql_app):
    return sparql_app.test_client()


def test_get_post_form_and_post_direct_give_the_same_answer(web):
    by_get = web.get("/sparql", query_string={"query": COUNT_MUNICIPALITIES})
    by_form = web.post("/sparql", data={"query": COUNT_MUNICIPALITIES})
    by_body = web.post("/sparql", data=COUNT_MUNICIPALITIES, content_type=QUERY)
    answers = [json.loads(r.data) for r in (by_get, by_form, by_body)]
    assert {r.status_code for r in (by_get, by_form, by_body)} == {200}
    count = int(answers[0]["results"]["bindings"][0]["n"]["value"])
    assert count > 10
    assert answers[0] == answers[1] == answers[2]


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_select_negotiates_the_result_format(web, accept, media_type):
    response = web.get(
        "/sparql", query_string={"query": COUNT_MUNICIPALITIES}, headers={"Accept": accept}
    )
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    ("accept", "media_type", "rdf_format"),
    [
        ("text/turtle", "text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml", RdfFormat.RDF_XML),
        ("application/ld+json", "application/ld+json", RdfFormat.JSON_LD),
        ("application/n-quads", "application/n-quads", RdfFormat.N_QUADS),
        ("application/trig", "application/trig", RdfFormat.TRIG),
        (None, "text/turtle", RdfFormat.TURTLE),
    ],
)
def test_construct_negotiates_the_rdf_format(web, accept, media_type, rdf_format):
    query = (
        "PREFIX rg: <https://w3id.org/regiograph/ontology#> "
        "CONSTRUCT { ?m a rg:Municipality } WHERE { ?m a rg:Municipality } LIMIT 5"
    )
    headers = {"Accept": accept} if accept else {}
    response = web.get("/sparql", query_string={"query": query}, headers=headers)
    assert response.status_code == 200, response.data
    assert response.mimetype == media_type
    assert len(list(parse(response.data, format=rdf_format))) == 5


def test_ask_in_every_result_format(web):
    for name in ("json", "xml", "csv", "tsv"):
        response = web.get("/sparql", query_string={"query": "ASK {}", "format": name})
        assert response.status_code == 200
        assert b"true" in response.data


def test_format_parameter_decides_unless_accept_refuses_it(web):
    """Issue 15, F4: format= names the format when Accept takes it (*/* does, as curl sends
    it); an Accept that refuses it wins."""
    query = {"query": COUNT_MUNICIPALITIES, "format": "csv"}
    response = web.get("/sparql", query_string=query, headers={"Accept": "*/*"})
    assert response.mimetype == "text/csv"
    assert response.data.splitlines()[0] == b"n"
    accept = {"Accept": "application/sparql-results+xml"}
    response = web.get("/sparql", query_string=query, headers=accept)
    assert response.mimetype == "application/sparql-results+xml"


def test_describe(web):
    query = (
        "PREFIX rg: <https://w3id.org/regiograph/ontology#> "
        "DESCRIBE ?m WHERE { ?m a rg:Municipality } LIMIT 1"
    )
    response = web.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "application/n-triples"}
    )
    assert response.status_code == 200
    assert len(list(parse(response.data, format=RdfFormat.N_TRIPLES))) > 3


def test_406_when_nothing_acceptable(web):
    response = web.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert b"application/sparql-results+json" in response.data
    wrong_kind = web.get("/sparql", query_string={"query": "ASK {}", "format": "turtle"})
    assert wrong_kind.status_code == 406


def test_syntax_error_is_400_with_the_parsers_message_and_position(web):
    response = web.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert b"error at 1:" in response.data
    unknown_prefix = web.get("/sparql", query_string={"query": "SELECT * { ?s nope:x ?o }"})
    assert unknown_prefix.status_code == 400
    # one readable line (issue 17), not the engine's list of Unicode ranges
    assert b"the prefix 'nope:' is not declared" in unknown_prefix.data
    assert b"\\u{" not in unknown_prefix.data


def test_protocol_errors(web):
    assert web.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D").status_code == 400
    assert web.post("/sparql", data="ASK {}", content_type="text/plain").status_code == 415
    assert web.post("/sparql", data="ASK {}").status_code == 415
    utf16 = web.post(
        "/sparql",
        data="ASK {}".encode("utf-16"),
        content_type="application/sparql-query; charset=UTF-16",
    )
    assert utf16.status_code == 415
    latin1 = web.post("/sparql", data='ASK { FILTER("é") }'.encode("latin-1"), content_type=QUERY)
    assert latin1.status_code == 400
    assert b"not UTF-8" in latin1.data
    form_latin1 = web.post("/sparql", data=b"query=ASK%20%7B%E9%7D", content_type=FORM)
    assert form_latin1.status_code == 400
    assert web.post("/sparql", data="", content_type=QUERY).status_code == 400
    assert web.post("/sparql", data={"format": "json"}).status_code == 400


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(web, method):
    response = web.open("/sparql?query=ASK%20%7B%7D", method=method)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_head_answers_like_get_without_a_body(web):
    response = web.head("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 200
    assert response.data == b""


def test_protocol_dataset_overrides_from(web, demo_platform):
    cfg, _ = demo_platform
    demo_graph = cfg.base_iri + "graph/demo"
    query = "SELECT (COUNT(*) AS ?n) FROM <http://example.org/nothing> WHERE { ?s ?p ?o }"
    from_only = json.loads(web.get("/sparql", query_string={"query": query}).data)
    assert from_only["results"]["bindings"][0]["n"]["value"] == "0"
    overridden = json.loads(
        web.get("/sparql", query_string={"query": query, "default-graph-uri": demo_graph}).data
    )
    assert int(overridden["results"]["bindings"][0]["n"]["value"]) > 1000
    named = json.loads(
        web.get(
            "/sparql",
            query_string={
                "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                "named-graph-uri": demo_graph,
            },
        ).data
    )
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [demo_graph]
    bad = web.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert bad.status_code == 400


def test_update_on_the_query_endpoint_is_refused(web):
    direct = web.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update")
    form = web.post("/sparql", data={"update": "CLEAR ALL"})
    get = web.get("/sparql", query_string={"update": "CLEAR ALL"})
    as_query = web.post("/sparql", data="CLEAR ALL", content_type=QUERY)
    assert {r.status_code for r in (direct, form, get, as_query)} == {403}
    assert web.get("/sparql", query_string={"query": COUNT_MUNICIPALITIES}).status_code == 200


def test_caching_validators_and_304(web):
    first = web.get("/sparql", query_string={"query": COUNT_MUNICIPALITIES})
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = web.get(
        "/sparql", query_string={"query": COUNT_MUNICIPALITIES}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.data == b""
    since = web.get(
        "/sparql",
        query_string={"query": COUNT_MUNICIPALITIES},
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert since.status_code == 304
    other_format = web.get(
        "/sparql",
        query_string={"query": COUNT_MUNICIPALITIES},
        headers={"If-None-Match": etag, "Accept": "text/csv"},
    )
    assert other_format.status_code == 200


def test_etag_changes_with_the_data_version(sparql_app, demo_platform):
    _, store = demo_platform
    web = sparql_app.test_client()
    before = web.get("/sparql", query_string={"query": "ASK {}"}).headers["ETag"]
    # The data version moves with the data only (the store's owner keeps it): write something.
    graph = "urn:regiograph:test:etag"
    store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    try:
        after = web.get(
            "/sparql", query_string={"query": "ASK {}"}, headers={"If-None-Match": before}
        )
        assert after.status_code == 200
        assert after.headers["ETag"] != before
    finally:
        store.drop_graph(graph)


def test_cors_for_queries(web):
    response = web.get(
        "/sparql", query_string={"query": "ASK {}"}, headers={"Origin": "https://portal.example"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = web.options(
        "/sparql",
        headers={
            "Origin": "https://portal.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    error = web.get("/sparql", query_string={"query": "ASK {"})
    assert error.headers["Access-Control-Allow-Origin"] == "*"


def test_browser_gets_an_html_table_and_the_editor(web):
    html = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = web.get("/sparql", headers=html)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert b'name="query"' in page.data
    results = web.get("/sparql", query_string={"query": COUNT_MUNICIPALITIES}, headers=html)
    assert results.status_code == 200
    assert b"<table>" in results.data
    error = web.get("/sparql", query_string={"query": "SELECT {"}, headers=html)
    assert error.status_code == 400
    assert b"error at 1:" in error.data
    assert b'name="query"' in error.data
