"""dcat sources with real payloads from ../shared/data, served over loopback HTTP.

The dashboard exports go through the default policy (the bundled DCAT-AP.de profile, acceptance
per dataset); the tests of paging, syntaxes, namespaces and defaults are about harvesting and
mapping, so their sources say ``validate = false`` (tests/test_loader_acceptance.py has the
acceptance)."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, RdfFormat, parse
from rdflib import Graph
from rdflib.compare import isomorphic

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
_fresh = pytest.fixture(autouse=True, name="fresh_graphs")(httpfixtures.dropping_new_graphs)
UNCHECKED = {"validate": False}  # harvesting and mapping, not acceptance, is under test

DASHBOARD = "dcat-ap-de-shacl/testcases/dashboard"
EXAMPLES = "dcat-ap-de-spec/Releases/DCAT-AP.de_V2.0/examples"
RDFXML = "application/rdf+xml"
DCAT = "http://www.w3.org/ns/dcat#"
ROSTOCK_PAGE = "https://www.opendata-hro.de/catalog.rdf?page="
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def count_in(store, graph: str, query: str, **bindings) -> int:
    return store.count(query, {"g": NamedNode(graph), **bindings})


def datasets_in(store, graph: str) -> int:
    return count_in(
        store,
        graph,
        "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d a ?t } }",
        t=NamedNode(DCAT + "Dataset"),
    )


def graph_of(platform, source) -> str:
    return source.graph(platform[0].base_iri)


@pytest.mark.parametrize("name", ["brandenburg", "bremen", "destatis", "rostock"])
def test_dashboard_exports_are_published(scratch_platform, http_server, shared_data, name):
    config, store = scratch_platform
    path = shared_data / DASHBOARD / f"{name}-catalog-original-input.rdf"
    url = http_server.route(f"/{name}.rdf", Reply.file(path, RDFXML))
    source = make_source(kind="dcat", location=url, max_pages=1 if name != "rostock" else 5)
    if name == "rostock":  # page 1 of 3 points at opendata-hro.de: serve only this one
        http_server.route(
            f"/{name}.rdf",
            Reply(
                path.read_bytes().replace(ROSTOCK_PAGE.encode() + b"2", url.encode() + b"?page=1"),
                content_type=RDFXML,
            ),
        )
        source = make_source(kind="dcat", location=url)
    result = pipeline.harvest(config, store, source)
    if name == "rostock":
        assert result.outcome == "failed" and "paging loop" in result.message
        return
    # Checked against DCAT-AP.de by default, each dataset on its own (issue 16): what passes
    # is published, each dataset held back has its reasons.
    assert "DCAT-AP.de 3.0" in result.validation
    verdicts = result.datasets.verdicts
    assert len(verdicts) == len(datasets_of_export(path, url)) > 10
    accepted = {v.dataset for v in result.datasets.accepted}
    for verdict in result.datasets.held_back:
        assert verdict.reasons
    if not accepted:
        assert result.outcome == "rejected" and "nothing published" in result.message
        return
    assert result.outcome == "published", result.message
    published = store.read_graph(graph_of(scratch_platform, source))
    assert result.published == len(published.splitlines())
    assert datasets_in(store, graph_of(scratch_platform, source)) == len(accepted)


def datasets_of_export(path, url: str) -> set:
    return {
        t.subject
        for t in parse(path=path, format=RdfFormat.RDF_XML, base_iri=url)
        if t.predicate == NamedNode(RDF_TYPE) and t.object == NamedNode(DCAT + "Dataset")
    }


def rostock_pages(shared_data, base: str) -> dict[int, bytes]:
    """Page 1 as exported, pages 2 and 3 made from it with their own dataset IRIs."""
    page1 = (shared_data / DASHBOARD / "rostock-catalog-original-input.rdf").read_bytes()
    page1 = page1.replace(ROSTOCK_PAGE.encode(), f"{base}/catalog.rdf?page=".encode())
    pages = {1: page1}
    for number in (2, 3):
        page = page1.replace(
            b"https://www.opendata-hro.de/dataset/",
            f"https://www.opendata-hro.de/dataset/p{number}-".encode(),
        )
        page = page.replace(
            b"catalog.rdf?page=2</hydra:nextPage>",
            f"catalog.rdf?page={number + 1}</hydra:nextPage>".encode(),
        )
        page = page.replace(
            f'rdf:about="{base}/catalog.rdf?page=1"'.encode(),
            f'rdf:about="{base}/catalog.rdf?page={number}"'.encode(),
        )
        pages[number] = page
    pages[3] = pages[3].replace(
        f"<hydra:nextPage>{base}/catalog.rdf?page=4</hydra:nextPage>".encode(), b""
    )
    return pages


def test_paged_catalogue_is_followed_to_the_end(scratch_platform, http_server, shared_data):
    config, store = scratch_platform
    pages = rostock_pages(shared_data, http_server.base)
    url = http_server.route(
        "/catalog.rdf",
        lambda request: Reply(pages[int(request.query.get("page", ["1"])[0])], content_type=RDFXML),
    )
    source = make_source(kind="dcat", location=url + "?page=1", policy=UNCHECKED)
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    assert result.pages == 3
    assert [r.query["page"] for r in http_server.hits("/catalog.rdf")] == [["1"], ["2"], ["3"]]
    single = datasets_in_page(pages[1])
    assert datasets_in(store, graph_of(scratch_platform, source)) == 3 * single
    hydra = count_in(
        store,
        graph_of(scratch_platform, source),
        "SELECT (COUNT(*) AS ?n) "
        "WHERE { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?p), 'hydra')) } }",
    )
    assert hydra == 0


def datasets_in_page(body: bytes) -> int:
    return len(
        {
            q.subject
            for q in parse(body, RdfFormat.RDF_XML, base_iri="http://x/")
            if q.object == NamedNode(DCAT + "Dataset")
        }
    )


def test_paging_loop_stops_with_a_clear_message(scratch_platform, http_server, shared_data):
    config, store = scratch_platform
    pages = rostock_pages(shared_data, http_server.base)
    pages[2] = pages[2].replace(
        b"catalog.rdf?page=3</hydra:nextPage>", b"catalog.rdf?page=1</hydra:nextPage>"
    )
    url = http_server.route(
        "/catalog.rdf",
        lambda request: Reply(pages[int(request.query["page"][0])], content_type=RDFXML),
    )
    source = make_source(kind="dcat", location=url + "?page=1")
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed"
    assert "paging loop: page 2" in result.message and "back to page 1" in result.message
    assert store.graphs().get(graph_of(scratch_platform, source)) is None


def _harvest_unchecked(platform, http_server, path):
    """One RDF/XML file served as a dcat source and harvested without acceptance checks;
    (source, result) once it is published."""
    config, store = platform
    url = http_server.route(f"/{path.name}", Reply.file(path, RDFXML))
    source = make_source(kind="dcat", location=url, policy=UNCHECKED)
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    return source, result


def test_ckanext_dcatde_catalogue_single_page(scratch_platform, http_server, shared_data):
    path = shared_data / "ckanext-dcatde/examples/catalog-endpoint.rdf"
    source, result = _harvest_unchecked(scratch_platform, http_server, path)
    assert result.pages == 1
    assert datasets_in(scratch_platform[1], graph_of(scratch_platform, source)) == 6


def test_old_dcatde_namespaces_and_licences_are_normalised(
    scratch_platform, http_server, shared_data
):
    path = shared_data / "ckanext-dcatde/resources/metadata_max_multi_namespaces.rdf"
    assert b"dcat-ap.de/def/dcatde/1" in path.read_bytes()
    source, _ = _harvest_unchecked(scratch_platform, http_server, path)
    data = scratch_platform[1].read_graph(graph_of(scratch_platform, source)).decode()
    assert "dcat-ap.de/def/dcatde/1_0/" not in data and "dcatde/1.0.1/" not in data
    assert "<http://dcat-ap.de/def/dcatde/contributorID>" in data
    assert "licenses/cc-by/4_0" not in data


@pytest.mark.parametrize("kind", ["SIMPLE", "ADVANCED"])
def test_reference_examples_in_three_syntaxes_are_isomorphic(
    scratch_platform, http_server, shared_data, kind
):
    config, store = scratch_platform
    graphs = []
    for folder, name, media_type in (
        ("RDF-TURTLE", f"TTL_{kind}.ttl", "text/turtle"),
        ("RDF-XML", f"RDF_{kind}.rdf", RDFXML),
        ("RDF-JSONLD", f"JSONLD_{kind}.jsonld", "application/ld+json"),
    ):
        path = shared_data / EXAMPLES / folder / f"dcat_ap_de-RefImp_{name}"
        source = make_source(
            kind="dcat",
            location=http_server.route(f"/{name}", Reply.file(path, media_type)),
            policy=UNCHECKED,
        )
        result = pipeline.harvest(config, store, source)
        assert result.outcome == "published", result.message
        graphs.append(
            Graph().parse(
                data=store.read_graph(graph_of(scratch_platform, source)).decode(), format="nt"
            )
        )
        store.drop_graph(graph_of(scratch_platform, source))  # a dataset has one source
    assert len(graphs[0]) > 10
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])


def test_unchanged_source_is_skipped_by_conditional_get(scratch_platform, http_server, shared_data):
    config, store = scratch_platform
    path = shared_data / DASHBOARD / "destatis-catalog-original-input.rdf"
    url = http_server.route(
        "/d.rdf",
        Reply.file(path, RDFXML, etag='"v1"', last_modified="Mon, 02 Jan 2023 10:00:00 GMT"),
    )
    source = make_source(kind="dcat", location=url, policy=UNCHECKED)
    assert pipeline.harvest(config, store, source).outcome == "published"
    again = pipeline.harvest(config, store, source)
    assert again.outcome == "unchanged" and "304" in again.message
    assert http_server.hits("/d.rdf")[-1].headers.get("If-None-Match") == '"v1"'
    forced = pipeline.harvest(config, store, source, force=True)
    assert forced.outcome == "published"
    assert "If-None-Match" not in http_server.hits("/d.rdf")[-1].headers
    store.drop_graph(source.graph(config.base_iri))  # gone since: fetched in full again
    assert pipeline.harvest(config, store, source).outcome == "published"
    assert "If-None-Match" not in http_server.hits("/d.rdf")[-1].headers


def test_defaults_complete_datasets_and_distributions(scratch_platform, http_server):
    config, store = scratch_platform
    body = (
        b"@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> ."
        b"<http://ex.org/d1> a dcat:Dataset ; dcat:distribution <http://ex.org/x1> ."
        b"<http://ex.org/x1> a dcat:Distribution ."
    )
    source = make_source(
        kind="dcat",
        location=http_server.route("/d.ttl", Reply(body)),
        default_publisher="http://ex.org/publisher",
        default_licence="http://dcat-ap.de/def/licenses/dl-by-de/2.0",
        policy=UNCHECKED,
    )
    assert pipeline.harvest(config, store, source).outcome == "published"
    data = store.read_graph(graph_of(scratch_platform, source)).decode()
    assert (
        "<http://ex.org/d1> <http://purl.org/dc/terms/publisher> <http://ex.org/publisher>" in data
    )
    # named (by the source's id: it has no title), so the catalogue can publish it as it is
    assert f'<http://ex.org/publisher> <http://xmlns.com/foaf/0.1/name> "{source.id}"' in data
    assert (
        "<http://ex.org/x1> <http://purl.org/dc/terms/license> <http://dcat-ap.de/def/licenses/dl-by-de/2.0>"
        in data
    )


def test_later_pages_are_parsed_like_the_first(scratch_platform, http_server):
    """Every page goes through the one parse path: an invalid IRI on page 2 is repaired as on
    page 1, and a blank node label used on two pages names two nodes."""
    config, store = scratch_platform
    page = (
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .\n"
        "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .\n"
        "<http://ex.org/d{n}> a dcat:Dataset ;\n"
        "  dcat:landingPage <http://ex.org/map?LAYER[id]={n}> ;\n"
        "  dcat:contactPoint _:contact .\n"
        '_:contact <http://www.w3.org/2006/vcard/ns#fn> "contact {n}" .\n'
        "{next}"
    )
    bodies = {
        "1": page.format(n=1, next='<x> hydra:nextPage "/paged.ttl?page=2" .\n').encode(),
        "2": page.format(n=2, next="").encode(),
    }
    url = http_server.route(
        "/paged.ttl", lambda request: Reply(bodies[request.query.get("page", ["1"])[0]])
    )
    source = make_source(kind="dcat", location=url, policy=UNCHECKED)
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    assert result.pages == 2
    data = store.read_graph(graph_of(scratch_platform, source)).decode()
    assert "<http://ex.org/map?LAYER%5Bid%5D=2>" in data
    contacts = count_in(
        store,
        graph_of(scratch_platform, source),
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?d ?p ?c FILTER(isBlank(?c)) } }",
    )
    assert contacts == 2
