"""The official German check: DCAT-AP 3.0.0 shapes + the DCAT-AP.de 3.0 profile, with pyshacl.

Which files form the check is written down in ``../shared/data/SOURCES.md``: the SEMIC
DCAT-AP 3.0.0 shapes (the base the German profile overrides; it deactivates some of them) and
the four files of GovData's ``v3.0/shapes`` folder. ``dcat-ap-de-imports.ttl`` names the
vocabularies the profile needs; the ones we hold offline are loaded as the ontology graph:
the FOAF/vCard/ORG mirrors, the EU data themes and file types, the dcat-ap.de licence and
contributor lists.

Stand-ins (say so in every report): the EU language, frequency, access-right,
planned-availability, dataset-type and distribution-status tables and the dcat-ap.de
geocoding-level list are *not* in ../shared/data. For those schemes an IRI counts as a
member of the scheme when it lies in the scheme's namespace, i.e. the check degrades from
"is in the list" to "is in the namespace". Everything else is checked against the real lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
VOCABULARY_FILES = (
    f"{MIRROR}/foaf_0_1.rdf",
    f"{MIRROR}/vcard.ttl",
    f"{MIRROR}/org.ttl",
    "vocabularies/eu-mdr/data-theme-skos-ap-act.ttl",
    "vocabularies/eu-mdr/filetypes-skos-ap-act.ttl",
    f"{DASHBOARD}/dcat-ap-de-licenses-open.rdf",
    f"{DASHBOARD}/dcat-ap-de-contributors.rdf",
)
_EU = "http://publications.europa.eu/resource/authority/"
# scheme IRI -> namespace of its members, for the tables not available offline
STAND_IN_SCHEMES = {
    _EU + name: _EU + name + "/"
    for name in (
        "language",
        "frequency",
        "access-right",
        "planned-availability",
        "dataset-type",
        "distribution-status",
    )
} | {
    "http://dcat-ap.de/def/politicalGeocoding/Level": "http://dcat-ap.de/def/politicalGeocoding/Level/"
}


@dataclass
class Report:
    conforms: bool
    violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    stand_ins: int = 0

    def summary(self) -> str:
        lines = [
            f"DCAT-AP.de 3.0: {len(self.violations)} violations, "
            f"{len(self.warnings)} warnings, {len(self.infos)} infos "
            f"({self.stand_ins} IRIs accepted by namespace stand-in)"
        ]
        lines += [f"  VIOLATION {m}" for m in self.violations]
        lines += [f"  warning   {m}" for m in sorted(set(self.warnings))]
        return "\n".join(lines)


def load_shapes(shared_data: Path) -> tuple[Graph, Graph]:
    """(shapes graph, vocabulary graph) from the files named in SOURCES.md."""
    shapes = Graph()
    for name in SHAPE_FILES:
        shapes.parse(shared_data / name)
    vocabularies = Graph()
    for name in VOCABULARY_FILES:
        vocabularies.parse(shared_data / name)
    return shapes, vocabularies


def stand_in_memberships(data: Graph) -> Graph:
    """skos:inScheme for IRIs in the namespaces of the tables we do not hold offline."""
    extra = Graph()
    for node in set(data.objects()):
        if not isinstance(node, URIRef):
            continue
        for scheme, namespace in STAND_IN_SCHEMES.items():
            if str(node).startswith(namespace):
                extra.add((node, SKOS.inScheme, URIRef(scheme)))
                extra.add((node, RDF.type, SKOS.Concept))
    return extra


def validate(data: Graph, shapes: Graph, vocabularies: Graph) -> Report:
    from pyshacl import validate as shacl_validate

    extra = stand_in_memberships(data)
    # The vocabularies join the data graph, as the ITB validator loads the profile's imports;
    # pyshacl's ont_graph would copy only class and property axioms, not code-list members.
    combined = Graph()
    for graph in (data, vocabularies, extra):
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
    report = Report(conforms=bool(conforms), stand_ins=len(extra) // 2)
    buckets = {SH.Violation: report.violations, SH.Warning: report.warnings, SH.Info: report.infos}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        focus = results.value(result, SH.focusNode)
        if focus not in ours:
            continue  # a result about the vocabularies themselves, not about the data
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        buckets.get(severity, report.infos).append(f"{focus} {path}: {message}")
    return report
