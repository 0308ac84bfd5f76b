"""A private Virtuoso 7 (Debian's virtuoso-opensource) on loopback, for tests and benchmarks.

Follows the recipe in ../shared/bench/virtuoso.md: a copy of the package's ini pointed at a
private directory and loopback ports, started in the foreground under our control.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

TEMPLATE_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@dataclass
class Virtuoso:
    directory: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def store_overrides(self) -> dict[str, str]:
        """Configuration that points regiograph at this Virtuoso (writes with digest auth)."""
        base = f"http://127.0.0.1:{self.http_port}"
        return {
            "store__query_url": base + "/sparql",
            "store__update_url": base + "/sparql-auth",
            "store__graph_store_url": base + "/sparql-graph-crud-auth",
            "store__username": "dba",
            "store__password": "dba",
            "store__auth": "digest",
            "store__dialect": "virtuoso",
        }

    def isql(self, command: str) -> str:
        result = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={command}"],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        return result.stdout

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.isql("checkpoint; shutdown;")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def available() -> bool:
    return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt") and TEMPLATE_INI.exists())


def store_for_tests(tmp_path_factory, **options):
    """The body of a module fixture: the platform's store on a private Virtuoso (a skip where it
    is not installed), stopped after; ``options`` go to :func:`start`. Test-only imports are
    inside, so that benchmarks can import this module without pytest."""
    import pytest

    from conftest import make_config
    from regiograph.runtime import open_store
    from regiograph.store.supervisor import free_port

    if not available():
        pytest.skip(
            "Debian's virtuoso-opensource is not installed (the README's test command "
            "installs it when run as root)"
        )
    server = start(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port(), **options)
    cfg = make_config(tmp_path_factory.mktemp("virt-data"), **server.store_overrides())
    try:
        with open_store(cfg) as (_, store):
            yield store
    finally:
        server.stop()


def start(
    directory: Path,
    sql_port: int,
    http_port: int,
    *,
    data_dir: Path | None = None,
    buffers: int = 170000,
    max_rows: int = 1000000,
    timeout_s: float = 120,
) -> Virtuoso:
    """Start a private Virtuoso; ``max_rows`` is its cap on rows per result (ResultSetMaxRows,
    which cuts results silently: the package's own default is 10,000)."""
    (directory / "db").mkdir(parents=True, exist_ok=True)
    ini = TEMPLATE_INI.read_text()
    allowed = f"., /usr/share/virtuoso-opensource-7/vad, {data_dir or directory}"
    replacements = [
        (r"/var/lib/virtuoso-opensource-7/db/", f"{directory}/db/"),
        (r"(?m)^ServerPort(\s*)= 1111", rf"ServerPort\g<1>= 127.0.0.1:{sql_port}"),
        (r"(?m)^ServerPort(\s*)= 8890", rf"ServerPort\g<1>= 127.0.0.1:{http_port}"),
        (r"(?m)^DirsAllowed .*", f"DirsAllowed              = {allowed}"),
        (r"(?m)^NumberOfBuffers(\s*)= \d+", rf"NumberOfBuffers\g<1>= {buffers}"),
        (r"(?m)^MaxDirtyBuffers(\s*)= \d+", rf"MaxDirtyBuffers\g<1>= {buffers * 3 // 4}"),
        (r"(?m)^ResultSetMaxRows(\s*)= \d+", rf"ResultSetMaxRows\g<1>= {max_rows}"),
    ]
    for pattern, replacement in replacements:
        ini = re.sub(pattern, replacement, ini)
    (directory / "virtuoso.ini").write_text(ini)
    with (directory / "stdout.log").open("wb") as log:
        process = subprocess.Popen(
            ["virtuoso-t", "+configfile", str(directory / "virtuoso.ini"), "+foreground"],
            cwd=directory,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Virtuoso(directory, sql_port, http_port, process)
    _wait(server, timeout_s)
    return server


def _wait(server: Virtuoso, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = (server.directory / "stdout.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Virtuoso exited at start-up:\n{log}")
        try:
            response = requests.get(server.sparql_url, params={"query": "ASK {}"}, timeout=2)
            if response.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.process.kill()
    raise RuntimeError(f"Virtuoso did not answer within {timeout_s:.0f} s")
