"""The store's typed answers: a query cut short is a QueryTimeout, never data; a streamed
answer broken off is a StoreError; columns keep the query's order; many rows bind as VALUES.

Cut-short and broken answers come from a loopback server that answers the way Oxigraph does
when its time limit stops a query (HTTP 200, the note appended to the body).
"""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode

from httpfixtures import QuietHandler, loopback
from regiograph.store import Endpoints, QueryTimeout, Store, StoreError
from regiograph.store.binding import after_where, bind_rows, has_where

NOTE = b"The SPARQL operation has been cancelled"
ROWS = b"s\r\n" + b"".join(b"http://example.org/r%d\r\n" % n for n in range(5000))
EX = "http://example.org/"


class _Answers(QuietHandler):
    """``cut`` in the query: rows then the note; ``broken``: fewer bytes than announced."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        query = self.rfile.read(length).decode()
        body = ROWS + NOTE if "cut" in query else ROWS
        announced = len(body) * 2 if "broken" in query else len(body)
        self.answer(body, {"Content-Type": "text/csv; charset=utf-8"}, length=announced)
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture(scope="module")
def answering():
    with loopback(_Answers) as base:
        url = f"{base}/query"
        yield Store(Endpoints(query=url, update=url, dialect="oxigraph"), meta_graph=EX + "meta")


def test_a_whole_answer_comes_through_unchanged(answering):
    with answering.query_stream("SELECT ?s WHERE {}", "text/csv", chunk_size=1000) as result:
        assert result.media_type == "text/csv"
        assert b"".join(result.chunks) == ROWS
    whole = answering.query_bytes("SELECT ?s WHERE {}", "text/csv")
    assert (whole.media_type, whole.body) == ("text/csv", ROWS)


def test_a_streamed_answer_cut_short_ends_in_query_timeout_without_the_note(answering):
    received = []
    with (
        answering.query_stream("SELECT ?s WHERE {} # cut", "text/csv", chunk_size=1000) as result,
        pytest.raises(QueryTimeout),
    ):
        for chunk in result.chunks:
            received.append(chunk)
    assert NOTE not in b"".join(received)
    assert b"".join(received) == (ROWS + NOTE)[: len(b"".join(received))]


def test_a_whole_answer_cut_short_is_query_timeout(answering):
    with pytest.raises(QueryTimeout):
        answering.query_bytes("SELECT ?s WHERE {} # cut", "text/csv")


def test_a_streamed_answer_that_breaks_off_is_a_store_error(answering):
    with (
        answering.query_stream("SELECT ?s WHERE {} # broken", "text/csv") as result,
        pytest.raises(StoreError, match="broke off"),
    ):
        for _ in result.chunks:
            pass


def test_solutions_keep_the_querys_column_order(scratch_store, graph_iri):
    scratch_store.add_to_graph(graph_iri, f'<{EX}a> <{EX}name> "A" .\n'.encode())
    found = scratch_store.solutions(
        f"SELECT ?name ?thing WHERE {{ GRAPH <{graph_iri}> {{ ?thing <{EX}name> ?name }} }}"
    )
    assert found.columns == ("name", "thing")
    assert found.rows == [{"name": Literal("A"), "thing": NamedNode(EX + "a")}]


def test_many_rows_bind_as_one_values_block(scratch_store, graph_iri):
    names = "".join(f'<{EX}{n}> <{EX}name> "{n}" .\n' for n in "abcd")
    scratch_store.add_to_graph(graph_iri, names.encode())
    query = f"SELECT ?name WHERE {{ GRAPH ?g {{ ?thing <{EX}name> ?name }} }} ORDER BY ?name"
    rows = [(NamedNode(EX + n), NamedNode(graph_iri)) for n in "bd"]
    found = scratch_store.select(bind_rows(query, ("thing", "g"), rows))
    assert [row["name"].value for row in found] == ["b", "d"]


def test_the_first_where_is_found_in_any_spelling():
    assert has_where("select * where{ ?s ?p ?o }")
    assert not has_where("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }")
    assert after_where("ASK WHERE { ?s ?p ?o }", " X ") == "ASK WHERE { X  ?s ?p ?o }"
    with pytest.raises(ValueError):
        bind_rows("ASK { ?s ?p ?o }", ("s",), [(NamedNode(EX + "a"),)])
