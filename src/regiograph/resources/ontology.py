"""What the platform knows about its vocabulary: read once from the ontology files.

Labels, comments, domains, superclasses and the order in which terms appear in the files
(the ontology's own order is the order properties are shown in). SKOS concept schemes in
``ontology/concepts/`` are read too, so themes and types show their preferred labels.
Knowledge of the ontology lives here and nowhere else in the pages code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from regiograph import bundled as resources
from regiograph.namespaces import DCT, FOAF, OWL, QB, RDF, RDF_TYPE, RDFS, RG, SCHEMA, SKOS

# Properties whose values name a thing, best first; the same list is in the .rq files.
LABEL_PROPERTIES = (
    SKOS + "prefLabel",
    RDFS + "label",
    DCT + "title",
    SCHEMA + "name",
    FOAF + "name",
)
DESCRIPTION_PROPERTIES = (
    DCT + "description",
    SCHEMA + "description",
    SKOS + "definition",
    RDFS + "comment",
)
# Official keys shown in the page head rather than among the properties.
KEY_PROPERTIES = (RG + "ags", RG + "ars", SKOS + "notation", DCT + "identifier")
_CLASS_TYPES = {OWL + "Class", RDFS + "Class", SKOS + "ConceptScheme"}
_PROPERTY_TYPES = {
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    RDF + "Property",
    OWL + "AnnotationProperty",
    QB + "DimensionProperty",
}


@dataclass
class Term:
    iri: str
    order: int
    labels: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)  # the technical note
    reader: dict[str, str] = field(default_factory=dict)  # rg:readerDescription, for people
    inverse: dict[str, str] = field(default_factory=dict)  # rg:inverseLabel: read from the object
    kinds: set[str] = field(default_factory=set)
    domains: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)  # rdfs:subClassOf / subPropertyOf


@dataclass
class Ontology:
    terms: dict[str, Term]
    prefixes: dict[str, str]

    def term(self, iri: str) -> Term | None:
        return self.terms.get(iri)

    def order(self, iri: str) -> int:
        """Position of a term in the ontology files; unknown terms go last."""
        term = self.terms.get(iri)
        return term.order if term else len(self.terms) + 1

    def is_class(self, iri: str) -> bool:
        term = self.terms.get(iri)
        return bool(term and term.kinds & _CLASS_TYPES)

    def ancestors(self, iri: str) -> list[str]:
        """The class itself and all its superclasses, nearest first."""
        seen, queue = [], [iri]
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.append(current)
            term = self.terms.get(current)
            queue.extend(term.parents if term else [])
        return seen

    def compact(self, iri: str) -> str:
        """``rg:Municipality`` for a known namespace, the IRI itself otherwise."""
        best = max(
            (ns for ns in self.prefixes.values() if iri.startswith(ns)), key=len, default=None
        )
        if best is None:
            return iri
        prefix = next(p for p, ns in self.prefixes.items() if ns == best)
        return f"{prefix}:{iri[len(best) :]}"


@cache
def ontology() -> Ontology:
    """The bundled ontology, read once per process."""
    terms: dict[str, Term] = {}
    prefixes: dict[str, str] = {}
    for path in resources.files("ontology", "*.ttl"):
        parser = parse(path=str(path), format=RdfFormat.TURTLE)
        for triple in parser:
            _absorb(terms, triple)
        prefixes.update(parser.prefixes)
    return Ontology(terms, prefixes)


def _absorb(terms: dict[str, Term], triple) -> None:
    subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
    if not isinstance(subject, NamedNode):
        return
    term = terms.get(subject.value)
    if term is None:
        term = terms[subject.value] = Term(subject.value, len(terms))
    if isinstance(obj, Literal):
        texts = _text_slot(term, predicate)
        if texts is not None:
            prose = texts is term.comments or texts is term.reader  # wrapped in the files
            text = " ".join(obj.value.split()) if prose else obj.value
            texts.setdefault(obj.language or "", text)
    elif isinstance(obj, NamedNode):
        if predicate == RDF_TYPE:
            term.kinds.add(obj.value)
        elif predicate == RDFS + "domain":
            term.domains.append(obj.value)
        elif predicate in (RDFS + "subClassOf", RDFS + "subPropertyOf", SKOS + "broader"):
            term.parents.append(obj.value)


def _text_slot(term: Term, predicate: str) -> dict[str, str] | None:
    """Where a literal of ``predicate`` about ``term`` goes (per language), if anywhere."""
    if predicate in LABEL_PROPERTIES:
        return term.labels
    if predicate in (RDFS + "comment", SKOS + "definition"):
        return term.comments
    if predicate == RG + "readerDescription":
        return term.reader
    if predicate == RG + "inverseLabel":
        return term.inverse
    return None
