"""Publishing: a first publication in bulk (or one transaction), a small change as its
difference in one update, anything else as one PUT; either way the graph ends up exactly
equal to the candidate, and a bulk load cut short never stays published."""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat, parse

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline, publish
from regiograph.loader.map.construct import text
from regiograph.loader.provenance import graph_size

_server = pytest.fixture(name="http_server")(httpfixtures.serving)


def document(n: int, *, changed: dict[int, str] | None = None, blank: bool = False) -> bytes:
    lines = []
    for i in range(n):
        text = (changed or {}).get(i, f"value {i}")
        lines.append(f'<http://ex.org/s{i}> <http://ex.org/p> "{text}" .\n')
    if blank:
        lines.append('_:b <http://ex.org/p> "blank" .\n')
    return "".join(lines).encode()


def published_set(store, graph: str) -> set:
    return set(parse(store.read_graph(graph), RdfFormat.N_TRIPLES))


def harvest(config, store, http_server, source, body: bytes):
    http_server.route("/d.nt", Reply(body, content_type="application/n-triples"))
    result = pipeline.harvest(config, store, source, force=True)
    assert result.outcome == "published", result.message
    expected = set(parse(body, RdfFormat.N_TRIPLES))
    graph = source.graph(config.base_iri)
    if not any(t.subject.__class__.__name__ == "BlankNode" for t in expected):
        assert published_set(store, graph) == expected
    else:
        assert len(published_set(store, graph)) == len(expected)
    return result


def test_small_changes_are_published_as_their_difference(scratch_platform, http_server):
    config, store = scratch_platform
    source = make_source(kind="rdf", location=http_server.url("/d.nt"))
    assert harvest(config, store, http_server, source, document(100)).published_by == "loaded"
    assert harvest(config, store, http_server, source, document(100)).published_by == ("unchanged")
    tricky = {3: "REMOVED ADDED GRAPH_IRI } } ; DROP ALL", 7: "neu \\\\u00e4"}
    changed = harvest(config, store, http_server, source, document(100, changed=tricky))
    assert changed.published_by == "changed"
    grown = harvest(config, store, http_server, source, document(105, changed=tricky))
    assert grown.published_by == "changed"
    assert store.graphs()  # DROP ALL in a literal stayed a literal


def test_large_changes_and_blank_nodes_replace_the_graph(scratch_platform, http_server):
    config, store = scratch_platform
    source = make_source(kind="rdf", location=http_server.url("/d.nt"))
    harvest(config, store, http_server, source, document(100))
    rewritten = {i: f"new {i}" for i in range(50)}
    assert (
        harvest(config, store, http_server, source, document(100, changed=rewritten)).published_by
        == "replaced"
    )
    assert (
        harvest(
            config, store, http_server, source, document(100, changed=rewritten, blank=True)
        ).published_by
        == "replaced"
    )


def incomplete_note(store, graph: str) -> bool:
    from pyoxigraph import NamedNode

    note = {"graph": NamedNode(graph), "meta": NamedNode(store.meta_graph)}
    return store.ask(text("incomplete-load.rq"), note)


def test_first_publication_goes_in_bulk_or_in_one_transaction(scratch_platform, http_server):
    config, store = scratch_platform
    bulk = make_source(kind="rdf", location=http_server.url("/d.nt"))
    assert harvest(config, store, http_server, bulk, document(50)).published_by == "loaded"
    assert not incomplete_note(store, bulk.graph(config.base_iri))
    atomic = make_source(
        kind="rdf", location=http_server.url("/d.nt"), policy={"first_load": "atomic"}
    )
    assert harvest(config, store, http_server, atomic, document(50)).published_by == "added"


def test_a_first_load_cut_short_is_removed_by_the_next_run_even_if_it_fails(
    scratch_platform, http_server
):
    """What a store killed during a bulk load leaves: part of the data and the note."""
    from pyoxigraph import NamedNode

    config, store = scratch_platform
    source = make_source(kind="rdf", location=http_server.url("/gone.nt"), retries=0)
    graph = source.graph(config.base_iri)
    note = {"graph": NamedNode(graph), "meta": NamedNode(store.meta_graph)}
    store.update(text("mark-incomplete.ru"), note | {"run": NamedNode(graph + "/run")})
    store.add_to_graph(graph, document(30))
    http_server.route("/gone.nt", Reply(b"", status=404))
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and "404" in result.message
    assert graph_size(store, graph) == 0
    assert not incomplete_note(store, graph)
    assert not publish.remove_incomplete(store, graph)  # nothing left to remove


def test_a_policy_with_an_unknown_first_load_is_refused():
    from regiograph.loader.errors import SourceConfigError

    with pytest.raises(SourceConfigError, match="'first_load' must be 'bulk' or 'atomic'"):
        make_source(kind="rdf", location="http://x.example/", policy={"first_load": "fast"})
