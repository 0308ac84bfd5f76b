"""The protocol's using-graph-uri / using-named-graph-uri written into an update as USING
clauses (regiograph.sparql.using), run on a real pyoxigraph store."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, Store

from regiograph.sparql.using import DatasetConflict, with_dataset

G1, G2, OUT = "http://example.org/g1", "http://example.org/g2", "http://example.org/out"


def _store() -> Store:
    store = Store()
    store.update(
        f"INSERT DATA {{ GRAPH <{G1}> {{ <http://example.org/a> a <http://example.org/C> }}"
        f" GRAPH <{G2}> {{ <http://example.org/b> a <http://example.org/C> }} }}"
    )
    return store


def _subjects(store: Store, graph: str) -> set[str]:
    return {q.subject.value for q in store.quads_for_pattern(None, None, None, NamedNode(graph))}


def test_the_default_graph_of_insert_where_is_the_using_graph():
    store = _store()
    update = (
        "# a WHERE { in a comment is no clause\n"
        f'INSERT {{ GRAPH <{OUT}> {{ ?s <http://example.org/n> "}}" }} }}\n'
        "WHERE { { SELECT ?s WHERE { ?s a <http://example.org/C> } } }"
    )
    store.update(with_dataset(update, [G1], []))
    assert _subjects(store, OUT) == {"http://example.org/a"}


def test_using_named_graphs_are_the_only_named_graphs():
    store = _store()
    update = f"INSERT {{ GRAPH <{OUT}> {{ ?s a ?g }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    store.update(with_dataset(update, [], [G2]))
    assert _subjects(store, OUT) == {"http://example.org/b"}


def test_delete_where_gets_the_dataset_too():
    store = _store()
    update = f"DELETE WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}"
    store.update(with_dataset(update, [], [G2]))  # G1 is not in the dataset: nothing matches
    assert _subjects(store, G1) == {"http://example.org/a"}
    store.update(with_dataset(update, [], [G1]))
    assert _subjects(store, G1) == set()


def test_without_parameters_the_text_is_unchanged():
    update = "DELETE WHERE { ?s ?p ?o }"
    assert with_dataset(update, [], []) == update


@pytest.mark.parametrize(
    "update",
    [
        f"WITH <{G1}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
        f"DELETE {{ ?s ?p ?o }} USING <{G1}> WHERE {{ ?s ?p ?o }}",
    ],
)
def test_using_or_with_in_the_text_conflicts_with_the_parameters(update):
    with pytest.raises(DatasetConflict):
        with_dataset(update, [G2], [])


def test_a_dataset_iri_must_be_an_absolute_iri():
    with pytest.raises(ValueError):
        with_dataset("DELETE WHERE { ?s ?p ?o }", ["http://example.org/a b>"], [])
