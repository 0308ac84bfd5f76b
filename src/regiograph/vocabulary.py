"""Publishing the platform's own vocabulary: the ontology and its SKOS concept schemes.

Pages, queries and the catalogue need the labels of classes, properties and concepts in the
store, so every start of the platform replaces ``{base}graph/ontology`` with the bundled files.
"""

from __future__ import annotations

from regiograph import resources
from regiograph.config import Config
from regiograph.store import Store
from regiograph.store.rdffiles import read_graphs


def graph_iri(config: Config) -> str:
    return config.base_iri + "graph/ontology"


def publish(config: Config, store: Store) -> int:
    """Replace the ontology graph with the bundled files; the number of triples published."""
    graph = graph_iri(config)
    files = resources.files("ontology", "*.ttl")
    data = read_graphs(files, graph).get(graph, b"")
    store.replace_graph(graph, data)
    return data.count(b"\n")
