"""From what the store says to what a reader sees: labels in their language, properties
grouped and ordered by the ontology, objects as labelled links, literals formatted."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode

from regiograph.namespaces import RDF_TYPE, SCHEMA, XSD
from regiograph.resources import labels as lang
from regiograph.resources import values as fmt
from regiograph.resources.describe import Description, Incoming
from regiograph.resources.ontology import (
    DESCRIPTION_PROPERTIES,
    KEY_PROPERTIES,
    LABEL_PROPERTIES,
    Ontology,
)

XSD_ANYURI = XSD + "anyURI"
# a full stop after a word of 3+ letters, then a capital: not "z. B." or "e. g."
_SENTENCE_END = re.compile(r"(?<=\w\w\w)\.\s+(?=[A-ZÄÖÜ])")
COLLAPSE_AFTER = 8  # more values than this are folded into a <details>
# a value longer than this is cut on the page (its whole text is in the page's RDF); a link
# target longer than LONGEST_HREF is no link (a 100 KB IRI would make a 100 KB attribute)
LONGEST_TEXT = 300
LONGEST_HREF = 2000
_HEAD = {RDF_TYPE, *LABEL_PROPERTIES, *DESCRIPTION_PROPERTIES, *KEY_PROPERTIES}


def shown(text: str) -> tuple[str, int]:
    """What a page shows of ``text`` (its beginning when it is long, bidirectional controls
    isolated) and, when cut, the whole text's length (else 0)."""
    cut = len(text) if len(text) > LONGEST_TEXT else 0
    if cut:
        text = text[:LONGEST_TEXT] + "…"
    return fmt.isolate_bidi(text), cut


@dataclass
class Value:
    text: str
    href: str | None = None  # local page or a checked http(s)/mailto URL
    external: bool = False
    lang: str | None = None
    graph: str | None = None
    rows: list[tuple[str, list[Value]]] = field(default_factory=list)  # a blank node's
    cut: int = 0  # the length of the whole text when the page shows only its beginning

    def __post_init__(self) -> None:
        self.text, self.cut = shown(self.text)
        if self.href and len(self.href) > LONGEST_HREF:
            self.href, self.external = None, False


@dataclass
class Property:
    iri: str
    label: str
    values: list[Value]

    @property
    def collapsed(self) -> bool:
        return len(self.values) > COLLAPSE_AFTER


@dataclass
class Group:
    title: str | None  # None: "further details"
    properties: list[Property]


