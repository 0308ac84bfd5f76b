"""The reference data a source is validated with (its ``reference`` graphs): a small graph
whole, a large one only as far as the candidate reaches into it.

The national layer validates each of its sources against the Gemeindeverzeichnis graph
(2.3M triples). Read whole, that graph was parsed into every candidate, and each source took
3 to 5 minutes whatever its size (2,005 triples of district polygons: 178 s; bench/README.md,
"National base layer"). SHACL only looks at reference nodes reachable from the candidate's own
nodes, so a large graph contributes the triples about the IRIs the candidate names (as subject
or object), then about the IRIs those name, and so on until nothing new is named (a
municipality's district, the district's Land) — at most :data:`HOPS` rounds, one query per
:data:`BATCH` IRIs each. The same report either way is tested
(``tests/test_loader_reference.py``).

May not: decide which graphs a source uses (its ``reference`` setting does) or validate.
"""

from __future__ import annotations

from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from regiograph import iris

WHOLE_UP_TO = 100_000  # triples: a graph this small is read whole (the ontology: ~3,000)
BATCH = 2_000  # IRIs per query (the VALUES block of one request)
HOPS = 6  # rounds of following what the last round named

_COUNT = "SELECT (COUNT(*) AS ?n) { { SELECT ?s WHERE { GRAPH %s { ?s ?p ?o } } LIMIT %d } }"
# with the blank nodes an IRI's triples point at (their labels hold within one answer only);
# the IRIs first, so that the store looks them up instead of reading the graph and joining
# (the other way round, 2,000 IRIs in the national layer ran past the 30 s time limit)
_ABOUT = """CONSTRUCT { ?s ?p ?o . ?o ?bp ?bo }
WHERE {
  VALUES ?s { %s }
  GRAPH %s { ?s ?p ?o OPTIONAL { ?o ?bp ?bo FILTER(isBlank(?o)) } }
}"""


def graphs(store, config, names: list[str], candidate: Store) -> list[bytes]:
    """N-Triples of each reference graph ``names`` (source ids) that validation needs."""
    out, named = [], None
    for name in names:
        graph = iris.graph(config.base_iri, name)
        if _small(store, graph):
            out.append(store.read_graph(graph))
        else:
            named = _named(candidate) if named is None else named  # once for every large graph
            out.append(_reached(store, graph, named))
    return out


def _small(store, graph: str) -> bool:
    """Whether ``graph`` has at most :data:`WHOLE_UP_TO` triples, counted no further (counting
    every triple of the store, as ``Store.graphs`` does, meets the time limit at this size)."""
    node = NamedNode(graph)  # refuses a malformed IRI before it is written into the query
    return store.count(_COUNT % (node, WHOLE_UP_TO + 1)) <= WHOLE_UP_TO


def _named(candidate: Store) -> set[NamedNode]:
    named = set()
    for quad in candidate:
        for term in (quad.subject, quad.object):
            if isinstance(term, NamedNode):
                named.add(term)
    return named


def _reached(store, graph: str, start: set[NamedNode]) -> bytes:
    """The triples of ``graph`` about ``start`` and what they name, transitively."""
    triples, seen, frontier = [], set(start), set(start)
    for _ in range(HOPS):
        found = []
        ordered = sorted(frontier, key=lambda term: term.value)
        for i in range(0, len(ordered), BATCH):
            values = " ".join(str(term) for term in ordered[i : i + BATCH])  # validated IRIs
            found += store.construct(_ABOUT % (values, NamedNode(graph)))
        triples += found
        frontier = {t.object for t in found if isinstance(t.object, NamedNode)} - seen
        seen |= frontier
        if not frontier:
            break
    return serialize(triples, format=RdfFormat.N_TRIPLES)
