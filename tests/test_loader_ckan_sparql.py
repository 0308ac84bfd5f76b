"""ckan sources (real package_search responses, paged to the end) and a sparql source
served by a second Oxigraph server."""

from __future__ import annotations

import json

import pytest
import requests
from pyoxigraph import NamedNode

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline
from regiograph.store import OxigraphServer

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
_fresh = pytest.fixture(autouse=True, name="fresh_graphs")(httpfixtures.dropping_new_graphs)
DCAT = "http://www.w3.org/ns/dcat#"
SEARCH = "/api/3/action/package_search"


def count(store, graph: str, cls: str) -> int:
    return store.count(
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH ?g { ?x a ?c } }",
        {"g": NamedNode(graph), "c": NamedNode(cls)},
    )


def paged_search(packages: list[dict]):
    """A package_search endpoint over ``packages`` honouring rows and start."""

    def answer(request):
        rows = int(request.query["rows"][0])
        start = int(request.query["start"][0])
        body = {
            "help": "",
            "success": True,
            "result": {"count": len(packages), "results": packages[start : start + rows]},
        }
        return Reply(json.dumps(body).encode(), content_type="application/json")

    return answer


def test_real_package_search_response(scratch_platform, http_server, shared_data):
    config, store = scratch_platform
    body = (shared_data / "ckan-api-demo-ckan-org/packages.json").read_bytes()
    http_server.route(SEARCH, Reply(body, content_type="application/json"))
    source = make_source(
        kind="ckan",
        location=http_server.base,
        organisations=["sdb"],
        tags=["image recognition"],
        policy={"validate": False},  # the mapping is under test (acceptance: below)
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    graph = source.graph(config.base_iri)
    assert count(store, graph, DCAT + "Dataset") == 3
    assert count(store, graph, DCAT + "Distribution") >= 3
    fq = http_server.hits(SEARCH)[0].query["fq"][0]
    assert fq == '(organization:"sdb") AND (tags:"image recognition")'
    data = store.read_graph(graph).decode()
    assert "misoh049@gmail.com" not in data  # personal data is not mapped
    assert "<http://publications.europa.eu/resource/authority/file-type/CSV>" in data


def test_ckan_packages_are_checked_against_dcat_ap_de_one_by_one(
    scratch_platform, http_server, shared_data
):
    config, store = scratch_platform
    body = (shared_data / "ckan-api-demo-ckan-org/packages.json").read_bytes()
    http_server.route(SEARCH, Reply(body, content_type="application/json"))
    source = make_source(kind="ckan", location=http_server.base)
    result = pipeline.harvest(config, store, source)
    assert "DCAT-AP.de 3.0" in result.validation, "ckan sources get the profile by default"
    assert len(result.datasets.verdicts) == 3
    for verdict in result.datasets.held_back:
        assert verdict.reasons
    published = count(store, source.graph(config.base_iri), DCAT + "Dataset")
    assert published == len(result.datasets.accepted)


def test_ckan_paging_to_the_end(scratch_platform, http_server, shared_data):
    config, store = scratch_platform
    real = json.loads((shared_data / "ckan-api-demo-ckan-org/packages.json").read_bytes())
    packages = []
    for number in range(25):  # the three real packages, again and again under new ids
        package = dict(real["result"]["results"][number % 3])
        package["id"] = f"{package['id'][:-4]}{number:04d}"
        packages.append(package)
    http_server.route(SEARCH, paged_search(packages))
    source = make_source(
        kind="ckan", location=http_server.base + "/", rows=10, policy={"validate": False}
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    assert [r.query["start"] for r in http_server.hits(SEARCH)] == [["0"], ["10"], ["20"]]
    assert result.pages == 3 and result.records == 25
    assert count(store, source.graph(config.base_iri), DCAT + "Dataset") == 25


def test_ckan_answering_html_is_a_clear_failure(scratch_platform, http_server):
    config, store = scratch_platform
    http_server.route(SEARCH, Reply(b"<html><body>Login</body></html>", content_type="text/html"))
    source = make_source(kind="ckan", location=http_server.base)
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and "wrong content type" in result.message


@pytest.fixture(scope="module")
def remote_endpoint(tmp_path_factory):
    """A second Oxigraph server with a few municipalities: the 'official' remote endpoint."""
    server = OxigraphServer(tmp_path_factory.mktemp("remote") / "store").start()
    data = (
        '<http://remote.example/m/08222000> <http://remote.example/ags> "08222000" .\n'
        '<http://remote.example/m/08222000> <http://remote.example/name> "Mannheim" .\n'
        '<http://remote.example/m/08221000> <http://remote.example/ags> "08221000" .\n'
    )
    response = requests.post(
        server.url + "/store",
        params={"graph": "http://remote.example/graph"},  # visible in the union default graph
        data=data.encode(),
        # the embedded store takes writes only with its credential
        headers={
            "Content-Type": "application/n-triples",
            "Authorization": f"Bearer {server.token}",
        },
        timeout=10,
    )
    assert response.status_code in (201, 204)
    yield server
    server.stop()


def test_sparql_source_from_a_second_oxigraph(scratch_platform, remote_endpoint, tmp_path):
    config, store = scratch_platform
    (tmp_path / "keys.rq").write_text(
        "PREFIX rg: <https://w3id.org/regiograph/ontology#>\n"
        "CONSTRUCT { ?m a rg:Municipality ; rg:ags ?ags } "
        "WHERE { ?x <http://remote.example/ags> ?ags "
        "BIND(IRI(CONCAT('http://localhost:8080/id/municipality/', ?ags)) AS ?m) }"
    )
    source = make_source(
        tmp_path, kind="sparql", location=remote_endpoint.url + "/query", query="keys.rq"
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    assert result.published == 4
    data = store.read_graph(source.graph(config.base_iri)).decode()
    mannheim = "<http://localhost:8080/id/municipality/08222000>"
    assert f'{mannheim} <https://w3id.org/regiograph/ontology#ags> "08222000"' in data
