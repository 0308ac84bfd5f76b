"""Harvested datasets re-published: fetched for one page, then made to fit DCAT-AP.de.

``queries/harvested-raw.rq`` fetches a page's descriptions by bound lookups;
``queries/harvested-page.rq``, run in memory, keeps only allowed properties and value kinds;
a coded value must be a member of its code list (:mod:`regiograph.loader.codelists`), not merely an
IRI in the list's namespace (``language/GER`` is left out, noted). A missing or unusable
contact point is filled by the catalogue's own; a distribution without a licence or an access
URL is left out (noted). A source's ``default_publisher`` and ``default_licence`` are not
applied here: its harvest completed them (:mod:`regiograph.loader.map`). Properties DCAT-AP
allows once keep one value, chosen stably.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from pyoxigraph import Literal, NamedNode, Quad, Triple
from pyoxigraph import Store as MemoryStore

from regiograph import iris
from regiograph.catalog.entry import Entry
from regiograph.catalog.sparql import query
from regiograph.catalog.template import fill
from regiograph.loader import codelists
from regiograph.loader.sources import NO_SOURCE, Source
from regiograph.namespaces import DCAT, DCATDE, DCT, VCARD, XSD
from regiograph.store import Store
from regiograph.store.binding import bind_rows

# properties DCAT-AP and DCAT-AP.de allow at most once on the nodes we re-publish
SINGLE = {
    DCT + "modified",
    DCT + "issued",
    DCT + "accrualPeriodicity",
    DCT + "accessRights",
    DCAT + "byteSize",
    DCT + "format",
    DCAT + "mediaType",
    DCT + "license",
    VCARD + "fn",
    DCATDE + "politicalGeocodingLevelURI",
}


def fetch(store: Store, entries: list[Entry]) -> list[Triple]:
    """The page's harvested descriptions, reduced to what DCAT-AP.de allows."""
    if not entries:
        return []
    rows = [(NamedNode(e.iri), NamedNode(e.graph)) for e in entries]
    raw = store.construct(bind_rows(query("harvested-raw"), ("ds", "g"), rows))
    names = store.construct(bind_rows(query("harvested-names"), ("ds", "g"), rows))
    memory = MemoryStore()
    memory.extend(Quad(t.subject, t.predicate, t.object) for t in raw)
    return [*map(_count_typed, memory.query(query("harvested-page"))), *names]


def _count_typed(triple: Triple) -> Triple:
    """dcat:byteSize as DCAT-AP 3's xsd:nonNegativeInteger: the page query gives the whole
    number as xsd:integer, the type a store keeps it in (a harvested xsd:nonNegativeInteger
    read back is xsd:integer, and was left out as no count before)."""
    if triple.predicate.value != DCAT + "byteSize":
        return triple
    count = Literal(triple.object.value, datatype=NamedNode(XSD + "nonNegativeInteger"))
    return Triple(triple.subject, triple.predicate, count)


def complete(
    triples: list[Triple], entries: list[Entry], base: str, notes: list[str]
) -> list[Triple]:
    """The page's harvested triples with gaps filled and unpublishable parts left out."""
    by_subject: dict = defaultdict(lambda: defaultdict(list))
    for t in _members_only(triples, notes):
        by_subject[t.subject][t.predicate.value].append(t.object)
    contact = NamedNode(iris.catalog_contact(base))
    out: list[Triple] = []
    for entry in entries:
        ds = NamedNode(entry.iri)
        props = by_subject[ds]
        contacts = [c for c in props.get(DCAT + "contactPoint", []) if _usable(by_subject[c])]
        props[DCAT + "contactPoint"] = contacts or [contact]
        kept = []
        for dist in props.get(DCAT + "distribution", []):
            if _fix_distribution(by_subject[dist]):
                kept.append(dist)
            else:
                notes.append(
                    f"{entry.iri}: distribution {dist} left out (no licence or access URL)"
                )
        props[DCAT + "distribution"] = kept
        nodes = [ds, *kept, *props[DCT + "publisher"], *contacts]
        out += [t for node in dict.fromkeys(nodes) for t in _triples(node, by_subject[node])]
    return out


def records(
    entries: list[Entry], sources: dict[str, Source], base: str, fallback: Literal
) -> tuple[list[Triple], list[NamedNode]]:
    """A dcat:CatalogRecord per harvested dataset (dct:source → the origin's record)."""
    out: list[Triple] = []
    nodes = []
    for entry in entries:
        key = hashlib.sha1(entry.iri.encode(), usedforsecurity=False).hexdigest()
        record = NamedNode(iris.catalog_record(base, key))
        location = sources.get(entry.graph or "", NO_SOURCE).location
        harvested = _datetime(entry.harvested)
        out += fill(
            "record.ttl",
            base,
            {
                "record": record,
                "dataset": NamedNode(entry.iri),
                "modified": harvested or _datetime(entry.modified_text) or fallback,
                "harvested": harvested,
                "origin": NamedNode(f"{record.value}#origin"),
                "source_location": NamedNode(location) if location.startswith("http") else None,
            },
        )
        nodes.append(record)
    return out, nodes


def _members_only(triples: list[Triple], notes: list[str]) -> list[Triple]:
    """The triples without coded values that their code list does not have."""
    lists = codelists.load()
    kept = []
    for t in triples:
        value = t.object.value if isinstance(t.object, NamedNode) else ""
        if value and lists.scheme_of(value) and not lists.is_member(value):
            notes.append(f"{t.subject}: {t.predicate.value} {value} left out (no code of its list)")
            continue
        kept.append(t)
    return kept


def _usable(contact: dict) -> bool:
    return any(contact.get(VCARD + p) for p in ("hasEmail", "hasURL"))


def _fix_distribution(props: dict) -> bool:
    if not props.get(DCAT + "accessURL") and props.get(DCAT + "downloadURL"):
        props[DCAT + "accessURL"] = props[DCAT + "downloadURL"][:1]
    return bool(props.get(DCAT + "accessURL")) and bool(props.get(DCT + "license"))


def _triples(node, props: dict) -> list[Triple]:
    out = []
    for predicate, objects in props.items():
        unique = sorted(set(objects), key=str)
        if predicate in SINGLE:
            unique = unique[-1:]  # stable; for dates the latest
        out += [Triple(node, NamedNode(predicate), o) for o in unique]
    return out


def _datetime(text: str | None) -> Literal | None:
    if not text:
        return None
    kind = "dateTime" if "T" in text else "date"
    return Literal(text, datatype=NamedNode(XSD + kind))
