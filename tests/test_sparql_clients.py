"""Real SPARQL clients against /sparql over HTTP: SPARQLWrapper, rdflib's SPARQLStore,
pyoxigraph federating into us with SERVICE, and two regiograph instances federating into each
other (each on the other's allow-list), joined on municipality keys (AGS)."""

from __future__ import annotations

import threading

import pytest
import requests
from werkzeug.serving import make_server

from regiograph.server import create_app

RG = "https://w3id.org/regiograph/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SHARED_AGS = ["08222000", "08221000", "08226096"]


def _placeholder(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


class _Live:
    """A werkzeug server on a loopback port; the app is set once the port is known."""

    def __init__(self):
        self.server = make_server("127.0.0.1", 0, _placeholder, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.app = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/sparql"

    def serve(self, app) -> None:
        self.app = app
        self.server.app = app

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
        if self.app is not None and "regiograph.sparql" in self.app.extensions:
            self.app.extensions["regiograph.sparql"].engine.close()


@pytest.fixture(scope="module")
def regions(demo_platform, scratch_platform):
    """Region A (the demo region) and region B (a neighbour that keys its data by AGS)."""
    a_cfg, a_store = demo_platform
    b_cfg, b_store = scratch_platform
    a_live, b_live = _Live(), _Live()
    b_graph = b_cfg.base_iri + "graph/test-region-b"
    rows = "\n".join(
        f'<urn:region-b:commuters:{ags}> <{RG}ags> "{ags}" .\n'
        f'<urn:region-b:commuters:{ags}> <urn:region-b:outCommuters> "{1000 + i}" .'
        for i, ags in enumerate(SHARED_AGS)
    )
    b_store.replace_graph(b_graph, rows.encode())
    a_live.serve(
        create_app(
            a_cfg.with_overrides(sparql__service_allow=b_live.endpoint, sparql__timeout_s=90.0),
            a_store,
        )
    )
    b_live.serve(
        create_app(
            b_cfg.with_overrides(sparql__service_allow=a_live.endpoint, sparql__timeout_s=90.0),
            b_store,
        )
    )
    for live in (a_live, b_live):  # start both worker pools before anything is measured
        for _ in range(2):
            requests.get(live.endpoint, params={"query": "ASK {}"}, timeout=120).raise_for_status()
    yield a_live, b_live
    a_live.stop()
    b_live.stop()
    b_store.drop_graph(b_graph)


def test_sparqlwrapper_select_ask_construct(regions):
    from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

    a, _ = regions
    client = SPARQLWrapper(a.endpoint)
    client.setQuery(f"SELECT ?m ?ags WHERE {{ ?m a <{RG}Municipality> ; <{RG}ags> ?ags }} LIMIT 5")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert len(rows) == 5
    client.setMethod("POST")
    client.setReturnFormat(XML)
    assert client.query().convert().getElementsByTagName("result").length == 5
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True
    client.setQuery(f"CONSTRUCT WHERE {{ ?m a <{RG}Municipality> }} LIMIT 3")
    client.setReturnFormat(TURTLE)
    assert b"Municipality" in client.query().convert()


def test_rdflib_sparqlstore(regions):
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    a, _ = regions
    graph = Graph(store=SPARQLStore(a.endpoint, returnFormat="json"))
    rows = list(graph.query(f"SELECT ?m WHERE {{ ?m a <{RG}Municipality> }} LIMIT 4"))
    assert len(rows) == 4
    assert all(isinstance(row[0], URIRef) for row in rows)
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


def test_pyoxigraph_federates_into_us(regions):
    from pyoxigraph import Store

    a, _ = regions
    local = Store()
    rows = list(
        local.query(
            f"SELECT ?name WHERE {{ SERVICE <{a.endpoint}> {{ "
            f'?m <{RG}ags> "08222000" ; <{RDFS_LABEL}> ?name }} }}'
        )
    )
    assert rows
    assert any("Mannheim" in row["name"].value for row in rows)


def test_two_regions_federate_on_municipality_keys(regions):
    a, b = regions
    from_a = requests.post(
        a.endpoint,
        timeout=120,
        data={
            "query": f"""
        SELECT ?ags ?name ?commuters WHERE {{
          ?m a <{RG}Municipality> ; <{RG}ags> ?ags ; <{RDFS_LABEL}> ?name .
          SERVICE <{b.endpoint}> {{ ?x <{RG}ags> ?ags ; <urn:region-b:outCommuters> ?commuters }}
        }} ORDER BY ?ags"""
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert from_a.status_code == 200, from_a.text
    rows = from_a.json()["results"]["bindings"]
    assert sorted({r["ags"]["value"] for r in rows}) == sorted(SHARED_AGS)
    from_b = requests.post(
        b.endpoint,
        timeout=120,
        data={
            "query": f"""
        SELECT ?ags ?name WHERE {{
          ?x <{RG}ags> ?ags ; <urn:region-b:outCommuters> ?commuters .
          SERVICE <{a.endpoint}> {{ ?m a <{RG}Municipality> ; <{RG}ags> ?ags ;
                                     <{RDFS_LABEL}> ?name }}
        }}"""
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert from_b.status_code == 200, from_b.text
    assert {r["ags"]["value"] for r in from_b.json()["results"]["bindings"]} == set(SHARED_AGS)


def test_a_third_party_is_not_on_the_list(regions):
    a, _ = regions
    response = requests.get(
        a.endpoint,
        timeout=120,
        params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"},
    )
    assert response.status_code == 403
    assert "rule: service-private-address" in response.text
