"""SHACL validation with the platform's shapes, for ``regiograph validate`` and the shape tests.

pyshacl is imported here and in :mod:`regiograph.loader.validate` only. The loader's engine
compiles most constraints to SPARQL (about 10x faster on the demo) and agrees with this one
result by result on the official DCAT-AP.de shapes; merging the two behind one report is
open work (docs/architecture.md).

``validate(data)`` checks a graph against ``shapes/`` with the ontology and the concept
schemes loaded alongside (the shapes test concepts for ``skos:inScheme`` and follow
``rdfs:subClassOf`` for ``sh:class``), plus any reference data the caller passes (e.g. the
municipalities another source published). The ``Report`` keeps the results as plain values
for text, HTML or JSON, and the W3C report graph for storing it as RDF.

A graph *conforms* when it has no ``sh:Violation``; warnings are for the publisher to fix and
never block a load.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from regiograph import resources
from regiograph.store.rdffiles import RdfFileError, read_graphs

SEVERITIES = ("Violation", "Warning", "Info")
_SCRATCH_GRAPH = "urn:regiograph:validation"
_WORDS = {
    "de": {
        "Violation": "Verstoß",
        "Warning": "Warnung",
        "Info": "Hinweis",
        "summary": "{v} Verstöße, {w} Warnungen, {i} Hinweise an {n} Knoten",
        "conforms": "Die Daten sind gültig.",
        "fails": "Die Daten sind NICHT gültig.",
        "value": "Wert",
    },
    "en": {
        "Violation": "Violation",
        "Warning": "Warning",
        "Info": "Info",
        "summary": "{v} violations, {w} warnings, {i} infos on {n} nodes",
        "conforms": "The data conforms.",
        "fails": "The data does NOT conform.",
        "value": "value",
    },
}
PREFIXES = {
    "rg": "https://w3id.org/regiograph/ontology#",
    "schema": "https://schema.org/",
    "dct": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "cv": "http://data.europa.eu/m8g/",
    "cpsv": "http://purl.org/vocab/cpsv#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "qb": "http://purl.org/linked-data/cube#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "adms": "http://www.w3.org/ns/adms#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": str(RDF),
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "rgsh": "https://w3id.org/regiograph/shapes#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


class ShapesError(Exception):
    """The shapes cannot be used (missing folder, no shapes, a file that does not parse)."""


@dataclass(frozen=True)
class Result:
    """One validation result. ``shape`` is the node shape it belongs to (property shapes
    are blank nodes inside it); ``source_shape`` the shape that produced it."""

    focus: str
    path: str | None
    severity: str
    messages: dict[str, str]
    shape: str
    source_shape: str
    component: str
    value: str | None = None

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``, else English, else any."""
        for key in (lang, "en", ""):
            if key in self.messages:
                return self.messages[key]
        return next(iter(self.messages.values()), self.component)


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]
    graph: Graph = field(repr=False, compare=False)

    @property
    def conforms(self) -> bool:
        return self.count("Violation") == 0

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def by_focus(self) -> dict[str, list[Result]]:
        """Results grouped by focus node, the worst first within each node."""
        groups: dict[str, list[Result]] = {}
        ordered = sorted(
            self.results,
            key=lambda r: (r.focus, SEVERITIES.index(r.severity), r.path or "", r.component),
        )
        for result in ordered:
            groups.setdefault(result.focus, []).append(result)
        return groups

    def to_text(self, lang: str = "en") -> str:
        words = _WORDS.get(lang, _WORDS["en"])
        lines = []
        for focus, results in self.by_focus().items():
            lines.append(_compact(focus, brackets=True))
            for r in results:
                where = f" {_compact(r.path)}" if r.path else ""
                value = f" ({words['value']}: {r.value})" if r.value is not None else ""
                lines.append(f"  {words[r.severity]}{where}{value}: {r.message(lang)}")
            lines.append("")
        lines.append(
            words["summary"].format(
                v=self.count("Violation"),
                w=self.count("Warning"),
                i=self.count("Info"),
                n=len(self.by_focus()),
            )
        )
        lines.append(words["conforms" if self.conforms else "fails"])
        return "\n".join(lines) + "\n"

    def to_ntriples(self) -> bytes:
        """The W3C SHACL validation report, for storing beside a load's provenance."""
        return self.graph.serialize(format="nt", encoding="utf-8")


def language(explicit: str | None, locale: str | None) -> str:
    """The report language: ``explicit`` (de/en) if given, else German for a German locale
    (``LANG=de_DE.UTF-8``), else English."""
    if explicit:
        return explicit
    return "de" if (locale or "").lower().startswith("de") else "en"


