"""`regiograph load` into a running store versus `oxigraph load` into an empty directory.

Both load the same N-Triples file in the same run; the ratio is what to compare across
machines, never the absolute times. Quick mode: 200k triples; the issue's size:
``--triples 1000000``.

    .venv/bin/python bench/load.py [--triples N] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from regiograph.store import OxigraphServer
from regiograph.store.supervisor import find_binary

EX = "https://bench.example/"


def write_ntriples(path: Path, triples: int) -> None:
    """Observation-like triples, the shape of most of a region's data."""
    with path.open("w", encoding="utf-8") as out:
        for i in range(triples // 5):
            s = f"<{EX}id/observation/{i}>"
            out.write(
                f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                f"<http://purl.org/linked-data/cube#Observation> .\n"
                f"{s} <{EX}refArea> <{EX}id/municipality/{i % 11000:08d}> .\n"
                f'{s} <{EX}refPeriod> "{2010 + i % 15}"^^'
                f"<http://www.w3.org/2001/XMLSchema#gYear> .\n"
                f'{s} <{EX}value> "{i * 7 % 100000}"^^'
                f"<http://www.w3.org/2001/XMLSchema#integer> .\n"
                f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "Beobachtung {i}"@de .\n'
            )


def time_regiograph_load(workdir: Path, data: Path, *flags: str) -> float:
    """Seconds for `regiograph load` to put the file into a running embedded store."""
    data_dir = workdir / f"rg-{time.monotonic_ns()}"
    with OxigraphServer(data_dir / "store"):
        env = {**os.environ, "REGIOGRAPH_DATA_DIR": str(data_dir)}
        start = time.perf_counter()
        # The load alone: not the derived data brought up to date after it.
        command = ["load", str(data), "--graph", EX + "graph/bench", *flags, "--no-warm"]
        subprocess.run(
            [sys.executable, "-m", "regiograph", *command],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        return time.perf_counter() - start


def time_oxigraph_load(workdir: Path, data: Path) -> float:
    location = workdir / f"ox-{time.monotonic_ns()}"
    start = time.perf_counter()
    subprocess.run(
        [
            find_binary(),
            "load",
            "--location",
            str(location),
            "--file",
            str(data),
            "--graph",
            EX + "graph/bench",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        data = workdir / "data.nt"
        write_ntriples(data, args.triples)
        runs = range(args.runs)
        times = {
            "regiograph load (running store)": [time_regiograph_load(workdir, data) for _ in runs],
            "regiograph load --bulk": [time_regiograph_load(workdir, data, "--bulk") for _ in runs],
            "oxigraph load (empty directory)": [time_oxigraph_load(workdir, data) for _ in runs],
        }
    peer = statistics.median(times["oxigraph load (empty directory)"])
    print(f"triples: {args.triples:,}  runs: {args.runs} (median)")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        print(
            f"{name:34} {median:7.2f} s {args.triples / median:10,.0f} triples/s "
            f"  time vs oxigraph load {median / peer:.2f}"
        )


if __name__ == "__main__":
    main()
