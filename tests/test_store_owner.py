"""Only the owner opens the embedded store (issue 15): real owner processes, real snapshots.

Readers see old or new data, never a mix or an error, while graphs are replaced; a killed
owner comes back with the last committed state and a data version that matches it; writes
need the platform's credential; backups come from a snapshot.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from conftest import BASE_IRI, make_config, store_answers
from regiograph.cli import main
from regiograph.ops.checksum import graph_fingerprint
from regiograph.runtime import open_store
from regiograph.server import create_app
from regiograph.sparql.jobs import Job
from regiograph.sparql.pool import PoolBusy, QueryPool
from regiograph.store import snapshots

GRAPH = BASE_IRI + "graph/replaced"
P = "http://example.org/version"
SPARQL_JSON = "application/sparql-results+json"
COUNT = (
    f"SELECT (COUNT(*) AS ?n) (MIN(?v) AS ?lo) (MAX(?v) AS ?hi) "
    f"WHERE {{ GRAPH <{GRAPH}> {{ ?s <{P}> ?v }} }}"
)


def version_data(version: int, triples: int) -> bytes:
    """``triples`` triples that all say which version of the graph they belong to."""
    return "".join(
        f'<http://example.org/s{i}> <{P}> "{version:04d}" .\n' for i in range(triples)
    ).encode()


def wait_until(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def graph_state(store) -> tuple[int, set[str]]:
    rows = store.select(f"SELECT ?v WHERE {{ GRAPH <{GRAPH}> {{ ?s <{P}> ?v }} }}")
    return len(rows), {row["v"].value for row in rows}


def open_files_under(directory: Path) -> dict[int, list[str]]:
    """Every process on this host with a file open under ``directory``: pid -> paths."""
    prefix = str(directory.resolve()) + os.sep
    found: dict[int, list[str]] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith(prefix) or target == prefix.rstrip(os.sep):
                    found.setdefault(int(pid), []).append(target)
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found


def test_no_process_but_the_owner_opens_the_live_store(tmp_path):
    cfg = make_config(tmp_path)
    with open_store(cfg) as (cfg, store):
        store.replace_graph(GRAPH, version_data(1, 50))
        client = create_app(cfg, store).test_client()
        for _ in range(4):  # the endpoint's workers start and open a snapshot
            answer = client.get(
                "/sparql", query_string={"query": COUNT}, headers={"Accept": SPARQL_JSON}
            )
            assert answer.status_code == 200
        store.replace_graph(GRAPH, version_data(2, 50))
        assert client.get("/sparql", query_string={"query": COUNT}).status_code == 200
        backup = CliRunner().invoke(
            main,
            ["backup", str(tmp_path / "backup")],
            env={"REGIOGRAPH_DATA_DIR": str(tmp_path), "REGIOGRAPH_SITE_BASE_IRI": BASE_IRI},
        )
        assert backup.exit_code == 0, backup.output
        holders = open_files_under(tmp_path / "store")
        snapshot_readers = open_files_under(tmp_path / "snapshots")
        owner = store.server._process.pid
    assert owner in holders, "the owner holds the live store open (else this test proves nothing)"
    assert set(holders) == {owner}, holders
    assert set(snapshot_readers) - {owner}, "the endpoint's workers read snapshots"


def test_fifty_replacements_while_clients_query_give_old_or_new_never_an_error(tmp_path):
    triples = 2000
    # Four clients from four addresses, each within what admission lets one client run.
    cfg = make_config(tmp_path, server__threads=16, sparql__workers=4)
    with open_store(cfg) as (cfg, store):
        store.replace_graph(GRAPH, version_data(0, triples))
        app = create_app(cfg, store)
        done = threading.Event()
        answers: list[tuple[int, int, str, str]] = []
        problems: list[str] = []

        def query_until_done(number: int) -> None:
            client = app.test_client()
            client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number}"
            while not done.is_set():
                response = client.post(
                    "/sparql", data={"query": COUNT}, headers={"Accept": SPARQL_JSON}
                )
                if response.status_code != 200:
                    problems.append(f"{response.status_code}: {response.get_data(as_text=True)}")
                    continue
                row = response.get_json()["results"]["bindings"][0]
                lo, hi = row.get("lo", {}).get("value"), row.get("hi", {}).get("value")
                answers.append((response.status_code, int(row["n"]["value"]), lo, hi))

        clients = [threading.Thread(target=query_until_done, args=(n,)) for n in range(1, 5)]
        for thread in clients:
            thread.start()
        try:
            for version in range(1, 51):
                store.replace_graph(GRAPH, version_data(version, triples))
        finally:
            done.set()
            for thread in clients:
                thread.join()
        assert not problems, problems[:5]
        assert len(answers) > 50
        for _, count, lo, hi in answers:
            assert count == triples and lo == hi, (count, lo, hi)  # one whole version
        # and the last write is what a query after it sees
        last = app.test_client().post(
            "/sparql", data={"query": COUNT}, headers={"Accept": SPARQL_JSON}
        )
        assert last.get_json()["results"]["bindings"][0]["lo"]["value"] == "0050"


@pytest.mark.parametrize("delay_s", [0.3, 1.0, 2.5])
def test_kill_9_of_the_owner_during_a_replacement_keeps_old_or_new_with_its_version(
    tmp_path, delay_s
):
    old, new = version_data(1, 2000), version_data(2, 80_000)  # the new one goes in bulk
    cfg = make_config(tmp_path)
    with open_store(cfg) as (cfg, store):
        store.replace_graph(GRAPH, old)
        before = store.data_version()
        failure: list[Exception] = []

        def replace() -> None:
            try:
                store.replace_graph(GRAPH, new)
            except Exception as exc:
                failure.append(exc)

        writer = threading.Thread(target=replace)
        writer.start()
        time.sleep(delay_s)
        os.kill(store.server._process.pid, signal.SIGKILL)
        writer.join()
        wait_until(lambda: store.server.restarts == 1 and store_answers(store))
        store._version = None
        count, versions = graph_state(store)
        after = store.data_version()
        if versions == {"0001"}:
            assert count == 2000 and after == before and failure
        else:
            assert versions == {"0002"} and count == 80_000 and after != before
        app = create_app(cfg, store)  # readers agree with the store within a query
        answer = app.test_client().post(
            "/sparql", data={"query": COUNT}, headers={"Accept": SPARQL_JSON}
        )
        assert int(answer.get_json()["results"]["bindings"][0]["n"]["value"]) == count


def test_a_write_that_fails_keeps_the_old_graph_and_version(tmp_path):
    cfg = make_config(tmp_path)
    with open_store(cfg) as (cfg, store):
        store.replace_graph(GRAPH, version_data(1, 100))
        before = store.data_version()
        with pytest.raises(Exception, match="write failed"):
            store.replace_graph(GRAPH, version_data(2, 100) + b"not n-triples\n")
        store._version = None
        assert graph_state(store) == (100, {"0001"})
        assert store.data_version() == before


def test_the_versions_move_with_the_data_only_also_across_a_restart(tmp_path):
    """The data version is the owner's snapshot (moves with every committed write), the
    content version the sequence of the last write beyond the metadata graph: a clean restart
    moves neither, a write to the metadata graph alone moves only the data version."""
    cfg = make_config(tmp_path)
    with open_store(cfg) as (_, store):
        store.replace_graph(GRAPH, version_data(1, 10))
        store._version = None
        loaded = store.data_version(), store.content_version()
        store.update(
            f"INSERT DATA {{ GRAPH <{store.meta_graph}> {{ <{P}> <{P}> 1 }} }}", content=False
        )
        store._version = None
        first = store.data_version(), store.content_version()
        assert first[0] != loaded[0] and first[1] == loaded[1]
    with open_store(cfg) as (_, store):
        assert (store.data_version(), store.content_version()) == first
        store.replace_graph(GRAPH, version_data(2, 10))
        store._version = None
        moved = store.data_version(), store.content_version()
    assert moved[0] != first[0] and moved[1] != first[1]
    with open_store(cfg) as (_, store):
        assert (store.data_version(), store.content_version()) == moved


def test_relative_iris_in_graph_store_data_resolve_against_the_graph(tmp_path):
    """As in Oxigraph's server: the graph's name is the base of the data sent for it."""
    with open_store(make_config(tmp_path)) as (_, store):
        store.replace_graph(GRAPH, b"<s> <p> <#o> .", "text/turtle")
        (row,) = store.select(f"SELECT ?s ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
        assert row["s"].value == BASE_IRI + "graph/s"
        assert row["o"].value == GRAPH + "#o"


def test_the_port_taken_while_the_owner_restarts_does_not_end_the_supervision(tmp_path):
    cfg = make_config(tmp_path)
    with open_store(cfg) as (cfg, store):
        store.replace_graph(GRAPH, version_data(1, 10))
        server = store.server
        port = server.port
        squatter = socket.socket()
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        os.kill(server._process.pid, signal.SIGKILL)
        wait_until(lambda: _bound(squatter, port), seconds=10)  # before the new owner binds
        try:
            squatter.listen()
            time.sleep(2.0)  # the supervisor tries, and fails, meanwhile
            with pytest.raises(requests.RequestException):  # the squatter never answers
                requests.get(server.url + "/version", timeout=1)
            assert server._watcher.is_alive()
        finally:
            squatter.close()
        wait_until(lambda: store_answers(store))
        assert server.port == port and graph_state(store) == (10, {"0001"})


def _bound(sock: socket.socket, port: int) -> bool:
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True


def test_anonymous_or_wrongly_credentialled_writes_are_refused(tmp_path):
    cfg = make_config(tmp_path)
    with open_store(cfg) as (cfg, store):
        store.replace_graph(GRAPH, version_data(1, 10))
        base = store.server.url
        attempts = [
            # what a cross-site form in a browser on this host can send
            requests.post(
                base + "/update",
                data={"update": f"DROP GRAPH <{GRAPH}>"},
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            requests.post(
                base + "/update",
                data=f"DROP GRAPH <{GRAPH}>",
                headers={
                    "Content-Type": "application/sparql-update",
                    "Authorization": "Bearer guessed",
                },
            ),
            requests.put(
                base + "/store",
                params={"graph": GRAPH},
                data=b"",
                headers={"Content-Type": "application/n-triples"},
            ),
            requests.delete(base + "/store", params={"graph": GRAPH}),
            requests.post(base + "/commit"),
        ]
        assert [a.status_code for a in attempts] == [401] * len(attempts)
        assert graph_state(store) == (10, {"0001"})
        # reads stay open, as they were with Oxigraph's server
        assert requests.get(base + "/store", params={"graph": GRAPH}).status_code == 200


def test_backup_while_a_harvest_writes_restores_one_consistent_state(tmp_path):
    data_dir, target = tmp_path / "data", tmp_path / "backup"
    env = {"REGIOGRAPH_DATA_DIR": str(data_dir), "REGIOGRAPH_SITE_BASE_IRI": BASE_IRI}
    fingerprints = {}
    cfg = make_config(data_dir)
    with open_store(cfg) as (cfg, store):
        store.replace_graph(GRAPH, version_data(0, 3000))
        done = threading.Event()

        def harvest() -> None:
            version = 0
            while not done.is_set() and version < 199:
                version += 1
                store.replace_graph(GRAPH, version_data(version, 3000))

        for version in range(200):
            fingerprints[graph_fingerprint(version_data(version, 3000))] = version
        writer = threading.Thread(target=harvest)
        writer.start()
        try:
            time.sleep(0.5)
            result = CliRunner().invoke(main, ["backup", str(target)], env=env)
        finally:
            done.set()
            writer.join()
        assert result.exit_code == 0, result.output
    entry = json.loads((target / "manifest.json").read_text())["graphs"][GRAPH]
    backed_up = fingerprints[(entry["triples"], entry["sha256_triples"])]  # one whole version
    restored = CliRunner().invoke(main, ["restore", str(target)], env=env)
    assert restored.exit_code == 0, restored.output
    with open_store(make_config(data_dir)) as (_, store):
        assert graph_state(store) == (3000, {f"{backed_up:04d}"})


def test_the_time_limit_covers_waiting_for_a_worker_to_start(tmp_path):
    """One deadline for the whole request: a cold pool whose worker is still starting
    answers 'busy' at the limit instead of waiting for the start and then the limit again."""
    pool = QueryPool(str(tmp_path), size=1)
    try:
        job = Job("query", "ASK {}", "", frozenset(), check_only=True)
        with pytest.raises(PoolBusy):
            pool.run(job, 0.001)
        assert pool.run(job, 60).outcome.value == "ok"  # the worker was kept, not killed
    finally:
        pool.close()


def test_an_idle_worker_lets_go_of_its_snapshot(tmp_path):
    """The pool hands out the worker that answered last, so the others may idle for long; one
    idle past its time drops its handle and lock, else the owner could never delete that
    snapshot. The next job opens the newest snapshot again."""
    data = ox.Store(str(tmp_path / "live"))
    data.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("1")))
    (tmp_path / "snapshots").mkdir()
    made = snapshots.make(data, tmp_path / "snapshots", 1, 1)
    pool = QueryPool(str(tmp_path / "snapshots"), size=1, idle_s=0.5)
    job = Job(
        "query",
        "SELECT ?o WHERE { ?s ?p ?o }",
        "",
        frozenset(),
        check_only=False,
        formats={"solutions": "json", "boolean": "json", "graph": "ntriples"},
    )
    try:
        assert b'"1"' in pool.run(job, 60).body
        assert not _free_to_delete(made.path)  # held while the worker may need it
        deadline = time.monotonic() + 10
        while not _free_to_delete(made.path) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _free_to_delete(made.path)
        assert b'"1"' in pool.run(job, 60).body  # opened again
    finally:
        pool.close()


def _free_to_delete(path: Path) -> bool:
    """Whether the owner's exclusive lock on the snapshot could be taken now."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
