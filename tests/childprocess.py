"""`regiograph` commands as real child processes for a test: their environment, a start that
waits until they answer (their log in the failure message when they do not), and their end."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests


def regiograph_env(data_dir: Path, port: int, **settings: str) -> dict[str, str]:
    """This process's environment without its REGIOGRAPH_* variables, plus a data folder, a
    port, one web worker, that port's base IRI and ``settings`` (REGIOGRAPH_* names)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOGRAPH_")}
    env.update(
        REGIOGRAPH_DATA_DIR=str(data_dir),
        REGIOGRAPH_SERVER_PORT=str(port),
        REGIOGRAPH_SERVER_WORKERS="1",
        REGIOGRAPH_SITE_BASE_IRI=f"http://127.0.0.1:{port}/",
        **settings,
    )
    return env


@contextmanager
def serving(command: str, env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen]]:
    """`regiograph {command}` (serve, demo) in its data folder, once /healthz answers: its URL
    and process; ended after the block."""
    data_dir = Path(env["REGIOGRAPH_DATA_DIR"])
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "regiograph", command],
            env=env,
            cwd=data_dir,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{env['REGIOGRAPH_SERVER_PORT']}"
    try:
        wait_for(url + "/healthz", process, log, f"regiograph {command}")
        yield url, process
    finally:
        end(process)


def wait_for(url: str, process: subprocess.Popen, log: Path, what: str) -> None:
    """Until ``url`` answers 200, for two minutes at most; fails the test with ``log``."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} exited early:\n{log.read_text()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"{what} did not answer in time:\n{log.read_text()}")


def end(process: subprocess.Popen, timeout_s: float = 30) -> None:
    """SIGTERM, and SIGKILL if the process has not ended within ``timeout_s``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
