"""The owner's loopback HTTP surface: what the platform's store client uses, nothing more.

- ``GET|POST /query`` — SPARQL 1.1 Query (``default-graph-uri``/``named-graph-uri``; without
  a dataset the default graph is the union of the named graphs), answered by killable
  workers (:mod:`regiograph.sparql.pool`) over the newest snapshot, within one time limit.
- ``POST /update`` — SPARQL 1.1 Update (``using-graph-uri``/``using-named-graph-uri`` become
  USING clauses: :mod:`regiograph.sparql.using`).
- ``GET|PUT|POST|DELETE /store?graph=IRI`` — Graph Store Protocol; ``POST …&no_transaction``
  is the bulk path, whose parts become visible with ``POST /commit``.
- ``GET /version`` — the data and content versions (the newest snapshot's sequences; asking
  makes the snapshot of committed writes readers do not have yet) and current problems.

Writes need ``Authorization: Bearer <token>`` (the supervisor hands the token to the
platform): on loopback anything on the host — a browser's cross-site form included — could
otherwise write. Reads stay anonymous, as they were with Oxigraph's server.
"""

from __future__ import annotations

import hmac
import json
import logging
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pyoxigraph as ox

from regiograph import mediatypes
from regiograph.owner.writes import Owner, WriteFailed
from regiograph.sparql.jobs import Job, Outcome
from regiograph.sparql.pool import PoolBusy, PoolTimeout, QueryPool, WorkerLost
from regiograph.sparql.using import with_dataset
from regiograph.store import snapshots

log = logging.getLogger(__name__)

_STATUS = {
    Outcome.SYNTAX: 400,
    Outcome.NOT_ACCEPTABLE: 406,
    Outcome.REFUSED: 403,
    Outcome.TOO_LARGE: 500,
    Outcome.UNAVAILABLE: 503,  # its snapshot was unreadable: made again, retry
    Outcome.FAILED: 500,
}


class _Context:
    def __init__(self, owner: Owner, token: str, timeout_s: float, workers: int):
        self.owner = owner
        self.token = token
        self.timeout_s = timeout_s
        self.pool = QueryPool(str(owner.snapshot_dir), workers)
        self.graph_reader = snapshots.Reader(owner.snapshot_dir)
        self.graph_lock = threading.Lock()  # one Graph Store read at a time on the reader


