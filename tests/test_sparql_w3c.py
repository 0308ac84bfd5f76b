"""The W3C SPARQL 1.1 Protocol (34) and Service Description (3) tests, run from the manifests.

Every ``ht:Request`` of a test is sent as written; its path prefix ``/sparql/`` becomes
``/sparql`` for queries and ``/sparql/update`` for updates (the manifest allows endpoints to use
different paths for the two), and update requests carry the write token. Each test first gets
a store holding exactly its ``ut:graphData``. Graph Store Protocol tests are not run: the
platform does not expose the Graph Store Protocol (see docs/sparql.md).
"""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, RdfFormat, parse

from regiograph.runtime import open_store
from regiograph.server import create_app
from w3c_protocol import (
    SD_SHAPES,
    ProtocolTest,
    check_response,
    protocol_tests,
    service_description_tests,
)

TOKEN = "w3c-test-token"
SD = "http://www.w3.org/ns/sparql-service-description#"
# Tests that are known to fail, each with its reason. None are expected.
KNOWN_FAILURES: dict[str, str] = {}


def _manifest_dir():
    from conftest import SHARED_DATA

    return SHARED_DATA / "w3c-sparql11-protocol"


def _protocol_cases() -> list[ProtocolTest]:
    manifest = _manifest_dir() / "protocol" / "manifest.ttl"
    return protocol_tests(manifest) if manifest.is_file() else []


def _sd_cases() -> list[tuple[str, str]]:
    manifest = _manifest_dir() / "service-description" / "manifest.ttl"
    return service_description_tests(manifest) if manifest.is_file() else []


PROTOCOL_CASES = _protocol_cases()
SD_CASES = _sd_cases()


@pytest.fixture(scope="module")
def w3c_platform(tmp_path_factory, shared_data):
    from conftest import make_config

    cfg = make_config(
        tmp_path_factory.mktemp("w3c-data"), server__write_token=TOKEN, sparql__timeout_s=10.0
    )
    with open_store(cfg) as (cfg, store):
        app = create_app(cfg, store)
        app.testing = True
        yield app, store
        app.extensions["regiograph.sparql"].engine.close()


def test_the_manifests_list_every_test(shared_data):
    assert len(PROTOCOL_CASES) == 34
    assert len(SD_CASES) == 3


@pytest.mark.shared
@pytest.mark.parametrize("case", PROTOCOL_CASES, ids=lambda c: c.id)
def test_protocol(case: ProtocolTest, w3c_platform):
    if case.id in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[case.id])
    app, store = w3c_platform
    store.update("DROP ALL")
    for graph, path in case.graph_data:
        store.replace_graph(graph, path.read_bytes())
    web = app.test_client()
    for number, request in enumerate(case.requests, 1):
        update = request.is_update(case.id)
        path = request.path.replace("/sparql/", "/sparql/update" if update else "/sparql", 1)
        headers = {k: v for k, v in request.headers.items() if k != "content-type"}
        if update:
            headers["Authorization"] = f"Bearer {TOKEN}"
        response = web.open(
            path,
            method=request.method,
            data=request.body,
            headers=headers,
            content_type=request.headers.get("content-type"),
        )
        problems = check_response(
            request.expected,
            response.status_code,
            response.headers.get("Content-Type", ""),
            response.data,
        )
        assert not problems, f"{case.id}, request {number} ({request.method} {path}): {problems}"


def _service_description(web, accept: str | None = None):
    headers = {"Accept": accept} if accept else {}
    return web.get("/sparql", headers=headers)


@pytest.mark.shared
@pytest.mark.parametrize("case", SD_CASES, ids=lambda c: c[0])
def test_service_description(case, w3c_platform):
    test_id, _ = case
    if test_id in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[test_id])
    app, _ = w3c_platform
    web = app.test_client()
    if test_id == "returns-rdf":
        for accept in (None, "*/*", "text/turtle", "application/rdf+xml"):
            response = _service_description(web, accept)
            assert response.status_code == 200
            fmt = RdfFormat.from_media_type(response.mimetype)
            assert fmt is not None, response.mimetype
            assert list(parse(response.data, format=fmt))
    elif test_id == "has-endpoint-triple":
        response = _service_description(web, "text/turtle")
        triples = list(parse(response.data, format=RdfFormat.TURTLE))
        endpoints = {t.object for t in triples if t.predicate == NamedNode(SD + "endpoint")}
        assert endpoints == {NamedNode("http://localhost/sparql")}
    elif test_id == "conforms-to-schema":
        import pyshacl
        from rdflib import Graph

        response = _service_description(web, "text/turtle")
        data = Graph().parse(data=response.data, format="turtle")
        shapes = Graph().parse(data=SD_SHAPES, format="turtle", publicID="urn:sd-shapes")
        conforms, _, text = pyshacl.validate(data, shacl_graph=shapes)
        assert conforms, text
    else:
        pytest.fail(f"no runner for the service description test {test_id}")
