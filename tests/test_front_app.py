"""The front answers /sparql in its own process (``regiograph.front.inprocess``) and relays
every other path to gunicorn.

First the front itself, on a loopback port, with a small WSGI app beside it and an upstream
that says who answered: which paths the app gets, what the app sees of the request (the
client's address, the query string, a chunked body decoded, headers joined, headers with "_"
dropped) and what the client gets back (HEAD keeps the app's length; a kept connection for the
next query, closed when asked, when idle and when the front stops; 503 with Retry-After when
every thread is taken). Then a real `regiograph serve`: the query workers are the front's
children (gunicorn's processes start none), and the endpoint answers as before — results,
CONSTRUCT as Turtle, a syntax error, the service description, the editor, CORS preflight —
while /sparql/update still reaches gunicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from childprocess import regiograph_env, serving
from livesite import AXE, run_query, serious_violations
from regiograph import front
from regiograph.front.inprocess import InProcess
from regiograph.store.supervisor import free_port

UPSTREAM_BODY = b"from upstream"


def _app(environ, start_response):
    """Echoes what a WSGI app sees of the request; /sparql?wait=S sleeps S seconds first."""
    if "wait=" in environ["QUERY_STRING"]:
        time.sleep(float(environ["QUERY_STRING"].split("wait=")[1]))
    seen = {
        key: value for key, value in environ.items() if key.isupper() and isinstance(value, str)
    }
    seen["body"] = environ["wsgi.input"].read().decode()
    body = json.dumps(seen).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body] if environ["REQUEST_METHOD"] != "HEAD" else []


async def _upstream(reader, writer):
    await reader.readuntil(b"\r\n\r\n")
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(UPSTREAM_BODY)
        + UPSTREAM_BODY
    )
    await writer.drain()
    writer.close()


@pytest.fixture(scope="module")
def front_url(tmp_path_factory):
    """A Front with the echo app (two threads) on a loopback port, in a thread of its own."""
    socket_path = str(tmp_path_factory.mktemp("front") / "app.sock")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    local = InProcess(_app, 2, ("127.0.0.1", str(port)))
    loop = asyncio.new_event_loop()
    stopped = asyncio.Event()
    ready = threading.Event()

    async def run():
        upstream = await asyncio.start_unix_server(_upstream, path=socket_path)
        ready.set()
        async with upstream:
            await front.Front(listener, socket_path, local).serve(stopped)

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
    thread.start()
    ready.wait(10)
    yield f"http://127.0.0.1:{port}"
    loop.call_soon_threadsafe(stopped.set)
    thread.join(10)
    loop.close()
    local.close()


def test_only_the_query_route_is_answered_in_process(front_url):
    for path in ("/sparql", "/sparql/", "/sparql?query=ASK%7B%7D"):
        assert requests.get(front_url + path, timeout=10).json()["PATH_INFO"] in InProcess.PATHS
    for path in ("/sparql/update", "/sparqlx", "/", "/healthz"):
        assert requests.get(front_url + path, timeout=10).content == UPSTREAM_BODY, path


def test_the_app_sees_the_request_as_the_client_sent_it(front_url):
    chunks = (part.encode() for part in ("query=ASK", "%20%7B%7D"))
    answer = requests.post(
        front_url + "/sparql?x=1&y=%C3%BC",
        data=chunks,  # chunked: the app gets the decoded body and its length
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
            "X-Forwarded_For": "203.0.113.7",  # "_" in a name: dropped, as gunicorn and nginx do
            "X-Regiograph-Peer": "203.0.113.99",  # the front's own header: never believed
        },
        timeout=10,
    )
    seen = answer.json()
    assert "Date" in answer.headers
    assert seen["body"] == "query=ASK%20%7B%7D" and seen["CONTENT_LENGTH"] == str(len(seen["body"]))
    assert seen["QUERY_STRING"] == "x=1&y=%C3%BC" and seen["REQUEST_METHOD"] == "POST"
    assert seen["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert seen["HTTP_ACCEPT"] == "application/sparql-results+json"
    assert seen["REMOTE_ADDR"] == "127.0.0.1"
    assert "HTTP_X_FORWARDED_FOR" not in seen and "HTTP_X_REGIOGRAPH_PEER" not in seen
    assert "HTTP_TRANSFER_ENCODING" not in seen


def test_repeated_headers_reach_the_app_joined(front_url):
    with socket.create_connection(("127.0.0.1", int(front_url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(
            b"GET /sparql HTTP/1.1\r\nHost: x\r\n"
            b"Accept: text/csv\r\nAccept: text/tab-separated-values\r\n\r\n"
        )
        answer = _read_all(sock)
    seen = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert seen["HTTP_ACCEPT"] == "text/csv,text/tab-separated-values"


def test_a_connection_is_kept_for_the_next_query_and_closed_when_asked(front_url):
    port = int(front_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(10)
        reader = sock.makefile("rb")
        for number in range(3):
            sock.sendall(f"GET /sparql?n={number} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head = _head(reader)
            assert head[0].startswith(b"HTTP/1.1 200") and b"Connection: close" not in head
            length = int(next(h for h in head if h.startswith(b"Content-Length")).split(b":")[1])
            assert json.loads(reader.read(length))["QUERY_STRING"] == f"n={number}"
        sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert b"Connection: close" in _head(reader)
        reader.read()  # the rest, then the end: the front closed it
    with socket.create_connection(("127.0.0.1", port)) as sock:  # HTTP/1.0: closed after one
        sock.sendall(b"GET /sparql HTTP/1.0\r\n\r\n")
        assert b"Connection: close" in _read_all(sock)
    with socket.create_connection(("127.0.0.1", port)) as sock:  # gunicorn's: closed after one
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _read_all(sock).endswith(UPSTREAM_BODY)


def test_a_kept_connection_that_sends_nothing_is_closed(front_url, monkeypatch):
    monkeypatch.setattr(front, "KEEP_ALIVE_S", 0.5)
    with socket.create_connection(("127.0.0.1", int(front_url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n\r\n")
        started = time.monotonic()
        answer = _read_all(sock)  # until the front closes
    assert answer.startswith(b"HTTP/1.1 200") and time.monotonic() - started < 5


def test_the_last_answer_a_connection_may_carry_says_close(front_url, monkeypatch):
    """The front closes a connection after MAX_REQUESTS answers; the last of them says so,
    else a client sends the next request into the closed connection (a reset, seen on the
    1,001st lookup of one requests.Session)."""
    monkeypatch.setattr(front, "MAX_REQUESTS", 3)
    with socket.create_connection(("127.0.0.1", int(front_url.rsplit(":", 1)[1]))) as sock:
        sock.settimeout(10)
        reader = sock.makefile("rb")
        heads = []
        for _ in range(3):
            sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n\r\n")
            heads.append(_head(reader))
            length = int(next(h for h in heads[-1] if h.startswith(b"Content-Length"))[15:])
            reader.read(length)
        assert [b"Connection: close" in head for head in heads] == [False, False, True]
        assert reader.read() == b""  # and it is closed
    session = requests.Session()  # a client that keeps connections never meets a reset
    assert all(session.get(front_url + "/sparql", timeout=10).ok for _ in range(7))


def test_the_front_stops_with_a_kept_connection_open(tmp_path):
    """asyncio's server waits for every connection when it closes; a client that keeps one
    open must not keep the front (and `regiograph serve`, which waits for it) from stopping."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    local = InProcess(_app, 2, ("127.0.0.1", str(port)))
    loop = asyncio.new_event_loop()
    stopped = asyncio.Event()
    serving_front = front.Front(listener, str(tmp_path / "none.sock"), local)
    thread = threading.Thread(
        target=loop.run_until_complete, args=(serving_front.serve(stopped),), daemon=True
    )
    thread.start()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(10)
        sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _head(sock.makefile("rb"))[0].startswith(b"HTTP/1.1 200")  # kept open now
        started = time.monotonic()
        loop.call_soon_threadsafe(stopped.set)
        thread.join(10)
        assert not thread.is_alive() and time.monotonic() - started < 3
    loop.close()
    local.close()


