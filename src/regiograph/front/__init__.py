"""The buffering front `regiograph serve` puts before gunicorn: slow clients cost it a
connection, never one of the app's threads (issue 18).

gunicorn's threads read a request and write its answer at the client's pace: forty slowloris
connections (a request head trickled forever) or ten clients that never read a 5 MB answer
held every thread, and `/healthz` timed out. Here one asyncio loop, in a child process of
the supervising one (:func:`spawn`), does what nginx does in the compose deployment:

- it reads the whole request first — the head within ``HEAD_TIMEOUT_S`` (else 408), the body
  (``Content-Length`` or chunked, at most ``MAX_BODY_BYTES``) within ``BODY_TIMEOUT_S`` —
  and only then hands it to gunicorn, on a Unix socket in a private folder;
- it reads the answer as fast as gunicorn writes it, keeping up to ``BUFFER_BYTES`` per
  connection for the client, so a thread is free as soon as its answer is written (a larger
  answer holds its thread only while the client takes it); a client that takes none of its
  answer for ``IDLE_SEND_S`` is dropped;
- one request per connection to gunicorn (``Connection: close``); a client's connection is
  kept for its next request (``KEEP_ALIVE_S``, at most ``MAX_REQUESTS``) only after an answer
  of the front's own app, below; at most ``MAX_CONNECTIONS`` connections at once;
- ``/sparql`` itself it answers in its own process (:mod:`.inprocess`): the same app, built
  here from the same settings, called on its threads — a query waits for a query worker
  there without holding one of gunicorn's threads, and skips a hop, gunicorn's HTTP parsing
  and its thread hand-off (1.5 ms of a 3 ms lookup, ``bench/README.md``). Every other path,
  ``/sparql/update`` included, goes to gunicorn.

The client's address reaches the app in ``PEER_HEADER``, which :func:`peer_address` turns back
into ``REMOTE_ADDR`` (only the front can reach the socket, and it replaces any such header
a client sent); with ``site.trust_proxy`` the app still reads the proxy's X-Forwarded-For.

This package may not import the platform outside :mod:`.inprocess`: the relay knows nothing
of the app (it takes only the store supervisor's rule for child processes, when it spawns).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import socket
import subprocess
import sys

log = logging.getLogger(__name__)

HEAD_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5.0  # for the whole next request head on a kept connection; then closed
MAX_REQUESTS = 1000  # on one connection
STOP_GRACE_S = 5.0  # for answers under way when the front stops
BODY_TIMEOUT_S = 60.0
IDLE_SEND_S = 60.0
HEAD_LIMIT = 64 * 1024
MAX_BODY_BYTES = 64 * 2**20
BUFFER_BYTES = 8 * 2**20
MAX_CONNECTIONS = 512
CHUNK = 64 * 1024
PEER_HEADER = "X-Regiograph-Peer"
_POLL_S = 0.2
# Hop-by-hop headers and those the front sets itself; a header name with "_" is dropped as
# nginx does (gunicorn would map it onto a WSGI variable).
DROPPED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
        "transfer-encoding",
        "content-length",
        "expect",
        PEER_HEADER.lower(),
    }
)
_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
    431: "Request Header Fields Too Large",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def spawn(host: str, port: int, upstream: str, app_spec: tuple | None = None) -> subprocess.Popen:
    """The front as a child process listening on ``host:port``. Bound here, so that a taken
    port fails the caller as gunicorn's own bind did. A process of its own, not a thread of
    gunicorn's arbiter: every worker the arbiter forks would inherit the client connections
    open at that moment and keep them open after the front closed them.

    ``app_spec`` — (settings, snapshot folder or None), as the app's process has them —
    lets the front answer ``/sparql`` itself (:func:`.inprocess.local_app`); it travels on the
    child's standard input, not its command line."""
    # The store's rule: the child gets SIGTERM if regiograph dies without stopping it.
    from regiograph.store.supervisor import _die_with_parent

    listener = socket.create_server((host, port), backlog=1024)
    command = [sys.executable, "-m", "regiograph.front", str(listener.fileno()), upstream]
    try:
        child = subprocess.Popen(
            command + (["--app"] if app_spec else []),
            pass_fds=(listener.fileno(),),
            stdin=subprocess.PIPE if app_spec else None,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - one prctl call, no locks
        )
    finally:
        listener.close()  # the child has its own
    if app_spec:
        child.stdin.write(pickle.dumps(app_spec))
        child.stdin.close()
    return child


