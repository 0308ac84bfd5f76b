"""Publishing the platform's own vocabulary: the ontology and its SKOS concept schemes.

Pages, queries and the catalogue need the labels of classes, properties and concepts in the
store, so every start of the platform replaces ``{base}graph/ontology`` with the bundled files
when they differ from what it holds.
"""

from __future__ import annotations

from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    parse,
)

from regiograph import bundled as resources
from regiograph import iris
from regiograph.config import Config
from regiograph.store import Store
from regiograph.store.rdffiles import read_graphs


def graph_iri(config: Config) -> str:
    return iris.ontology_graph(config.base_iri)


def publish(config: Config, store: Store) -> int:
    """Replace the ontology graph with the bundled files; the number of triples published.

    When the graph already holds exactly these triples nothing is written: a write moves the
    data version, and every derived file (search index, catalogue, statistics mirror) would
    then be rebuilt on each start of the platform.
    """
    graph = graph_iri(config)
    files = resources.files("ontology", "*.ttl")
    data = read_graphs(files, graph).get(graph, b"")
    published = store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": NamedNode(graph)}
    )
    bundled = list(parse(data, format=RdfFormat.N_TRIPLES))
    if not _same_graph(published, bundled):
        store.replace_graph(graph, data)
    return len(bundled)


def _same_graph(published: list[Triple], bundled: list[Triple]) -> bool:
    """Equal as RDF graphs (blank nodes compared by their canonical labels, RDFC-1.0)."""
    return len(published) == len(bundled) and _canonical(published) == _canonical(bundled)


def _canonical(triples: list[Triple]) -> Dataset:
    dataset = Dataset(Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return dataset
