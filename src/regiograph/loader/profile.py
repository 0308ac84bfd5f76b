"""Which shapes a source is checked against, and what joins its data for the check.

``dcat`` and ``ckan`` sources are checked against the bundled DCAT-AP 3.0.0 + DCAT-AP.de 3.0
profile (``shapes/dcat-ap-de``, derived by ``scripts/derive_dcat_ap_de.py``) unless they name
``shapes`` of their own; ``policy = { validate = false }`` turns validation off, and that is
said wherever the run is shown. The name ``dcat-ap-de`` in a source's ``shapes`` stands for the
profile, so that a source can add shapes to it.

The profile's vocabularies (the class hierarchy of FOAF/vCard/ORG, RDF files in
``shapes/dcat-ap-de/vocabularies``) and the bundled code lists (:mod:`regiograph.loader.codelists`)
are read once per process. A candidate gets, as reference data, only what it needs of them:
the class hierarchy, and for every IRI its data names the vocabularies' triples about it and,
when it is a member of a code list (a language, a licence, a file type), its ``a skos:Concept
; skos:inScheme`` — so a code outside its list (``language/XYZ``) is a violation.
Handing pyshacl the whole language table instead (122,000 triples) made Bremen's check 31 s
instead of 5 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store, serialize

from regiograph import bundled
from regiograph.loader import codelists
from regiograph.loader.errors import ValidationFailed
from regiograph.namespaces import RDFS
from regiograph.store.rdffiles import RdfFileError, read_graphs

NAME = "dcat-ap-de"
TITLE = "DCAT-AP 3.0.0 + DCAT-AP.de 3.0"
BY_DEFAULT = ("dcat", "ckan")  # kinds checked against the profile when they name no shapes
_RDF_SUFFIXES = (".ttl", ".rdf", ".owl", ".nt", ".jsonld", ".xml")


@dataclass(frozen=True)
class Checks:
    """What a run validates with: shapes files, and whether the profile's vocabularies join."""

    files: tuple[Path, ...]
    profile: bool
    label: str  # for the report and /harvests: "DCAT-AP 3.0.0 + DCAT-AP.de 3.0", file names


def folder() -> Path:
    return bundled.data_dir("shapes") / NAME


def shape_files() -> list[Path]:
    """The profile's shapes files (its vocabularies are not shapes)."""
    return sorted(p for p in folder().glob("*.ttl") if p.is_file())


def checks(source, own_files: list[Path]) -> Checks | None:
    """The checks for ``source``: None when it is not validated (no shapes, or the policy turns
    validation off). ``own_files`` are its ``shapes`` other than the profile's name."""
    if not source.policy.validate:
        return None
    named = NAME in source.shapes
    profile = named or (not source.shapes and source.kind in BY_DEFAULT)
    files = [*(shape_files() if profile else []), *own_files]
    if not files:
        return None
    labels = [TITLE] if profile else []
    labels += [p.name for p in own_files]
    return Checks(tuple(files), profile, " + ".join(labels))


def described(source, lang: str = "en") -> str:
    """How a source is validated, in words, for /harvests, the CLI and the run's record."""
    de = lang == "de"
    if not source.policy.validate:
        return "aus (Regel validate = false)" if de else "off (policy validate = false)"
    if NAME in source.shapes or (not source.shapes and source.kind in BY_DEFAULT):
        extra = [s for s in source.shapes if s != NAME]
        return " + ".join([TITLE, *extra])
    if source.shapes:
        return " + ".join(source.shapes)
    return "keine (keine Shapes)" if de else "none (no shapes)"


@cache
def vocabularies() -> Store:
    """The profile's vocabularies in one store; ValidationFailed names a file that is
    missing or does not parse."""
    where = folder() / "vocabularies"
    paths = sorted(p for p in where.rglob("*") if p.suffix in _RDF_SUFFIXES and p.is_file())
    if not paths:
        raise ValidationFailed(f"{where}: the profile's vocabularies are missing")
    try:
        graphs = read_graphs(paths, "urn:x-regiograph:vocabularies")
    except RdfFileError as exc:
        raise ValidationFailed(f"vocabulary of the {NAME} profile: {exc}") from None
    store = Store()
    for data in graphs.values():
        store.load(data, RdfFormat.N_TRIPLES)
    return store


def reference_for(candidate: Store) -> bytes:
    """N-Triples: the vocabularies' triples about IRIs the candidate names, every
    ``rdfs:subClassOf`` (``sh:class`` follows the hierarchy), and the code-list membership
    (``a skos:Concept ; skos:inScheme``) of the named IRIs that are codes of a bundled list,
    which the profile's vocabulary shapes read from the data."""
    vocabulary = vocabularies()
    named = {
        row["o"]
        for row in candidate.query("SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o)) }")
    }
    triples = [
        q.triple for q in vocabulary.quads_for_pattern(None, NamedNode(RDFS + "subClassOf"), None)
    ]
    for iri in named:
        triples += [q.triple for q in vocabulary.quads_for_pattern(iri, None, None)]
    triples += codelists.load().facts(iri.value for iri in named)
    return serialize(triples, format=RdfFormat.N_TRIPLES)
