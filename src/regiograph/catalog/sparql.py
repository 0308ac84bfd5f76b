"""The catalogue's SPARQL: ``.rq`` files beside this module, values bound as RDF terms by
the store's binding (:mod:`regiograph.store.binding`; a page's keys as many VALUES rows).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@cache
def query(name: str) -> str:
    return (HERE / "queries" / f"{name}.rq").read_text(encoding="utf-8")
