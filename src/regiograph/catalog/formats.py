"""The catalogue's serialisations: Turtle, RDF/XML, N-Triples (pyoxigraph), JSON-LD (rdflib)."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import RdfFormat, Triple, serialize

from regiograph.namespaces import prefixes

# The prefixes the catalogue is written with (Turtle, RDF/XML) and its JSON-LD context.
PREFIXES = prefixes(
    "dcat",
    "dct",
    "dcatde",
    "dcatap",
    "foaf",
    "vcard",
    "spdx",
    "hydra",
    "xsd",
    "rdfs",
    "skos",
    "qb",
    "rg",
)


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str
    oxigraph: RdfFormat | None  # None: JSON-LD through rdflib


FORMATS = (
    Format("ttl", "text/turtle", RdfFormat.TURTLE),
    Format("rdf", "application/rdf+xml", RdfFormat.RDF_XML),
    Format("jsonld", "application/ld+json", None),
    Format("nt", "application/n-triples", RdfFormat.N_TRIPLES),
)
BY_EXTENSION = {f.extension: f for f in FORMATS}
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}


def render(triples: list[Triple], fmt: Format) -> bytes:
    if fmt.oxigraph is RdfFormat.N_TRIPLES:
        return serialize(triples, format=fmt.oxigraph) or b""
    if fmt.oxigraph is not None:
        return serialize(triples, format=fmt.oxigraph, prefixes=PREFIXES) or b""
    return _jsonld(triples)


def _jsonld(triples: list[Triple]) -> bytes:
    from rdflib import Graph

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES) or b"", format="nt")
    context = {prefix: namespace for prefix, namespace in PREFIXES.items()}
    return graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
