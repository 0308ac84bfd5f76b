"""The bundled demo region (the Metropolregion Rhein-Neckar)."""

from __future__ import annotations

from regiograph import resources
from regiograph.config import Config
from regiograph.store import Store
from regiograph.store.rdffiles import read_graphs


def load(config: Config, store: Store) -> dict[str, int]:
    """Load every demo file into the graph {base}graph/demo; relative IRIs resolve to base."""
    graph = config.base_iri + "graph/demo"
    graphs = read_graphs(resources.files("demo", "*.ttl"), graph, base_iri=config.base_iri)
    for name, data in graphs.items():
        store.replace_graph(name, data)
    return {name: data.count(b"\n") for name, data in graphs.items()}
