"""The service description on GET /sparql and VoID at /.well-known/void, from the store."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS

from regiograph.server import create_app

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
OWL_SAME_AS = URIRef("http://www.w3.org/2002/07/owl#sameAs")


@pytest.fixture(scope="module")
def demo_app(demo_platform):
    cfg, store = demo_platform
    app = create_app(
        cfg.with_overrides(sparql__service_allow="https://query.wikidata.org/sparql"), store
    )
    app.testing = True
    yield app
    app.extensions["regiograph.sparql"].engine.close()


def _graph(response, fmt="turtle") -> Graph:
    assert response.status_code == 200, response.data
    return Graph().parse(data=response.data, format=fmt)


def test_service_description_names_the_endpoint_as_requested(demo_app):
    web = demo_app.test_client()
    for base in ("http://localhost/", "https://region.example/"):
        sd = _graph(web.get("/sparql", base_url=base, headers={"Accept": "text/turtle"}))
        assert set(sd.objects(None, SD.endpoint)) == {URIRef(base + "sparql")}


def test_service_description_lists_formats_features_and_graphs(demo_app, demo_store):
    web = demo_app.test_client()
    sd = _graph(web.get("/sparql", headers={"Accept": "text/turtle"}))
    (service,) = sd.subjects(RDF.type, SD.Service)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in sd
    formats = {str(f).rsplit("/", 1)[-1] for f in sd.objects(service, SD.resultFormat)}
    assert {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "RDF_XML",
        "JSON-LD",
        "N-Quads",
        "TriG",
    } <= formats
    # The default graph counts a triple once per named graph holding it, which is not the
    # union (RDF merge) sd:UnionDefaultGraph promises (issue 15); it says so in words.
    assert (service, SD.feature, SD.UnionDefaultGraph) not in sd
    assert (service, SD.feature, SD.BasicFederatedQuery) in sd
    dataset = sd.value(service, SD.defaultDataset)
    assert sd.value(dataset, SD.defaultGraph) is not None
    assert "once per graph" in str(sd.value(sd.value(dataset, SD.defaultGraph), RDFS.comment))
    sizes = {}
    for named in sd.objects(dataset, SD.namedGraph):
        sizes[str(sd.value(named, SD.name))] = sd.value(sd.value(named, SD.graph), VOID.triples)
    assert sizes == {g: Literal(n) for g, n in demo_store.graphs().items()}


@pytest.mark.parametrize(
    "accept", ["application/rdf+xml", "application/ld+json", "application/n-triples"]
)
def test_service_description_in_other_rdf_formats(demo_app, accept):
    from pyoxigraph import NamedNode, RdfFormat, parse

    response = demo_app.test_client().get("/sparql", headers={"Accept": accept})
    assert response.mimetype == accept
    triples = list(parse(response.data, format=RdfFormat.from_media_type(accept)))
    assert any(t.object == NamedNode(str(SD.Service)) for t in triples)


def test_browsers_get_the_editor_and_other_media_types_406(demo_app):
    web = demo_app.test_client()
    page = web.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.mimetype == "text/html"
    assert web.get("/sparql", headers={"Accept": "image/png"}).status_code == 406
    assert web.get("/sparql", query_string={"format": "html"}).mimetype == "text/html"
    # a link with format= in a browser (whose Accept takes */*): format= decides (issue 15, F4)
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    assert (
        web.get("/sparql", query_string={"format": "turtle"}, headers=browser).mimetype
        == "text/turtle"
    )


def test_void_describes_each_graph_from_the_store(demo_app, demo_platform):
    cfg, store = demo_platform
    base = cfg.base_iri
    void = _graph(demo_app.test_client().get("/.well-known/void"))
    dataset = URIRef(base + ".well-known/void#dataset")
    assert (dataset, RDF.type, VOID.Dataset) in void
    assert (dataset, VOID.sparqlEndpoint, URIRef(base + "sparql")) in void
    assert (dataset, VOID.uriSpace, Literal(base + "id/")) in void
    assert set(void.objects(dataset, VOID.exampleResource))
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert "https://w3id.org/regiograph/ontology#" in vocabularies
    demo = URIRef(base + ".well-known/void#demo")
    assert (dataset, VOID.subset, demo) in void
    counts = store.graphs()
    assert void.value(demo, VOID.triples).toPython() == counts[base + "graph/demo"]
    assert (demo, VOID.dataDump, URIRef(base + "dumps/graph-demo.nq.gz")) in void
    assert void.value(demo, VOID.classes).toPython() > 5
    assert void.value(demo, VOID.properties).toPython() > 10
    # the municipalities come from the real region's own source graph now, not the demo's
    partitions = {
        void.value(p, VOID["class"])
        for subset in void.objects(dataset, VOID.subset)
        for p in void.objects(subset, VOID.classPartition)
    }
    assert URIRef("https://w3id.org/regiograph/ontology#Municipality") in partitions
    meta = URIRef(base + ".well-known/void#meta")
    assert (dataset, VOID.subset, meta) not in void


def test_every_void_data_dump_link_answers(demo_app, demo_platform):
    base = demo_platform[0].base_iri
    web = demo_app.test_client()
    dumps = {str(o) for o in _graph(web.get("/.well-known/void")).objects(None, VOID.dataDump)}
    assert base + "dumps/full.nq.gz" in dumps and len(dumps) >= 2
    for link in sorted(dumps):
        response = web.get("/" + link.removeprefix(base))
        response.close()  # a file response: its file is open until closed
        assert response.status_code == 200, link


def test_void_counts_linksets_to_wikidata(demo_app, demo_store):
    void = _graph(demo_app.test_client().get("/.well-known/void"))
    linksets = list(void.subjects(RDF.type, VOID.Linkset))
    assert linksets
    expected = demo_store.count(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o "
        "FILTER(STRSTARTS(STR(?o), 'http://www.wikidata.org/entity/')) } }"
    )
    same_as = [ls for ls in linksets if void.value(ls, VOID.linkPredicate) == OWL_SAME_AS]
    assert sum(void.value(ls, VOID.triples).toPython() for ls in same_as) == expected
    target = void.value(same_as[0], VOID.objectsTarget)
    assert (target, VOID.uriSpace, Literal("http://www.wikidata.org/entity/")) in void


def test_void_follows_the_data_version(scratch_platform, graph_iri):
    cfg, store = scratch_platform
    app = create_app(cfg, store)
    web = app.test_client()
    try:
        first = web.get("/.well-known/void")
        etag = first.headers["ETag"]
        assert web.get("/.well-known/void", headers={"If-None-Match": etag}).status_code == 304
        store.replace_graph(graph_iri, b'<http://example.org/a> <http://example.org/p> "1" .\n')
        second = web.get("/.well-known/void", headers={"If-None-Match": etag})
        assert second.status_code == 200
        void = _graph(second)
        subsets = {str(s) for s in void.objects(None, VOID.subset)}
        assert any(s.endswith("#" + graph_iri.rsplit("/", 1)[-1]) for s in subsets)
    finally:
        store.drop_graph(graph_iri)
        app.extensions.get("regiograph.sparql") and app.extensions[
            "regiograph.sparql"
        ].engine.close()
