"""The store's bulk path: N-Triples split at line ends into parts loaded in parallel, with
every blank node's triples kept in one document (labels are scoped to one document)."""

from __future__ import annotations

from pyoxigraph import NamedNode, RdfFormat, parse

from regiograph.store.bulk import CHUNK, split_ntriples


def ntriples(n: int, *, blank_every: int = 0) -> bytes:
    lines = []
    for i in range(n):
        lines.append(f'<http://ex.org/s{i}> <http://ex.org/p> "value {i} with some text" .\n')
        if blank_every and i % blank_every == 0:
            lines.append(f"<http://ex.org/s{i}> <http://ex.org/link> _:b{i} .\n")
            lines.append(f'_:b{i} <http://ex.org/q> "{i}" .\n')
    return "".join(lines).encode()


def test_parts_are_cut_at_line_ends_and_hold_every_line_once():
    data = ntriples(120_000)
    assert len(data) > 2 * CHUNK
    parts = split_ntriples(data, 4)
    assert len(parts) == 4
    assert all(part.endswith(b"\n") for part in parts)
    assert sorted(b"".join(parts).splitlines()) == sorted(data.splitlines())
    sizes = [len(part) for part in parts]
    assert max(sizes) < 1.1 * min(sizes)


def test_every_line_with_a_blank_node_goes_into_the_first_part():
    data = ntriples(120_000, blank_every=7)
    first, *rest = split_ntriples(data, 4)
    assert all(b"_:" in line for line in first.splitlines())
    assert not any(b"_:" in part for part in rest)
    assert sorted(b"".join([first, *rest]).splitlines()) == sorted(data.splitlines())


def test_small_data_is_one_part():
    data = ntriples(10)
    assert split_ntriples(data, 4) == [data]


def test_a_bulk_load_in_parts_keeps_every_triple_and_blank_node(scratch_store, graph_iri):
    data = ntriples(80_000, blank_every=5)
    scratch_store.add_to_graph(graph_iri, data, unsafe_bulk=True)
    published = scratch_store.read_graph(graph_iri)
    assert len(list(parse(published, RdfFormat.N_TRIPLES))) == len(data.splitlines())
    rows = scratch_store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://ex.org/link> ?b . "
        "?b <http://ex.org/q> ?v FILTER(STR(?s) = CONCAT('http://ex.org/s', ?v)) } }",
        {"g": NamedNode(graph_iri)},
    )
    assert int(rows[0]["n"].value) == 16_000
