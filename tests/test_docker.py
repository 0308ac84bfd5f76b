"""The Docker deployment without a Docker engine: the compose file's own command lines run
here as processes (the store as Oxigraph's server given by URL, the app with the compose
file's environment), and the compose file and Dockerfile agree with the settings."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from childprocess import end
from conftest import require_program
from regiograph.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
ENV_NAMES = {s.env for s in SETTINGS}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def interpolate(value: str) -> str:
    """Compose's ${NAME:-default} with nothing set in the environment."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


# --- static agreement ---------------------------------------------------------------------


def test_every_environment_variable_is_a_setting():
    for name, service in COMPOSE["services"].items():
        for key in service.get("environment", {}):
            assert key in ENV_NAMES, f"{name}: {key} is not in regiograph.config.SETTINGS"
    for key in re.findall(r"\b(REGIOGRAPH_[A-Z_]+)=", DOCKERFILE):
        assert key in ENV_NAMES, f"Dockerfile: {key}"


def test_store_is_pinned_internal_and_never_published():
    store = COMPOSE["services"]["store"]
    assert store["image"] == "ghcr.io/oxigraph/oxigraph:0.5.13"
    assert "ports" not in store
    assert all(COMPOSE["networks"][n].get("internal") for n in store["networks"])
    assert store["command"][:6] == [
        "serve",
        "--location",
        "/data",
        "--bind",
        "0.0.0.0:7878",
        "--union-default-graph",
    ]
    assert "store-data:/data" in store["volumes"] and "store-data" in COMPOSE["volumes"]
    app_env = COMPOSE["services"]["app"]["environment"]
    assert app_env["REGIOGRAPH_STORE_QUERY_URL"] == "http://store:7878/query"


