"""Derive the bundled code lists (``codelists/*.ttl``) from the published tables.

The DCAT-AP.de 3.0 profile checks coded values by ``skos:inScheme`` against the EU authority
tables (language, frequency, access right, planned availability, dataset type, distribution
status, file type, data theme) and the dcat-ap.de lists (licences, contributors, political
geocoding levels). This script keeps of each table only what the platform uses:

- every concept with ``a skos:Concept ; skos:inScheme <scheme>`` (membership, for validation
  and for what the catalogue re-publishes),
- its German and English ``skos:prefLabel`` (pages, reports),
- ``owl:deprecated true`` where the table marks it deprecated (``at:deprecated "true"``),
- ``skos:hiddenLabel`` for each *published* mapping a repair may follow: the ISO 639-1,
  639-2/B, 639-2/T and 639-3 codes of a language (``at:op-mapped-code``; ``ger`` is DEU's
  ISO 639-2/B code) when they name one concept only, the local name of a frequency's
  ``skos:exactMatch`` in the Dublin Core frequency vocabulary (``irregular`` for IRREG), and
  the media types and English names the file-type table records (``text/csv``, ``WFS``),
- the licence list's ``dct:type`` (free or restricted use), which the quality score reads,
- and on the scheme: title, ``owl:versionInfo``, where it came from and under which terms.

Usage: ``python scripts/derive_codelists.py [SHARED_DATA] [OUT]`` (defaults ``../shared/data``
beside the checkout and ``codelists/``). Run it again with newer tables in place of the ones
named in ``TABLES`` to update the lists (``codelists/README.md``).
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, SKOS

ROOT = Path(__file__).resolve().parents[1]
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
AT = Namespace("http://publications.europa.eu/ontology/authority/")
DC = Namespace("http://purl.org/dc/elements/1.1/")
DCT = Namespace("http://purl.org/dc/terms/")
EU = "http://publications.europa.eu/resource/authority/"
CLD_FREQ = "http://purl.org/cld/freq/"
ISO_639 = ("iso-639-1", "iso-639-2b", "iso-639-2t", "iso-639-3")
EU_TERMS = (
    "© European Union. EU Vocabularies (Publications Office), reuse authorised under "
    "Commission Decision 2011/833/EU (op.europa.eu legal notice)"
)
GOVDATA_TERMS = "dcat-ap.de vocabulary published by GovData (files marked CC0 GovData)"
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocoding/Level"
SHAPES = "dcat-ap-de-shacl/validator/resources"


@dataclass(frozen=True)
class Table:
    out: str  # file name under codelists/
    scheme: str
    title: str
    path: str  # under ../shared/data
    origin: str  # where that file was copied from (SOURCES.md)
    terms: str


TABLES = (
    Table(
        "eu-language.ttl",
        EU + "language",
        "EU Language authority table",
        "eu-nal/languages.ttl",
        "ioggstream/dati-eu-authority-tables assets/vocabularies/languages/20220928-0 "
        "(OP's languages-skos.rdf as Turtle)",
        EU_TERMS,
    ),
    Table(
        "eu-frequency.ttl",
        EU + "frequency",
        "EU Frequency authority table",
        "eu-nal/frequencies.rdf",
        "ioggstream/dati-eu-authority-tables assets/vocabularies/frequencies/20220615-0",
        EU_TERMS,
    ),
    Table(
        "eu-access-right.ttl",
        EU + "access-right",
        "EU Access right authority table",
        "eu-nal/access-right.rdf",
        "ioggstream/dati-eu-authority-tables assets/vocabularies/access-right/20220316-0",
        EU_TERMS,
    ),
    Table(
        "eu-planned-availability.ttl",
        EU + "planned-availability",
        "EU Planned availability authority table",
        "eu-nal/planned-availability.rdf",
        "ioggstream/dati-eu-authority-tables assets/vocabularies/planned-availability/20211208-0",
        EU_TERMS,
    ),
    Table(
        "eu-dataset-type.ttl",
        EU + "dataset-type",
        "EU Dataset type authority table",
        "eu-nal/dataset-types.rdf",
        "ioggstream/dati-eu-authority-tables assets/vocabularies/dataset-types/20220316-0",
        EU_TERMS,
    ),
    Table(
        "eu-distribution-status.ttl",
        EU + "distribution-status",
        "EU Distribution status authority table",
        "eu-nal/distribution-status.rdf",
        "ioggstream/dati-eu-authority-tables assets/vocabularies/distribution-status/20220615-0",
        EU_TERMS,
    ),
    Table(
        "eu-file-type.ttl",
        EU + "file-type",
        "EU File type authority table",
        "vocabularies/eu-mdr-piveau-2019/filetypes-skos.rdf",
        "piveau-data/piveau-vocabularies src/main/resources (OP's filetypes-skos.rdf)",
        EU_TERMS,
    ),
    Table(
        "eu-data-theme.ttl",
        EU + "data-theme",
        "EU Data theme authority table",
        "vocabularies/eu-mdr/data-theme-skos-ap-act.ttl",
        "berlinonline/ckanext-dcatde_berlin reference/mdr-nal (OP's SKOS-AP-EU table)",
        EU_TERMS,
    ),
    Table(
        "dcatde-licenses.ttl",
        "http://dcat-ap.de/def/licenses",
        "dcat-ap.de licence list",
        "eu-nal/20210721.rdf",
        "BB-Open/iso2dcat iso2dcat/data/20210721.rdf "
        "(https://www.dcat-ap.de/def/licenses/20210721.rdf)",
        GOVDATA_TERMS,
    ),
    Table(
        "dcatde-contributors.ttl",
        "http://dcat-ap.de/def/contributors",
        "dcat-ap.de contributor list",
        f"{SHAPES}/dashboard-live/shapes/dcat-ap-de-contributors.rdf",
        "GovDataOfficial/DCAT-AP.de-SHACL-Validation validator/resources/dashboard-live",
        GOVDATA_TERMS,
    ),
)


def concept_lines(graph: Graph, scheme: URIRef, table: Table) -> tuple[str, list[str]]:
    """(version, Turtle lines of the concepts) of one table."""
    concepts = sorted(set(graph.subjects(SKOS.inScheme, scheme)), key=str)
    version = next((str(v) for v in graph.objects(scheme, OWL.versionInfo)), "")
    if not version:  # some tables put the version on the owl:Ontology only
        version = next((str(v) for v in graph.objects(None, OWL.versionInfo)), "")
    mapped = _mapped_codes(graph, concepts, table)
    lines = []
    for concept in concepts:
        local = str(concept).removeprefix(f"{scheme}/")
        parts = [f"{_name(concept, scheme)} a skos:Concept ; skos:inScheme {_scheme(scheme)}"]
        for lang in ("de", "en"):
            label = next(
                (x for x in graph.objects(concept, SKOS.prefLabel) if x.language == lang), None
            )
            if label is not None and _labelled(table, mapped.get(concept)):
                parts.append(f"skos:prefLabel {Literal(label).n3()}")
        if str(graph.value(concept, AT.deprecated) or "").lower() == "true" or graph.value(
            concept, OWL.deprecated
        ):
            parts.append("owl:deprecated true")
        for code in sorted(mapped.get(concept, set()) - {local.lower()}):  # not its own code
            parts.append(f"skos:hiddenLabel {Literal(code).n3()}")
        if table.out == "dcatde-licenses.ttl":
            for kind in graph.objects(concept, DCT.type):
                parts.append(f"dct:type {Literal(str(kind), lang='de').n3()}")
        lines.append(" ;\n    ".join(parts) + " .")
    return version, lines


def _name(concept: URIRef, scheme: str) -> str:
    """``c:CODE`` where the code is a plain Turtle local name, else the full IRI."""
    local = str(concept).removeprefix(f"{scheme}/")
    return f"c:{local}" if _PLAIN.fullmatch(local) else f"<{concept}>"


def _scheme(scheme: str) -> str:
    return f"s:{scheme.rsplit('/', 1)[1]}"


def _labelled(table: Table, mapped: set[str] | None) -> bool:
    """Labels for every concept, except the languages without an ISO 639-1 (two-letter)
    code, some 8,000, whose labels would only make the file large (they stay members)."""
    if table.out != "eu-language.ttl":
        return True
    return bool(mapped) and any(len(code) == 2 for code in mapped)


def _mapped_codes(graph: Graph, concepts: list[URIRef], table: Table) -> dict:
    """Concept -> the published codes that name it (only codes naming one concept)."""
    codes: dict[str, set] = defaultdict(set)
    if table.out == "eu-language.ttl":
        _iso_codes(graph, concepts, codes)
    if table.out == "eu-frequency.ttl":
        _dublin_core_frequencies(graph, concepts, codes)
    if table.out == "eu-file-type.ttl":
        _file_type_names(graph, concepts, codes)
    out: dict[URIRef, set] = defaultdict(set)
    for code, named in codes.items():
        if len(named) == 1:  # a code naming two concepts maps nowhere: never guess
            out[next(iter(named))].add(code)
    return out


def _iso_codes(graph: Graph, concepts: list[URIRef], codes: dict) -> None:
    """The ISO 639 codes the language table records for each concept (at:op-mapped-code)."""
    for concept in concepts:
        for mapping in graph.objects(concept, AT["op-mapped-code"]):
            if str(graph.value(mapping, DC.source)) in ISO_639:
                codes[str(graph.value(mapping, AT["legacy-code"])).lower()].add(concept)


def _file_type_names(graph: Graph, concepts: list[URIRef], codes: dict) -> None:
    """The media types the file-type table records (``mime-type-cellar``: text/csv → CSV)
    and its English names (``WFS`` is WFS_SRVC's prefLabel)."""
    for concept in concepts:
        for mapping in graph.objects(concept, AT["op-mapped-code"]):
            if str(graph.value(mapping, DC.source)) == "mime-type-cellar":
                codes[str(graph.value(mapping, AT["legacy-code"])).lower()].add(concept)
        for label in graph.objects(concept, SKOS.prefLabel):
            if label.language == "en":
                codes[str(label).lower()].add(concept)


def _dublin_core_frequencies(graph: Graph, concepts: list[URIRef], codes: dict) -> None:
    """The local names of the Dublin Core frequencies the table matches exactly."""
    for concept in concepts:
        for match in graph.objects(concept, SKOS.exactMatch):
            if str(match).startswith(CLD_FREQ):
                codes[str(match).removeprefix(CLD_FREQ).lower()].add(concept)


def write_table(shared: Path, out: Path, table: Table) -> str:
    source = shared / table.path
    graph = Graph().parse(source)
    scheme = URIRef(table.scheme)
    version, lines = concept_lines(graph, scheme, table)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    header = _header(table, version, len(lines), digest)
    (out / table.out).write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return f"{table.out}: {len(lines)} concepts, version {version}"


def _header(table: Table, version: str, count: int, digest: str) -> str:
    return (
        f"# {table.title}, version {version}: {count} concepts.\n"
        f"# DERIVED by scripts/derive_codelists.py from ../shared/data/{table.path}\n"
        f"# (sha256 {digest}), copied from {table.origin}.\n"
        "# Do not edit: run the script on a newer table (codelists/README.md).\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        f"@prefix c: <{table.scheme}/> .\n"
        f"@prefix s: <{table.scheme.rsplit('/', 1)[0]}/> .\n\n"
        f"<{table.scheme}> a skos:ConceptScheme ;\n"
        f"    dct:title {Literal(table.title, lang='en').n3()} ;\n"
        f"    owl:versionInfo {Literal(version).n3()} ;\n"
        f"    dct:source {Literal(table.origin).n3()} ;\n"
        f"    dct:rights {Literal(table.terms).n3()} .\n\n"
    )


def write_geocoding_levels(shared: Path, out: Path) -> str:
    """The six levels from the DCAT-AP.de 1.0.2 lists (an rdf:List there; no SKOS copy of
    ``…/politicalGeocoding/Level/1_0.rdf`` is available), as a stub scheme marked so."""
    path = f"{SHAPES}/v1.0.2/shapes/dcat-ap-de-lists.ttl"
    graph = Graph().parse(shared / path)
    listed = URIRef("http://dcat-ap.de/def/dcatde/1_0_2/politicalGeocoding_Levels_List")
    head = next(
        (s for s in graph.subjects(RDF.type, RDF.List) if str(s).endswith("Levels_List")), listed
    )
    levels = list(graph.items(graph.value(head, RDF.rest)))
    table = Table(
        "dcatde-geocoding-level.ttl",
        GEOCODING_LEVEL,
        "dcat-ap.de political geocoding levels",
        path,
        "GovDataOfficial/DCAT-AP.de-SHACL-Validation validator/resources/v1.0.2 "
        ":politicalGeocoding_Levels_List (the SKOS list Level/1_0.rdf was not available; "
        "this is a stub scheme of the same six IRIs)",
        GOVDATA_TERMS,
    )
    lines = [
        f"{_name(level, GEOCODING_LEVEL)} a skos:Concept ; "
        f"skos:inScheme {_scheme(GEOCODING_LEVEL)} ."
        for level in sorted(levels, key=str)
    ]
    digest = hashlib.sha256((shared / path).read_bytes()).hexdigest()
    text = _header(table, "1.0", len(lines), digest) + "\n".join(lines) + "\n"
    (out / table.out).write_text(text, encoding="utf-8")
    return f"{table.out}: {len(lines)} concepts (stub of the 1.0 list)"


def main(argv: list[str]) -> int:
    shared = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data"
    out = Path(argv[2]) if len(argv) > 2 else ROOT / "codelists"
    out.mkdir(exist_ok=True)
    for table in TABLES:
        print(write_table(shared, out, table))
    print(write_geocoding_levels(shared, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