@dataclass
class Presenter:
    """Turns terms into text and links for one reader; ``link_for`` gives local page URLs."""

    ontology: Ontology
    language: str
    link_for: Callable[[str], str]
    base_iri: str
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    current: str = ""  # the IRI the page is about
    # labels of IRIs a view found, from somewhere cheaper than the store (the search index)
    lookup: Callable[[list[str]], dict[str, dict[str, str]]] | None = None
    # the UI's message catalogue (flask_babel.gettext from the server; this package may not
    # import Flask): English source strings, translated like the templates' ones
    gettext: Callable[[str], str] = str

    def learn(self, iris: list[str]) -> None:
        """Fetch labels for IRIs not known yet, in one go."""
        missing = [i for i in dict.fromkeys(iris) if i and i not in self.labels]
        if missing and self.lookup:
            for iri, texts in self.lookup(missing).items():
                self.labels.setdefault(iri, texts)

    def label(self, iri: str) -> str | None:
        found = lang.pick(self.labels.get(iri, {}), self.language)
        if found is None:
            term = self.ontology.term(iri)
            found = lang.pick(term.labels, self.language) if term else None
        return found

    def term_label(self, iri: str) -> str:
        """A label for a class or property: the ontology's, or a compact name."""
        return self.label(iri) or self.ontology.compact(iri)

    def comment(self, iri: str) -> str | None:
        term = self.ontology.term(iri)
        return lang.pick(term.comments, self.language) if term else None

    def reader_description(self, iri: str) -> str | None:
        """What a kind of thing is, in words for people (rg:readerDescription)."""
        term = self.ontology.term(iri)
        return lang.pick(term.reader, self.language) if term else None

    def inverse_label(self, iri: str) -> str:
        """A property as read from its object ("Veröffentlicht" for dct:publisher): the
        heading of incoming links; the property's own label where it has none."""
        term = self.ontology.term(iri)
        found = lang.pick(term.inverse, self.language) if term else None
        return found or self.term_label(iri)

    def gist(self, iri: str) -> str | None:
        """The first sentence of a term's comment: the "what is this" line of a page."""
        text = self.comment(iri)
        if not text:
            return None
        end = _SENTENCE_END.search(text)
        return text[: end.start() + 1] if end else text

    def link(self, iri: str, graph: str | None = None) -> Value:
        label = self.label(iri)
        if label is not None or iri.startswith(self.base_iri):
            return Value(label or iri, self.link_for(iri), graph=graph)
        href = fmt.safe_href(iri)
        if href:
            return Value(iri, href, external=True, graph=graph)
        return Value(iri, graph=graph)  # urn:, javascript: … shown, never linked

    def value(
        self, term, description: Description, graph: str | None = None, depth: int = 0
    ) -> Value:
        if isinstance(term, NamedNode):
            return self.link(term.value, graph)
        if isinstance(term, BlankNode):
            return self.blank(term, description, graph, depth)
        return self.literal(term, graph)

    def literal(self, literal: Literal, graph: str | None = None) -> Value:
        datatype = literal.datatype.value if literal.datatype else ""
        if datatype == XSD_ANYURI and fmt.safe_href(literal.value):
            return Value(literal.value, fmt.safe_href(literal.value), external=True, graph=graph)
        return Value(fmt.format_literal(literal, self.language), lang=literal.language, graph=graph)

    def blank(self, node: BlankNode, description: Description, graph, depth: int) -> Value:
        pairs = description.blank.get(node.value, [])
        amount = dict((p, o) for p, o in pairs if isinstance(o, Literal))
        if SCHEMA + "value" in amount:
            currency = amount.get(SCHEMA + "currency")
            text = fmt.format_money(
                amount[SCHEMA + "value"].value, currency.value if currency else "EUR", self.language
            )
            return Value(text, graph=graph)
        if depth >= 2:
            return Value("…", graph=graph)
        rows: dict[str, list[Value]] = {}
        for predicate, obj in sorted(pairs, key=lambda po: self.ontology.order(po[0])):
            rows.setdefault(predicate, []).append(self.value(obj, description, None, depth + 1))
        return Value("", graph=graph, rows=[(self.term_label(p), v) for p, v in rows.items()])


def groups(
    presenter: Presenter,
    description: Description,
    types: list[str],
    skip: frozenset[str] = frozenset(),
) -> list[Group]:
    """Properties grouped by the class whose domain they belong to, in ontology order."""
    lineage = [c for t in types for c in presenter.ontology.ancestors(t)]
    by_property: dict[str, list[Value]] = {}
    for predicate, obj, graph in description.statements:
        if predicate in _HEAD or predicate in skip:
            continue
        by_property.setdefault(predicate, []).append(presenter.value(obj, description, graph))
    grouped: dict[str | None, list[Property]] = {}
    for predicate in sorted(by_property, key=presenter.ontology.order):
        term = presenter.ontology.term(predicate)
        home = next((c for c in lineage if term and c in term.domains), None)
        values = sorted(by_property[predicate], key=lambda v: v.text.casefold())
        grouped.setdefault(home, []).append(
            Property(predicate, presenter.term_label(predicate), values)
        )
    order = sorted(grouped, key=lambda c: (c is None, lineage.index(c) if c else 0))
    return [Group(presenter.term_label(c) if c else None, grouped[c]) for c in order]


def keys(presenter: Presenter, description: Description) -> list[tuple[str, str]]:
    """Official keys (AGS, ARS, notation, identifier) with their labels."""
    found = []
    for predicate in KEY_PROPERTIES:
        for obj in description.values(predicate):
            if isinstance(obj, Literal):
                found.append((presenter.term_label(predicate), obj.value))
    return found


def incoming_groups(presenter: Presenter, incoming: Incoming) -> list[dict]:
    """Incoming links per property, biggest group last so small ones stay visible."""
    result = []
    for predicate, count in sorted(incoming.counts.items(), key=lambda pc: (pc[1], pc[0])):
        items = []
        for subject, texts in incoming.rows.get(predicate, []):
            presenter.labels.setdefault(subject, texts)
            items.append(presenter.link(subject))
        items.sort(key=lambda v: v.text.casefold())
        result.append(
            {
                "iri": predicate,
                "label": presenter.inverse_label(predicate),
                "count": count,
                "items": items,
            }
        )
    return result