def _head(reader) -> list[bytes]:
    lines = []
    while (line := reader.readline()) not in (b"\r\n", b""):
        lines.append(line.rstrip())
    return lines


def test_head_keeps_the_length_of_the_body_it_does_not_send(front_url):
    get = requests.get(front_url + "/sparql", timeout=10)
    head = requests.head(front_url + "/sparql", timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert (
        abs(int(head.headers["Content-Length"]) - len(get.content)) < 10
    )  # same echo but the method


def test_with_every_thread_taken_a_query_gets_503_at_once(front_url):
    """Two threads, both held by slow requests: the third is refused at once, not queued."""
    slow = [
        threading.Thread(
            target=requests.get, args=(front_url + "/sparql?wait=2",), kwargs={"timeout": 10}
        )
        for _ in range(2)
    ]
    for thread in slow:
        thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    refused = requests.get(front_url + "/sparql", timeout=10)
    took = time.monotonic() - started
    for thread in slow:
        thread.join()
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
    assert took < 1.0, took  # not after the slow ones
    assert requests.get(front_url + "/", timeout=10).content == UPSTREAM_BODY  # pages unaffected
    assert requests.get(front_url + "/sparql", timeout=10).status_code == 200  # threads back


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    parts = []
    while chunk := sock.recv(65536):
        parts.append(chunk)
    return b"".join(parts)


# --- a real `regiograph serve` ------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    port = free_port()
    data_dir = tmp_path_factory.mktemp("serve-front-app")
    env = regiograph_env(data_dir, port, REGIOGRAPH_SCHEDULE_ENABLED="false")
    with serving("serve", env) as (url, process):
        yield url, process


def _children(parent: int) -> dict[int, bytes]:
    """pid -> command line of the processes whose parent is ``parent``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == parent:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes()
    return found


def test_served_queries_run_in_workers_of_the_front(served):
    url, process = served
    query, accept = "SELECT (1 AS ?one) WHERE {}", "application/sparql-results+json"
    answer = requests.post(
        url + "/sparql", {"query": query}, headers={"Accept": accept}, timeout=60
    )
    assert answer.json()["results"]["bindings"][0]["one"]["value"] == "1"
    children = _children(process.pid)
    fronts = [pid for pid, command in children.items() if b"regiograph.front" in command]
    own_command = Path(f"/proc/{process.pid}/cmdline").read_bytes()
    web_workers = [pid for pid, command in children.items() if command == own_command]
    assert len(fronts) == 1 and web_workers

    def query_workers(pid: int) -> list[bytes]:
        return [c for c in _children(pid).values() if b"spawn_main" in c]

    assert query_workers(fronts[0]), "the front runs the query workers"
    assert not any(query_workers(pid) for pid in web_workers), "gunicorn's processes start none"


def test_the_endpoint_answers_through_the_front_as_before(served):
    url, _ = served
    turtle = requests.get(
        url + "/sparql",
        params={"query": "CONSTRUCT { <urn:a> <urn:b> 1 } WHERE {}"},
        headers={"Accept": "text/turtle"},
        timeout=60,
    )
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    assert "<urn:a>" in turtle.text and "ETag" in turtle.headers
    again = requests.get(
        turtle.url,
        headers={"Accept": "text/turtle", "If-None-Match": turtle.headers["ETag"]},
        timeout=60,
    )
    assert again.status_code == 304
    wrong = requests.post(url + "/sparql", data={"query": "SELECT ?x WHERE {"}, timeout=60)
    assert wrong.status_code == 400 and wrong.text.startswith("Bad Request")
    description = requests.get(url + "/sparql", headers={"Accept": "text/turtle"}, timeout=60)
    assert description.status_code == 200 and "sd:Service" in description.text
    editor = requests.get(url + "/sparql", headers={"Accept": "text/html"}, timeout=60)
    assert editor.status_code == 200 and "<textarea" in editor.text
    preflight = requests.options(url + "/sparql", timeout=60)
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Length" not in preflight.headers  # none on a 204 (RFC 9110, 8.6)
    update = requests.post(url + "/sparql/update", data={"update": "CLEAR ALL"}, timeout=60)
    assert update.status_code == 403  # gunicorn's app: writes are off without a write token


@pytest.mark.browser
@pytest.mark.parametrize("language", ["de", "en"])
def test_the_editor_runs_a_query_through_the_front_on_a_phone(browser, served, language):
    """The editor as `regiograph serve` serves it: YASGUI sends the query to /sparql, which the
    front answers in process; the rows appear, in the page's language, within 375 px, axe clean."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install in the repository)")
    url, _ = served
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale=language)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/sparql?lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    run_query(page, 'SELECT ?n WHERE { VALUES ?n { "eins" "zwei" "drei" } }')
    rows = page.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=15000)
    assert rows.count() == 3 and "zwei" in page.locator(".yasr table tbody").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert [v["id"] for v in serious_violations(page)] == []
    assert not errors, errors
    context.close()