def validate(
    data: Graph | bytes,
    shapes_dir: Path | None = None,
    extra_graphs: Iterable[Graph | bytes] = (),
    *,
    vocabulary: bool = True,
) -> Report:
    """Validate ``data`` (an rdflib Graph or N-Triples bytes) with the shapes in
    ``shapes_dir`` (default: the bundled shapes); ``extra_graphs`` are reference data that
    references may point at. Raises ShapesError when the shapes cannot be read."""
    shapes = load_shapes(shapes_dir)
    merged = Graph()
    for part in (data, *extra_graphs, *([vocabulary_graph()] if vocabulary else [])):
        if isinstance(part, Graph):
            merged += part
        else:
            merged.parse(data=part, format="nt")
    _conforms, report_graph, text = pyshacl.validate(
        merged, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if not isinstance(report_graph, Graph):  # pySHACL's ValidationFailure: a broken shape
        raise ShapesError(f"the shapes cannot be applied: {text}")
    return Report(_results(report_graph, shapes), report_graph)


def read_files(paths: Iterable[Path], base_iri: str | None = None) -> Graph:
    """RDF files (any syntax, every graph merged) as one rdflib Graph. Raises
    ``RdfFileError`` naming file, line and column when one does not parse."""
    graph = Graph()
    for data in read_graphs(list(paths), _SCRATCH_GRAPH, base_iri).values():
        graph.parse(data=data, format="nt")
    return graph


@cache
def vocabulary_graph() -> Graph:
    """The ontology and every concept scheme (parsed once per process)."""
    return read_files(resources.files("ontology", "*.ttl"))


def load_shapes(shapes_dir: Path | None = None) -> Graph:
    """Every ``*.ttl`` below ``shapes_dir`` (default: the bundled shapes) as one shapes graph,
    parsed once per folder."""
    return _shapes_graph(Path(shapes_dir or resources.data_dir("shapes")).resolve())


@cache
def _shapes_graph(shapes_dir: Path) -> Graph:
    if not shapes_dir.is_dir():
        raise ShapesError(f"shapes directory not found: {shapes_dir}")
    files = sorted(p for p in shapes_dir.rglob("*.ttl") if p.is_file())
    try:
        graph = read_files(files) if files else Graph()
    except RdfFileError as exc:
        raise ShapesError(f"shapes file does not parse: {exc}") from None
    if (None, RDF.type, SH.NodeShape) not in graph:
        raise ShapesError(f"no SHACL node shapes in {shapes_dir}")
    return graph


def _results(report: Graph, shapes: Graph) -> tuple[Result, ...]:
    results = []
    # Only top-level results: those of nested shapes (sh:node, sh:or) hang below sh:detail.
    for node in report.objects(predicate=SH.result):
        source = report.value(node, SH.sourceShape)
        value = report.value(node, SH.value)
        results.append(
            Result(
                focus=str(report.value(node, SH.focusNode)),
                path=_path_text(report, report.value(node, SH.resultPath)),
                severity=str(report.value(node, SH.resultSeverity)).removeprefix(str(SH)),
                messages=_messages(
                    report.objects(node, SH.resultMessage),
                    _templates(shapes, report.value(node, SH.sourceConstraint)),
                ),
                shape=_owner(shapes, source),
                source_shape=str(source),
                component=str(report.value(node, SH.sourceConstraintComponent)).removeprefix(
                    str(SH)
                ),
                value=None if value is None or isinstance(value, BNode) else _term_text(value),
            )
        )
    return tuple(results)


def _messages(literals: Iterable, templates: Iterable) -> dict[str, str]:
    """Messages by language. pySHACL drops the language tag of SPARQL-constraint messages
    when it fills in {?var}; the constraint's tagged templates tell which is which."""
    patterns = [
        (re.compile(_template_regex(str(t)), re.S), t.language)
        for t in templates
        if isinstance(t, Literal) and t.language
    ]
    messages: dict[str, str] = {}
    for literal in literals:
        language = getattr(literal, "language", None)
        if not language:
            language = next((lang for rx, lang in patterns if rx.fullmatch(str(literal))), "")
        messages.setdefault(language, str(literal))
    return messages


def _templates(shapes: Graph, constraint) -> list:
    return [] if constraint is None else list(shapes.objects(constraint, SH.message))


def _template_regex(template: str) -> str:
    parts = re.split(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}", template)
    return ".*?".join(re.escape(part) for part in parts)


def _owner(shapes: Graph, shape) -> str:
    """The named node shape a (blank) property shape belongs to."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = shapes.value(predicate=SH.property, object=shape)
        if parent is None:
            break
        shape = parent
    return str(shape)


def _path_text(report: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _compact(str(inverse))
    items = list(report.items(path)) if report.value(path, RDF.first) is not None else []
    return "/".join(_compact(str(i)) for i in items) if items else "(path)"


def _term_text(term) -> str:
    if isinstance(term, Literal):
        return f'"{term}"' + (f"@{term.language}" if term.language else "")
    return _compact(str(term), brackets=True)


def _compact(iri: str, brackets: bool = False) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>" if brackets and ":" in iri and not iri.startswith(("^", '"')) else iri
