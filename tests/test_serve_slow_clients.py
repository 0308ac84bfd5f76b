"""Slow clients cannot take a plain `regiograph serve` down (issue 18): ten clients that ask
for a ~4 MB answer and never read it and forty slowloris connections that trickle a request
head forever, all at once, against a real `regiograph serve` without nginx — and `/healthz`
still answers. Raw sockets, so the clients are as slow as an attacker's.

Before the buffering front (``regiograph.front``), gunicorn's threads blocked reading the
slowloris heads and writing the unread answers, and `/healthz` waited behind them.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
import urllib.parse

import pytest
import requests

from childprocess import regiograph_env, serving
from regiograph.store.supervisor import free_port

SLOW_READERS = 10
SLOWLORIS = 40
LIVENESS_TIMEOUT_S = 30  # what the attack in issue 18 made /healthz exceed
# 25^3 rows of three integers: about 4 MB of SPARQL JSON, far more than the socket buffers.
NUMBERS = " ".join(str(n) for n in range(25))
BIG_QUERY = (
    f"SELECT * WHERE {{ VALUES ?a {{ {NUMBERS} }} VALUES ?b {{ {NUMBERS} }} "
    f"VALUES ?c {{ {NUMBERS} }} }}"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A plain `regiograph serve` on an empty data folder: its URL, port and data folder."""
    port = free_port()
    data_dir = tmp_path_factory.mktemp("serve-slow")
    env = regiograph_env(
        data_dir,
        port,
        # The attack comes from one address, as the test's requests do: admission would
        # refuse most big queries at once, and the point is what unread answers do.
        REGIOGRAPH_SPARQL_MAX_CONCURRENT_PER_CLIENT="0",
        REGIOGRAPH_SPARQL_TIME_BUDGET_S="0",
        REGIOGRAPH_SPARQL_ERROR_BUDGET="0",
        REGIOGRAPH_SCHEDULE_ENABLED="false",
    )
    with serving("serve", env) as (url, _):
        yield url, port, data_dir


def _slow_reader(port: int) -> socket.socket:
    """Sends a whole query that answers ~4 MB and never reads a byte of it."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    body = urllib.parse.urlencode({"query": BIG_QUERY}).encode()
    head = (
        "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Accept: application/sparql-results+json\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body)
    return sock


def _slowloris(port: int) -> socket.socket:
    sock = socket.socket()
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    return sock


def _trickle(sockets: list[socket.socket], stop: threading.Event) -> None:
    """One more header line on every slowloris connection each second: never idle, never done."""
    number = 0
    while not stop.wait(1.0):
        number += 1
        for sock in sockets:
            with contextlib.suppress(OSError):  # closed by the server: what it should do
                sock.sendall(f"X-Slow-{number}: {number}\r\n".encode())


def _ended_by_the_server(sock: socket.socket) -> bool:
    sock.settimeout(120)
    try:
        return sock.recv(4096)[:12] in (b"HTTP/1.1 408", b"")
    except ConnectionResetError:  # closed while the trickle still wrote
        return True


def test_slow_readers_and_slowloris_do_not_starve_healthz(served):
    url, port, _ = served
    readers = [_slow_reader(port) for _ in range(SLOW_READERS)]
    lorises = [_slowloris(port) for _ in range(SLOWLORIS)]
    stop = threading.Event()
    trickler = threading.Thread(target=_trickle, args=(lorises, stop), daemon=True)
    trickler.start()
    try:
        time.sleep(3)  # the big answers are written (or stuck), the heads half sent
        health = requests.get(url + "/healthz", timeout=LIVENESS_TIMEOUT_S)
        assert health.status_code == 200
        page = requests.get(url + "/", timeout=LIVENESS_TIMEOUT_S)
        assert page.status_code == 200
        assert _ended_by_the_server(lorises[0])  # a slowloris is not kept forever
    finally:
        stop.set()
        trickler.join()
        for sock in readers + lorises:
            sock.close()


def test_a_chunked_query_is_read_whole_and_a_forged_peer_is_not_believed(served):
    """The front reads a chunked body for the app, and the client's address is the one the
    front saw: an X-Regiograph-Peer header sent by the client is dropped."""
    url, _, data_dir = served
    chunks = (part.encode() for part in ("query=ASK", "%20%7B%7D"))
    answer = requests.post(
        url + "/sparql",
        data=chunks,  # a generator: requests sends it chunked
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
            "X-Regiograph-Peer": "203.0.113.99",
        },
        timeout=LIVENESS_TIMEOUT_S,
    )
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    with contextlib.closing(sqlite3.connect(data_dir / "admission.sqlite3")) as db:
        clients = {client for (client,) in db.execute("SELECT DISTINCT client FROM spent")}
    assert clients == {"127.0.0.1"}