def serve(owner: Owner, host: str, port: int, token: str, timeout_s: float, workers: int) -> int:
    context = _Context(owner, token, timeout_s, workers)
    handler = type("Handler", (_Handler,), {"context": context})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        print(f"cannot listen on {host}:{port}: {exc.strerror}", flush=True, file=_stderr())
        return 4
    server.daemon_threads = True

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Thread(target=_prune_forever, args=(owner,), name="prune", daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        context.pool.close()
        server.server_close()
    return 0


def _prune_forever(owner: Owner) -> None:
    """Readers let go of older snapshots when they next run a job, long after the write that
    made them old: look for those every few seconds, not only after writes."""
    while True:
        time.sleep(PRUNE_EVERY_S)
        try:
            owner.prune()
        except OSError as exc:
            log.warning("could not delete old snapshots: %s", exc)


def _stderr():
    import sys

    return sys.stderr


class _Handler(BaseHTTPRequestHandler):
    context: _Context
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add 40 ms to every answer (measured: p50 64 ms instead of ~20 ms).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # the platform logs requests; keep stderr for errors
        pass

    # --- dispatch ---------------------------------------------------------------------

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        self.params = parse_qsl(url.query, keep_blank_values=True)
        self._read = None  # one handler serves every request of a kept-alive connection
        route = {
            ("GET", "/query"): self._query,
            ("POST", "/query"): self._query,
            ("GET", "/version"): self._version,
            ("POST", "/update"): self._update,
            ("POST", "/commit"): self._commit,
            ("GET", "/store"): self._read_graph,
            ("PUT", "/store"): self._write_graph,
            ("POST", "/store"): self._write_graph,
            ("DELETE", "/store"): self._delete_graph,
        }.get((method, url.path))
        try:
            if route is None:
                self._reply(404 if url.path not in _PATHS else 405, b"not here\n")
                return
            route()
        except WriteFailed as exc:
            status = 400 if exc.client_error else 500
            self._reply(status, f"the write failed and changed nothing: {exc}\n".encode())
        except Exception as exc:  # an answer for the client, never a dead thread
            log.exception("store owner request failed")
            self._reply(500, f"{type(exc).__name__}: {exc}\n".encode())

    # --- reads ------------------------------------------------------------------------

    def _query(self) -> None:
        form = self.params + self._form()
        text = _first(form, "query") or (
            self._body_text() if self._content_type() == "application/sparql-query" else None
        )
        if not text:
            self._reply(400, b"no query\n")
            return
        default = tuple(v for k, v in form if k == "default-graph-uri")
        named = tuple(v for k, v in form if k == "named-graph-uri")
        job = Job(
            "query",
            text,
            base="",
            allow=frozenset(),
            check_only=False,
            check_services=False,  # as Oxigraph's server did: the platform checks /sparql's
            version=self.context.owner.versions()["data"],
            formats=_formats(self.headers.get("Accept", "")),
            default_graphs=default,
            named_graphs=named,
            union=True,  # unless a dataset: the protocol's, or the query's own (the worker reads)
        )
        try:
            reply = self.context.pool.run(job, self.context.timeout_s)
        except PoolTimeout:
            self._reply(504, b"the query was stopped at the store's time limit (timeout)\n")
            return
        except PoolBusy:
            self._reply(503, b"every query worker stayed busy for the time limit\n")
            return
        except WorkerLost as exc:
            self._reply(500, f"the query worker died: {exc}\n".encode())
            return
        if reply.outcome is Outcome.OK:
            self._reply(200, reply.body, mediatypes.BY_NAME[reply.format].content_type)
        else:
            self._reply(_STATUS.get(reply.outcome, 500), reply.message.encode() + b"\n")

    def _version(self) -> None:
        owner = self.context.owner
        # with what is wrong right now (a full disk), for the platform's /healthz
        body = json.dumps(owner.versions() | {"problems": sorted(owner.problems.values())})
        body = body.encode()
        self._reply(200, body, "application/json")

    def _read_graph(self) -> None:
        graph = ox.NamedNode(self._graph())
        self.context.owner.readable()  # the newest writes in a snapshot first
        with self.context.graph_lock:
            store = self.context.graph_reader.current()
            if not store.contains_named_graph(graph):
                self._reply(404, b"no such graph\n")
                return
            body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        self._reply(200, body, mediatypes.NTRIPLES.content_type)

    # --- writes -----------------------------------------------------------------------

    def _update(self) -> None:
        if not self._allowed():
            return
        form = self._form()
        if self._content_type() == "application/sparql-update":
            text = self._body_text()
        else:
            text = _first(form, "update") or ""
        given = self.params + form  # the dataset may come in the URL or in the form
        default = [v for k, v in given if k == "using-graph-uri"]
        named = [v for k, v in given if k == "using-named-graph-uri"]
        try:  # Store.update takes no dataset: the text says it (USING clauses)
            text = with_dataset(text, default, named)
        except (ValueError, SyntaxError) as exc:
            self._reply(400, f"{exc}\n".encode())
            return
        self.context.owner.write(
            lambda store: store.update(text), content=self._content(), transactional=True
        )
        self._reply(204)

    def _write_graph(self) -> None:
        if not self._allowed():
            return
        graph = ox.NamedNode(self._graph())
        fmt = ox.RdfFormat.from_media_type(self._content_type() or mediatypes.NTRIPLES.media_type)
        if fmt is None:
            self._reply(415, b"unsupported RDF format\n")
            return
        data = self._body()
        replace = self.command == "PUT"
        bulk = any(k == "no_transaction" for k, _ in self.params)

        def apply(store: ox.Store) -> None:
            if replace:
                store.clear_graph(graph)
            # Relative IRIs in the data resolve against the graph's name, as in Oxigraph's
            # server (and the Graph Store Protocol's "the request IRI is the base").
            load = store.bulk_load if bulk or len(data) > SMALL_LOAD_BYTES else store.load
            load(data, fmt, to_graph=graph, base_iri=graph.value)

        self.context.owner.write(
            apply,
            content=self._content(),
            transactional=not replace and not bulk and len(data) <= SMALL_LOAD_BYTES,
            commit=not bulk,
        )
        self._reply(204)

    def _delete_graph(self) -> None:
        if not self._allowed():
            return
        graph = ox.NamedNode(self._graph())
        self.context.owner.write(
            lambda store: store.remove_graph(graph), content=self._content(), transactional=True
        )
        self._reply(204)

    def _commit(self) -> None:
        if not self._allowed():
            return
        self.context.owner.commit(content=self._content())
        self._reply(204)

    # --- helpers ----------------------------------------------------------------------

    def _allowed(self) -> bool:
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {self.context.token}"
        if hmac.compare_digest(given.encode(), expected.encode()):
            return True
        self._body()  # read what was sent, so that the client hears the answer
        self._reply(401, b"writes need the platform's credential\n")
        return False

    def _content(self) -> bool:
        return _first(self.params, "content") != "0"

    def _graph(self) -> str:
        graph = _first(self.params, "graph")
        if not graph:
            raise ValueError("the Graph Store request names no graph (?graph=)")
        return graph

    def _content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def _body(self) -> bytes:
        if self._read is not None:
            return self._read
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._read = self._chunked()
        else:
            self._read = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        return self._read

    def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _body_text(self) -> str:
        return self._body().decode("utf-8")

    def _form(self) -> list[tuple[str, str]]:
        if self.command != "POST" or self._content_type() != "application/x-www-form-urlencoded":
            return []
        return parse_qsl(self._body_text(), keep_blank_values=True)

    def _reply(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
        self.send_response(status)
        if body or status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


_PATHS = {"/query", "/update", "/store", "/version", "/commit"}
SMALL_LOAD_BYTES = 4 * 1024 * 1024  # a larger body goes through the bulk loader
PRUNE_EVERY_S = 2.0


def _first(pairs: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in pairs if key == name), None)


def _formats(accept: str) -> dict[str, str]:
    """The formats to answer each kind of result in, from an Accept header."""
    wanted = [part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()]

    def pick(candidates, default):
        for media_type in wanted:
            for candidate in candidates:
                if media_type in (candidate.media_type, *candidate.aliases):
                    return candidate.name
        return default.name

    results = pick(mediatypes.RESULTS, mediatypes.SPARQL_JSON)
    return {
        "solutions": results,
        "boolean": results if results in {"json", "xml"} else mediatypes.SPARQL_JSON.name,
        "graph": pick(mediatypes.RDF_WRITTEN, mediatypes.NTRIPLES),
    }