def peer_address(app):
    """WSGI middleware for the app behind the front: the client's address as REMOTE_ADDR."""

    def wsgi(environ, start_response):
        peer = environ.pop("HTTP_" + PEER_HEADER.upper().replace("-", "_"), None)
        if peer:
            environ["REMOTE_ADDR"] = peer
        return app(environ, start_response)

    return wsgi


class Front:
    """Relays each connection accepted on ``listener`` to gunicorn's Unix socket ``upstream``,
    but for the requests ``local`` (an :class:`.inprocess.InProcess`) takes and answers."""

    def __init__(self, listener: socket.socket, upstream: str, local=None):
        self.listener = listener
        self.upstream = upstream
        self.local = local
        # asyncio drops its reference to a connection's task when the client goes away, and
        # streams hold their readers weakly: a task still waiting for gunicorn's answer is
        # then only a cycle, which the garbage collector destroyed ("Task was destroyed but
        # it is pending!", seen under a flood) without closing the upstream connection.
        # Held here until the connection is done.
        self._connections: set[asyncio.Task] = set()
        self._waiting: set[asyncio.Task] = set()  # kept connections between two requests

    async def serve(self, stopped: asyncio.Event) -> None:
        server = await asyncio.start_server(self._connection, sock=self.listener, limit=HEAD_LIMIT)
        async with server:
            await stopped.wait()
            await self._stop(server)

    async def _stop(self, server: asyncio.Server) -> None:
        """No new connections; kept ones that wait for a request end now, the others when
        their answer is out or after ``STOP_GRACE_S`` (leaving ``async with server`` waits
        for every connection, and a client may keep one open for as long as it likes)."""
        server.close()
        for task in self._waiting:
            task.cancel()
        busy = self._connections - self._waiting
        if busy:
            await asyncio.wait(busy, timeout=STOP_GRACE_S)
        left = list(self._connections)
        for task in left:
            task.cancel()
        await asyncio.gather(*left, return_exceptions=True)  # each closes its connection

    # --- one connection ---------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        task = asyncio.current_task()
        self._connections.add(task)
        try:
            if len(self._connections) > MAX_CONNECTIONS:
                await answer_plainly(writer, 503, "too many connections; try again shortly")
                return
            served = 0
            while await self._exchange(reader, writer, served):
                served += 1
                self._waiting.add(task)  # until the next request's head is in
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            writer.transport.abort()  # gone, or took nothing for IDLE_SEND_S
        except Exception:  # a connection's failure never ends the front
            log.exception("front: request failed")
            writer.transport.abort()
        except asyncio.CancelledError:  # the front stops: end without asyncio's complaint
            writer.transport.abort()
        finally:
            self._connections.discard(task)
            self._waiting.discard(task)
            writer.close()

    async def _exchange(self, reader, writer, served: int) -> bool:
        """One request and its answer; True when the connection is kept for another.
        ``served``: answers already sent on this connection (then it is a kept one, closed
        quietly when no request comes within ``KEEP_ALIVE_S``); the ``MAX_REQUESTS``-th
        answer says ``Connection: close``, so that no client sends one more into a closed
        connection (seen: a reset on the 1,001st lookup)."""
        kept_for = KEEP_ALIVE_S if served else None
        try:  # asyncio.timeout, not wait_for: that makes a task of each read (~0.1 ms)
            async with asyncio.timeout(kept_for or HEAD_TIMEOUT_S):
                head = await _read_head(reader)
            self._waiting.discard(asyncio.current_task())
            if head is None:
                return False  # closed before a request: a kept-alive probe
            request_line, headers = _parse_head(head)
            async with asyncio.timeout(BODY_TIMEOUT_S):
                body = await _read_body(reader, writer, headers)
        except TimeoutError:
            if not kept_for:
                await answer_plainly(writer, 408, "the request was not sent in time")
            return False
        except BadRequest as exc:
            await answer_plainly(writer, exc.status, str(exc))
            return False
        peer = (writer.get_extra_info("peername") or ("",))[0]
        if self.local is not None and self.local.takes(request_line):
            keep = served + 1 < MAX_REQUESTS and _keeps_alive(request_line, headers)
            return await self.local.answer(request_line, headers, body, peer, writer, keep)
        try:
            up_reader, up_writer = await asyncio.open_unix_connection(self.upstream)
        except OSError:
            await answer_plainly(writer, 502, "the application is not reachable")
            return False
        try:
            up_writer.write(_forwarded(request_line, headers, body, peer))
            await up_writer.drain()
            await _relay(up_reader, writer)
        finally:
            up_writer.close()
        return False  # gunicorn's answer ends with the connection (Connection: close)


