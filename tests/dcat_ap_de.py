"""The official German check: DCAT-AP 3.0.0 shapes + the DCAT-AP.de 3.0 profile, with pyshacl.

Which files form the check is written down in ``../shared/data/SOURCES.md``: the SEMIC
DCAT-AP 3.0.0 shapes (the base the German profile overrides; it deactivates some of them) and
the four files of GovData's ``v3.0/shapes`` folder. ``dcat-ap-de-imports.ttl`` names the
vocabularies the profile needs; the FOAF/vCard/ORG mirrors are loaded whole (their class
hierarchy decides ``sh:class``), and the code lists are the *published* tables as copied to
``../shared/data`` — not the platform's derived ``codelists/``, so that this check stays
independent of what it checks: the EU language, frequency, access-right,
planned-availability, dataset-type, distribution-status, file-type and data-theme tables and
the dcat-ap.de licence and contributor lists. Membership is checked for real: a value is a
member only when its table says ``skos:inScheme``.

One stand-in is left, said in every report: no SKOS copy of the dcat-ap.de geocoding-level
list exists offline; its six IRIs are taken from the DCAT-AP.de 1.0.2 list
(``dcat-ap-de-lists.ttl``), which names exactly these.

For speed only the code-list triples about values the data uses join the data graph (a
membership check reads the value node's own ``rdf:type`` and ``skos:inScheme``), not the
8,000 languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pyoxigraph import NamedNode as OxNamedNode
from pyoxigraph import parse as ox_parse
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

SH = Namespace("http://www.w3.org/ns/shacl#")
DE_SHAPES = "dcat-ap-de-shacl/validator/resources/v3.0/shapes"
DASHBOARD = "dcat-ap-de-shacl/validator/resources/dashboard-live/shapes"
MIRROR = "dcat-ap-de-shacl/validator/resources/mirror"
SHAPE_FILES = (
    "dcat-ap-3/3.0.0/shacl/dcat-ap-SHACL.ttl",
    f"{DE_SHAPES}/dcat-ap-SHACL-DE.ttl",
    f"{DE_SHAPES}/dcat-ap-spec-german-additions.ttl",
    f"{DE_SHAPES}/dcat-ap-de-controlledvocabularies.ttl",
    f"{DE_SHAPES}/dcat-ap-de-deprecated.ttl",
)
ONTOLOGY_FILES = (f"{MIRROR}/foaf_0_1.rdf", f"{MIRROR}/vcard.ttl", f"{MIRROR}/org.ttl")
CODE_LIST_FILES = (
    "eu-nal/languages.ttl",
    "eu-nal/frequencies.rdf",
    "eu-nal/access-right.rdf",
    "eu-nal/planned-availability.rdf",
    "eu-nal/dataset-types.rdf",
    "eu-nal/distribution-status.rdf",
    "vocabularies/eu-mdr-piveau-2019/filetypes-skos.rdf",
    "vocabularies/eu-mdr/data-theme-skos-ap-act.ttl",
    "eu-nal/20210721.rdf",
    f"{DASHBOARD}/dcat-ap-de-contributors.rdf",
)
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocoding/Level"
GEOCODING_LEVELS = "dcat-ap-de-shacl/validator/resources/v1.0.2/shapes/dcat-ap-de-lists.ttl"
_TYPE, _IN_SCHEME = str(RDF.type), str(SKOS.inScheme)


@dataclass
class Report:
    conforms: bool
    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"DCAT-AP.de 3.0: {len(self.violations)} violations, "
            f"{len(self.warnings)} warnings, {len(self.infos)} infos (full code lists; "
            "geocoding levels from the DCAT-AP.de 1.0.2 list)"
        ]
        lines += [f"  VIOLATION {m}" for m in self.violations]
        lines += [f"  warning   {m}" for m in sorted(set(self.warnings))]
        return "\n".join(lines)


def load_shapes(shared_data: Path) -> tuple[Graph, CodeLists]:
    """(shapes graph, vocabularies) from the files named in SOURCES.md."""
    shapes = Graph()
    for name in SHAPE_FILES:
        shapes.parse(shared_data / name)
    return shapes, code_lists(shared_data)


@dataclass
class CodeLists:
    ontologies: Graph  # loaded whole
    facts: dict[str, list[tuple[str, str]]]  # code -> (predicate, object IRI): type, scheme

    def about(self, data: Graph) -> Graph:
        """The ontologies plus the code-list facts about the IRIs ``data`` mentions."""
        out = Graph()
        for triple in self.ontologies:
            out.add(triple)
        for node in set(data.objects()) | set(data.subjects()):
            for predicate, obj in self.facts.get(str(node), ()):
                out.add((node, URIRef(predicate), URIRef(obj)))
        return out


@cache
def code_lists(shared_data: Path) -> CodeLists:
    ontologies = Graph()
    for name in ONTOLOGY_FILES:
        ontologies.parse(shared_data / name)
    facts: dict[str, list[tuple[str, str]]] = {}
    for name in CODE_LIST_FILES:
        for quad in ox_parse(path=shared_data / name):
            if quad.predicate.value in (_TYPE, _IN_SCHEME) and isinstance(quad.object, OxNamedNode):
                facts.setdefault(quad.subject.value, []).append(
                    (quad.predicate.value, quad.object.value)
                )
    listed = Graph().parse(shared_data / GEOCODING_LEVELS)
    for level in {o for o in listed.objects() if str(o).startswith(GEOCODING_LEVEL + "/")}:
        facts[str(level)] = [(_TYPE, str(SKOS.Concept)), (_IN_SCHEME, GEOCODING_LEVEL)]
    return CodeLists(ontologies, facts)


def validate(data: Graph, shapes: Graph, vocabularies: CodeLists) -> Report:
    from pyshacl import validate as shacl_validate

    # The vocabularies join the data graph, as the ITB validator loads the profile's imports;
    # pyshacl's ont_graph would copy only class and property axioms, not code-list members.
    combined = Graph()
    for graph in (data, vocabularies.about(data)):
        for triple in graph:
            combined.add(triple)
    conforms, results, _ = shacl_validate(
        combined,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        advanced=True,
    )
    ours = set(data.subjects()) | set(data.objects())
    report = Report(conforms=bool(conforms))
    buckets = {SH.Violation: report.violations, SH.Warning: report.warnings, SH.Info: report.infos}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        focus = results.value(result, SH.focusNode)
        if focus not in ours:
            continue  # a result about the vocabularies themselves, not about the data
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        shown = f" [{value}]" if value is not None else ""
        buckets.get(severity, report.infos).append(f"{focus} {path}{shown}: {message}")
    return report
