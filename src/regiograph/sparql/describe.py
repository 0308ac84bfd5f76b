"""The numbers behind the Service Description and VoID, asked of the store and cached by data
version (they change exactly when a graph is replaced or updated).

These queries scan the whole store once per data version; on a few million triples that is
seconds, paid by the first request after a harvest, not by every request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from regiograph.namespaces import OWL, SKOS, WD
from regiograph.store import Store

OWL_SAME_AS = OWL + "sameAs"
SKOS_EXACT_MATCH = SKOS + "exactMatch"
LINK_TARGETS = {  # uri space -> (label, homepage) of datasets we count linksets to
    WD: ("Wikidata", "https://www.wikidata.org/"),
    "https://www.wikidata.org/entity/": ("Wikidata", "https://www.wikidata.org/"),
}
EXAMPLES_PER_GRAPH = 5

_PROPERTIES = """
SELECT ?g ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ?p
"""
_CLASSES = """
SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) (SAMPLE(?s) AS ?example)
WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g ?c
"""
_LINKS = f"""
SELECT ?g ?p ?space (COUNT(*) AS ?n) WHERE {{
  VALUES ?p {{ <{OWL_SAME_AS}> <{SKOS_EXACT_MATCH}> }}
  VALUES ?space {{ {" ".join(f'"{s}"' for s in LINK_TARGETS)} }}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(isIRI(?o) && STRSTARTS(STR(?o), ?space))
}} GROUP BY ?g ?p ?space
"""


@dataclass
class GraphSummary:
    iri: str
    triples: int = 0
    properties: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    links: list[tuple[str, str, int]] = field(default_factory=list)  # (predicate, space, n)

    @property
    def vocabularies(self) -> list[str]:
        return sorted({namespace(t) for t in [*self.properties, *self.classes]})


@dataclass
class Summary:
    version: str
    graphs: dict[str, GraphSummary]

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs.values())


def namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


class Describer:
    """Summaries of the store's named graphs, computed once per data version."""

    def __init__(self, store: Store):
        self.store = store
        self._cached: Summary | None = None
        self._sizes: tuple[str, dict[str, int]] | None = None
        self._lock = threading.Lock()

    def graph_sizes(self) -> tuple[str, dict[str, int]]:
        """(data version, {named graph: triples}) for the service description."""
        version = self.store.data_version()
        cached = self._sizes
        if cached and cached[0] == version:
            return cached
        sizes = self.store.graphs()
        self._sizes = (version, sizes)
        return self._sizes

    def summary(self) -> Summary:
        version = self.store.data_version()
        cached = self._cached
        if cached and cached.version == version:
            return cached
        with self._lock:
            if self._cached and self._cached.version == version:
                return self._cached
            self._cached = self._compute(version)
            return self._cached

    def _compute(self, version: str) -> Summary:
        graphs: dict[str, GraphSummary] = {}

        def graph(row) -> GraphSummary:
            iri = row["g"].value
            return graphs.setdefault(iri, GraphSummary(iri))

        for row in self.store.select(_PROPERTIES):
            summary = graph(row)
            count = int(row["n"].value)
            summary.properties[row["p"].value] = count
            summary.triples += count
        for row in self.store.select(_CLASSES):
            summary = graph(row)
            summary.classes[row["c"].value] = int(row["n"].value)
            example = row.get("example")
            if (
                example is not None
                and len(summary.examples) < EXAMPLES_PER_GRAPH
                and type(example).__name__ == "NamedNode"
            ):
                summary.examples.append(example.value)
        for row in self.store.select(_LINKS):
            graph(row).links.append((row["p"].value, row["space"].value, int(row["n"].value)))
        return Summary(version, dict(sorted(graphs.items())))
