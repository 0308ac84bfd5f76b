"""What the HTML view filters by — theme, publisher, file format, municipality — for every
dataset of the catalogue, so that a filter selects across all pages, not within one.

Harvested datasets: one SELECT per data version (``queries/harvested-facets.rq``) kept with
the key list; what depends on the configuration (a source's ``default_publisher`` and
``default_licence``) is applied when the key list is read, as the pages apply it. Own
datasets: from their triples, as the page summary reads them. Values are what the page shows:
the last segment of theme and file-type IRIs, publisher names, regional keys (ARS).
"""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import NamedNode, Triple

from regiograph.catalog.sparql import query
from regiograph.catalog.view import summarise
from regiograph.namespaces import DCATDE_LICENCES
from regiograph.store import Store

NAMES = ("theme", "publisher", "format", "municipality")


def harvested(store: Store) -> dict[tuple[str, str], dict]:
    """(dataset, graph) -> its raw facets; ``formats`` holds, per distribution with an access
    URL, [file type or None, whether it has a licence of its own]."""
    found: dict = defaultdict(lambda: {"theme": set(), "publisher": set(), "municipality": set()})
    distributions: dict = defaultdict(lambda: [set(), 0])
    for row in store.select(query("harvested-facets"), {"meta": NamedNode(store.meta_graph)}):
        key = (row["ds"].value, row["g"].value)
        facet = row["facet"].value
        if facet != "format":
            found[key][facet].add(_short(row["value"].value))
        elif int(row["access"].value):  # without an access URL it is never published
            dist = distributions[(*key, row["dist"].value)]
            if "value" in row:
                dist[0].add(row["value"].value)
            dist[1] = int(row["licensed"].value)
    for (ds, graph, _), (types, licensed) in sorted(distributions.items()):
        # one file type per distribution, the one the page keeps (harvested.SINGLE: the last)
        chosen = max(types, key=lambda iri: f"<{iri}>") if types else None
        found[(ds, graph)].setdefault("formats", []).append(
            [_short(chosen) if chosen else None, licensed]
        )
    return {
        key: {k: sorted(v) if isinstance(v, set) else v for k, v in facets.items()}
        for key, facets in found.items()
    }


def for_harvested(raw: dict | None, source: dict, default_publisher: str | None) -> dict:
    """The facets of one harvested dataset as published with its source's configuration."""
    raw = raw or {}
    licence = source.get("default_licence", "").startswith(DCATDE_LICENCES)
    formats = {t for t, licensed in raw.get("formats", []) if t and (licensed or licence)}
    return {
        "theme": tuple(raw.get("theme", ())),
        "publisher": (default_publisher,) if default_publisher else tuple(raw.get("publisher", ())),
        "format": tuple(sorted(formats)),
        "municipality": tuple(raw.get("municipality", ())),
    }


def for_own(triples: list[Triple], iris: list[str]) -> dict[str, dict]:
    """Own datasets' facets from their triples (with the catalogue's, for publisher names)."""
    return {d["iri"]: {name: tuple(d[name]) for name in NAMES} for d in summarise(triples, iris)}


def values(facets: list[dict]) -> dict[str, list[str]]:
    """Every value of each facet, sorted: the view's choices."""
    return {name: sorted({v for f in facets for v in f.get(name, ())}) for name in NAMES}


def matches(facets: dict, chosen: dict[str, str]) -> bool:
    return all(not wanted or wanted in facets.get(name, ()) for name, wanted in chosen.items())


def _short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]
