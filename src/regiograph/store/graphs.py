"""The Graph Store Protocol part of :class:`.client.Store`: replace, add to, read, drop and
count named graphs — through a Graph Store endpoint, or by SPARQL Update where a store has none
— and dump them as N-Quads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO

from pyoxigraph import NamedNode, RdfFormat, parse

from regiograph.mediatypes import NTRIPLES
from regiograph.store import dialects
from regiograph.store.bulk import chunks, parallel_parts, split_ntriples
from regiograph.store.errors import StoreError

N_TRIPLES = NTRIPLES.media_type


class GraphStore:
    """Named graphs as wholes; a part of :class:`.client.Store` (it uses its ``update``,
    ``select``, ``query_bytes``, ``data_version`` and ``bump_version``)."""

    def replace_graph(
        self, graph: str, data: bytes | IO[bytes] | Iterator[bytes], content_type: str = N_TRIPLES
    ) -> None:
        """Replace one named graph with ``data`` in one step: old or new, never a mix."""
        NamedNode(graph)  # refuses a malformed IRI before anything is sent
        if self.endpoints.graph_store:
            content = self._send_graph("PUT", graph, data, content_type, {})
            self.bump_version(content=content, written=True)
        else:
            self._replace_by_update(graph, data, content_type)

    def add_to_graph(
        self,
        graph: str,
        data: bytes | IO[bytes] | Iterator[bytes],
        content_type: str = N_TRIPLES,
        *,
        unsafe_bulk: bool = False,
        on_bytes: Callable[[int], None] | None = None,
    ):
        """Add triples to a named graph in one transaction.

        ``unsafe_bulk`` uses the store's bulk path where it has one (Oxigraph's
        ``no_transaction``, N-Triples sent in parallel parts): several times faster, but a
        failure or a crash leaves part of the data, so load that way only into a graph that
        may be dropped again. ``on_bytes`` hears of each piece of ``bytes`` data sent.
        """
        NamedNode(graph)
        fast = dialects.bulk_parameters(self.endpoints) if unsafe_bulk else {}
        if isinstance(data, bytes):
            if fast and content_type == N_TRIPLES and self.endpoints.graph_store:
                self._post_in_parts(graph, data, fast, on_bytes)
                return
            if on_bytes:  # streamed (chunked), to report progress; else one plain body
                data = chunks(data, on_bytes)
        if self.endpoints.graph_store:
            content = self._send_graph("POST", graph, data, content_type, fast)
            self.bump_version(content=content, written=not fast)
        else:
            self.update(
                f"INSERT DATA {{ GRAPH {NamedNode(graph)} {{ {_as_ntriples(data)} }} }}",
                content=graph != self.meta_graph,
            )

    def _send_graph(self, method: str, graph: str, data, content_type: str, params: dict) -> bool:
        """``data`` PUT (replacing) or POSTed (adding) to one graph of the Graph Store
        endpoint; whether the write touched content (not the metadata graph alone)."""
        content = graph != self.meta_graph
        self._request(
            method,
            self.endpoints.graph_store,
            params=dialects.graph_parameter(self.endpoints, graph)
            | params
            | self._content_parameter(content),
            data=data,
            headers={"Content-Type": content_type},
            bulk=True,
        )
        return content

    def _post_in_parts(self, graph: str, data: bytes, fast: dict, on_bytes) -> None:
        params = dialects.graph_parameter(self.endpoints, graph) | fast

        def post(part: bytes) -> None:
            with self._new_session() as session:  # one connection per part
                self._request(
                    "POST",
                    self.endpoints.graph_store,
                    session=session,
                    params=params,
                    data=chunks(part, on_bytes),
                    headers={"Content-Type": N_TRIPLES},
                    bulk=True,
                )

        parts = split_ntriples(data, parallel_parts())
        try:
            with ThreadPoolExecutor(len(parts)) as pool:
                for _ in pool.map(post, parts):  # raises the first failure, after all ended
                    pass
        finally:
            self.bump_version()  # a failed bulk load changed the data too

    def drop_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH {NamedNode(graph)}")

    def graphs(self) -> dict[str, int]:
        """Named graphs with their triple counts (the store's own system graphs left out).

        Counting scans every triple (over 30 s at 5M on Oxigraph), so the counts are kept
        until the data version moves.
        """
        version = self.data_version()
        if self._graph_counts and self._graph_counts[0] == version:
            return dict(self._graph_counts[1])
        counts = self._count_graphs()
        self._graph_counts = (version, counts)
        return dict(counts)

    def _count_graphs(self) -> dict[str, int]:
        rows = self.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        counts = {row["g"].value: int(row["n"].value) for row in rows}
        return {g: n for g, n in counts.items() if not dialects.is_system_graph(self.endpoints, g)}

    def dump(self, graph: str | None = None) -> Iterator[bytes]:
        """N-Quads of one named graph or of all of them, streamed graph by graph."""
        for name in [graph] if graph else list(self.graphs()):
            g = NamedNode(name)
            for triple in parse(self.read_graph(name), format=RdfFormat.N_TRIPLES):
                yield f"{triple.subject} {triple.predicate} {triple.object} {g} .\n".encode()

    def read_graph(self, graph: str) -> bytes:
        """One named graph as N-Triples."""
        if self.endpoints.graph_store:
            return self._request(
                "GET",
                self.endpoints.graph_store,
                params=dialects.graph_parameter(self.endpoints, graph),
                headers={"Accept": N_TRIPLES},
                bulk=True,
            ).content
        return self.query_bytes(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {NamedNode(graph)} {{ ?s ?p ?o }} }}",
            N_TRIPLES,
        ).body

    def _replace_by_update(self, graph: str, data, content_type: str) -> None:
        if content_type != N_TRIPLES:
            raise StoreError("without a Graph Store endpoint, graphs are replaced from N-Triples")
        name = NamedNode(graph)
        self.update(
            f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{ {_as_ntriples(data)} }} }}"
        )


def _as_ntriples(data) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8")
    if hasattr(data, "read"):
        return data.read().decode("utf-8")
    return b"".join(data).decode("utf-8")
