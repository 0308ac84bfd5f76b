"""The store client against every kind of store the platform supports.

The same tests run against the embedded Oxigraph (started by the supervisor), a separately
started Oxigraph server given only by URL, and a private Virtuoso 7 from Debian: pointing
the configuration at another SPARQL 1.1 store must work without code changes.
"""

from __future__ import annotations

import subprocess
import time

import pytest
from pyoxigraph import Literal, NamedNode

import virtuoso
from conftest import make_config
from regiograph.runtime import open_store
from regiograph.store import (
    NotAllowed,
    QuerySyntaxError,
    Store,
    StoreError,
    StoreUnavailable,
)
from regiograph.store.supervisor import answers, free_port

EX = "http://example.org/"
TRIPLE = f'<{EX}a> <{EX}name> "Mannheim"@de .\n'.encode()


@pytest.fixture(scope="module")
def external_oxigraph(tmp_path_factory, oxigraph_binary):
    """An Oxigraph server we did not start through the supervisor: only its URL is known."""
    port = free_port()
    process = subprocess.Popen(
        [
            oxigraph_binary,
            "serve",
            "--location",
            str(tmp_path_factory.mktemp("ext")),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    cfg = make_config(
        tmp_path_factory.mktemp("ext-data"),
        store__query_url=base + "/query",
        store__update_url=base + "/update",
        store__graph_store_url=base + "/store",
    )
    try:
        _wait_until_answering(base)
        with open_store(cfg) as (_, store):
            yield store
    finally:
        process.terminate()
        process.wait()


@pytest.fixture(scope="module")
def virtuoso_store(tmp_path_factory):
    yield from virtuoso.store_for_tests(tmp_path_factory)


def _wait_until_answering(base: str) -> None:
    deadline = time.monotonic() + 30
    while not answers(base):
        assert time.monotonic() < deadline, f"the Oxigraph server at {base} did not start"
        time.sleep(0.05)


@pytest.fixture(
    params=["embedded", "external-oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)]
)
def store(request) -> Store:
    if request.param == "embedded":
        return request.getfixturevalue("scratch_store")
    if request.param == "external-oxigraph":
        return request.getfixturevalue("external_oxigraph")
    return request.getfixturevalue("virtuoso_store")


def test_replace_graph_is_one_step(store, graph_iri):
    store.replace_graph(graph_iri, TRIPLE)
    store.replace_graph(graph_iri, f'<{EX}b> <{EX}name> "Heidelberg"@de .\n'.encode())
    rows = store.select(f"SELECT ?o WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    assert [r["o"] for r in rows] == [Literal("Heidelberg", language="de")]


def test_failed_replace_keeps_the_old_graph(store, graph_iri):
    store.replace_graph(graph_iri, TRIPLE)
    with pytest.raises(StoreError):  # Oxigraph says 400, Virtuoso 500
        store.replace_graph(graph_iri, b"<http://example.org/broken> <no closing bracket .\n")
    assert store.graphs()[graph_iri] == 1


def test_graphs_lists_counts_and_drop_removes(store, graph_iri):
    store.replace_graph(graph_iri, TRIPLE + f'<{EX}a> <{EX}key> "08222000" .\n'.encode())
    assert store.graphs()[graph_iri] == 2
    store.drop_graph(graph_iri)
    assert graph_iri not in store.graphs()


def test_values_are_bound_as_terms_not_text(store, graph_iri):
    store.replace_graph(graph_iri, TRIPLE)
    hostile = Literal('Mannheim"@de } } ; DROP ALL ; #')
    query = f"SELECT ?s WHERE {{ GRAPH <{graph_iri}> {{ ?s <{EX}name> ?name }} }}"
    assert store.select(query, {"name": hostile}) == []
    assert store.select(query, {"name": Literal("Mannheim", language="de")}) == [
        {"s": NamedNode(f"{EX}a")}
    ]
    assert store.graphs()[graph_iri] == 1  # nothing was dropped


def test_ask_construct_and_update(store, graph_iri):
    store.replace_graph(graph_iri, TRIPLE)
    assert store.ask(f"ASK WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
    store.update(f'INSERT DATA {{ GRAPH <{graph_iri}> {{ <{EX}b> <{EX}name> "Worms" }} }}')
    triples = store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    )
    assert {t.object.value for t in triples} == {"Mannheim", "Worms"}


def test_data_version_changes_on_every_write(store, graph_iri):
    before = store.data_version()
    store.replace_graph(graph_iri, TRIPLE)
    after_replace = store.data_version()
    store.update(f"INSERT DATA {{ GRAPH <{graph_iri}> {{ <{EX}c> <{EX}p> 1 }} }}")
    assert len({before, after_replace, store.data_version()}) == 3


def test_syntax_error_carries_the_stores_message(store):
    with pytest.raises(QuerySyntaxError) as error:
        store.select("SELEC ?x WHERE { ?x ?y ?z }")
    assert error.value.message  # the store's own words, e.g. "error at 1:1 …"


def test_dump_round_trips_through_nquads(store, graph_iri):
    store.replace_graph(graph_iri, TRIPLE)
    lines = b"".join(store.dump(graph_iri)).decode().splitlines()
    assert lines == [f'<{EX}a> <{EX}name> "Mannheim"@de <{graph_iri}> .']


def test_unreachable_store_is_named(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/query"
    cfg = make_config(tmp_path, store__query_url=url)
    with pytest.raises(StoreUnavailable, match=url.replace("/", ".")), open_store(cfg):
        pass


@pytest.mark.virtuoso
def test_virtuoso_refuses_writes_without_credentials(virtuoso_store, graph_iri):
    endpoints = virtuoso_store.endpoints
    anonymous = Store(
        type(endpoints)(
            query=endpoints.query,
            update=endpoints.update,
            graph_store=endpoints.graph_store,
            dialect="virtuoso",
        ),
        meta_graph=virtuoso_store.meta_graph,
    )
    with pytest.raises(NotAllowed):
        anonymous.replace_graph(graph_iri, TRIPLE)
