"""Where an uncached municipality page spends its time: the demo region, the app from its
factory with the page cache off, every municipality page rendered ``--rounds`` times in one
thread under pyinstrument (``pip install pyinstrument``; a tool, not a dependency).

    .venv/bin/python bench/pages_profile.py [--rounds 3] [--html profile.html]
"""

from __future__ import annotations

import argparse
import tempfile
import time

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
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory(prefix="regiograph-profile-")
    cfg = configuration.load(None, environ={}).with_overrides(
        data_dir=folder.name, pages__cache_entries=0
    )
    with folder, open_store(cfg) as (cfg, store):
        demo.load(cfg, store)
        rows = store.select(f"SELECT ?m WHERE {{ ?m a <{RG}Municipality> }}")
        paths = (
            [args.path]
            if args.path
            else ["/page/" + r["m"].value.removeprefix(cfg.base_iri + "id/") for r in rows]
        )
        client = create_app(cfg, store).test_client()
        for path in paths:  # warm: search index, templates, ontology
            client.get(path, headers={"Accept-Language": "de"})
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
    if args.html:
        with open(args.html, "w", encoding="utf-8") as out:
            out.write(profiler.output_html())


if __name__ == "__main__":
    main()
