"""The embedded store: its owner process (:mod:`regiograph.owner`), supervised.

The owner is the only process that opens the store directory; it listens on loopback only
and takes writes only with a credential, a random token made here for each start and
handed to the owner (in its environment) and to the platform (in the lock file, readable by
this user only). The supervisor holds that lock file in the data directory, so that a second
regiograph on the same directory is told where the first one's store answers (one-shot
commands attach to it) instead of failing obscurely. A dead owner is restarted on the same
port, retrying while the port is taken.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import logging
import os
import secrets
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
SNAPSHOTS = "snapshots"
_PORT_ATTEMPTS = 5
_TOKEN_ENV = "REGIOGRAPH_STORE_TOKEN"  # noqa: S105 (its name; regiograph.owner)


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
    """Start, watch, restart and stop the store's owner on one store directory.

    (The name stayed from when the owner was `oxigraph serve`; ``binary`` is no longer used.)
    """

    def __init__(
        self,
        location: Path,
        *,
        timeout_s: float = 30.0,
        port: int = 0,
        binary: str = "",
        startup_timeout_s: float = 90.0,
        workers: int = 2,
        snapshots: Path | None = None,
    ):
        self.location = Path(location)
        self.snapshots = Path(snapshots) if snapshots else self.location.parent / SNAPSHOTS
        self.timeout_s = timeout_s
        self.port = port
        self.workers = workers
        self.token = secrets.token_urlsafe(32)
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
        return self.location.parent / "regiograph-store.log"

    @property
    def endpoints(self) -> dict[str, str]:
        return owner_endpoints(self.url + "/query", self.token)

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
            sys.executable,
            "-m",
            "regiograph.owner",
            "--location",
            str(self.location),
            "--snapshots",
            str(self.snapshots),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--timeout-s",
            str(self.timeout_s),
            "--workers",
            str(self.workers),
        ]
        # stderr goes to a file: a pipe nobody reads would block the server once full.
        # preexec_fn only makes one prctl call, which takes no locks, so threads are no hazard.
        with self.log_path.open("wb") as log_file:
            self._process = subprocess.Popen(
                argv,
                stdout=subprocess.DEVNULL,
                stderr=log_file,
                env=os.environ | {_TOKEN_ENV: self.token},
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._raise_start_failure(
                    self.log_path.read_text(errors="replace"), self._process.returncode
                )
            if answers(self.url):
                return
            time.sleep(0.05)
        self._process.kill()
        raise StoreUnavailable(self.url, f"no answer within {self.startup_timeout_s:.0f} s")

    def _raise_start_failure(self, stderr: str, code: int | None = None) -> None:
        first = stderr.strip().splitlines()[0] if stderr.strip() else "no message"
        if "Address already in use" in stderr:
            raise _PortTaken()
        if "LOCK" in stderr and ("unavailable" in stderr or "lock hold" in stderr):
            raise StoreLocked(
                f"another process holds the store directory {self.location} "
                f"({first}); stop it, or set store.query_url to its SPARQL endpoint"
            )
        log.error("the store owner's output at start-up (exit %s):\n%s", code, stderr[-4000:])
        raise StoreError(f"the store owner stopped at start-up (exit {code}): {first}")

    def _watch(self) -> None:
        """Restart the server on the same port whenever it dies while we are not stopping."""
        while not self._stopping.is_set():
            code = self._process.wait()
            if self._stopping.is_set():
                return
            self.restarts += 1
            log.error("the store owner exited with code %s; restarting (%d)", code, self.restarts)
            self._restart_with_backoff()

    def _restart_with_backoff(self) -> None:
        """Same port (the platform's client knows it), until it works: a port another
        process took meanwhile is retried like any other failure, never the watcher's end."""
        delay = 0.2
        while not self._stopping.is_set():
            try:
                self._launch()
                log.warning("the store owner is back at %s", self.url)
                return
            except _PortTaken:
                log.error("restarting the store owner: port %s is taken; retrying", self.port)
            except (StoreError, OSError) as exc:
                log.error("restarting the store owner failed: %s", exc)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

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
        os.fchmod(self._lock_handle.fileno(), 0o600)  # it holds the write credential
        info = {"pid": os.getpid(), "query_url": self.url + "/query", "token": self.token}
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


def owner_endpoints(query_url: str, token: str) -> dict[str, str]:
    """Settings that point the platform's client at an owner, with its write credential."""
    base = query_url.removesuffix("/query")
    return {
        "store.query_url": base + "/query",
        "store.update_url": base + "/update",
        "store.graph_store_url": base + "/store",
        "store.dialect": "regiograph",
        "store.password": token,
    }


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
