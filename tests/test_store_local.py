"""Page reads in process on the owner's snapshots (store/local.py): the same answers as the
store, the data of the current version, handles closed only when no read uses them, and the
store asked whenever there is no snapshot to read."""

from __future__ import annotations

import os
import threading

import pytest
from pyoxigraph import NamedNode

from regiograph.resources.describe import query
from regiograph.store import QuerySyntaxError, Store
from regiograph.store.local import SnapshotReads, reads_for

RG = "https://w3id.org/regiograph/ontology#"


def _key(rows: list[dict]) -> list[str]:
    return sorted(repr(sorted((k, str(v)) for k, v in row.items())) for row in rows)


def test_page_questions_get_the_answers_the_store_gives(demo_store):
    reads = reads_for(demo_store)
    assert isinstance(reads, SnapshotReads)
    things = demo_store.select(
        f"SELECT ?x WHERE {{ {{ ?x a <{RG}Municipality> }} UNION {{ ?x a <{RG}Project> }} }} "
        "ORDER BY ?x LIMIT 12"
    )
    compared = 0
    for thing in things:
        bindings = {"this": thing["x"], "meta": NamedNode(demo_store.meta_graph)}
        for name in ("describe", "incoming_counts", "validation") + ("provenance",) * (
            not compared
        ):
            local, remote = (
                reads.select(query(name), bindings),
                demo_store.select(query(name), bindings),
            )
            assert _key(local) == _key(remote), (name, thing["x"])
            compared += len(remote)
        text = query("data")
        assert sorted(map(str, reads.construct(text, bindings))) == sorted(
            map(str, demo_store.construct(text, bindings))
        )
    assert compared > 100
    assert reads.ask(f"ASK {{ ?x a <{RG}Municipality> }}") is True


def test_reads_see_a_write_at_once(scratch_store, graph_iri):
    reads = reads_for(scratch_store)
    ask = f"ASK {{ GRAPH <{graph_iri}> {{ <urn:x:s> <urn:x:p> ?o }} }}"
    assert reads.ask(ask) is False
    scratch_store.update(f"INSERT DATA {{ GRAPH <{graph_iri}> {{ <urn:x:s> <urn:x:p> 1 }} }}")
    assert reads.ask(ask) is True
    scratch_store.update(f"CLEAR GRAPH <{graph_iri}>")
    assert reads.ask(ask) is False


def test_a_replaced_snapshot_stays_open_while_a_read_uses_it(scratch_store, graph_iri):
    reads = SnapshotReads(scratch_store, scratch_store.server.snapshots)
    held = reads._acquire()  # a read in another thread, still going
    assert held is not None
    scratch_store.update(f"INSERT DATA {{ GRAPH <{graph_iri}> {{ <urn:x:s> <urn:x:p> 2 }} }}")
    assert reads.ask(f"ASK {{ GRAPH <{graph_iri}> {{ ?s ?p 2 }} }}") is True  # a newer one
    assert reads._handle is not held and held.retired
    assert held.store is not None
    os.fstat(held.fd)  # its lock is still held: the owner cannot delete it
    reads._release(held)
    assert held.store is None
    with pytest.raises(OSError):
        os.fstat(held.fd)


def test_many_threads_read_while_the_data_moves(scratch_store, graph_iri):
    reads = reads_for(scratch_store)
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            for _ in range(40):
                reads.select(f"SELECT ?o WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for k in range(10):
        scratch_store.update(f"INSERT DATA {{ GRAPH <{graph_iri}> {{ <urn:x:s> <urn:x:n> {k} }} }}")
    for thread in threads:
        thread.join()
    assert not errors
    rows = reads.select(f"SELECT ?o WHERE {{ GRAPH <{graph_iri}> {{ <urn:x:s> <urn:x:n> ?o }} }}")
    assert len(rows) == 10


def test_without_a_snapshot_the_store_answers(scratch_store, tmp_path):
    empty = SnapshotReads(scratch_store, tmp_path / "no-snapshots")
    assert empty.ask("ASK { }") is True
    assert empty._handle is None  # nothing was opened: the store answered


def test_an_unreadable_snapshot_leaves_the_store_to_answer(scratch_store, tmp_path):
    folder = tmp_path / "snapshots"
    sequence = int(scratch_store.data_version().rpartition(".")[2])
    broken = folder / f"{sequence:012d}.{sequence:012d}.1"
    broken.mkdir(parents=True)
    (broken / "CURRENT").write_text("not a RocksDB\n")
    reads = SnapshotReads(scratch_store, folder)
    assert reads.select("SELECT (1 AS ?one) WHERE { }")[0]["one"].value == "1"
    assert not broken.exists()  # put aside, as the query workers do


def test_a_store_by_url_is_read_through_the_store():
    store = Store.__new__(Store)  # no supervised server: an external store
    store.server = None
    assert reads_for(store) is store


def test_bad_query_text_is_a_syntax_error(demo_store):
    with pytest.raises(QuerySyntaxError):
        reads_for(demo_store).select("SELECT ?x WHERE { ?x ")
    with pytest.raises(QuerySyntaxError):
        reads_for(demo_store).select(
            "SELEKT ?x WHERE { ?x ?p ?this }", {"this": NamedNode("urn:x")}
        )
