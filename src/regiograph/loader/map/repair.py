"""Repairs of a harvested DCAT catalogue before it is validated: what is unambiguous is put
right, each repair is named, and what cannot be put right is named too.

The candidate (an in-memory store) is changed in place; :func:`repair` returns one
:class:`~regiograph.loader.acceptance.Repair` per change (or per value left as it was), on the
node it concerns, so the run report lists it under the dataset that node belongs to. Every
text is in German and English.

Rules, and why each is no guess:

- ``identifier``: ``dct:identifier`` given as an IRI becomes the literal of its text
  (Brandenburg's 62 datasets; DCAT-AP: rdfs:Literal). A publisher given as a literal is no
  repair: it names no agent, and validation holds the dataset back.
- ``access URL``: ``dcat:accessURL`` / ``dcat:downloadURL`` given as a literal whose text is
  an absolute http(s) URL becomes that IRI (Bremen's 237 distributions; DCAT-AP requires an
  IRI, and the text says which). A literal that is no such URL is named and left.
- ``contact IRI``: an e-mail address or telephone number written as a *relative* IRI
  (``rdf:resource="info@statistik.bremen.de"``) was resolved by the parser against the
  document's URL; it becomes ``mailto:`` / ``tel:`` again, exactly as written. Only when the
  IRI is the document URL's resolution of a last segment that is an e-mail address (or a
  telephone number); an e-mail address or ``mailto:`` given as a literal becomes the IRI.
- ``code``: a value in the namespace of a code list that is not a member, mapped by the
  list's published mapping (:meth:`regiograph.loader.codelists.CodeLists.mapped`: ``language/GER``
  → ``DEU``, ``frequency/IRREGULAR`` → ``IRREG``); without one it is named and left, and
  validation decides. A coded property given as a literal (``dct:format "csv"``,
  ``dcatde:contributorID "http://dcat-ap.de/def/contributors/destatis"``) becomes the member
  its text names, by the same mappings; ``dcat:mediaType "text/csv"`` becomes the IANA IRI of
  that media type; a Library of Congress ISO 639 IRI the language the EU table maps it to.
- ``namespace``: the DCAT-AP.de 1.0, 1.0.1 and 1.1 namespaces become the current one, and
  licence IRIs of the old dcat-ap.de list their current names
  (``sparql/normalise-dcatde.ru`` holds the renames).
- ``property``: the properties DCAT-AP 3.0.1 deprecates *with* the one that replaces it
  (``html/shacl/deprecateduris.ttl``: "replace property schema:startDate with
  dcat:startDate", and so on), on nodes of the class that file names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote, urljoin

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from regiograph.loader import codelists
from regiograph.loader.acceptance import Repair
from regiograph.loader.map.construct import text
from regiograph.namespaces import (
    ADMS,
    DCAT,
    DCATAP,
    DCATDE,
    DCATDE_GEOCODING,
    DCATDE_LICENCES,
    DCT,
    EU_AUTHORITY,
    IANA_MEDIA_TYPES,
    LOC_ISO639_1,
    LOC_ISO639_2,
    OWL,
    RDF_TYPE,
    SCHEMA_HTTP,
    VCARD,
)

_GRAPH = DefaultGraph()
_TYPE = NamedNode(RDF_TYPE)
URL_PROPERTIES = (DCAT + "accessURL", DCAT + "downloadURL")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{4,}[0-9]")
_OLD_DCATDE = re.compile(
    r"^(http://dcat-ap\.de/def/dcatde/(1_0|1\.0|1\.0\.1)/|https?://www\.dcat-ap\.de/def/dcatde/1\.1/)"
)
# DCAT-AP 3.0.1, html/shacl/deprecateduris.ttl: (class, deprecated property, its replacement)
PUBLISHED_RENAMES = (
    (DCT + "PeriodOfTime", SCHEMA_HTTP + "startDate", DCAT + "startDate"),
    (DCT + "PeriodOfTime", SCHEMA_HTTP + "endDate", DCAT + "endDate"),
    (DCAT + "Dataset", DCT + "hasVersion", DCAT + "hasVersion"),
    (DCAT + "Dataset", DCT + "isVersionOf", DCAT + "isVersionOf"),
    (DCAT + "Dataset", OWL + "versionInfo", DCAT + "version"),
)
# IRIs that may be codes of a list (the lists' namespaces), found by the store, not by Python:
# the values of the properties DCAT-AP.de gives a list (CODED, dct:type: the dataset-type
# list), not every object of the catalogue (a third of a catalogue's triples before).
_CODED = (
    "SELECT DISTINCT ?o WHERE { %s ?s ?p ?o FILTER(isIRI(?o) && (STRSTARTS(STR(?o), "
    f'"{EU_AUTHORITY}") || STRSTARTS(STR(?o), "{DCATDE_LICENCES.rsplit("/", 2)[0]}/") '
    f'|| STRSTARTS(STR(?o), "{LOC_ISO639_1}") || STRSTARTS(STR(?o), "{LOC_ISO639_2}"))) }}'
)
_OLD_NAMESPACE_MARKERS = (b"dcat-ap.de/def/dcatde/1", b"www.dcat-ap.de/def/dcatde/")
# The renames of the dcat-ap.de licence list (old IRI -> current), as normalise-dcatde.ru has them.
_LICENCE_ROWS = re.compile(r"\(<([^>]+)>\s+<([^>]+)>\)")


def repair(store: Store, bases: Iterable[str], *, legacy: bool = True) -> list[Repair]:
    """Every repair on ``store``'s default graph; ``bases`` are the URLs the documents were
    read from (or the configured base IRI), against which relative IRIs were resolved.
    ``legacy=False`` (the fetched bytes showed no old DCAT-AP.de namespace:
    :func:`old_namespaces`) skips the one rule that reads every triple; old licence IRIs are
    looked up one by one either way."""
    rules = [_namespaces] if legacy else []  # first: codes are then in current namespaces
    lists = codelists.load()
    rules += [
        _licences,
        _urls,
        _identifiers,
        _contacts(list(bases)),
        _literal_codes(lists),
        _codes(lists),
        _properties,
    ]
    done: list[Repair] = []
    for rule in rules:
        done += rule(store)
    return done


def old_namespaces(raw: bytes) -> bool:
    """Whether fetched bytes show an old DCAT-AP.de namespace (1.0, 1.0.1, 1.1): only then
    does :func:`repair` read every triple."""
    return any(marker in raw for marker in _OLD_NAMESPACE_MARKERS)


def _found(store: Store, query: str):
    """The rows of a query on the candidate: the store filters, so Python sees only the few
    triples a rule changes, not every value of a property (issue 16's speed: the rules read
    about 350,000 triples of a million-triple catalogue one by one before)."""
    return list(store.query(query))


def _values(name: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{name} {{ {' '.join(f'<{iri}>' for iri in iris)} }}"


def _replace(store: Store, old: Quad, obj=None, predicate=None) -> Quad:
    new = Quad(old.subject, predicate or old.predicate, obj or old.object, _GRAPH)
    store.remove(old)
    store.add(new)
    return new


def _text(term) -> str:
    return f"<{term.value}>" if isinstance(term, NamedNode) else f'"{term.value}"'


# --- access and download URLs -----------------------------------------------------------


def _urls(store: Store) -> list[Repair]:
    done = []
    properties = _values("p", URL_PROPERTIES)
    literals = f"SELECT ?s ?p ?o WHERE {{ {properties} ?s ?p ?o FILTER(isLiteral(?o)) }}"
    for row in _found(store, literals):
        quad = Quad(row["s"], row["p"], row["o"], _GRAPH)
        text = quad.object.value.strip()
        name = quad.predicate.value.rsplit("#", 1)[1]
        if _URL.fullmatch(text):
            _replace(store, quad, NamedNode(text))
            done.append(
                Repair(
                    quad.subject,
                    (
                        f"dcat:{name} als Literal angegeben, als IRI übernommen: <{text}>",
                        f"dcat:{name} given as a literal, made the IRI <{text}>",
                    ),
                )
            )
        else:
            done.append(
                Repair(
                    quad.subject,
                    (
                        f"nicht repariert: dcat:{name} {_text(quad.object)} ist keine URL",
                        f"not repaired: dcat:{name} {_text(quad.object)} is no URL",
                    ),
                )
            )
    return done


# --- identifiers ---------------------------------------------------------------------------


def _identifiers(store: Store) -> list[Repair]:
    """``dct:identifier`` given as an IRI (Brandenburg's ``rdf:resource=".../detail.php/13976"``,
    62 of 112 datasets): DCAT-AP gives it the range rdfs:Literal and the IRI's text is the
    identifier, so the literal of that text is the same statement. (An agent given as a
    literal, ``dct:publisher "t173381"``, names no agent: that is held back, not repaired.)"""
    done = []
    iris = f"SELECT ?s ?o WHERE {{ ?s <{DCT}identifier> ?o FILTER(isIRI(?o)) }}"
    for row in _found(store, iris):
        quad = Quad(row["s"], NamedNode(DCT + "identifier"), row["o"], _GRAPH)
        _replace(store, quad, Literal(row["o"].value))
        done.append(
            Repair(
                row["s"],
                (
                    f"dct:identifier als IRI <{row['o'].value}> angegeben, als Literal übernommen",
                    f"dct:identifier given as the IRI <{row['o'].value}>, made a literal",
                ),
            )
        )
    return done


# --- e-mail addresses and telephone numbers -----------------------------------------------


def _contacts(bases: list[str]) -> Callable[[Store], list[Repair]]:
    def rule(store: Store) -> list[Repair]:
        done = []
        for predicate, scheme, pattern in (
            (VCARD + "hasEmail", "mailto:", _EMAIL),
            (VCARD + "hasTelephone", "tel:", _PHONE),
        ):
            for quad in list(store.quads_for_pattern(None, NamedNode(predicate), None, _GRAPH)):
                written = _as_written(quad.object, bases, scheme, pattern)
                if written is None:
                    continue
                iri = scheme + (written if scheme == "mailto:" else _tel(written))
                _replace(store, quad, NamedNode(iri))
                done.append(
                    Repair(
                        quad.subject,
                        (
                            f"{_text(quad.object)} als <{iri}> übernommen, wie angegeben "
                            "(nicht gegen die Adresse des Dokuments aufgelöst)",
                            f"{_text(quad.object)} kept as <{iri}>, as written "
                            "(not resolved against the document's URL)",
                        ),
                    )
                )
        return done

    return rule


def _as_written(term, bases: list[str], scheme: str, pattern: re.Pattern) -> str | None:
    """The address as the source wrote it, when ``term`` is one resolved against a base (or
    given as a literal); None when it is fine or not an address."""
    if isinstance(term, Literal):
        text = term.value.strip().removeprefix(scheme)
        return text if pattern.fullmatch(text) else None
    if not isinstance(term, NamedNode) or term.value.startswith(scheme):
        return None
    segment = term.value.rsplit("/", 1)[-1]
    written = unquote(segment)
    if not pattern.fullmatch(written):
        return None
    if any(urljoin(base, segment) == term.value for base in bases):
        return written
    return None


def _tel(number: str) -> str:
    """RFC 3966: visual separators are "-", ".", "(" and ")"; a space is none."""
    return re.sub(r"\s+", "-", number.strip())


# --- codes of the code lists ----------------------------------------------------------------

# property -> the list its values come from (DCAT-AP.de 3.0 controlled vocabularies)
CODED = {
    DCT + "format": EU_AUTHORITY + "file-type",
    DCT + "language": EU_AUTHORITY + "language",
    DCT + "accrualPeriodicity": EU_AUTHORITY + "frequency",
    DCT + "accessRights": EU_AUTHORITY + "access-right",
    DCATAP + "availability": EU_AUTHORITY + "planned-availability",
    ADMS + "status": EU_AUTHORITY + "distribution-status",
    DCAT + "theme": EU_AUTHORITY + "data-theme",
    DCT + "license": DCATDE_LICENCES.rstrip("/"),
    DCATDE + "contributorID": DCATDE_LICENCES.replace("licenses/", "contributors"),
    DCATDE + "politicalGeocodingLevelURI": DCATDE_GEOCODING + "Level",
}
_MEDIA_TYPE = re.compile(r"(application|audio|font|image|model|multipart|text|video)/[\w.+-]+")
# other IRIs for language codes, and the code they carry
_LANGUAGE_ALIASES = (LOC_ISO639_1, LOC_ISO639_2)


def _literal_codes(lists: codelists.CodeLists) -> Callable[[Store], list[Repair]]:
    def rule(store: Store) -> list[Repair]:
        done = []
        properties = _values("p", [*CODED, DCAT + "mediaType"])
        literals = f"SELECT ?s ?p ?o WHERE {{ {properties} ?s ?p ?o FILTER(isLiteral(?o)) }}"
        for row in _found(store, literals):
            quad = Quad(row["s"], row["p"], row["o"], _GRAPH)
            predicate = quad.predicate.value
            iri = _coded_iri(lists, predicate, quad.object.value.strip())
            name = predicate.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            if iri is None:
                done.append(Repair(quad.subject, _unrepaired_literal(name, quad.object)))
                continue
            _replace(store, quad, NamedNode(iri))
            done.append(
                Repair(
                    quad.subject,
                    (
                        f"{name} als Literal {_text(quad.object)} angegeben, als <{iri}> "
                        "übernommen",
                        f"{name} given as the literal {_text(quad.object)}, made <{iri}>",
                    ),
                )
            )
        return done

    return rule


def _coded_iri(lists: codelists.CodeLists, predicate: str, text: str) -> str | None:
    """The IRI a literal of a coded property names, or None."""
    if predicate == DCAT + "mediaType":
        return IANA_MEDIA_TYPES + text.lower() if _MEDIA_TYPE.fullmatch(text.lower()) else None
    if lists.scheme_of(text):
        return text if lists.is_member(text) else lists.mapped(text)
    return lists.codes.get((CODED[predicate], text.lower()))


def _unrepaired_literal(name: str, literal: Literal) -> tuple[str, str]:
    return (
        f"nicht repariert: {name} {_text(literal)} ist ein Literal und nennt keinen Code",
        f"not repaired: {name} {_text(literal)} is a literal that names no code",
    )


def _codes(lists: codelists.CodeLists) -> Callable[[Store], list[Repair]]:
    def rule(store: Store) -> list[Repair]:
        done = []
        wrong = {}
        for row in store.query(_CODED % _values("p", [*CODED, DCT + "type"])):
            iri = row["o"].value
            if lists.scheme_of(iri) and not lists.is_member(iri):
                wrong[iri] = lists.mapped(iri)
            elif iri.startswith(_LANGUAGE_ALIASES):
                code = iri.rsplit("/", 1)[-1].lower()
                wrong[iri] = lists.codes.get((CODED[DCT + "language"], code))
        for iri, mapped in wrong.items():
            for quad in list(store.quads_for_pattern(None, None, NamedNode(iri), _GRAPH)):
                if mapped:
                    _replace(store, quad, NamedNode(mapped))
                done.append(Repair(quad.subject, _code_text(lists, iri, mapped)))
        return done + _foreign(store, lists)

    return rule


def _foreign(store: Store, lists: codelists.CodeLists) -> list[Repair]:
    """IRIs of a coded property outside its list's namespace (``dct:language <TODO:>``): no
    list can map them, so they are named and left to validation."""
    done = []
    pairs = " ".join(f"(<{p}> {json.dumps(scheme + '/')})" for p, scheme in CODED.items())
    outside = (
        f"SELECT ?s ?p ?o WHERE {{ VALUES (?p ?namespace) {{ {pairs} }} ?s ?p ?o "
        "FILTER(isIRI(?o) && !(STRSTARTS(STR(?o), ?namespace) "
        "&& STRLEN(STR(?o)) > STRLEN(?namespace))) }"
    )
    for row in _found(store, outside):
        predicate, iri = row["p"].value, row["o"]
        scheme = CODED[predicate]
        if lists.scheme_of(iri.value) != scheme:
            name, listed = predicate.rsplit("/", 1)[-1], scheme.rsplit("/", 1)[-1]
            done.append(
                Repair(
                    row["s"],
                    (
                        f"nicht repariert: {name} <{iri.value}> ist kein Code der Liste {listed}",
                        f"not repaired: {name} <{iri.value}> is no code of the {listed} list",
                    ),
                )
            )
    return done


def _code_text(lists: codelists.CodeLists, iri: str, mapped: str | None) -> tuple[str, str]:
    scheme = lists.scheme_of(iri)
    if scheme is None:  # a Library of Congress ISO 639 IRI, which the EU language table maps
        scheme, code = CODED[DCT + "language"], "/".join(iri.rsplit("/", 2)[-2:])
    else:
        code = iri[len(scheme) + 1 :]
    name = scheme.rsplit("/", 1)[-1]
    version = lists.versions.get(scheme, "")
    if mapped:
        new = mapped.rsplit("/", 1)[-1]
        return (
            f"Code {name}/{code} durch {new} ersetzt (veröffentlichte Zuordnung der Liste "
            f"{name}, Version {version})",
            f"code {name}/{code} replaced by {new} (published mapping of the {name} list, "
            f"version {version})",
        )
    return (
        f"nicht repariert: {name}/{code} steht nicht in der Liste {name} (Version {version}) "
        "und hat keine veröffentlichte Zuordnung",
        f"not repaired: {name}/{code} is not in the {name} list (version {version}) and has "
        "no published mapping",
    )


# --- deprecated properties with a published replacement ------------------------------------


def _properties(store: Store) -> list[Repair]:
    done = []
    for cls, old, new in PUBLISHED_RENAMES:
        # the class's nodes only where the old property is used at all (50,000 datasets)
        for quad in list(store.quads_for_pattern(None, NamedNode(old), None, _GRAPH)):
            if Quad(quad.subject, _TYPE, NamedNode(cls), _GRAPH) not in store:
                continue
            _replace(store, quad, predicate=NamedNode(new))
            done.append(
                Repair(
                    quad.subject,
                    (
                        f"veraltete Eigenschaft <{old}> durch <{new}> ersetzt (DCAT-AP 3.0.1)",
                        f"deprecated property <{old}> replaced by <{new}> (DCAT-AP 3.0.1)",
                    ),
                )
            )
    return done


# --- old DCAT-AP.de namespaces and licence names -------------------------------------------


def _licences(store: Store) -> list[Repair]:
    """Licence IRIs of the old dcat-ap.de list, looked up one by one (not by a full read)."""
    done = []
    for old, new in _licence_renames().items():
        for quad in list(store.quads_for_pattern(None, None, NamedNode(old), _GRAPH)):
            _replace(store, quad, NamedNode(new))
            done.append(Repair(quad.subject, _outdated(old, new)))
    return done


def _outdated(before: str, after: str) -> tuple[str, str]:
    return (
        f"veraltetes DCAT-AP.de-IRI <{before}> durch <{after}> ersetzt",
        f"outdated DCAT-AP.de IRI <{before}> replaced by <{after}>",
    )


def _namespaces(store: Store) -> list[Repair]:
    done = []
    for quad in list(store.quads_for_pattern(None, None, None, _GRAPH)):
        predicate, obj = quad.predicate.value, quad.object
        new_predicate = _current(predicate)
        new_object = obj
        if isinstance(obj, NamedNode):
            new_object = NamedNode(_current(obj.value) or obj.value)
        if new_predicate is None and new_object == obj:
            continue
        _replace(store, quad, new_object, NamedNode(new_predicate) if new_predicate else None)
        before = predicate if new_predicate else obj.value
        after = new_predicate or new_object.value
        done.append(Repair(quad.subject, _outdated(before, after)))
    return done


def _current(iri: str) -> str | None:
    """The current IRI of a term in an old namespace. The old namespace itself stays: it
    names the version a description conforms to (``dct:conformsTo``), which is still true."""
    match = _OLD_DCATDE.match(iri)
    if not match or match.end() == len(iri):
        return None
    return DCATDE + iri[match.end() :]


def _licence_renames() -> dict[str, str]:
    body = text("normalise-dcatde.ru")
    table = body[body.index("VALUES (?old ?new)") :]
    return dict(_LICENCE_ROWS.findall(table))
