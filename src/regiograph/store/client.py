"""A client for any SPARQL 1.1 store: Query, Update and Graph Store Protocol over HTTP.

This is the only code that sends requests to the triple store. Results are parsed with
pyoxigraph (fast, and its terms serialise safely back into SPARQL); answers in a format the
caller chooses come back typed, whole or streamed (:mod:`.results`), never as HTTP responses.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO

import requests
from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
)

from regiograph import iris
from regiograph.mediatypes import NQUADS, NTRIPLES, SPARQL_JSON
from regiograph.namespaces import RG
from regiograph.store import dialects
from regiograph.store.binding import Term, bind
from regiograph.store.bulk import chunks, parallel_parts, split_ntriples
from regiograph.store.errors import (
    NotAllowed,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
)
from regiograph.store.results import (
    RawResult,
    Solutions,
    StreamedResult,
    check_complete,
    checked_chunks,
    media_type,
)

log = logging.getLogger(__name__)

RESULTS_JSON = SPARQL_JSON.media_type
N_TRIPLES = NTRIPLES.media_type
N_QUADS = NQUADS.media_type


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    graph_store: str = ""  # empty: graphs are replaced with SPARQL Update
    username: str = ""
    password: str = ""
    auth: str = "basic"
    dialect: str = "generic"

    @classmethod
    def from_config(cls, config) -> Endpoints:
        query = config["store.query_url"]
        return cls(
            query=query,
            update=config["store.update_url"] or query,
            graph_store=config["store.graph_store_url"],
            username=config["store.username"],
            password=config["store.password"],
            auth=config["store.auth"],
            dialect=dialects.resolve(config["store.dialect"], query),
        )


class Store:
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
        self._graph_counts: tuple[str, dict[str, int]] | None = None
        self.session = self._new_session()
        self.server = None  # the supervised embedded OxigraphServer, when there is one

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        session.headers["User-Agent"] = "regiograph"
        session.trust_env = False  # the store is ours: no proxies from the environment
        session.auth = dialects.auth(self.endpoints)
        return session

    def forget_connections(self) -> None:
        """In a forked child: new connections, never the parent's keep-alive sockets (two
        processes reading one socket get each other's answers: broken chunks, 400s)."""
        self.session = self._new_session()

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
        results = self._parsed_results(bind(query, bindings or {}))
        if not isinstance(results, QuerySolutions):
            raise StoreError("expected a SELECT query")
        names = tuple(v.value for v in results.variables)
        rows = [{n: row[n] for n in names if row[n] is not None} for row in results]
        return Solutions(names, rows)

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
        self._version = None

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

    # --- Graph Store Protocol ---------------------------------------------------------

    def replace_graph(
        self, graph: str, data: bytes | IO[bytes] | Iterator[bytes], content_type: str = N_TRIPLES
    ) -> None:
        """Replace one named graph with ``data`` in one step: old or new, never a mix."""
        NamedNode(graph)  # refuses a malformed IRI before anything is sent
        if self.endpoints.graph_store:
            content = graph != self.meta_graph
            self._request(
                "PUT",
                self.endpoints.graph_store,
                params=dialects.graph_parameter(self.endpoints, graph)
                | self._content_parameter(content),
                data=data,
                headers={"Content-Type": content_type},
                bulk=True,
            )
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
            content = graph != self.meta_graph
            self._request(
                "POST",
                self.endpoints.graph_store,
                params=dialects.graph_parameter(self.endpoints, graph)
                | fast
                | self._content_parameter(content),
                data=data,
                headers={"Content-Type": content_type},
                bulk=True,
            )
            self.bump_version(content=content, written=not fast)
        else:
            self.update(
                f"INSERT DATA {{ GRAPH {NamedNode(graph)} {{ {_as_ntriples(data)} }} }}",
                content=graph != self.meta_graph,
            )

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

    # --- Data version -----------------------------------------------------------------

    def data_version(self) -> str:
        """A value that changes whenever a graph is replaced or updated through the platform.

        Read from the store's metadata graph, so every process and every app instance sees
        the same value; cached for ``version_ttl_s`` because pages ask for it on every request.
        """
        return self._versions()[0]

    def content_version(self) -> str:
        """Like :meth:`data_version`, but unmoved by writes to the metadata graph alone.

        A harvest that finds its source unchanged still records its run; what is derived
        from the published graphs only (the statistics mirror, the search index) keys on
        this and is not rebuilt for it. Stores written before it existed answer the data
        version."""
        return self._versions()[1]

    def _versions(self) -> tuple[str, str]:
        now = time.monotonic()
        if self._version and now - self._version[0] < self._version_ttl_s:
            return self._version[1]
        if dialects.keeps_versions(self.endpoints):
            # The owner's versions are its newest snapshot's sequences: made in one step
            # with the data they describe, so they cannot lie (also after a crash).
            answer = self._request("GET", dialects.owner_url(self.endpoints, "/version")).json()
            self._version = (now, (answer["data"], answer["content"]))
            return self._version[1]
        meta = NamedNode(self.meta_graph)
        rows = self.select(
            f"SELECT ?v ?c WHERE {{ GRAPH {meta} {{ {meta} <{RG}dataVersion> ?v "
            f"OPTIONAL {{ {meta} <{RG}contentVersion> ?c }} }} }}"
        )
        data = rows[0]["v"].value if rows else "0"
        content = rows[0]["c"].value if rows and "c" in rows[0] else data
        self._version = (now, (data, content))
        return data, content

    def bump_version(self, *, content: bool = True, written: bool = False) -> None:
        """Move the data version after a write outside :meth:`update`. The owner of the
        embedded store moved it with the write already (``written``), or moves it now if
        bulk parts are waiting for it (``/commit``)."""
        self._version = None
        if dialects.keeps_versions(self.endpoints):
            if not written:
                self._request(
                    "POST",
                    dialects.owner_url(self.endpoints, "/commit"),
                    params=self._content_parameter(content),
                    bulk=True,
                )
            return
        self._request(
            "POST",
            self.endpoints.update,
            data=self._version_update(content).encode("utf-8"),
            headers={"Content-Type": "application/sparql-update"},
        )

    def _content_parameter(self, content: bool) -> dict[str, str]:
        """Tells the owner that a write touches the metadata graph only."""
        return {} if content or not dialects.keeps_versions(self.endpoints) else {"content": "0"}

    def _version_update(self, content: bool = True) -> str:
        meta = NamedNode(self.meta_graph)
        version = Literal(f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}")
        names = ["dataVersion", "contentVersion"] if content else ["dataVersion"]
        return " ;\n".join(
            f"DELETE WHERE {{ GRAPH {meta} {{ {meta} <{RG}{name}> ?{name} }} }} ;\n"
            f"INSERT DATA {{ GRAPH {meta} {{ {meta} <{RG}{name}> {version} }} }}"
            for name in names
        )

    # --- Health -----------------------------------------------------------------------

    def ping(self) -> None:
        """Raise StoreUnavailable unless the store answers a trivial query."""
        self.ask("ASK { }")

    def triple_count(self) -> int:
        return sum(self.graphs().values())

    # --- HTTP -------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        url: str,
        *,
        stream: bool = False,
        bulk: bool = False,
        session: requests.Session | None = None,
        **kwargs,
    ):
        # Graph uploads and dumps (bulk) may take far longer than a query is allowed to. The
        # body is sent under the *connect* timeout (urllib3), and a store that parses while it
        # reads pauses for seconds now and then, so bulk transfers get the long limit for both.
        if bulk:
            timeout = (self.upload_timeout_s, self.upload_timeout_s)
        else:
            timeout = (self.connect_timeout_s, self.query_timeout_s + 5)
        try:
            response = (session or self.session).request(
                method, url, timeout=timeout, stream=stream, allow_redirects=False, **kwargs
            )
        except requests.ConnectionError as exc:
            raise StoreUnavailable(url, _reason(exc)) from None
        except requests.Timeout:
            raise QueryTimeout(f"the store did not answer within {timeout[1]:.0f} s") from None
        if response.status_code >= 300:
            _raise_for_status(response, url)
        if response.status_code == 206:  # Virtuoso's "anytime" partial result: all or nothing
            response.close()
            raise QueryTimeout("the store returned a partial result at its time limit")
        return response


def _raise_for_status(response: requests.Response, url: str) -> None:
    text = response.text[:4000]
    status = response.status_code
    if status in {401, 403}:
        raise NotAllowed(f"the store refused the operation ({status}): {text.strip()[:200]}")
    if status == 400:
        raise QuerySyntaxError(text)
    if status in {408, 504} or dialects.looks_like_timeout(text):
        raise QueryTimeout(f"the store stopped the query at its time limit: {text.strip()[:200]}")
    if status in {502, 503}:
        raise StoreUnavailable(url, f"HTTP {status}")
    raise StoreError(f"the store answered HTTP {status}: {text.strip()[:500]}")


def _as_ntriples(data) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8")
    if hasattr(data, "read"):
        return data.read().decode("utf-8")
    return b"".join(data).decode("utf-8")


def _reason(exc: Exception) -> str:
    text = str(exc)
    return "connection refused" if "refused" in text.lower() else text[:200]
