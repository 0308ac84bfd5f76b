"""The bundled demo region (the Metropolregion Rhein-Neckar)."""

from __future__ import annotations

from regiograph import resources, vocabulary
from regiograph.config import Config
from regiograph.store import Store, StoreError
from regiograph.store.rdffiles import read_graphs


def load(config: Config, store: Store) -> dict[str, int]:
    """Load every demo file into the graph {base}graph/demo; relative IRIs resolve to base."""
    graph = config.base_iri + "graph/demo"
    files = resources.files("demo", "*.ttl")
    if not files:
        raise StoreError("the demo region's files are missing from this installation")
    graphs = read_graphs(files, graph, base_iri=config.base_iri)
    for name, data in graphs.items():
        store.replace_graph(name, data)
    summary = {name: data.count(b"\n") for name, data in graphs.items()}
    summary[vocabulary.graph_iri(config)] = vocabulary.publish(config, store)
    return summary
