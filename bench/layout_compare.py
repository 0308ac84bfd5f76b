"""Two checkouts on the same data in one run: /sparql throughput and municipality-page latency
at 1 and 8 concurrent clients, rounds interleaved (before, after, before, after) so that the
machine's load, which moves from minute to minute, falls on both alike.

    git worktree add /tmp/before <commit>
    .venv/bin/python bench/layout_compare.py --before /tmp/before [--rounds 2] [--seconds 6]

"after" is this checkout. Each checkout's code runs from its own ``src/`` (``PYTHONPATH``)
with this virtualenv's packages, as ``regiograph serve`` (gunicorn, 2 workers x 4 threads,
its embedded store) on a data directory of its own, each holding the same data: the demo region
as this checkout loads it plus ``sparql_proxy.py``'s generated region (250 municipalities x 10
indicators x 10 years), exported once as N-Quads and ``oxigraph load``ed into both. Each
checkout's ``regiograph warm`` builds its derived data before the first round.

Measured per round and checkout, against a freshly started server:
  /sparql  ``sparql_proxy.py``'s mix (9 lookups per aggregate) as SPARQL JSON
  pages    every demo municipality page in turn, the page cache off (``pages.cache_entries
           = 0``): each request rendered, what the code costs
Results: bench/results/layout_compare.json; a Markdown table on standard output.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).parent))
import pages_municipality as pages  # the page runs and the server beside this script
import sparql_proxy as sparql  # the /sparql mix and its generated region

from regiograph import config as configuration
from regiograph.runtime import open_store

ROOT = Path(__file__).resolve().parents[1]
MUNICIPALITIES, INDICATORS, YEARS = 250, 10, 10
# Settings both checkouts must not refuse: /sparql's per-client limits off (the clients share
# one address but stand for eight), only those a checkout knows (unknown ones stop it).
WANTED = {
    "sparql.max_concurrent_per_client": "0",
    "sparql.time_budget_s": "0",
    "sparql.error_budget": "0",
    "sparql.timeout_s": "60",
    "pages.cache_entries": "0",
    "log.level": "WARNING",
}


def export_data(folder: Path) -> tuple[Path, list[str], list[str]]:
    """The demo region (loaded by this checkout) and the generated region as one N-Quads
    file; the demo's municipality keys and the generated AGS keys."""
    (folder / "demo").mkdir()
    keys, _ = pages.prepare(folder / "demo", 0)
    cfg = configuration.load(None, environ={}).with_overrides(data_dir=str(folder / "demo"))
    data = folder / "all.nq"
    with open_store(cfg) as (_, store), data.open("wb") as out:
        for chunk in store.dump():
            out.write(chunk)
    region = folder / "region.nq"
    _, generated = sparql.generate(region, MUNICIPALITIES, INDICATORS, YEARS)
    with data.open("ab") as out:
        out.write(region.read_bytes())
    region.unlink()
    return data, keys, generated


def settings_for(tree: Path) -> dict[str, str]:
    """``WANTED`` as environment variables, each only where the checkout declares it."""
    config = tree / "src" / "regiograph"
    text = "".join(p.read_text() for p in config.glob("config*.py"))
    text += "".join(p.read_text() for p in config.glob("config/*.py"))
    env = {"PYTHONPATH": str(tree / "src")}
    for name, value in WANTED.items():
        if f'"{name}"' in text:
            env["REGIOGRAPH_" + name.replace(".", "_").upper()] = value
    return env


def install(tree: Path, data: Path, data_dir: Path) -> Path:
    """``data_dir`` for ``tree``: ``data`` bulk-loaded, the checkout's derived data built."""
    (data_dir / "store").mkdir(parents=True)
    oxigraph = Path(sys.executable).parent / "oxigraph"
    subprocess.run(
        [str(oxigraph), "load", "--location", str(data_dir / "store"), "--file", str(data)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, **settings_for(tree), "REGIOGRAPH_DATA_DIR": str(data_dir)}
    subprocess.run(
        [sys.executable, "-m", "regiograph", "warm"], env=env, check=True, capture_output=True
    )
    return data_dir


def answered(tree: Path, data_dir: Path, paths: list[str]) -> set[str]:
    """The pages the checkout renders (200) on this data: data loaded by newer code may hold
    what older code cannot show, and a page one side cannot render is measured on neither."""
    with pages.Server(data_dir, 2, 4, **settings_for(tree)) as server:
        session = requests.Session()
        return {p for p in paths if session.get(server.base + p, timeout=120).status_code == 200}


def measure(tree: Path, data_dir: Path, paths: list[str], sparql_keys, seconds: float) -> dict:
    out = {}
    with pages.Server(data_dir, 2, 4, **settings_for(tree)) as server:
        url = server.base + "/sparql"
        sparql.run(url, 8, 2.0, sparql_keys, YEARS)  # worker processes, caches
        pages.warm(server.base, paths[:10], 8)  # templates and indexes in every worker
        for clients in (1, 8):
            out[f"sparql@{clients}"] = sparql.run(url, clients, seconds, sparql_keys, YEARS)
            out[f"pages@{clients}"] = pages.run(server.base, paths, clients, seconds)
    return out


def table(results: dict) -> str:
    """Medians over the rounds, one row per measurement and checkout."""
    lines = [
        "| | load avg | per s | p50 ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    for key in ("sparql@1", "sparql@8", "pages@1", "pages@8"):
        for name in ("before", "after"):
            runs = [r[key] for r in results["rounds"][name]]
            loads = [r["load_average"] for r in results["rounds"][name] if key in r]

            def median(field, runs=runs):
                return statistics.median(run[field] for run in runs)

            lines.append(
                f"| {key.replace('@', ', ')} clients, {name} | "
                f"{', '.join(f'{x:.0f}' for x in loads)} | {median('per_s'):.1f} | "
                f"{median('p50_ms'):.1f} | {median('p99_ms'):.0f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=6.0, help="per run")
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": ROOT}
    results: dict = {"trees": {k: str(v) for k, v in trees.items()}, "rounds": {}}
    with tempfile.TemporaryDirectory(prefix="rg-bench-layout-") as folder:
        work = Path(folder)
        data, page_keys, sparql_keys = export_data(work)
        dirs = {name: install(tree, data, work / name) for name, tree in trees.items()}
        paths = [f"/page/{k}" for k in page_keys]
        for name, tree in trees.items():
            rendered = answered(tree, dirs[name], paths)
            paths = [p for p in paths if p in rendered]
        results["pages"] = {"measured": len(paths), "of": len(page_keys)}
        print(f"{len(paths)} of {len(page_keys)} municipality pages render on both", flush=True)
        for number in range(args.rounds):
            for name, tree in trees.items():
                started = time.monotonic()
                outcome = measure(tree, dirs[name], paths, sparql_keys, args.seconds)
                outcome["load_average"] = os.getloadavg()[0]
                results["rounds"].setdefault(name, []).append(outcome)
                print(f"round {number + 1}, {name}: {time.monotonic() - started:.0f} s", flush=True)
    (ROOT / "bench" / "results" / "layout_compare.json").write_text(json.dumps(results, indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
