"""Writes to the embedded store's owner versus `oxigraph serve`, in the same run, and what a
write costs the owner's readers.

For each store, W replacements of one graph of T triples through the platform's store client
(``Store.replace_graph``: Graph Store PUT, then the data version; for `oxigraph serve` the
client moves the version with a second request, as the platform did before the owner). For
the owner also: the time from a write's return to the first ``/sparql`` answer with the new
data (the endpoint's workers open the new snapshot), and what a snapshot costs — measured
in-process on a copy of the same writes: milliseconds for ``Store.backup`` after each write and
the disk it takes that is not shared with the live store (files with one link).

    .venv/bin/python bench/store_writes.py                      # quick: 10 x 50,000 triples
    .venv/bin/python bench/store_writes.py --writes 50 --triples 300000
    .venv/bin/python bench/store_writes.py --small 30           # one-triple writes only

``--small N``: N one-triple ``INSERT DATA`` updates, each through the platform's client to the
owner and, in the same run, on a pyoxigraph store in-process (the floor), with the time from
each write's return to the first ``/sparql`` answer that has it (ms). Run it with
``PYTHONPATH`` at an older checkout's ``src`` to measure that owner the same way.

Results: bench/results/store_writes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from regiograph import config as configuration
from regiograph.runtime import open_store
from regiograph.server import create_app
from regiograph.store import Endpoints, Store
from regiograph.store.snapshots import make
from regiograph.store.supervisor import find_binary, free_port

ROOT = Path(__file__).resolve().parents[1]
GRAPH = "https://bench.example/graph/replaced"
P = "https://bench.example/v"
COUNT = f"SELECT (COUNT(*) AS ?n) (MIN(?v) AS ?lo) WHERE {{ GRAPH <{GRAPH}> {{ ?s <{P}> ?v }} }}"


def data(version: int, triples: int) -> bytes:
    return "".join(
        f'<https://bench.example/s{i}> <{P}> "{version:05d}" .\n' for i in range(triples)
    ).encode()


def owner_writes(work: Path, writes: int, triples: int) -> dict:
    cfg = configuration.load(None, environ={}).with_overrides(
        data_dir=str(work / "owner"), site__base_iri="https://bench.example/"
    )
    write_s, first_query_s = [], []
    with open_store(cfg) as (cfg, store):
        client = create_app(cfg, store).test_client()
        for version in range(1, writes + 1):
            payload = data(version, triples)
            started = time.monotonic()
            store.replace_graph(GRAPH, payload)
            written = time.monotonic()
            write_s.append(written - started)
            while True:  # the first answer that has the new data
                answer = client.post(
                    "/sparql", data={"query": COUNT}, headers={"Accept": "application/json"}
                ).get_json()
                if answer["results"]["bindings"][0]["lo"]["value"] == f"{version:05d}":
                    break
            first_query_s.append(time.monotonic() - written)
    return {"write_s": write_s, "first_query_s": first_query_s}


def plain_oxigraph(binary: str, location: Path) -> tuple[subprocess.Popen, str]:
    """``oxigraph serve`` itself (no owner process) on ``location`` at a free loopback port:
    the process and its base URL (sparql_proxy.py compares against it too)."""
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}"


def oxigraph_writes(work: Path, writes: int, triples: int) -> dict:
    process, base = plain_oxigraph(find_binary(), work / "oxigraph")
    store = Store(
        Endpoints(base + "/query", base + "/update", base + "/store", dialect="oxigraph"),
        meta_graph="https://bench.example/meta",
    )
    try:
        _wait(store)
        write_s = []
        for version in range(1, writes + 1):
            payload = data(version, triples)
            started = time.monotonic()
            store.replace_graph(GRAPH, payload)
            write_s.append(time.monotonic() - started)
    finally:
        process.terminate()
        process.wait(timeout=60)
    return {"write_s": write_s}


def snapshot_cost(work: Path, writes: int, triples: int) -> dict:
    """The owner's write (clear, load, snapshot) in-process, snapshot timed on its own."""
    store = ox.Store(str(work / "inprocess"))
    directory = work / "inprocess-snapshots"
    directory.mkdir()
    graph = ox.NamedNode(GRAPH)
    snapshot_ms, unique_bytes = [], []
    previous = None
    for version in range(1, writes + 1):
        store.clear_graph(graph)
        store.bulk_load(data(version, triples), ox.RdfFormat.N_TRIPLES, to_graph=graph)
        started = time.monotonic()
        made = make(store, directory, version, version)
        snapshot_ms.append((time.monotonic() - started) * 1000)
        unique_bytes.append(_unshared_bytes(made.path))
        if previous:  # the owner keeps only what readers use: here the newest
            shutil.rmtree(previous)
        previous = made.path
    return {"snapshot_ms": snapshot_ms, "unshared_bytes": unique_bytes}


