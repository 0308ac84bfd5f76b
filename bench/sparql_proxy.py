"""/sparql as `regiograph serve` runs it (answered by the front's in-process app) versus the
Oxigraph server queried directly, in the same run, on the same data: throughput and p50/p99
latency at 1 and 8 concurrent clients, for a mix of short lookups and aggregates.

    .venv/bin/python bench/sparql_proxy.py            # quick: ~100k triples, 6 s per run
    .venv/bin/python bench/sparql_proxy.py --full     # >= 5M triples, 20 s per run

The region is generated here (municipalities with AGS keys, districts, and statistical
observations per municipality, indicator and year), bulk-loaded with `oxigraph load`, then
served by `regiograph serve`; "direct" is `oxigraph serve` on a copy of the same data (the
embedded store's owner serves its snapshots only to the platform), "owner" the owner's own
``/query`` (its URL is in the data directory's lock file), "floor" ``floor_front.py`` on
another copy: the least a Python endpoint with a worker hop costs; "duties" the same with
what /sparql must do for every query (admission's bookkeeping, metrics, an access log line,
the quick reading). /sparql's per-client limits are off: the clients share one address but
stand for as many clients. Each run notes the load average; ratios hold only within one run.
Results: bench/results/sparql_proxy.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from store_writes import plain_oxigraph

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RG = "https://w3id.org/regiograph/ontology#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BASE = "http://localhost:8080/"
ACCEPT = {"Accept": "application/sparql-results+json"}


def generate(path: Path, municipalities: int, indicators: int, years: int) -> tuple[int, list]:
    """N-Quads of a generated region; returns (triples, AGS keys)."""
    graph = f"<{BASE}graph/generated>"
    keys, triples = [], 0
    with path.open("w", encoding="utf-8") as out:
        for m in range(municipalities):
            district = f"08{m // 50:03d}"
            ags = f"{district}{m % 50:03d}"
            keys.append(ags)
            iri = f"<{BASE}id/municipality/{ags}>"
            out.write(f"{iri} <{TYPE}> <{RG}Municipality> {graph} .\n")
            out.write(f'{iri} <{RG}ags> "{ags}" {graph} .\n')
            out.write(f'{iri} <{LABEL}> "Gemeinde {ags}"@de {graph} .\n')
            out.write(f"{iri} <{RG}district> <{BASE}id/district/{district}> {graph} .\n")
            triples += 4
            for i in range(indicators):
                for y in range(years):
                    obs = f"<{BASE}id/observation/{ags}-{i}-{2000 + y}>"
                    out.write(f"{obs} <{RG}municipality> {iri} {graph} .\n")
                    out.write(f"{obs} <{RG}indicator> <{BASE}id/indicator/i{i}> {graph} .\n")
                    out.write(f'{obs} <{RG}year> "{2000 + y}" {graph} .\n')
                    value = (m * 7919 + i * 104729 + y * 1299709) % 100000
                    out.write(f'{obs} <{RG}value> "{value}" {graph} .\n')
                    triples += 4
    return triples, keys


def lookup(ags: str) -> str:
    return f'SELECT ?m ?label WHERE {{ ?m <{RG}ags> "{ags}" ; <{LABEL}> ?label }}'


def aggregate(year: int) -> str:
    return (
        f"SELECT ?district (COUNT(?o) AS ?n) (SUM(xsd:integer(?v)) AS ?total) WHERE {{ "
        f'?o <{RG}year> "{year}" ; <{RG}value> ?v ; <{RG}municipality> ?m . '
        f"?m <{RG}district> ?district }} GROUP BY ?district"
    ).replace("xsd:integer", "<http://www.w3.org/2001/XMLSchema#integer>")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(data_dir: Path, port: int, log) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOGRAPH_")}
    env.update(
        REGIOGRAPH_DATA_DIR=str(data_dir),
        REGIOGRAPH_SERVER_PORT=str(port),
        REGIOGRAPH_LOG_LEVEL="WARNING",
        REGIOGRAPH_SPARQL_TIMEOUT_S="60",
        # The benchmark's clients share one address: as one client they would be held to
        # one query per web process and a time budget (429s). They stand for 8 clients.
        REGIOGRAPH_SPARQL_MAX_CONCURRENT_PER_CLIENT="0",
        REGIOGRAPH_SPARQL_TIME_BUDGET_S="0",
        REGIOGRAPH_SPARQL_ERROR_BUDGET="0",
    )
    process = subprocess.Popen(
        [str(BIN / "regiograph"), "serve"],
        env=env,
        stdout=log,
        stderr=log,
        cwd=data_dir,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"regiograph serve exited with {process.returncode}; see its log")
        try:
            # Not /healthz: it counts every graph's triples, seconds on a big store.
            if requests.get(
                f"http://127.0.0.1:{port}/sparql",
                params={"query": "ASK {}"},
                headers=ACCEPT,
                timeout=30,
            ).ok:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise SystemExit("regiograph serve did not start in time")


def start_direct(work: Path) -> tuple[subprocess.Popen, str]:
    """`oxigraph serve` on a plain copy of the owner's newest snapshot (the same data)."""
    process, base = plain_oxigraph(str(BIN / "oxigraph"), snapshot_copy(work, "direct-store"))
    return process, answering(f"{base}/query", "oxigraph serve", 120)