async def _read_head(reader: asyncio.StreamReader) -> bytes | None:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise BadRequest(400, "the request ended inside its head") from None
    except asyncio.LimitOverrunError:
        raise BadRequest(431, "the request head is too large") from None


def _parse_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")[:-2]  # every byte is a latin-1 character
    request_line = lines[0]
    parts = request_line.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(400, "not an HTTP/1 request line")
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or line[0] in " \t":
            raise BadRequest(400, "a malformed header line")
        headers.append((name, value.strip()))
    return request_line, headers


def passed_on(name: str) -> bool:
    """Whether a client's request header reaches the app (gunicorn's or the front's own)."""
    return name.lower() not in DROPPED and "_" not in name


def _header(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in headers if key.lower() == name]


def _keeps_alive(request_line: str, headers) -> bool:
    """HTTP/1.1 keeps the connection unless the client says ``Connection: close``."""
    tokens = {
        t.strip().lower() for value in _header(headers, "connection") for t in value.split(",")
    }
    return request_line.endswith(" HTTP/1.1") and "close" not in tokens


async def _read_body(reader, writer, headers: list[tuple[str, str]]) -> bytes | None:
    encodings = _header(headers, "transfer-encoding")
    lengths = set(_header(headers, "content-length"))
    if encodings and lengths:
        raise BadRequest(400, "both Transfer-Encoding and Content-Length")
    if len(lengths) > 1 or any(not value.isdigit() for value in lengths):
        raise BadRequest(400, "an unreadable Content-Length")
    if encodings and [e.strip().lower() for e in encodings] != ["chunked"]:
        raise BadRequest(400, "a transfer coding other than chunked")
    if not encodings and not lengths:
        return None
    length = int(next(iter(lengths))) if lengths else 0
    if length > MAX_BODY_BYTES:
        raise BadRequest(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
    if any(value.lower() == "100-continue" for value in _header(headers, "expect")):
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    if lengths:
        return await reader.readexactly(length)
    return await _read_chunked(reader)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = (await reader.readuntil(b"\r\n")).split(b";")[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise BadRequest(400, "an unreadable chunk size") from None
        if len(body) + size > MAX_BODY_BYTES:
            raise BadRequest(413, f"the request body is larger than {MAX_BODY_BYTES} bytes")
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, ignored
                pass
            return bytes(body)
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise BadRequest(400, "a chunk without its line end")


def _forwarded(request_line: str, headers, body: bytes | None, peer: str) -> bytes:
    kept = [(k, v) for k, v in headers if passed_on(k)]
    if body is not None:
        kept.append(("Content-Length", str(len(body))))
    kept += [("Connection", "close"), (PEER_HEADER, peer)]
    head = request_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in kept) + "\r\n"
    return head.encode("latin-1") + (body or b"")


async def _relay(upstream: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The answer as fast as gunicorn writes it, up to BUFFER_BYTES ahead of the client."""
    while chunk := await upstream.read(CHUNK):
        if writer.transport.is_closing():  # the client went away: stop reading for it
            raise ConnectionError("the client went away")
        writer.write(chunk)
        await until_buffered_at_most(writer.transport, BUFFER_BYTES)
    await until_buffered_at_most(writer.transport, 0)


async def until_buffered_at_most(transport: asyncio.WriteTransport, limit: int) -> None:
    """Wait while more than ``limit`` bytes wait for the client; TimeoutError if it takes
    none of them for IDLE_SEND_S."""
    loop = asyncio.get_running_loop()
    size = transport.get_write_buffer_size()
    progress_at = loop.time()
    while size > limit:
        if transport.is_closing():
            raise ConnectionError("the client went away")
        await asyncio.sleep(_POLL_S)
        now = transport.get_write_buffer_size()
        if now < size:
            progress_at = loop.time()
        elif loop.time() - progress_at > IDLE_SEND_S:
            raise TimeoutError
        size = now


async def answer_plainly(
    writer: asyncio.StreamWriter, status: int, message: str, retry: int | None = None
) -> None:
    """The front's own short answer (plain text), then the connection ends."""
    body = f"{_REASONS[status]}: {message}\n".encode()
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n"
        + (f"Retry-After: {retry}\r\n" if retry else "")
        + "\r\n"
    )
    writer.write(head.encode() + body)
    with contextlib.suppress(ConnectionError, TimeoutError):
        await until_buffered_at_most(writer.transport, 0)
