"""/catalog: DCAT-AP.de conformance, formats, paging, dumps and bad input, on the demo region."""

from __future__ import annotations

import gzip
import hashlib
import urllib.parse
import warnings

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

import dcat_ap_de
from conftest import BASE_IRI

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
CATALOG = URIRef(BASE_IRI + "catalog")
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}


def download(client, url: str) -> bytes:
    """The body of a dump; the response is closed (send_file holds the file open)."""
    with client.get(str(url).removeprefix(BASE_IRI.rstrip("/"))) as response:
        assert response.status_code == 200, url
        return response.data


def fetch(client, path: str, fmt: str = "ttl") -> Graph:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    with warnings.catch_warnings():
        # rdflib 7.6's JSON-LD parser builds a ConjunctiveGraph internally
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=response.data, format=FORMATS[fmt])


@pytest.fixture(scope="module")
def page_one(app) -> Graph:
    return fetch(app.test_client(), "/catalog.ttl")


def test_catalogue_lists_own_and_republished_datasets(page_one):
    datasets = set(page_one.objects(CATALOG, DCAT.dataset))
    own = {
        URIRef(BASE_IRI + f"id/dataset/{s}")
        for s in ("municipalities", "projects", "public-services", "funding", "knowledge-graph")
    }
    assert own <= datasets
    assert any("/id/cube/" in str(d) for d in datasets), "the demo's statistics cube"
    harvested = datasets - own - {d for d in datasets if "/id/cube/" in str(d)}
    assert harvested, "the demo region's datasets are re-published"
    for dataset in datasets:
        assert (dataset, RDF.type, DCAT.Dataset) in page_one
        assert page_one.value(dataset, DCT.publisher) is not None
        assert page_one.value(dataset, DCAT.contactPoint) is not None
    for record in page_one.objects(CATALOG, DCAT.record):
        assert page_one.value(record, DCT.modified) is not None
        assert page_one.value(record, DCT.source) is not None


def test_every_distribution_has_a_licence_from_the_dcat_ap_de_list(page_one):
    distributions = set(page_one.objects(None, DCAT.distribution))
    assert distributions
    for distribution in distributions:
        licence = page_one.value(distribution, DCT.license)
        assert str(licence).startswith("http://dcat-ap.de/def/licenses/"), distribution


def test_data_service_for_the_sparql_endpoint(page_one):
    service = page_one.value(CATALOG, DCAT.service)
    assert page_one.value(service, DCAT.endpointURL) == URIRef(BASE_IRI + "sparql")
    assert page_one.value(service, DCAT.endpointDescription) is not None
    assert page_one.value(service, DCAT.servesDataset) == URIRef(
        BASE_IRI + "id/dataset/knowledge-graph"
    )


@pytest.fixture(scope="session")
def dcat_ap_de_shapes(shared_data):
    return dcat_ap_de.load_shapes(shared_data)


@pytest.mark.shared
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_catalogue_validates_against_dcat_ap_de(client, dcat_ap_de_shapes, fmt):
    shapes, vocabularies = dcat_ap_de_shapes
    report = dcat_ap_de.validate(fetch(client, f"/catalog.{fmt}", fmt), shapes, vocabularies)
    print(f"\n[{fmt}] {report.summary()}")
    assert report.violations == [], report.summary()


def test_formats_are_isomorphic(client, page_one):
    for fmt in ("rdf", "jsonld", "nt"):
        assert isomorphic(page_one, fetch(client, f"/catalog.{fmt}", fmt)), fmt


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("text/html", "text/html"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ],
)
def test_content_negotiation(client, accept, media_type):
    response = client.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("page=0", 400),
        ("page=-1", 400),
        ("page=abc", 400),
        ("page=1.5", 400),
        ("page=99999", 404),
        ("modified_since=yesterday", 400),
        ("modified_since=2024-13-45", 400),
        ("modified_since=%27%3B%20DROP", 400),
        ("page=1", 200),
        ("modified_since=2000-01-01", 200),
    ],
)
def test_bad_parameters(client, query, status):
    response = client.get(f"/catalog.ttl?{query}")
    assert response.status_code == status, response.get_data(as_text=True)


def test_unknown_extension(client):
    assert client.get("/catalog.xlsx").status_code == 404
    assert client.get("/catalog.ttl").status_code == 200


def test_modified_since_in_the_future_empties_the_catalogue_and_keeps_it_in_links(client):
    graph = fetch(client, "/catalog.ttl?modified_since=2999-01-01")
    assert not set(graph.objects(CATALOG, DCAT.dataset))
    first = next(graph.objects(None, HYDRA.firstPage))
    assert "modified_since=2999-01-01" in urllib.parse.unquote(str(first))


def test_html_view_with_filters(client):
    page = client.get("/catalog?theme=TRAN").get_data(as_text=True)
    assert "Datenkatalog" in page
    assert "Rufbus" in page  # a transport dataset of the demo region
    assert "Gemeindeverzeichnis der Region" not in page  # not a transport dataset
    everything = client.get("/catalog").get_data(as_text=True)
    assert "Gemeindeverzeichnis der Region" in everything


def test_dumps_download_with_the_published_size_and_checksum(client, page_one):
    urls = [u for u in page_one.objects(None, DCAT.downloadURL) if "/dumps/" in str(u)]
    names = {str(u).rsplit("/", 1)[-1] for u in urls}
    assert {"full.nq.gz", "full.ttl.gz", "municipalities.ttl.gz"} <= names
    assert any(n.endswith(".csv") for n in names), "the statistics cube as CSV"
    assert any(n.startswith("graph-") for n in names), "per-graph dumps"
    for url in urls:
        distribution = page_one.value(None, DCAT.downloadURL, url)
        body = download(client, url)
        assert int(page_one.value(distribution, DCAT.byteSize)) == len(body)
        checksum = page_one.value(distribution, SPDX.checksum)
        assert str(page_one.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        if str(url).endswith(".nq.gz"):
            assert gzip.decompress(body).count(b"\n") > 0


def test_full_dump_holds_the_store(client, demo_store):
    body = gzip.decompress(download(client, "/dumps/full.nq.gz"))
    graphs = demo_store.graphs()
    expected = sum(n for g, n in graphs.items() if g != demo_store.meta_graph)
    assert body.count(b"\n") == expected


def test_cube_csv_is_tidy(client):
    graph = fetch(client, "/catalog.ttl")
    csv_url = next(str(u) for u in graph.objects(None, DCAT.downloadURL) if str(u).endswith(".csv"))
    lines = download(client, csv_url).decode("utf-8").splitlines()
    assert lines[0].startswith("observation,")
    observations = {line.split(",", 1)[0] for line in lines[1:]}
    assert len(observations) == len(lines) - 1  # one row per observation


@pytest.mark.parametrize(
    "name", ["../config.toml", "manifest.json", ".lock", "nope.nq.gz", "%2e%2e%2fx"]
)
def test_dump_names_outside_the_manifest_are_404(client, name):
    assert client.get(f"/dumps/{name}").status_code == 404