def start_floor(work: Path, duties: bool = False) -> tuple[subprocess.Popen, str]:
    """``floor_front.py`` (the least a Python /sparql costs; with ``duties``, also what it
    must do for every query) on another copy of the data, with as many workers as /sparql's
    front has (2 web processes x 2)."""
    port = free_port()
    copy = snapshot_copy(work, "duties-store" if duties else "floor-store")
    script = ROOT / "bench" / "floor_front.py"
    command = [sys.executable, str(script), str(port), str(copy), "4"]
    process = subprocess.Popen(command + (["--duties"] if duties else []))
    return process, answering(f"http://127.0.0.1:{port}/sparql", "floor_front.py", 60)


def snapshot_copy(work: Path, name: str) -> Path:
    """A plain copy of the owner's newest snapshot."""
    snapshots = sorted(p for p in (work / "data" / "snapshots").iterdir() if p.name[0].isdigit())
    shutil.copytree(snapshots[-1], work / name)
    return work / name


def answering(url: str, name: str, limit_s: float) -> str:
    """``url`` once it answers ``ASK {}``."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            if requests.post(url, data={"query": "ASK {}"}, headers=ACCEPT, timeout=10).ok:
                return url
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not start in time")


def run(url: str, clients: int, seconds: float, keys: list[str], years: int) -> dict:
    """Closed-loop clients for ``seconds``; every 10th request of a client is an aggregate."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors: dict[str, int] = {}  # status -> how many
    lock = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        session = requests.Session()
        own, count = [], 0
        while time.monotonic() < stop:
            count += 1
            query = (
                aggregate(2000 + rng.randrange(years))
                if count % 10 == 0
                else lookup(rng.choice(keys))
            )
            started = time.perf_counter()
            response = session.post(url, data={"query": query}, headers=ACCEPT, timeout=120)
            elapsed = time.perf_counter() - started
            if response.status_code != 200 or not response.content.startswith(b"{"):
                with lock:
                    status = str(response.status_code)
                    errors[status] = errors.get(status, 0) + 1
                continue
            own.append(elapsed)
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies.sort()
    return {
        "load_average": os.getloadavg()[0],  # the machine's, as the run ended
        "requests": len(latencies),
        "errors": sum(errors.values()),
        "error_statuses": errors,
        "per_s": len(latencies) / wall,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))] if latencies else None,
    }


def lookups(targets: dict[str, str], cpu: dict, keys: list[str], count: int) -> dict:
    """``count`` lookups sent to each target in turn, one at a time, so that the machine's
    load hits every target alike: p50 and the server's CPU time per lookup (``cpu``: name ->
    a function giving the CPU seconds its processes used so far)."""
    sessions = {name: requests.Session() for name in targets}
    took: dict[str, list[float]] = {name: [] for name in targets}
    before = {name: used() for name, used in cpu.items()}
    rng = random.Random(7)
    for _ in range(count):
        query = lookup(rng.choice(keys))
        for name, url in targets.items():
            started = time.perf_counter()
            response = sessions[name].post(url, data={"query": query}, headers=ACCEPT, timeout=120)
            took[name].append(time.perf_counter() - started)
            response.raise_for_status()
    return {
        name: {
            "p50_ms": 1000 * statistics.median(took[name]),
            "cpu_ms": 1000 * (cpu[name]() - before[name]) / count,
        }
        for name in targets
    }


def lookups_of(serve: int, peers: dict, targets: dict, keys: list[str], args) -> dict:
    """:func:`lookups`, printed; /sparql's CPU is that of ``regiograph serve`` without the
    owner's (which answers it only the data version); ``peers``: name -> pid."""
    owner = owner_pid(serve)
    cpu = {name: (lambda pid=pid: cpu_seconds(pid)) for name, pid in peers.items()}
    cpu["owner"] = lambda: cpu_seconds(owner)
    cpu["sparql"] = lambda: cpu_seconds(serve, without=owner)
    measured = lookups(targets, cpu, keys, args.lookups)
    for name, outcome in measured.items():
        print(
            f"{name:7} lookups one at a time, in turn: p50 {outcome['p50_ms']:6.2f} ms, "
            f"server CPU {outcome['cpu_ms']:5.2f} ms a lookup"
        )
    return measured