def _unshared_bytes(path: Path) -> int:
    return sum(entry.stat().st_size for entry in os.scandir(path) if entry.stat().st_nlink == 1)


def _wait(store: Store) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            store.ping()
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit("oxigraph serve did not start")


def one_triple(i: int) -> str:
    return f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <https://bench.example/small{i}> <{P}> "x" }} }}'


def small_writes(work: Path, count: int) -> dict:
    """One-triple writes, ms: pyoxigraph in-process, then the owner through the platform."""
    direct = ox.Store(str(work / "direct-small"))
    asked = "ASK {{ GRAPH <{g}> {{ <https://bench.example/small{i}> <{p}> ?v }} }}"
    direct_write, direct_read = [], []
    for i in range(count):
        started = time.perf_counter()
        direct.update(one_triple(i))
        written = time.perf_counter()
        assert direct.query(asked.format(g=GRAPH, i=i, p=P))
        direct_write.append((written - started) * 1000)
        direct_read.append((time.perf_counter() - written) * 1000)
    cfg = configuration.load(None, environ={}).with_overrides(
        data_dir=str(work / "owner-small"), site__base_iri="https://bench.example/"
    )
    write_ms, first_ms = [], []
    with open_store(cfg) as (cfg, store):
        store.replace_graph(GRAPH, data(0, 1000))
        client = create_app(cfg, store).test_client()
        for i in range(-3, count):  # three to start the endpoint's workers, not counted
            started = time.perf_counter()
            store.update(one_triple(i))
            written = time.perf_counter()
            while not client.post(
                "/sparql",
                data={"query": asked.format(g=GRAPH, i=i, p=P)},
                headers={"Accept": "application/json"},
            ).get_json()["boolean"]:
                pass
            if i >= 0:
                write_ms.append((written - started) * 1000)
                first_ms.append((time.perf_counter() - written) * 1000)
    return {
        "pyoxigraph_write_ms": direct_write,
        "pyoxigraph_first_query_ms": direct_read,
        "owner_write_ms": write_ms,
        "owner_first_sparql_ms": first_ms,
    }


def print_small(results: dict) -> None:
    rows = [
        ("pyoxigraph in-process: write", "pyoxigraph_write_ms"),
        ("pyoxigraph in-process: ASK after it", "pyoxigraph_first_query_ms"),
        ("owner: write (client -> owner)", "owner_write_ms"),
        ("owner: first /sparql answer after it", "owner_first_sparql_ms"),
    ]
    floor = statistics.median(results["pyoxigraph_write_ms"])
    for label, key in rows:
        values = results[key]
        print(
            f"  {label:38} median {statistics.median(values):8.2f} ms  "
            f"p90 {sorted(values)[int(len(values) * 0.9) - 1]:8.2f} ms  "
            f"max {max(values):8.2f} ms  ({statistics.median(values) / floor:,.0f}x a direct write)"
        )


def summary(values: list[float]) -> dict:
    return {
        "median": statistics.median(values),
        "max": max(values),
        "total": sum(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=10)
    parser.add_argument("--triples", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=0, help="N one-triple writes only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rg-bench-writes-"))
    if args.small:
        try:
            results = small_writes(work, args.small)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(f"{args.small} one-triple writes")
        print_small(results)
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "store_small_writes.json").write_text(json.dumps(results, indent=2))
        return
    results: dict = {"writes": args.writes, "triples": args.triples}
    try:
        results["oxigraph_serve"] = oxigraph_writes(work, args.writes, args.triples)
        results["owner"] = owner_writes(work, args.writes, args.triples)
        results["snapshot"] = snapshot_cost(work, args.writes, args.triples)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    peer, ours = results["oxigraph_serve"]["write_s"], results["owner"]["write_s"]
    print(f"{args.writes} replacements of {args.triples:,} triples")
    for name, values in (("oxigraph serve", peer), ("owner", ours)):
        s = summary(values)
        print(
            f"  {name:15} write median {s['median']:.2f} s  max {s['max']:.2f} s  "
            f"total {s['total']:.1f} s  ({args.writes * args.triples / s['total']:,.0f} triples/s)"
        )
    first = summary(results["owner"]["first_query_s"])
    print(
        f"  first /sparql answer after a write: median {first['median'] * 1000:.0f} ms, "
        f"max {first['max'] * 1000:.0f} ms"
    )
    snap = summary(results["snapshot"]["snapshot_ms"])
    disk = max(results["snapshot"]["unshared_bytes"])
    print(
        f"  snapshot per write: median {snap['median']:.0f} ms, max {snap['max']:.0f} ms; "
        f"disk not shared with the live store: at most {disk / 1024:.0f} KiB"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "store_writes.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    sys.exit(main())
