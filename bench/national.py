"""The national base layer (docs/national.md): harvest end to end against `oxigraph load` of
the same triples, and municipality pages at national scale, in one run.

1. derive the inputs into build/national/ unless they are there (``--derive`` forces it);
2. publish the ontology into a fresh data directory (what `serve` does), then time
   ``regiograph --config demo/national/sources.toml harvest --no-warm``: every source fetched,
   mapped, validated and published;
3. dump the harvested graphs to N-Quads and time ``oxigraph load`` of that file into an empty
   directory (the offline bulk loader: the floor for getting these triples into Oxigraph);
4. time ``regiograph warm`` (dumps, search index, statistics mirror of the new data);
5. unless ``--no-pages``: uncached municipality pages (p50, pages/s at 8 clients) against the
   pages' own ``/data/….ttl``, with ``bench/pages_municipality.py``'s server and clients.

    .venv/bin/python bench/national.py [--shared ../shared/data] [--data-dir DIR] [--no-pages]
    .venv/bin/python bench/national.py --pages-only --data-dir DIR   # step 5 on a kept folder
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from regiograph import config as configuration
from regiograph.loader import vocabulary
from regiograph.loader.sources import read_sources_file
from regiograph.runtime import open_store
from regiograph.store.supervisor import find_binary

sys.path.insert(0, str(Path(__file__).parent))
import pages_municipality as pages  # the page benchmark beside this script

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "demo/national/sources.toml"
INPUTS = ROOT / "build/national"
RG = "https://w3id.org/regiograph/ontology#"


def derive(shared: Path) -> float:
    started = time.perf_counter()
    script = ROOT / "scripts/derive_demo_data.py"
    command = [sys.executable, str(script), str(shared), "--national", str(INPUTS)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def regiograph(data_dir: Path, *command: str, ok=(0,)) -> tuple[float, str]:
    """Seconds and output of one CLI command against the data directory; an exit code not
    in ``ok`` stops the benchmark."""
    env = {**os.environ, "REGIOGRAPH_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "regiograph", "--config", str(SOURCES), *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,  # the exit code is reported with the command's output below
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        sys.exit(f"regiograph {' '.join(command)}: exit {done.returncode}\n{done.stderr[-4000:]}")
    return elapsed, done.stdout + done.stderr


def config_for(data_dir: Path) -> configuration.Config:
    return configuration.load(SOURCES, environ={}).with_overrides(data_dir=str(data_dir))


def publish_ontology(data_dir: Path) -> None:
    with open_store(config_for(data_dir)) as (cfg, store):
        vocabulary.publish(cfg, store)


def dump(data_dir: Path, target: Path) -> tuple[dict[str, int], list[str]]:
    """The harvested graphs as one N-Quads file; triples per source, municipality keys."""
    counts: dict[str, int] = {}
    with open_store(config_for(data_dir)) as (cfg, store), target.open("wb") as out:
        # not store.graphs(): it counts every triple, which at this size meets the time limit
        rows = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        present = {r["g"].value for r in rows}
        for source in read_sources_file(SOURCES):
            if source.graph(cfg.base_iri) not in present:  # failed or rejected: none
                counts[source.id] = 0
                continue
            data = b"".join(store.dump(source.graph(cfg.base_iri)))
            counts[source.id] = data.count(b"\n")
            out.write(data)
        rows = store.select(f"SELECT ?m WHERE {{ ?m a <{RG}Municipality> }}")
        keys = sorted(r["m"].value.removeprefix(cfg.base_iri + "id/") for r in rows)
    return counts, keys


def oxigraph_load(workdir: Path, file: Path) -> float:
    location = workdir / f"ox-{time.monotonic_ns()}"
    started = time.perf_counter()
    subprocess.run(
        [find_binary(), "load", "--location", str(location), "--file", str(file)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared/data")
    parser.add_argument("--derive", action="store_true", help="derive even if inputs exist")
    parser.add_argument("--data-dir", type=Path, help="a fresh folder to keep (default: temp)")
    parser.add_argument("--no-pages", dest="pages", action="store_false")
    parser.add_argument("--pages-only", action="store_true", help="step 5 on --data-dir")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if args.pages_only:
        pages_only(args)
        return
    derived = derive(args.shared) if args.derive or not INPUTS.is_dir() else None
    with tempfile.TemporaryDirectory(prefix="regiograph-national-") as folder:
        workdir = Path(folder)
        data_dir = args.data_dir or workdir / "data"
        publish_ontology(data_dir)
        # exit 1: a source failed or was rejected; the others are published, the log says which
        harvest_s, log = regiograph(data_dir, "harvest", "--no-warm", ok=(0, 1))
        counts, keys = dump(data_dir, workdir / "national.nq")
        load_s = oxigraph_load(workdir, workdir / "national.nq")
        warm_s, _ = regiograph(data_dir, "warm")
        results = {}
        if args.pages:
            options = SimpleNamespace(**vars(args), cache_setting=False, hot=0)
            results = pages.measure(data_dir, keys, options)
    report(derived, harvest_s, log, counts, len(keys), load_s, warm_s)
    if results:
        pages.report(args, len(keys), sum(counts.values()), harvest_s, results)


def pages_only(args) -> None:
    """Municipality pages on a folder a previous run harvested and warmed (``--data-dir``)."""
    with open_store(config_for(args.data_dir)) as (cfg, store):
        rows = store.select(f"SELECT ?m WHERE {{ ?m a <{RG}Municipality> }}")
        keys = sorted(r["m"].value.removeprefix(cfg.base_iri + "id/") for r in rows)
    options = SimpleNamespace(**vars(args), cache_setting=False, hot=0)
    results = pages.measure(args.data_dir, keys, options)
    pages.report(args, len(keys), 0, 0.0, results)


def report(derived, harvest_s, log, counts, municipalities, load_s, warm_s) -> None:
    triples = sum(counts.values())
    print(f"national layer: {municipalities:,} municipalities, {triples:,} triples")
    if derived is not None:
        print(f"  derive inputs (scripts/derive_demo_data.py --national)  {derived:7.1f} s")
    for source, n in counts.items():
        print(f"  {source:22} {n:10,} triples")
    print(
        f"  regiograph harvest (all sources, end to end) {harvest_s:7.1f} s "
        f"{triples / harvest_s:9,.0f} triples/s  time vs oxigraph load {harvest_s / load_s:.1f}"
    )
    print(f"  oxigraph load (same triples, N-Quads) {load_s:14.1f} s {triples / load_s:9,.0f}/s")
    print(f"  regiograph warm (dumps, search index, statistics mirror) {warm_s:.1f} s")
    print(f"  load average now: {os.getloadavg()[0]:.1f}")
    print("harvest output:\n" + "\n".join("  " + line for line in log.strip().splitlines()))


if __name__ == "__main__":
    main()