def test_app_port_healthcheck_user_and_volume_agree():
    app = COMPOSE["services"]["app"]
    port = re.search(r"REGIOGRAPH_SERVER_PORT=(\d+)", DOCKERFILE).group(1)
    assert "ports" not in app and app["expose"] == [port]  # reached through the proxy only
    assert COMPOSE["services"]["proxy"]["ports"] == [f"{port}:{port}"]
    assert f"EXPOSE {port}" in DOCKERFILE
    assert "REGIOGRAPH_DATA_DIR=/data" in DOCKERFILE and 'VOLUME ["/data"]' in DOCKERFILE
    assert any(v.endswith(":/data") for v in app["volumes"])
    assert re.search(
        r"HEALTHCHECK .*\n\s+CMD \[\"python\", \"-m\", \"regiograph.ops.healthcheck\"\]", DOCKERFILE
    )
    users = re.findall(r"^USER (\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert "npm ci" in DOCKERFILE and "node scripts/copy-assets.mjs" in DOCKERFILE
    assert len(re.findall(r"^FROM ", DOCKERFILE, re.MULTILINE)) >= 3  # multi-stage
    assert "docker/regiograph.toml" in DOCKERFILE
    assert COMPOSE["services"]["harvester"]["profiles"] == ["harvester"]


def test_image_config_file_is_valid(tmp_path):
    from regiograph import config as configuration

    cfg = configuration.load(ROOT / "docker" / "regiograph.toml", environ={})
    assert cfg["log.json"] is True


# --- the same command lines, as processes --------------------------------------------------


def translate(command: list[str], mapping: dict[str, str]) -> list[str]:
    return [mapping.get(part, part) for part in command]


@pytest.fixture
def topology(tmp_path, oxigraph_binary):
    """The compose services as processes: (app URL, environment, processes)."""
    store_port, app_port = free_port(), free_port()
    store_dir, app_dir = tmp_path / "store-data", tmp_path / "app-data"
    store_cmd = translate(
        COMPOSE["services"]["store"]["command"],
        {"/data": str(store_dir), "0.0.0.0:7878": f"127.0.0.1:{store_port}"},
    )
    processes = [
        subprocess.Popen(
            [oxigraph_binary, *store_cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOGRAPH_")}
    for key, value in COMPOSE["services"]["app"]["environment"].items():
        env[key] = interpolate(value).replace("store:7878", f"127.0.0.1:{store_port}")
    env.update(
        REGIOGRAPH_DATA_DIR=str(app_dir),
        REGIOGRAPH_SERVER_HOST="127.0.0.1",
        REGIOGRAPH_SERVER_PORT=str(app_port),
        REGIOGRAPH_SERVER_METRICS_TOKEN="compose-scrape",
    )
    entry = [
        sys.executable,
        "-m",
        "regiograph",
        "--config",
        str(ROOT / "docker" / "regiograph.toml"),
    ]
    log = (tmp_path / "app.log").open("wb")
    processes.append(
        subprocess.Popen(
            [*entry, *COMPOSE["services"]["app"]["command"]],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    )
    try:
        yield f"http://127.0.0.1:{app_port}", env, entry, tmp_path / "app.log"
    finally:
        for process in reversed(processes):
            end(process, timeout_s=20)
        log.close()


def wait_healthy(url: str, log_path: Path) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            response = requests.get(url + "/healthz", timeout=2)
            if response.status_code == 200:
                return response.json()
        except requests.RequestException:
            pass
        time.sleep(0.25)
    pytest.fail("the app never became healthy:\n" + log_path.read_text(errors="replace")[-3000:])


def test_compose_topology_serves_the_demo_region(topology):
    url, env, entry, log_path = topology
    health = wait_healthy(url, log_path)
    assert health["status"] == "ok" and health["triples"] > 1000

    # the container's HEALTHCHECK command, with the same environment
    check = subprocess.run(
        [sys.executable, "-m", "regiograph.ops.healthcheck"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout

    # a query through the platform's store configuration (the app's environment)
    query = subprocess.run(
        [*entry, "query", "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert query.returncode == 0, query.stderr
    assert int(query.stdout.split()[1]) == health["triples"]

    # two gunicorn workers, one set of counters (prometheus multiprocess mode)
    for _ in range(8):
        assert requests.get(url + "/healthz", timeout=5).headers["X-Request-Id"]
    bearer = {"Authorization": f"Bearer {env['REGIOGRAPH_SERVER_METRICS_TOKEN']}"}
    assert requests.get(url + "/metrics", timeout=10).status_code == 401
    text = requests.get(url + "/metrics", headers=bearer, timeout=10).text
    served = re.search(
        r'regiograph_http_requests_total\{method="GET",route="/healthz",'
        r'status="200"\} (\S+)',
        text,
    )
    assert served and float(served.group(1)) >= 9
    assert "regiograph_graph_triples{" in text

    # logs are JSON lines (log.json in the image's config file)
    lines = [line for line in log_path.read_text().splitlines() if line.startswith("{")]
    assert any('"logger": "regiograph.access"' in line for line in lines)

    # the harvester profile's command, once instead of in a loop
    harvester = COMPOSE["services"]["harvester"]["command"]
    assert harvester[:2] == ["schedule", "run-due"]
    once = subprocess.run(
        [*entry, *harvester[:2]], env=env, capture_output=True, text=True, check=False
    )
    assert once.returncode == 0, once.stderr


def test_dockerignore_keeps_the_context_small():
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignore[1] == "**" or "**" in ignore
    for needed in ("pyproject.toml", "src/**", "package-lock.json", "docker/regiograph.toml"):
        assert f"!{needed}" in ignore


# --- the buffering front (docker/nginx.conf, with Debian's nginx) ------------------------


@contextlib.contextmanager
def nginx_front(tmp_path: Path, upstream: str):
    """docker/nginx.conf on a free loopback port in front of ``upstream``; yields its URL."""
    nginx = require_program("nginx")
    port = free_port()
    conf = (ROOT / "docker" / "nginx.conf").read_text()
    assert "server app:8080;" in conf and "listen 8080;" in conf
    conf = conf.replace("server app:8080;", f"server {upstream};")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    (prefix / "nginx.conf").write_text(conf)
    settings = f"pid {prefix}/nginx.pid;" + (" user root;" if os.geteuid() == 0 else "")
    command = [nginx, "-p", f"{prefix}/", "-c", str(prefix / "nginx.conf"), "-e", "stderr"]
    checked = subprocess.run(
        [*command, "-t", "-g", settings], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([*command, "-g", f"daemon off; {settings}"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
            break
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_proxy_config_is_valid_nginx(tmp_path):
    with nginx_front(tmp_path, "127.0.0.1:9"):
        pass
    proxy = COMPOSE["services"]["proxy"]
    assert proxy["volumes"] == ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
    assert proxy["image"].startswith("nginx:1.")


def _slowloris(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and never the rest
    return sock


def _slow_reader(url: str) -> socket.socket:
    """Asks for a large answer and never reads it."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    query = requests.utils.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 90000")
    sock.sendall(f"GET /sparql?query={query}&format=json HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return sock


def test_slow_clients_at_the_proxy_hold_no_app_thread(topology, tmp_path):
    """40 slowloris connections and 10 clients that never read a large answer, more than the
    app's 2 x 4 threads: through the front, pages and /healthz are still answered."""
    url, _, _, log_path = topology
    wait_healthy(url, log_path)
    with nginx_front(tmp_path, url.removeprefix("http://")) as front:
        assert requests.get(front + "/healthz", timeout=30).status_code == 200
        slow = [_slowloris(front) for _ in range(40)] + [_slow_reader(front) for _ in range(10)]
        try:
            time.sleep(3)  # the slow readers' answers have left the app
            for _ in range(5):
                assert requests.get(front + "/healthz", timeout=30).status_code == 200
                assert requests.get(front + "/", timeout=30).status_code == 200
        finally:
            for sock in slow:
                sock.close()
