"""The embedded store: Oxigraph's own server as a supervised child process.

Oxigraph's server has no authentication (anonymous updates and deletes succeed, also from a
cross-site form), so it only ever listens on loopback and the platform is its only door.
The supervisor holds a lock file in the data directory, so that a second regiograph on the
same directory is told where the first one's store answers instead of failing obscurely.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from regiograph.mediatypes import SPARQL_JSON
from regiograph.store.errors import StoreError, StoreLocked, StoreUnavailable

log = logging.getLogger(__name__)

LOCK_FILE = "regiograph-store.lock"
_PORT_ATTEMPTS = 5


def find_binary(configured: str = "") -> str:
    """The `oxigraph` server binary: configured, installed beside Python, or on PATH."""
    candidates = (
        [configured]
        if configured
        else [str(Path(sys.executable).parent / "oxigraph"), shutil.which("oxigraph") or ""]
    )
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise StoreError(
        f"the Oxigraph server binary was not found ({configured or 'oxigraph'}); install it "
        "with `pip install oxigraph` or set store.oxigraph_binary, or point store.query_url "
        "at a running SPARQL 1.1 store"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OxigraphServer:
    """Start, watch, restart and stop `oxigraph serve` on one data directory."""

    def __init__(
        self,
        location: Path,
        *,
        timeout_s: float = 30.0,
        port: int = 0,
        binary: str = "",
        startup_timeout_s: float = 90.0,
    ):
        self.location = Path(location)
        self.timeout_s = timeout_s
        self.port = port
        self.binary = find_binary(binary)
        self.startup_timeout_s = startup_timeout_s
        self.restarts = 0
        self._process: subprocess.Popen | None = None
        self._lock_handle = None
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self._owner_pid = os.getpid()  # forked children (web workers) must not stop the store

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.location.parent / "oxigraph.log"

    @property
    def endpoints(self) -> dict[str, str]:
        return {
            "store.query_url": self.url + "/query",
            "store.update_url": self.url + "/update",
            "store.graph_store_url": self.url + "/store",
            "store.dialect": "oxigraph",
        }

    def start(self) -> OxigraphServer:
        self.location.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        try:
            self._launch_on_free_port()
        except BaseException:
            self._release_lock()
            raise
        self._write_lock_info()
        self._watcher = threading.Thread(target=self._watch, name="oxigraph-watch", daemon=True)
        self._watcher.start()
        return self

    def stop(self) -> None:
        if os.getpid() != self._owner_pid:
            return
        self._stopping.set()
        process = self._process
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._release_lock()

    def __enter__(self) -> OxigraphServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- process ----------------------------------------------------------------------

    def _launch_on_free_port(self) -> None:
        fixed = self.port != 0
        for _ in range(1 if fixed else _PORT_ATTEMPTS):
            if not fixed:
                self.port = free_port()
            try:
                self._launch()
                return
            except _PortTaken:
                log.info("port %s was taken meanwhile; trying another", self.port)
        raise StoreError(
            f"port {self.port} on 127.0.0.1 is in use; set store.port to a free "
            "port or to 0 for any free port"
        )

    def _launch(self) -> None:
        argv = [
            self.binary,
            "serve",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--union-default-graph",
            "--timeout-s",
            str(max(1, round(self.timeout_s))),
        ]
        # stderr goes to a file: a pipe nobody reads would block the server once full.
        # preexec_fn only makes one prctl call, which takes no locks, so threads are no hazard.
        with self.log_path.open("wb") as log_file:
            self._process = subprocess.Popen(
                argv,
                stdout=subprocess.DEVNULL,
                stderr=log_file,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._raise_start_failure(self.log_path.read_text(errors="replace"))
            if answers(self.url):
                return
            time.sleep(0.05)
        self._process.kill()
        raise StoreUnavailable(self.url, f"no answer within {self.startup_timeout_s:.0f} s")

    def _raise_start_failure(self, stderr: str) -> None:
        first = stderr.strip().splitlines()[0] if stderr.strip() else "no message"
        if "Address already in use" in stderr:
            raise _PortTaken()
        if "LOCK" in stderr and "unavailable" in stderr:
            raise StoreLocked(
                f"another process holds the store directory {self.location} "
                f"({first}); stop it, or set store.query_url to its SPARQL endpoint"
            )
        raise StoreError(f"the Oxigraph server stopped at start-up: {first}")

    def _watch(self) -> None:
        """Restart the server on the same port whenever it dies while we are not stopping."""
        while not self._stopping.is_set():
            code = self._process.wait()
            if self._stopping.is_set():
                return
            self.restarts += 1
            log.error(
                "the Oxigraph server exited with code %s; restarting (%d)", code, self.restarts
            )
            self._restart_with_backoff()

    def _restart_with_backoff(self) -> None:
        delay = 0.2
        while not self._stopping.is_set():
            try:
                self._launch()
                log.warning("the Oxigraph server is back at %s", self.url)
                return
            except (StoreError, OSError) as exc:
                log.error("restarting the Oxigraph server failed: %s", exc)
                time.sleep(delay)
                delay = min(delay * 2, 10)

    # --- lock -------------------------------------------------------------------------

    def _take_lock(self) -> None:
        path = self.location.parent / LOCK_FILE
        handle = path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _lock_holder(handle.read())
            handle.close()
            raise StoreLocked(
                f"the store directory {self.location} is in use by another regiograph process"
                f"{holder}. Stop that process, or reach its store by setting "
                "store.query_url (and store.update_url, store.graph_store_url)"
            ) from None
        self._lock_handle = handle

    def _write_lock_info(self) -> None:
        self._lock_handle.seek(0)
        self._lock_handle.truncate()
        info = {"pid": os.getpid(), "query_url": self.url + "/query"}
        self._lock_handle.write(json.dumps(info))
        self._lock_handle.flush()

    def _release_lock(self) -> None:
        if self._lock_handle:
            self._lock_handle.truncate(0)
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None


class _PortTaken(Exception):
    pass


def answers(url: str) -> bool:
    try:
        response = requests.post(
            url + "/query",
            data={"query": "ASK {}"},
            timeout=2,
            headers={"Accept": SPARQL_JSON.media_type},
        )
    except requests.RequestException:
        return False
    return response.status_code == 200


def _lock_holder(text: str) -> str:
    try:
        info = json.loads(text)
    except ValueError:
        return ""
    return f" (pid {info.get('pid')}, its store answers at {info.get('query_url')})"


def _die_with_parent() -> None:
    """Linux: the store gets SIGTERM if regiograph dies without stopping it (no orphans)."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
