"""/sparql reads queries with its parser, not by guessing (issue 15, F1-F5): what a query says
about its dataset, its form and its SERVICE targets is what the engine reads; format= and
Accept; unknown functions; the default prefixes; the service description's default graph.

A store of its own: two named graphs, one triple held by both.
"""

from __future__ import annotations

import json

import pytest

from regiograph.runtime import open_store
from sparql_cases import RDFLIB_REFUSED

EX = "http://example.org/"
G1, G2 = EX + "graph/one", EX + "graph/two"
TURTLE = "text/turtle"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from conftest import built_app, make_config

    cfg = make_config(tmp_path_factory.mktemp("frontend-data"), sparql__timeout_s=10.0)
    with open_store(cfg) as (cfg, store):
        store.replace_graph(
            G1,
            f"<{EX}a> <{EX}p> <{EX}b> .\n<{EX}shared> <{EX}p> <{EX}x> .\n".encode(),
        )
        store.replace_graph(
            G2,
            f"<{EX}c> <{EX}p> <{EX}d> .\n<{EX}shared> <{EX}p> <{EX}x> .\n".encode(),
        )
        with built_app(cfg, store) as app:
            yield app


@pytest.fixture
def web(app):
    return app.test_client()


def _rows(web, query: str) -> list[dict]:
    response = web.get("/sparql", query_string={"query": query})
    assert response.status_code == 200, response.data
    return json.loads(response.data)["results"]["bindings"]


def _subjects(web, query: str) -> set[str]:
    return {row["s"]["value"].removeprefix(EX) for row in _rows(web, query)}


def test_f1_an_escape_in_an_earlier_iri_does_not_hide_the_from(web):
    query = (
        f"PREFIX x: <{EX}\\u0041> SELECT ?s FROM <{G1}> WHERE {{ ?s <{EX}p> ?o "
        f"FILTER(?o != <{EX}\\u0041>) }}"
    )
    assert _subjects(web, query) == {"a", "shared"}  # the one graph, not the whole store


def test_f1_a_from_inside_an_escaped_iri_is_no_from(web):
    query = f"SELECT ?s WHERE {{ ?s <{EX}p> ?o FILTER(?o != <{EX}\\u0041from>) }}"
    assert _subjects(web, query) == {"a", "c", "shared"}  # the union, not nothing


def test_f1_from_in_strings_and_comments_is_no_from(web):
    query = f'# FROM <{G1}>\nSELECT ?s WHERE {{ ?s <{EX}p> ?o FILTER(STR(?o) != "FROM <x>") }}'
    assert _subjects(web, query) == {"a", "c", "shared"}


@pytest.mark.parametrize(
    "query",
    [
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o FILTER(?o != <{EX}\\u0041>) }}",
        'VERSION "1.2"\nCONSTRUCT WHERE { ?s ?p ?o }',
        f"PREFIX x: <{EX}\\u0041>\nDESCRIBE <{EX}a>",
    ],
    ids=["escaped-iri", "version", "describe-after-escape"],
)
def test_f2_the_form_is_read_not_guessed(web, query):
    response = web.get("/sparql", query_string={"query": query}, headers={"Accept": TURTLE})
    assert response.status_code == 200, response.data
    assert response.mimetype == TURTLE


def test_f2_a_select_asked_for_turtle_is_406_naming_the_formats(web):
    response = web.get("/sparql", query_string={"query": "SELECT * {}"}, headers={"Accept": TURTLE})
    assert response.status_code == 406
    assert b"application/sparql-results+json" in response.data


@pytest.mark.parametrize("body", RDFLIB_REFUSED.values(), ids=RDFLIB_REFUSED.keys())
def test_f3_valid_queries_that_mention_service_run(web, body):
    for query in (body, "# service\n" + body, body.replace("SELECT *", "SELECT ?service", 1)):
        response = web.get("/sparql", query_string={"query": query})
        assert response.status_code == 200, (query[:80], response.data[:300])


def test_f4_format_does_not_override_a_conflicting_accept(web):
    """SPARQLWrapper asks for a CONSTRUCT with format=xml and Accept: application/rdf+xml."""
    query = f"CONSTRUCT WHERE {{ <{EX}a> ?p ?o }}"
    response = web.get(
        "/sparql",
        query_string={"query": query, "format": "xml"},
        headers={"Accept": "application/rdf+xml"},
    )
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/rdf+xml"


def test_f5_an_unknown_function_is_an_expression_error(web):
    query = f"SELECT ?s ?x WHERE {{ ?s <{EX}p> ?o BIND(<{EX}nope>(?o) AS ?x) }}"
    rows = _rows(web, query)
    assert len(rows) == 4
    assert all("x" not in row for row in rows)  # unbound
    assert _rows(web, f"SELECT ?s {{ ?s ?p ?o FILTER(<{EX}nope>(?o)) }}") == []
    cast = _rows(web, 'SELECT ?n { BIND(xsd:integer("7") AS ?n) }')  # a known one still works
    assert cast[0]["n"]["value"] == "7"


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_f5_the_endpoint_url_with_a_results_accept_gives_the_description(web, accept):
    response = web.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == TURTLE
    assert b"sd:endpoint" in response.data or b"sparql-service-description" in response.data


def test_default_prefixes_need_no_prefix_line(web):
    rows = _rows(web, "SELECT ?l { BIND(rdfs:label AS ?l) }")
    assert rows[0]["l"]["value"] == "http://www.w3.org/2000/01/rdf-schema#label"
    own = _rows(web, "PREFIX rdfs: <urn:mine#> SELECT ?l { BIND(rdfs:label AS ?l) }")
    assert own[0]["l"]["value"] == "urn:mine#label"  # a query's own PREFIX wins


def test_an_update_sent_as_a_query_is_refused(web):
    response = web.get("/sparql", query_string={"query": f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}"})
    assert response.status_code == 403


def test_the_default_graph_counts_a_triple_once_per_graph_as_described(web):
    """The documented behaviour behind the service description's words (not a merge)."""
    count = _rows(web, f"SELECT (COUNT(*) AS ?n) {{ ?s <{EX}p> ?o }}")
    assert count[0]["n"]["value"] == "4"
    distinct = _rows(web, f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT * {{ ?s <{EX}p> ?o }} }}")
    assert distinct[0]["n"]["value"] == "3"
    description = web.get("/sparql", headers={"Accept": TURTLE}).data
    assert b"sd:feature sd:UnionDefaultGraph" not in description
    assert b"once per graph" in description