def cpu_seconds(pid: int, *, without: int | None = None) -> float:
    """User and system CPU seconds of ``pid`` and its descendants, less the subtree of
    ``without`` (Linux's /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    own: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        own[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        if current != without:
            total += own.get(current, 0.0)
            todo.extend(children.get(current, []))
    return total


def owner_pid(serve_pid: int) -> int:
    """The store owner's process among ``regiograph serve``'s children."""
    for pid in children(serve_pid, b"regiograph.owner"):
        return pid
    raise SystemExit("the store owner's process was not found")


def children(parent: int, marker: bytes) -> list[int]:
    """The processes whose parent is ``parent`` and whose command line holds ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                command = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == parent and marker in command:
                found.append(int(entry))
    return found


def wait_for_derived(serve_pid: int, limit_s: float = 900.0) -> float:
    """Seconds until ``serve``'s background build of the derived data (a spawned child) ended:
    measured meanwhile, its queries and CPU would count as the endpoints'."""
    started = time.monotonic()
    while children(serve_pid, b"multiprocessing.spawn"):
        if time.monotonic() - started > limit_s:
            raise SystemExit("the derived data's build did not end in time")
        time.sleep(1.0)
    return time.monotonic() - started


def add_ratios(results: dict, clients: int) -> None:
    """Every other target's figures over direct's at ``clients``, kept and printed."""
    peer = results[f"direct@{clients}"]
    for name in ("owner", "floor", "duties", "sparql"):
        ours = results[f"{name}@{clients}"]
        ratio = results[f"{name}_ratio@{clients}"] = {
            "throughput": ours["per_s"] / peer["per_s"],
            "p50": ours["p50_ms"] / peer["p50_ms"],
            "p99": ours["p99_ms"] / peer["p99_ms"],
        }
        print(
            f"        {name} {clients} clients: throughput {ratio['throughput']:.2f}x direct, "
            f"p50 {ratio['p50']:.2f}x, p99 {ratio['p99']:.2f}x"
        )


def load_region(work: Path, full: bool, results: dict) -> tuple[list[str], int]:
    """The generated region bulk-loaded into ``work/data/store``: its AGS keys and years."""
    municipalities, indicators, years = (2500, 25, 20) if full else (250, 10, 10)
    data = work / "region.nq"
    started = time.monotonic()
    triples, keys = generate(data, municipalities, indicators, years)
    store_dir = work / "data" / "store"
    store_dir.mkdir(parents=True)
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(store_dir), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    data.unlink()
    results.update(triples=triples, load_s=round(time.monotonic() - started, 1))
    print(f"generated and loaded {triples:,} triples in {results['load_s']} s")
    return keys, years


def measure(process, peers: dict, targets: dict, keys, years: int, args, results: dict) -> None:
    """Lookups in turn, then each target at 1 and 8 clients, into ``results``."""
    results["derived_build_s"] = round(wait_for_derived(process.pid), 1)
    print(f"the derived data's build after the start: {results['derived_build_s']} s")
    for url in targets.values():  # warm up: caches, worker processes
        run(url, 8, 2.0, keys, years)
    results["lookups"] = lookups_of(process.pid, peers, targets, keys, args)
    for clients in (1, 8):
        for name, url in targets.items():
            outcome = run(url, clients, args.seconds, keys, years)
            results[f"{name}@{clients}"] = outcome
            print(
                f"{name:7} {clients} clients: {outcome['per_s']:7.1f}/s  "
                f"p50 {outcome['p50_ms']:7.2f} ms  p99 {outcome['p99_ms']:7.2f} ms"
                f"  errors {outcome['error_statuses'] or 0}"
                f"  load {outcome['load_average']:.1f}"
            )
        add_ratios(results, clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the issue's size: >= 5M triples")
    parser.add_argument("--seconds", type=float, help="per run (default 6, --full 20)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--lookups", type=int, default=300, help="interleaved lookups per target")
    args = parser.parse_args()
    args.seconds = args.seconds or (20.0 if args.full else 6.0)
    work = Path(tempfile.mkdtemp(prefix="rg-bench-sparql-"))
    results: dict = {"mode": "full" if args.full else "quick"}
    try:
        keys, years = load_region(work, args.full, results)
        port = free_port()
        with (work / "serve.log").open("wb") as log:
            process = start_serve(work / "data", port, log)
            peers: dict[str, subprocess.Popen] = {}
            try:
                lock = json.loads((work / "data" / "regiograph-store.lock").read_text())
                peers["direct"], direct_url = start_direct(work)
                peers["floor"], floor_url = start_floor(work)
                peers["duties"], duties_url = start_floor(work, duties=True)
                targets = {
                    "direct": direct_url,
                    "owner": lock["query_url"],
                    "floor": floor_url,
                    "duties": duties_url,
                    "sparql": f"http://127.0.0.1:{port}/sparql",
                }
                pids = {name: peer.pid for name, peer in peers.items()}
                measure(process, pids, targets, keys, years, args, results)
            finally:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=60)
                for peer in peers.values():
                    peer.terminate()  # the floor's workers end when their pipe does
                    peer.wait(timeout=60)
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "sparql_proxy.json").write_text(json.dumps(results, indent=2))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
