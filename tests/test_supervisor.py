"""The embedded store's owner process: start, lock, restart after a crash, clear failures."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import make_config
from regiograph.runtime import open_store
from regiograph.server import create_app
from regiograph.store import OxigraphServer, StoreError, StoreLocked
from regiograph.store.supervisor import free_port

TRIPLE = b'<http://example.org/a> <http://example.org/p> "kept" .\n'


def test_second_process_on_the_same_directory_is_told_where_the_first_is(tmp_path):
    with OxigraphServer(tmp_path / "store") as first:
        with pytest.raises(StoreLocked) as error:
            OxigraphServer(tmp_path / "store").start()
        message = str(error.value)
        assert str(first.port) in message and "store.query_url" in message


def test_directory_held_by_a_foreign_oxigraph_is_a_clear_error(tmp_path, oxigraph_binary):
    (tmp_path / "store").mkdir()
    foreign = subprocess.Popen(
        [
            oxigraph_binary,
            "serve",
            "--location",
            str(tmp_path / "store"),
            "--bind",
            f"127.0.0.1:{free_port()}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        with pytest.raises(StoreLocked, match="another process holds the store directory"):
            OxigraphServer(tmp_path / "store").start()
    finally:
        foreign.terminate()
        foreign.wait()


def test_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StoreError, match=f"port {port} .* is in use"):
            OxigraphServer(tmp_path / "store", port=port).start()


def test_killed_store_is_restarted_and_requests_meanwhile_get_503(tmp_path):
    cfg = make_config(tmp_path)
    with open_store(cfg) as (cfg, store):
        graph = cfg.base_iri + "graph/kept"
        store.replace_graph(graph, TRIPLE)
        client = create_app(cfg, store).test_client()
        server = store.server
        os.kill(server._process.pid, signal.SIGKILL)
        server._process.wait()
        during = client.get("/healthz")
        assert during.status_code == 503
        assert during.headers["Retry-After"]
        _wait_until(lambda: client.get("/healthz").status_code == 200)
        assert server.restarts == 1
        assert store.graphs()[graph] == 1  # nothing lost


def test_stop_terminates_the_child_and_releases_the_directory(tmp_path):
    server = OxigraphServer(tmp_path / "store").start()
    pid = server._process.pid
    server.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    OxigraphServer(tmp_path / "store").start().stop()  # the lock is free again


def _wait_until(condition, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)
