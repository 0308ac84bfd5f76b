"""Where an uncached municipality page spends its time: the demo region, the app from its
factory with the page cache off, every municipality page rendered ``--rounds`` times in one
thread under pyinstrument (``pip install pyinstrument``; a tool, not a dependency).

    .venv/bin/python bench/pages_profile.py [--rounds 3] [--html profile.html]
    .venv/bin/python bench/pages_profile.py --data-dir DIR --sample 100   # a harvested folder
                                          # (bench/national.py --data-dir DIR), pages never seen

With ``--queries`` it also lists the store's time per page query (sum, count, worst).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections import defaultdict
from contextlib import nullcontext

from pyinstrument import Profiler

from regiograph import config as configuration
from regiograph.loader import demo
from regiograph.runtime import open_store
from regiograph.server import create_app

RG = "https://w3id.org/regiograph/ontology#"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    parser.add_argument("--path", help="profile this path instead of the municipality pages")
    parser.add_argument("--data-dir", help="a harvested data folder instead of the demo")
    parser.add_argument("--sample", type=int, help="this many municipalities, each seen once")
    parser.add_argument("--queries", action="store_true", help="time each store query")
    args = parser.parse_args()
    folder = nullcontext(args.data_dir) if args.data_dir else tempfile.TemporaryDirectory()
    with folder as name:
        cfg = configuration.load(None, environ={}).with_overrides(
            data_dir=name, pages__cache_entries=0
        )
        profile(cfg, args)


def profile(settings, args) -> None:
    with open_store(settings) as (cfg, store):
        if not args.data_dir:
            demo.load(cfg, store)
        rows = store.select(f"SELECT ?m WHERE {{ ?m a <{RG}Municipality> }}")
        paths = (
            [args.path]
            if args.path
            else ["/page/" + r["m"].value.removeprefix(cfg.base_iri + "id/") for r in rows]
        )
        client = create_app(cfg, store).test_client()
        if args.sample:  # unseen pages: district means and caches as a new visitor meets them
            paths = random.Random(7).sample(paths, min(args.sample, len(paths)))
            client.get(paths[0], headers={"Accept-Language": "de"})  # templates, ontology
        else:
            for path in paths:  # warm: search index, templates, ontology
                client.get(path, headers={"Accept-Language": "de"})
        spent = timed_queries(store) if args.queries else None
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        with profiler:
            for _ in range(args.rounds):
                for path in paths:
                    response = client.get(path, headers={"Accept-Language": "de"})
                    assert response.status_code == 200, path
        elapsed = time.perf_counter() - started
    count = args.rounds * len(paths)
    print(f"{count} pages in {elapsed:.2f} s: {1000 * elapsed / count:.1f} ms per page")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if spent is not None:
        print("store time per query (first line of its text): total ms, calls, worst ms")
        for head, times in sorted(spent.items(), key=lambda kv: -sum(kv[1])):
            print(f"{1000 * sum(times):9.1f} {len(times):5d} {1000 * max(times):8.1f}  {head}")
    if args.html:
        with open(args.html, "w", encoding="utf-8") as out:
            out.write(profiler.output_html())


def timed_queries(store) -> dict[str, list[float]]:
    """Seconds per call of every query the store client sends from now on, by its first
    comment line (the .rq files begin with what they ask)."""
    spent: dict[str, list[float]] = defaultdict(list)
    send = store._post_query

    def post(query, *args, **kwargs):
        started = time.perf_counter()
        try:
            return send(query, *args, **kwargs)
        finally:
            spent[query.lstrip().splitlines()[0][:70]].append(time.perf_counter() - started)

    store._post_query = post
    return spent


if __name__ == "__main__":
    main()
