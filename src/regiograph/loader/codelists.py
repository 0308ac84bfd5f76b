"""The controlled vocabularies DCAT-AP.de names, as data the platform ships (``codelists/``).

The EU authority tables (language, frequency, access right, planned availability, dataset
type, distribution status, file type, data theme) and the dcat-ap.de lists (licences,
contributors, political geocoding levels), each one Turtle file derived from the published
table by ``scripts/derive_codelists.py``, with its version and origin on the scheme.

What the rest of the platform asks: is an IRI a member of its list (not merely in the list's
namespace), which list a namespace belongs to, a concept's labels and whether it is
deprecated, which member a wrong code maps to by a *published* mapping (``skos:hiddenLabel``,
or the case of an authority code), and the membership triples (``a skos:Concept ;
skos:inScheme``) for the values of a graph, which the DCAT-AP.de shapes read from the data.

Every list must be there and parse: :func:`load` raises :class:`CodeListError` naming the
file otherwise, and the web app and the loader call it when they start.

May not: touch the store or the network (the lists are files beside the code).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from regiograph import bundled
from regiograph.namespaces import DCATDE_GEOCODING, DCT, EU_AUTHORITY, OWL, RDF_TYPE, SKOS

DCATDE_DEF = DCATDE_GEOCODING.removesuffix("politicalGeocoding/")
# scheme IRI -> its file in codelists/; every one is required
FILES = {
    EU_AUTHORITY + "language": "eu-language.ttl",
    EU_AUTHORITY + "frequency": "eu-frequency.ttl",
    EU_AUTHORITY + "access-right": "eu-access-right.ttl",
    EU_AUTHORITY + "planned-availability": "eu-planned-availability.ttl",
    EU_AUTHORITY + "dataset-type": "eu-dataset-type.ttl",
    EU_AUTHORITY + "distribution-status": "eu-distribution-status.ttl",
    EU_AUTHORITY + "file-type": "eu-file-type.ttl",
    EU_AUTHORITY + "data-theme": "eu-data-theme.ttl",
    DCATDE_DEF + "licenses": "dcatde-licenses.ttl",
    DCATDE_DEF + "contributors": "dcatde-contributors.ttl",
    DCATDE_GEOCODING + "Level": "dcatde-geocoding-level.ttl",
}
# scheme IRI -> an authored file of English names for a list published in German only (the
# pages name things in the reader's language, the other only as fallback); also required
NAMES = {DCATDE_DEF + "licenses": "dcatde-licenses.en.ttl"}
_SKOS_CONCEPT = SKOS + "Concept"
_IN_SCHEME = SKOS + "inScheme"


class CodeListError(RuntimeError):
    """A code list file is missing, does not parse or lists nothing."""


@dataclass
class CodeLists:
    members: dict[str, str] = field(default_factory=dict)  # concept IRI -> scheme IRI
    versions: dict[str, str] = field(default_factory=dict)  # scheme IRI -> owl:versionInfo
    labels: dict[tuple[str, str], str] = field(default_factory=dict)  # (concept, lang) -> label
    deprecated: set[str] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)  # licence -> dct:type (free use or not)
    # (scheme, lower-case code) -> concept: published codes (hiddenLabel), authority codes
    codes: dict[tuple[str, str], str] = field(default_factory=dict)

    def scheme_of(self, iri: str) -> str | None:
        """The list whose namespace holds ``iri`` (member or not), else None."""
        for scheme in FILES:
            if iri.startswith(scheme + "/") and len(iri) > len(scheme) + 1:
                return scheme
        return None

    def is_member(self, iri: str) -> bool:
        return iri in self.members

    def mapped(self, iri: str) -> str | None:
        """The member a non-member IRI of a list's namespace stands for, by a published
        mapping or by the case of an authority code (``language/GER`` → ``DEU``,
        ``frequency/IRREGULAR`` → ``IRREG``, ``file-type/xml`` → ``XML``); None when the
        table says nothing (no guessing)."""
        scheme = self.scheme_of(iri)
        if scheme is None or iri in self.members:
            return None
        code = iri[len(scheme) + 1 :].lower()
        return self.codes.get((scheme, code))

    def label(self, iri: str, lang: str) -> str | None:
        return self.labels.get((iri, lang)) or self.labels.get((iri, "en"))

    def facts(self, iris: Iterable[str]) -> list[Triple]:
        """``a skos:Concept ; skos:inScheme <list>`` for the members among ``iris``: what the
        DCAT-AP.de shapes look for in the data graph."""
        out = []
        for iri in dict.fromkeys(iris):
            scheme = self.members.get(iri)
            if scheme is not None:
                node = NamedNode(iri)
                out.append(Triple(node, NamedNode(RDF_TYPE), NamedNode(_SKOS_CONCEPT)))
                out.append(Triple(node, NamedNode(_IN_SCHEME), NamedNode(scheme)))
        return out


@cache
def load(folder: Path | None = None) -> CodeLists:
    """Every list, from ``folder`` (default: the bundled ``codelists/``)."""
    folder = folder or _bundled()
    lists = CodeLists()
    for scheme, name in FILES.items():
        _read(folder / name, scheme, lists)
    for scheme, name in NAMES.items():
        _read_names(folder / name, scheme, lists)
    return lists


def _bundled() -> Path:
    try:
        return bundled.data_dir("codelists")
    except FileNotFoundError as exc:
        raise CodeListError(f"the code lists are missing: {exc}") from None


def _triples(path: Path) -> list:
    """The triples of the code list file ``path``; a missing or broken file named clearly."""
    try:
        return [q.triple for q in parse(path=path, format=RdfFormat.TURTLE)]
    except FileNotFoundError:
        raise CodeListError(f"code list {path.name} is missing (expected at {path})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise CodeListError(f"code list {path.name} is corrupt: {exc}") from None


def _read(path: Path, scheme: str, lists: CodeLists) -> None:
    triples = _triples(path)
    hidden: dict[tuple[str, str], str] = {}
    members = sum(_take(t, scheme, lists, hidden) for t in triples)
    if not members:
        raise CodeListError(f"code list {path.name} is corrupt: no concept of <{scheme}>")
    for key, concept in hidden.items():  # an authority code is never re-mapped
        lists.codes.setdefault(key, concept)


def _read_names(path: Path, scheme: str, lists: CodeLists) -> None:
    """The labels of ``path`` for members of ``scheme``; the published list's own win."""
    for t in _triples(path):
        label = t.object
        if (
            t.predicate.value == SKOS + "prefLabel"
            and isinstance(label, Literal)
            and label.language
            and lists.members.get(t.subject.value) == scheme
        ):
            lists.labels.setdefault((t.subject.value, label.language), label.value)


def _take(t: Triple, scheme: str, lists: CodeLists, hidden: dict) -> bool:
    """Record one triple of a list file; True when it makes a member."""
    subject, predicate, obj = t.subject.value, t.predicate.value, t.object
    if predicate == _IN_SCHEME and obj.value == scheme:
        lists.members[subject] = scheme
        lists.codes[(scheme, subject[len(scheme) + 1 :].lower())] = subject
        return True
    if predicate == OWL + "versionInfo" and subject == scheme:
        lists.versions[scheme] = obj.value
    elif predicate == SKOS + "prefLabel" and isinstance(obj, Literal) and obj.language:
        lists.labels[(subject, obj.language)] = obj.value
    elif predicate == OWL + "deprecated" and obj.value == "true":
        lists.deprecated.add(subject)
    elif predicate == SKOS + "hiddenLabel":
        hidden[(scheme, obj.value.lower())] = subject
    elif predicate == DCT + "type":
        lists.kinds[subject] = obj.value
    return False
