"""A real HTTP server on loopback (port 0) for the loader's tests.

Routes map a path to a :class:`Reply` (or to a function of the request returning one): real
files from ../shared/data or bytes made in the test, with controllable status, headers,
redirects, gzip, ETag/Last-Modified (answered with 304 when they match), a delay before the
answer and a trickle between chunks. Every request is kept in ``requests`` for assertions.
Test modules make it a fixture named ``http_server`` from :func:`serving`.
"""

from __future__ import annotations

import contextlib
import gzip as gzip_module
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/turtle"
    headers: dict[str, str] = field(default_factory=dict)
    gzip: bool = False  # send with Content-Encoding: gzip
    delay_s: float = 0.0  # before the status line
    trickle_s: float = 0.0  # between 1 KiB chunks of the body
    etag: str = ""
    last_modified: str = ""
    location: str = ""  # for 3xx

    @classmethod
    def file(cls, path: Path, content_type: str, **kwargs) -> Reply:
        return cls(body=Path(path).read_bytes(), content_type=content_type, **kwargs)


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


Route = Reply | Callable[[Request], Reply]


class FixtureServer:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.fixture = self
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Route) -> str:
        """Serve ``reply`` at ``path``; returns the full URL."""
        self.routes[path] = reply
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        fixture = self.server.fixture
        parts = urlsplit(self.path)
        request = Request(parts.path, parse_qs(parts.query), dict(self.headers))
        fixture.requests.append(request)
        route = fixture.routes.get(parts.path)
        if route is None:
            reply = Reply(b"not found", status=404, content_type="text/plain")
        else:
            reply = route(request) if callable(route) else route
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(reply, request)  # the client may give up (size cap, deadline)

    def _send(self, reply: Reply, request: Request):
        time.sleep(reply.delay_s)
        if _not_modified(reply, request.headers):
            self.send_response(304)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = gzip_module.compress(reply.body) if reply.gzip else reply.body
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        if reply.gzip:
            self.send_header("Content-Encoding", "gzip")
        for name, value in (
            ("ETag", reply.etag),
            ("Last-Modified", reply.last_modified),
            ("Location", reply.location),
            *reply.headers.items(),
        ):
            if value:
                self.send_header(name, value)
        self.end_headers()
        self._write(body, reply.trickle_s)

    def _write(self, body: bytes, trickle_s: float):
        if not trickle_s:
            self.wfile.write(body)
            return
        for start in range(0, len(body), 1024):
            self.wfile.write(body[start : start + 1024])
            self.wfile.flush()
            time.sleep(trickle_s)


def _not_modified(reply: Reply, headers: dict[str, str]) -> bool:
    if reply.etag and headers.get("If-None-Match") == reply.etag:
        return True
    return bool(reply.last_modified and headers.get("If-Modified-Since") == reply.last_modified)


class QuietHandler(BaseHTTPRequestHandler):
    """The base of a handler written in a test module: no request log, and one way to answer."""

    def log_message(self, *args):  # keep test output clean
        pass

    def answer(self, body: bytes, headers: dict[str, str], status: int = 200, length=None):
        """Send ``body`` with ``headers``; ``length`` announces another Content-Length."""
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def loopback(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on a free loopback port for the block: yields ``http://127.0.0.1:N``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def serving():
    """The body of an ``http_server`` fixture; in a test module:
    ``_server = pytest.fixture(name="http_server")(httpfixtures.serving)``."""
    server = FixtureServer().start()
    yield server
    server.stop()


def dropping_new_graphs(scratch_platform):
    """The body of an autouse fixture for modules that publish the same real catalogues from
    several tests: a dataset has one source (the first that published it), so the graphs of a
    test's sources are dropped after it. In a test module: ``_fresh = pytest.fixture(
    autouse=True, name="fresh_graphs")(httpfixtures.dropping_new_graphs)``."""
    store = scratch_platform[1]
    before = set(store.graphs())
    yield
    for graph in set(store.graphs()) - before:
        if "/graph/test-" in graph:
            store.drop_graph(graph)


# --- loader test helpers --------------------------------------------------------------

_source_numbers = iter(range(1, 1_000_000))


def new_source_id(stem: str = "src") -> str:
    """A source id (and so a graph) no other test uses."""
    return f"test-{stem}-{next(_source_numbers)}"


def make_source(folder: Path | None = None, **table):
    """A checked Source from keyword arguments, as a ``[[sources]]`` table would give."""
    from regiograph.loader.sources import parse_sources

    table.setdefault("id", new_source_id(table.get("kind", "src")))
    table.setdefault("allow_private", True)
    table.setdefault("retry_backoff_s", 0.01)
    if table.get("kind") in ("csv", "geojson"):  # these kinds refuse data without a licence
        table.setdefault("licence", "http://dcat-ap.de/def/licenses/dl-by-de/2.0")
    return parse_sources([table], folder or Path.cwd())[0]
