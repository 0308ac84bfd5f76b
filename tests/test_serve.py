"""`regiograph demo` as a new user runs it: a real process with gunicorn and the embedded store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from regiograph.store.supervisor import free_port


@pytest.fixture(scope="module")
def running_demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOGRAPH_")}
    env.update(
        REGIOGRAPH_DATA_DIR=str(data_dir),
        REGIOGRAPH_SERVER_PORT=str(port),
        REGIOGRAPH_SERVER_WORKERS="1",
        REGIOGRAPH_SITE_BASE_IRI=f"http://127.0.0.1:{port}/",
    )
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "regiograph", "demo"],
            env=env,
            cwd=data_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/healthz", process, log)
        yield url, process, data_dir, env
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_for(url: str, process: subprocess.Popen, log, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"regiograph demo exited early:\n{log.read_text()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail("regiograph demo did not answer in time")


def test_healthz_reports_the_demo_and_query_attaches(running_demo):
    url, _, data_dir, env = running_demo
    health = requests.get(url + "/healthz", timeout=5).json()
    assert health["status"] == "ok" and health["triples"] > 1000
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "regiograph",
            "query",
            "--format",
            "csv",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        ],
        env=env,
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.splitlines()[1]) == health["triples"]


def test_second_serve_on_the_same_directory_is_refused(running_demo):
    _, _, data_dir, env = running_demo
    second = subprocess.run(
        [sys.executable, "-m", "regiograph", "serve"],
        env={**env, "REGIOGRAPH_SERVER_PORT": str(free_port())},
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 3
    assert "in use by another regiograph process" in second.stderr


def test_derived_data_is_built_after_the_start_without_a_request(running_demo):
    """The start moved the data version (demo load, vocabulary): a child of the supervising
    process builds the catalogue, search index and statistics mirror, no request needed."""
    url, _, data_dir, _ = running_demo
    version = requests.get(url + "/healthz", timeout=5).json()["data_version"]
    log = data_dir / "serve.log"
    steps = ("catalogue", "search index", "statistics mirror")
    deadline = time.monotonic() + 120
    while not all(f"derived data: {step} in" in log.read_text() for step in steps):
        assert "FAILED" not in log.read_text() and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    assert (data_dir / "catalog" / f"keys-{version}.json").is_file()
    assert f'"version": "{version}"' in (data_dir / "dumps" / "manifest.json").read_text()
    assert (data_dir / "search" / "search.sqlite").is_file()


def test_sigterm_stops_app_and_store(running_demo):
    _, process, data_dir, _ = running_demo
    lock = (data_dir / "regiograph-store.lock").read_text()
    store_url = lock.split('"query_url": "')[1].split('"')[0]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    with pytest.raises(requests.ConnectionError):
        requests.post(store_url, data={"query": "ASK {}"}, timeout=2)
