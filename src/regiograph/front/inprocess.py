"""``/sparql`` answered by the app in the front's own process: the same app, built here from
the settings ``regiograph serve`` hands the front (:func:`local_app`), called on the front's
threads with a WSGI environment made from the request the front has read whole."""

from __future__ import annotations

import asyncio
import io
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate

from regiograph import front

_WITHOUT_BODY = re.compile(r"1\d\d |204 |304 ")
LOCAL_THREADS = 32  # /sparql requests in the front's app at once; more get 503 at once


class InProcess:
    """Requests for ``PATHS`` answered by a WSGI app in the front's own process, on
    ``threads`` threads; the answer is buffered whole (as the relay buffers gunicorn's) and
    written with ``Content-Length``, so the connection can be kept for the client's next
    request (a new connection per lookup cost the client and the front more than the
    lookup's own round trip to a query worker)."""

    PATHS = frozenset({"/sparql", "/sparql/"})  # the query route (strict_slashes=False)

    def __init__(self, app, threads: int, server: tuple[str, str], on_close=None):
        self.app = app
        self.server = server  # SERVER_NAME and SERVER_PORT, when a request has no Host
        self.threads = threads
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="front-app")
        self.on_close = on_close
        self.running = 0  # requests in the app now (the loop's thread alone counts them)

    def takes(self, request_line: str) -> bool:
        """Origin-form targets only; any other spelling goes to gunicorn, which serves
        every path too."""
        target = request_line.split(" ")[1]
        return target.partition("?")[0] in self.PATHS

    async def answer(self, request_line, headers, body, peer, writer, keep: bool) -> bool:
        """The app's answer; 503 at once when every thread is taken. A request never waits
        for a thread: in the app it waits for a query worker, and that wait counts against
        the query's time limit (a wait here would come on top of it). True when the
        connection stays open (``keep``)."""
        if self.running >= self.threads:
            await front.answer_plainly(
                writer, 503, "too many queries at once; try again shortly", retry=5
            )
            return False
        environ = wsgi_environ(request_line, headers, body, peer, self.server)
        loop = asyncio.get_running_loop()
        self.running += 1
        try:
            answer = await loop.run_in_executor(self.executor, call_wsgi, self.app, environ, keep)
        finally:
            self.running -= 1
        writer.write(answer)
        await front.until_buffered_at_most(writer.transport, 0)
        return keep

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self.on_close:
            self.on_close()


def wsgi_environ(request_line: str, headers, body: bytes | None, peer: str, server) -> dict:
    """The WSGI environment of a request the front has read whole (a chunked body is
    already decoded; header names with "_" are dropped, as for gunicorn)."""
    method, target, protocol = request_line.split(" ")
    path, _, query = target.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,  # one of InProcess.PATHS: nothing to decode
        "QUERY_STRING": query,
        "SERVER_NAME": server[0],
        "SERVER_PORT": server[1],
        "SERVER_PROTOCOL": protocol,
        "REMOTE_ADDR": peer,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body or b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body is not None:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers:
        if not front.passed_on(name):
            continue
        key = name.upper().replace("-", "_")
        key = key if key == "CONTENT_TYPE" else "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def call_wsgi(app, environ: dict, keep: bool = False) -> bytes:
    """The whole HTTP/1.1 answer of ``app`` to ``environ``; ``keep``: the connection stays
    open after it (else ``Connection: close``)."""
    started: list = []

    def start_response(status, response_headers, exc_info=None):
        started[:] = [status, response_headers]

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status, response_headers = started
    kept = [(k, v) for k, v in response_headers if k.lower() not in front.DROPPED]
    # HEAD: the app's length of the body it did not send
    length = next((v for k, v in response_headers if k.lower() == "content-length"), None)
    if not _WITHOUT_BODY.match(status):  # 1xx, 204 and 304 have no length (RFC 9110, 8.6)
        kept.append(("Content-Length", length if length is not None else str(len(body))))
    kept += [
        ("Date", formatdate(usegmt=True)),
        ("Keep-Alive", f"timeout={front.KEEP_ALIVE_S:.0f}") if keep else ("Connection", "close"),
    ]
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in kept) + "\r\n"
    return head.encode("latin-1") + body


def local_app(spec: tuple, server: tuple[str, str]) -> InProcess:
    """The app on the front's side: the same settings, the owner's snapshots to read, as
    many query workers as gunicorn's processes had in all, and ``LOCAL_THREADS`` threads, each
    of which a query may hold while it waits for a worker (pages do not come here, so none is
    kept back)."""
    from regiograph.ops import logging as logs
    from regiograph.server import create_app
    from regiograph.server.services import SPARQL
    from regiograph.store import Store

    cfg, snapshots = spec
    logs.configure(cfg)
    threads = max(LOCAL_THREADS, cfg["server.workers"] * cfg["server.threads"])
    cfg = cfg.with_overrides(
        server__threads=threads,
        sparql__reserved_threads=0,
        sparql__workers=cfg["server.workers"] * cfg["sparql.workers"],
    )
    store = Store.from_config(cfg)
    store.snapshots = snapshots
    app = create_app(cfg, store)
    return InProcess(app, threads, server, on_close=app.extensions[SPARQL].engine.close)
