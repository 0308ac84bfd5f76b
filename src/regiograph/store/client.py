"""A client for any SPARQL 1.1 store: Query, Update and Graph Store Protocol over HTTP.

This module and its parts are the only code that sends requests to the triple store. Results
are parsed with pyoxigraph (fast, and its terms serialise safely back into SPARQL); answers in a
format the caller chooses come back typed, whole or streamed (:mod:`.results`), never as HTTP
responses.

The Store is assembled from parts with one job each: :mod:`.transport` (HTTP, time limits,
errors), :mod:`.graphs` (Graph Store Protocol), :mod:`.versions` (the data version); this
module holds what it asks — Query and Update — and the health check.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from regiograph import iris
from regiograph.mediatypes import NTRIPLES, SPARQL_JSON
from regiograph.store import dialects
from regiograph.store.binding import Term, bind
from regiograph.store.errors import StoreError
from regiograph.store.graphs import GraphStore
from regiograph.store.results import (
    RawResult,
    Solutions,
    StreamedResult,
    check_complete,
    checked_chunks,
    media_type,
    solutions_of,
)
from regiograph.store.transport import Endpoints, Transport
from regiograph.store.versions import DataVersions

RESULTS_JSON = SPARQL_JSON.media_type
N_TRIPLES = NTRIPLES.media_type


class Store(GraphStore, DataVersions, Transport):
    """SPARQL 1.1 Query, Update and Graph Store Protocol against one store."""

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        meta_graph: str,
        query_timeout_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        upload_timeout_s: float = 600.0,
        version_ttl_s: float = 1.0,
    ):
        self.endpoints = endpoints
        self.meta_graph = meta_graph
        self.query_timeout_s = query_timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.upload_timeout_s = upload_timeout_s
        self._version_ttl_s = version_ttl_s
        self._version: tuple[float, tuple[str, str]] | None = None
        self._writes = 0  # writes through this client so far (see DataVersions)
        self._graph_counts: tuple[str, dict[str, int]] | None = None
        self.session = self._new_session()
        self.server = None  # the supervised embedded OxigraphServer, when there is one
        # The embedded store's snapshot folder, when this process may read its snapshots:
        # set by whoever supervises the owner (runtime.open_store) and in the processes it
        # hands the folder to (the front); never the live store directory.
        self.snapshots: Path | None = None

    @classmethod
    def from_config(cls, config) -> Store:
        return cls(
            Endpoints.from_config(config),
            meta_graph=iris.meta_graph(config.base_iri),
            query_timeout_s=config["store.query_timeout_s"],
            connect_timeout_s=config["store.connect_timeout_s"],
            upload_timeout_s=config["store.upload_timeout_s"],
        )

    # --- SPARQL 1.1 Query -------------------------------------------------------------

    def select(self, query: str, bindings: dict[str, Term | None] | None = None) -> list[dict]:
        """Rows as dicts from variable name to pyoxigraph term (unbound names are absent)."""
        return self.solutions(query, bindings).rows

    def solutions(self, query: str, bindings: dict[str, Term | None] | None = None) -> Solutions:
        """A SELECT's rows with its columns in the query's order."""
        return solutions_of(self._parsed_results(bind(query, bindings or {})))

    def ask(self, query: str, bindings: dict[str, Term | None] | None = None) -> bool:
        results = self._parsed_results(bind(query, bindings or {}))
        if not isinstance(results, QueryBoolean):
            raise StoreError("expected an ASK query")
        return bool(results)

    def construct(self, query: str, bindings: dict[str, Term | None] | None = None) -> list[Triple]:
        """Triples of a CONSTRUCT or DESCRIBE query."""
        body = self.query_bytes(bind(query, bindings or {}), N_TRIPLES).body
        return list(parse(body, format=RdfFormat.N_TRIPLES))

    describe = construct

    def query_bytes(self, query: str, accept: str) -> RawResult:
        """The answer in a format of ``accept``, whole (a query written by the caller: the
        command line's ``query``)."""
        response = self._post_query(query, accept)
        body = check_complete(response.content)
        return RawResult(media_type(response.headers.get("Content-Type")), body)

    def query_stream(
        self,
        query: str,
        accept: str,
        *,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
        chunk_size: int = 65536,
    ) -> StreamedResult:
        """The answer in a format of ``accept``, as it arrives; the caller closes it. Dataset
        parameters as in the SPARQL 1.1 Protocol (the endpoint passes its client's on)."""
        response = self._post_query(query, accept, default_graphs, named_graphs, stream=True)
        return StreamedResult(
            media_type(response.headers.get("Content-Type")),
            checked_chunks(response.iter_content(chunk_size)),
            response.close,
        )

    def count(self, query: str, bindings: dict[str, Term | None] | None = None) -> int:
        """The integer in the single cell of a one-row, one-column SELECT."""
        rows = self.select(query, bindings)
        if not rows:
            return 0
        (value,) = rows[0].values()
        return int(value.value)

    def _parsed_results(self, query: str):
        body = self.query_bytes(query, RESULTS_JSON).body
        try:
            return parse_query_results(body, format=QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise StoreError(f"the store sent results that do not parse: {exc}") from None

    def _post_query(
        self,
        query: str,
        accept: str,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
        *,
        stream: bool = False,
    ):
        data = [("query", query)]
        data += [("default-graph-uri", g) for g in default_graphs]
        data += [("named-graph-uri", g) for g in named_graphs]
        data += dialects.query_parameters(self.endpoints, self.query_timeout_s)
        return self._request(
            "POST", self.endpoints.query, data=data, stream=stream, headers={"Accept": accept}
        )

    # --- SPARQL 1.1 Update ------------------------------------------------------------

    def update(
        self, update: str, bindings: dict[str, Term | None] | None = None, *, content: bool = True
    ) -> None:
        """Run an update and move the data version on, in one request (one transaction).

        ``content=False`` for updates of the metadata graph only (harvest records): they move
        the data version but not the content version (see :meth:`content_version`)."""
        text = bind(update, bindings or {})
        if not dialects.keeps_versions(self.endpoints):
            text = f"{text} ;\n{self._version_update(content)}"
        self._request(
            "POST",
            self.endpoints.update,
            params=self._content_parameter(content),
            data=text.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
            bulk=True,
        )
        self._forget_version()

    def update_raw(
        self,
        update: str,
        *,
        using_graphs: Iterable[str] = (),
        using_named_graphs: Iterable[str] = (),
    ) -> None:
        """A client's SPARQL Update as written (the endpoint's write path), then a new data
        version. With ``using-graph-uri`` / ``using-named-graph-uri`` the version moves in a
        second request, since those parameters would also scope the version update."""
        using_graphs, using_named_graphs = list(using_graphs), list(using_named_graphs)
        if not using_graphs and not using_named_graphs:
            self.update(update)
            return
        data = [("update", update)]
        data += [("using-graph-uri", g) for g in using_graphs]
        data += [("using-named-graph-uri", g) for g in using_named_graphs]
        self._request("POST", self.endpoints.update, data=data)
        self.bump_version()

    # --- Health -----------------------------------------------------------------------

    def ping(self) -> None:
        """Raise StoreUnavailable unless the store answers a trivial query."""
        self.ask("ASK { }")

    def triple_count(self) -> int:
        return sum(self.graphs().values())
