"""What the HTML view filters by — theme, publisher, file format, licence, area — for every
dataset of the catalogue, so that a filter selects across all pages, not within one.

Harvested datasets: four SELECTs per data version (``queries/harvested-facets-*.rq``), kept
with the key list (a source's ``default_publisher`` and ``default_licence`` are in the data
already: its harvest completes them, :mod:`regiograph.loader.map`). Own datasets: from their
triples, as the page summary reads them.

Values are short and stable, so that they read well in a URL: the code of a theme or file
type (``REGI``, ``CSV``), the path of a DCAT-AP.de licence (``dl-by-de/2.0``), a regional key
(ARS, 12 digits), and for a publisher one of its names (German, else untagged, else the
first) — an agent named in two languages is one publisher. Names for people come from
:mod:`.names`.
"""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import NamedNode

from regiograph.catalog.sparql import query
from regiograph.catalog.view import publisher_key
from regiograph.namespaces import DCATDE_LICENCES, DCATDE_REGIONAL_KEY, EU_AUTHORITY
from regiograph.store import Store

NAMES = ("theme", "publisher", "format", "licence", "area")
PARTS = tuple(
    f"harvested-facets-{part}" for part in ("themes", "publishers", "areas", "distributions")
)
# facet -> the namespace its values are the rest of
PREFIXES = {
    "theme": EU_AUTHORITY + "data-theme/",
    "format": EU_AUTHORITY + "file-type/",
    "licence": DCATDE_LICENCES,
    "area": DCATDE_REGIONAL_KEY,
}


def code(facet: str, iri: str) -> str:
    """The facet value of an IRI: what follows the facet's namespace."""
    return iri.removeprefix(PREFIXES[facet])


def harvested(store: Store) -> dict[tuple[str, str], dict]:
    """(dataset, graph) -> its raw facets: ``theme`` and ``area`` codes, ``publisher`` one
    {language: name} per agent, ``formats`` per distribution with an access URL
    [file type or None, licence or None] (the ones the page keeps: harvested.SINGLE, the last)."""
    found: dict = defaultdict(lambda: {"theme": set(), "area": set()})
    agents: dict = defaultdict(dict)  # (ds, graph, agent) -> {language: name}
    distributions: dict = defaultdict(lambda: (set(), set()))
    for row in _rows(store):
        key = (row["ds"].value, row["g"].value)
        facet = row["facet"].value
        if facet == "publisher":
            agents[(*key, str(row["agent"]))].setdefault(row["lang"].value, row["value"].value)
        elif facet != "format":
            found[key][facet].add(code(facet, row["value"].value))
        elif int(row["access"].value):  # without an access URL it is never published
            types, licences = distributions[(*key, row["dist"].value)]
            if "value" in row:
                types.add(row["value"].value)
            if "licence" in row:
                licences.add(row["licence"].value)
    for (ds, graph, _), names in sorted(agents.items()):
        found[(ds, graph)].setdefault("publisher", []).append(names)
    for (ds, graph, _), (types, licences) in sorted(distributions.items()):
        found[(ds, graph)].setdefault("formats", []).append(
            [_last("format", types), _last("licence", licences)]
        )
    return {
        key: {k: sorted(v) if isinstance(v, set) else v for k, v in facets.items()}
        for key, facets in found.items()
    }


def _rows(store: Store):
    """The rows of the four parts (``queries/harvested-facets-*.rq``), one query each."""
    for part in PARTS:
        yield from store.select(query(part), {"meta": NamedNode(store.meta_graph)})


def for_harvested(raw: dict | None) -> tuple[dict, dict[str, dict[str, str]]]:
    """The facets of one harvested dataset as it is published, and its publishers' names
    (value -> {language: name})."""
    raw = raw or {}
    published = [(kind, licence) for kind, licence in raw.get("formats", []) if licence]
    names = {publisher_key(n): n for n in raw.get("publisher", []) if n}
    facets = {
        "theme": tuple(raw.get("theme", ())),
        "publisher": tuple(sorted(names)),
        "format": tuple(sorted({kind for kind, _ in published if kind})),
        "licence": tuple(sorted({licence for _, licence in published})),
        "area": tuple(raw.get("area", ())),
    }
    return facets, names


def for_own(summaries: list[dict]) -> tuple[dict[str, dict], dict]:
    """Own datasets' facets from their summaries (:func:`.view.summarise` over their triples
    with the catalogue's, for publisher names), and the publishers' names."""
    facets, names = {}, {}
    for d in summaries:
        facets[d["iri"]] = {name: tuple(d[name]) for name in NAMES}
        names.update(d["publisher_names"])
    return facets, names


def _last(facet: str, iris: set[str]) -> str | None:
    return code(facet, max(iris, key=lambda iri: f"<{iri}>")) if iris else None
