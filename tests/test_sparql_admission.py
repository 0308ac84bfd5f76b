"""One client cannot starve the others (issue 18): admission to /sparql is decided before a
query takes a worker, from counts that every web process shares through the data folder.

Two real app processes share one data folder and the demo store (proxy engine); clients are
told apart by X-Forwarded-For (``site.trust_proxy``). A query is held at the store by a SERVICE
call to a loopback endpoint that answers only when the test lets it, so "running" is exact
without burning CPU. The query workers' memory cap is tested in this process (pool engine).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from httpfixtures import QuietHandler, loopback
from regiograph.server import create_app
from regiograph.sparql.admission import FILE_NAME, Admission, Policy, Refused
from regiograph.sparql.jobs import Outcome
from regiograph.store.supervisor import free_port

TIME_BUDGET_S = 5.0
ERROR_BUDGET = 3
APP_PROCESS = """
import sys
from werkzeug.serving import make_server
from regiograph import config
from regiograph.server import create_app
from regiograph.store import Store

cfg = config.load(None)
app = create_app(cfg, Store.from_config(cfg))
server = make_server("127.0.0.1", int(sys.argv[1]), app, threaded=True)
print("ready", flush=True)
server.serve_forever()
"""


class _HeldService(QuietHandler):
    """A SPARQL endpoint on loopback that answers when ``release`` is set."""

    release = threading.Event()
    arrived: list[str] = []  # noqa: RUF012 - read by the tests

    def do_POST(self):
        self._answer()

    def do_GET(self):
        self._answer()

    def _answer(self):
        type(self).arrived.append(self.path)
        type(self).release.wait(30)
        body = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{}]}}).encode()
        self.answer(body, {"Content-Type": "application/sparql-results+json"})


@pytest.fixture(scope="module")
def held_service():
    with loopback(_HeldService) as base:
        yield f"{base}/sparql"
        _HeldService.release.set()


@pytest.fixture(scope="module")
def two_apps(demo_platform, held_service, tmp_path_factory):
    """Two app processes with one data folder: (their URLs, that folder)."""
    cfg, _ = demo_platform
    data = tmp_path_factory.mktemp("shared-admission")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOGRAPH_")}
    env.update(
        REGIOGRAPH_DATA_DIR=str(data),
        REGIOGRAPH_SITE_BASE_IRI=cfg["site.base_iri"],
        REGIOGRAPH_SITE_TRUST_PROXY="true",
        REGIOGRAPH_STORE_QUERY_URL=cfg["store.query_url"],
        REGIOGRAPH_STORE_UPDATE_URL=cfg["store.update_url"],
        REGIOGRAPH_STORE_GRAPH_STORE_URL=cfg["store.graph_store_url"],
        REGIOGRAPH_SPARQL_SERVICE_ALLOW=held_service,
        REGIOGRAPH_SPARQL_MAX_CONCURRENT_PER_CLIENT="2",
        REGIOGRAPH_SPARQL_TIME_BUDGET_S=str(TIME_BUDGET_S),
        REGIOGRAPH_SPARQL_ERROR_BUDGET=str(ERROR_BUDGET),
    )
    processes, urls = [], []
    for _ in range(2):
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-c", APP_PROCESS, str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        processes.append(process)
        assert process.stdout.readline().strip() == "ready"
        urls.append(f"http://127.0.0.1:{port}")
    for url in urls:  # the first query starts the process's query worker: not a test's time
        assert _ask(url, "198.51.100.250").status_code == 200
    try:
        yield urls, data
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
            process.stdout.close()


def _ask(url: str, client: str, query: str = "ASK {}") -> requests.Response:
    return requests.post(
        url + "/sparql",
        data={"query": query},
        headers={"X-Forwarded-For": client, "Accept": "application/sparql-results+json"},
        timeout=60,
    )


def _refused_with_retry_after(response: requests.Response, setting: str) -> int:
    assert response.status_code == 429, response.text
    assert setting in response.text
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    return retry_after


def test_a_client_over_its_concurrency_gets_429_in_every_process(two_apps, held_service):
    (first, second), data = two_apps
    flooder, other = "198.51.100.1", "198.51.100.2"
    held = f"SELECT * WHERE {{ SERVICE <{held_service}> {{ ?s ?p ?o }} }}"
    _HeldService.release.clear()
    answers: list[int] = []
    runs = [
        threading.Thread(target=lambda u=url: answers.append(_ask(u, flooder, held).status_code))
        for url in (first, second)
    ]
    for run in runs:
        run.start()
    try:
        counts = Admission(data / FILE_NAME, Policy())
        deadline = time.monotonic() + 20
        while counts.running(flooder) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert counts.running(flooder) == 2  # one query in each process
        for url in (first, second):
            _refused_with_retry_after(_ask(url, flooder), "sparql.max_concurrent_per_client")
        assert _ask(first, other).status_code == 200  # another client is admitted meanwhile
        assert _ask(second, other).status_code == 200
    finally:
        _HeldService.release.set()
        for run in runs:
            run.join()
    assert answers == [200, 200]
    assert counts.running(flooder) == 0  # its places are free again


def test_a_client_over_its_time_budget_gets_429_until_the_time_is_a_minute_old(two_apps):
    (first, second), _ = two_apps
    flooder, other = "198.51.100.3", "198.51.100.4"
    statuses = []
    for number in range(400):  # every query costs at least 0.05 s of the budget
        response = _ask((first, second)[number % 2], flooder)
        statuses.append(response.status_code)
        if response.status_code != 200:
            break
    assert set(statuses[:-1]) == {200} and len(statuses) > 10
    _refused_with_retry_after(response, "sparql.time_budget_s")
    # the budget is one for all processes
    for url in (first, second):
        _refused_with_retry_after(_ask(url, flooder), "sparql.time_budget_s")
    assert _ask(first, other).status_code == 200
    assert _ask(second, other).status_code == 200


def test_a_client_over_its_error_budget_gets_429(two_apps):
    (first, second), _ = two_apps
    flooder, other = "198.51.100.5", "198.51.100.6"
    for number in range(ERROR_BUDGET):
        assert _ask((first, second)[number % 2], flooder, "SELEC broken").status_code == 400
    for url in (first, second):
        _refused_with_retry_after(_ask(url, flooder), "sparql.error_budget")
    assert _ask(second, other, "SELEC broken").status_code == 400  # its own budget
    assert _ask(first, other).status_code == 200


def test_reserved_threads_refuse_a_query_with_503_before_the_last_thread(tmp_path):
    admission = Admission(tmp_path / FILE_NAME, Policy(process_slots=1))
    with admission.admit("192.0.2.1") as ticket:
        with pytest.raises(Refused) as refused, admission.admit("192.0.2.2"):
            pass
        ticket.outcome = Outcome.OK
    assert refused.value.outcome is Outcome.BUSY and refused.value.retry_after_s >= 1
    with admission.admit("192.0.2.2") as ticket:  # free again
        ticket.outcome = Outcome.OK


def test_a_release_that_cannot_be_written_does_not_hold_the_client_later(tmp_path, monkeypatch):
    """A full disk as a query ends: its release fails, and its row would count as a running
    query for two minutes (seen: 429 for the next query once space was back, in
    test_store_owner_faults under load). The next admission that can write deletes it."""
    admission = Admission(tmp_path / FILE_NAME, Policy(per_client=1))
    real = Admission._transaction

    @contextlib.contextmanager
    def full_disk(self):
        raise sqlite3.OperationalError("database or disk is full")
        yield  # pragma: no cover - a generator for contextmanager

    with admission.admit("192.0.2.4") as ticket:
        ticket.outcome = Outcome.OK
        monkeypatch.setattr(Admission, "_transaction", full_disk)  # as the query ends
    monkeypatch.setattr(Admission, "_transaction", real)  # space again
    assert admission.running("192.0.2.4") == 1  # the row the release could not delete
    with admission.admit("192.0.2.4") as ticket:  # not refused
        ticket.outcome = Outcome.OK
        assert admission.running("192.0.2.4") == 1  # this query's row only
    assert admission.running("192.0.2.4") == 0


def test_counts_of_a_process_that_died_are_forgotten(tmp_path):
    path = tmp_path / FILE_NAME
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    admission = Admission(path, Policy(per_client=1))
    with admission._transaction() as db:  # a query that was running when its process died
        db.execute(
            "INSERT INTO running (client, pid, started) VALUES (?, ?, ?)",
            ("192.0.2.3", int(dead.stdout), time.time()),
        )
    with admission.admit("192.0.2.3") as ticket:
        ticket.outcome = Outcome.OK
        assert admission.running("192.0.2.3") == 1


# --- a query worker's memory ------------------------------------------------------------

CAP_MB = 1024  # RocksDB needs several hundred MB of address space to open the store
# Every row of the cross product is a group of its own: the groups grow with the rows.
GROUP_BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } GROUP BY ?a ?b ?c ?d ?e ?f"


@pytest.fixture(scope="module")
def capped_app(demo_platform):
    cfg, store = demo_platform
    app = create_app(
        # A time limit far above what the bomb needs to reach the cap on a loaded machine.
        cfg.with_overrides(
            sparql__worker_memory_mb=CAP_MB,
            sparql__workers=2,
            sparql__engine="pool",
            sparql__timeout_s=180.0,
        ),
        store,
    )
    app.testing = True
    yield app
    app.extensions["regiograph.sparql"].engine.close()


def test_a_query_past_the_memory_cap_is_a_clean_503_and_the_other_worker_lives(capped_app):
    web = capped_app.test_client()
    web.environ_base["REMOTE_ADDR"] = "192.0.2.40"
    assert web.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    pool = capped_app.extensions["regiograph.sparql"].engine.pool
    before = {w.process.pid for w in _workers(pool)}
    response = web.get("/sparql", query_string={"query": GROUP_BOMB, "format": "json"})
    assert response.status_code == 503
    assert b"more memory than a query worker may use" in response.data
    assert b"sparql.worker_memory_mb" in response.data
    assert response.headers["Retry-After"]
    alive = {w.process.pid for w in _workers(pool) if w.process.is_alive()}
    assert len(before & alive) == 1  # one worker died of its cap, the other lives
    assert web.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    _wait_for_a_full_pool(pool)  # the replacement is started in the background


def test_the_cap_is_the_workers_own_limit(capped_app):
    """The cap is RLIMIT_AS inside the worker process (the web process keeps no cap)."""
    pool = capped_app.extensions["regiograph.sparql"].engine.pool
    _wait_for_a_full_pool(pool)
    worker = next(w for w in _workers(pool) if w.ready)
    limits = Path(f"/proc/{worker.process.pid}/limits").read_text()
    line = next(row for row in limits.splitlines() if row.startswith("Max address space"))
    assert str(CAP_MB * 2**20) in line
    own = Path("/proc/self/limits").read_text()
    assert str(CAP_MB * 2**20) not in own


def _workers(pool) -> list:
    """The pool's workers now. A copy: the replacement of a killed worker is added from a
    thread of the pool, and iterating the set itself then failed ("Set changed size during
    iteration"); list() copies it in one step."""
    return list(pool._workers)


def _wait_for_a_full_pool(pool) -> None:
    deadline = time.monotonic() + 60
    while pool.idle() < pool.size and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.idle() == pool.size
