"""One client floods /sparql with heavy queries; how fast are everyone else's pages?

    .venv/bin/python bench/flood.py                  # admission on (the defaults), 60 s
    .venv/bin/python bench/flood.py --admission off  # budgets and reserved threads off
    .venv/bin/python bench/flood.py --slow-readers 10 --slowloris 40   # plus slow clients

Starts `regiograph demo` (gunicorn, 2 processes x 4 threads, the embedded store, the
query-worker pool) on a free port with ``site.trust_proxy`` so that the clients, all on
loopback, are told apart by X-Forwarded-For as behind the reverse proxy. Then, for
``--seconds``:

- the flooder (``--flooders`` threads, one address) sends cross-product bombs that run to the
  time limit (``sparql.timeout_s`` = 10 s here), again as soon as one ends;
- another client, one request at a time, asks a municipality page, ``/healthz`` and
  ``ASK {}`` on /sparql in turn;
- optionally, slow readers ask for a ~5 MB answer and never read it, and slowloris clients
  send a request header one byte every 2 s.

Prints and writes (bench/results/flood-<admission>.json) the other client's p50/p95/max per
request kind, its failures, and the flooder's answers by status (429s with Retry-After).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BOMB = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
BIG = "SELECT * WHERE { ?s ?p ?o } LIMIT 40000"  # about 5 MB of JSON from the demo region
PAGE = "/page/municipality/08222000"  # Mannheim
FLOODER, OTHER, SLOW = "203.0.113.66", "198.51.100.7", "192.0.2.{}"
OFF = {
    "REGIOGRAPH_SPARQL_MAX_CONCURRENT_PER_CLIENT": "0",
    "REGIOGRAPH_SPARQL_TIME_BUDGET_S": "0",
    "REGIOGRAPH_SPARQL_ERROR_BUDGET": "0",
    "REGIOGRAPH_SPARQL_RESERVED_THREADS": "0",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def platform(admission: bool):
    """`regiograph demo` on a free port; yields its URL."""
    data = Path(tempfile.mkdtemp(prefix="flood-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOGRAPH_")}
    env.update(
        REGIOGRAPH_DATA_DIR=str(data),
        REGIOGRAPH_SERVER_PORT=str(port),
        REGIOGRAPH_STORE_PORT=str(free_port()),  # not "any": it could pick the app's port
        REGIOGRAPH_SERVER_WORKERS="2",
        REGIOGRAPH_SERVER_THREADS="4",
        REGIOGRAPH_SITE_BASE_IRI=f"http://127.0.0.1:{port}/",
        REGIOGRAPH_SITE_TRUST_PROXY="true",
        REGIOGRAPH_SPARQL_TIMEOUT_S="10",
        REGIOGRAPH_SCHEDULE_ENABLED="false",
    )
    if not admission:
        env.update(OFF)
    log = (data / "serve.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "regiograph", "demo"], env=env, cwd=data, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            time.sleep(0.5)
        else:
            raise SystemExit("the platform did not come up: " + str(data / "serve.log"))
        for _ in range(4):  # every process's query workers started, the page cache warm
            requests.get(url + PAGE, timeout=60)
            sparql(url, OTHER, "ASK {}", timeout=60)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)
        log.close()


def sparql(url: str, client: str, query: str, timeout: float = 30) -> requests.Response:
    return requests.post(
        url + "/sparql",
        data={"query": query},
        headers={"X-Forwarded-For": client, "Accept": "application/sparql-results+json"},
        timeout=timeout,
    )


def flood(url: str, stop: threading.Event, answers: Counter, retry_after: list) -> None:
    while not stop.is_set():
        try:
            response = sparql(url, FLOODER, BOMB, timeout=60)
        except requests.RequestException:
            answers["error"] += 1
            continue
        answers[response.status_code] += 1
        if response.status_code == 429:
            retry_after.append(int(response.headers.get("Retry-After", "0")))
            stop.wait(0.05)  # a flooder that ignores Retry-After, but does not spin


def other_client(url: str, stop: threading.Event, times: dict, failures: Counter) -> None:
    asks = [
        ("page", lambda: requests.get(url + PAGE, headers={"X-Forwarded-For": OTHER}, timeout=30)),
        ("healthz", lambda: requests.get(url + "/healthz", timeout=30)),
        ("ask", lambda: sparql(url, OTHER, "ASK {}")),
    ]
    while not stop.is_set():
        for kind, ask in asks:
            started = time.monotonic()
            try:
                status = ask().status_code
            except requests.RequestException:
                status = "timeout"
            times[kind].append(time.monotonic() - started)
            if status != 200:
                failures[f"{kind} {status}"] += 1
            stop.wait(0.2)


def slow_reader(url: str, number: int, stop: threading.Event) -> None:
    """Asks for a large answer and never reads it."""
    host, port = url.removeprefix("http://").split(":")
    body = f"query={requests.utils.quote(BIG)}".encode()
    while not stop.is_set():
        with socket.create_connection((host, int(port))) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n"
                + f"X-Forwarded-For: {SLOW.format(number)}\r\n".encode()
                + b"Content-Type: application/x-www-form-urlencoded\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            stop.wait(120)


def slowloris(url: str, stop: threading.Event) -> None:
    """Sends a request header one byte every 2 s, and starts again when cut off."""
    host, port = url.removeprefix("http://").split(":")
    while not stop.is_set():
        try:
            with socket.create_connection((host, int(port))) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                while not stop.wait(2):
                    sock.sendall(b"X")
        except OSError:
            stop.wait(0.5)


def summary(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)
    return {
        "n": len(values),
        "p50_s": round(statistics.median(ordered), 3),
        "p95_s": round(ordered[math.ceil(len(ordered) * 0.95) - 1], 3),  # nearest rank
        "max_s": round(ordered[-1], 3),
    }


def run(args) -> dict:
    with platform(args.admission == "on") as url:
        stop = threading.Event()
        answers, failures, retry_after = Counter(), Counter(), []
        times: dict[str, list[float]] = {"page": [], "healthz": [], "ask": []}
        threads = [
            threading.Thread(target=flood, args=(url, stop, answers, retry_after))
            for _ in range(args.flooders)
        ]
        threads += [
            threading.Thread(target=slow_reader, args=(url, n, stop))
            for n in range(args.slow_readers)
        ]
        threads += [
            threading.Thread(target=slowloris, args=(url, stop)) for _ in range(args.slowloris)
        ]
        for thread in threads:
            thread.daemon = True
            thread.start()
        time.sleep(2)  # the flood is on before the other client starts
        other = threading.Thread(target=other_client, args=(url, stop, times, failures))
        other.start()
        time.sleep(args.seconds)
        stop.set()
        other.join()
    return {
        "admission": args.admission,
        "seconds": args.seconds,
        "flooders": args.flooders,
        "slow_readers": args.slow_readers,
        "slowloris": args.slowloris,
        "other_client": {kind: summary(values) for kind, values in times.items()},
        "other_failures": dict(failures),
        "flooder_answers": {str(k): v for k, v in sorted(answers.items(), key=str)},
        "flooder_retry_after_s": sorted(set(retry_after)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admission", choices=["on", "off"], default="on")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--flooders", type=int, default=8)
    parser.add_argument("--slow-readers", type=int, default=0)
    parser.add_argument("--slowloris", type=int, default=0)
    args = parser.parse_args()
    result = run(args)
    print(json.dumps(result, indent=2))
    name = f"flood-{args.admission}"
    if args.slow_readers or args.slowloris:
        name += "-slow"
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
