"""`regiograph demo` as a new user runs it: a real process with gunicorn and the embedded store."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
import requests

from childprocess import regiograph_env, serving
from regiograph.store.supervisor import free_port


@pytest.fixture(scope="module")
def running_demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("serve")
    env = regiograph_env(data_dir, free_port())
    with serving("demo", env) as (url, process):
        yield url, process, data_dir, env


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
