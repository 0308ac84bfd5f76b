"""SHACL validation of a graph, fast enough for every harvest and for ``regiograph validate``.

Two engines, one report (:mod:`.report`). :mod:`.shaclsparql` compiles the big simple
constraints to SPARQL and runs them on the in-memory candidate; whatever is left of the shapes
graph goes to pyshacl (:mod:`.shaclpy`), which is skipped when nothing is left. Reference data
(graphs already published by other sources, e.g. municipalities; the ontology for the
command) joins the data for validation only, and results whose focus node is not a subject of
the candidate (nor a code of a bundled list that it uses as a value) are dropped: a source
answers for its own data.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
)

from regiograph.loader import codelists
from regiograph.loader.errors import ParseError, ValidationFailed
from regiograph.loader.fetch import parse
from regiograph.loader.shacl import sparql as shaclsparql
from regiograph.loader.shacl.report import SEVERITIES, Report, Result
from regiograph.namespaces import RDF_TYPE, RDFS, SH, XSD

log = logging.getLogger(__name__)

REFERENCE = NamedNode("urn:x-regiograph:reference")
# Predicates that make a shape do something; when none is left after compiling, pyshacl
# has nothing to check and is not started.
_CONSTRAINTS = [
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "pattern",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "not",
    "and",
    "or",
    "xone",
    "node",
    "property",
    "qualifiedValueShape",
    "closed",
    "hasValue",
    "in",
    "sparql",
]
_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target")
DEFAULT_MESSAGES = {
    "minCount": ("Zu wenige Werte (mindestens {v})", "Fewer values than {v}"),
    "maxCount": ("Zu viele Werte (höchstens {v})", "More values than {v}"),
    "datatype": ("Wert ist kein gültiges Literal vom Typ {v}", "Value is not a valid {v}"),
    "class": ("Wert ist keine Instanz von {v}", "Value is not an instance of {v}"),
    "nodeKind": ("Wert hat nicht die Knotenart {v}", "Value is not of node kind {v}"),
    "in": ("Wert ist nicht in der erlaubten Liste", "Value is not in the allowed list"),
    "hasValue": ("Der Wert {v} fehlt", "The value {v} is missing"),
    "pattern": ("Wert passt nicht zum Muster {v}", "Value does not match the pattern {v}"),
    "minLength": ("Wert ist kürzer als {v} Zeichen", "Value is shorter than {v} characters"),
    "maxLength": ("Wert ist länger als {v} Zeichen", "Value is longer than {v} characters"),
    "node": ("Wert erfüllt die Form {v} nicht", "Value does not conform to the shape {v}"),
    "or": ("Wert erfüllt keine der Alternativen", "Value conforms to none of the alternatives"),
    "and": ("Wert erfüllt nicht alle Formen", "Value does not conform to every shape"),
    "not": ("Wert erfüllt eine ausgeschlossene Form", "Value conforms to an excluded shape"),
    "minInclusive": ("Wert ist kleiner als {v}", "Value is less than {v}"),
    "maxInclusive": ("Wert ist größer als {v}", "Value is greater than {v}"),
    "minExclusive": ("Wert ist nicht größer als {v}", "Value is not greater than {v}"),
    "maxExclusive": ("Wert ist nicht kleiner als {v}", "Value is not less than {v}"),
    "uniqueLang": ("Eine Sprache kommt mehrfach vor", "A language is used more than once"),
    "languageIn": ("Sprache nicht erlaubt", "Language not allowed"),
}


def load_shapes(paths: list[Path]) -> Store:
    """The shapes files in one in-memory store; ValidationFailed names a broken file."""
    shapes = Store()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValidationFailed(f"shapes file {path}: {exc.strerror}") from None
        fmt = parse.rdf_format("", path.name)
        try:
            parse.load(shapes, data, fmt, where=str(path), base_iri=path.resolve().as_uri())
        except ParseError as exc:
            raise ValidationFailed(f"shapes file {exc}") from None
    return shapes


def validate(
    candidate: Store, shapes: Store, reference: list[bytes] = (), *, engine: str = "auto"
) -> Report:
    """Check ``candidate`` (its default graph) against ``shapes``.

    ``engine``: "auto" (SPARQL for what compiles, pyshacl for the rest) or "pyshacl" (all of
    it by pyshacl, for comparison and as a fallback).
    """
    started = time.perf_counter()
    for data in reference:
        candidate.load(data, RdfFormat.N_TRIPLES, to_graph=REFERENCE)
    report = Report()
    try:
        plan = shaclsparql.compile_shapes(shapes) if engine == "auto" else shaclsparql.Plan()
        if plan.checks:
            report.engines.append("sparql")
            report.results += _run_checks(candidate, shapes, plan)
        rest = _remaining(shapes, plan)
        if rest is not None:
            from regiograph.loader.shacl import (
                adapter as shaclpy,
            )  # rdflib and pyshacl take a second to import

            report.engines.append("pyshacl")
            report.results += shaclpy.run(candidate, [DefaultGraph(), REFERENCE], rest)
    finally:
        candidate.remove_graph(REFERENCE) if reference else None
    report.results = _with_node_shapes(shapes, _own(candidate, report.results))
    report.seconds = time.perf_counter() - started
    return report


def _run_checks(candidate: Store, shapes: Store, plan: shaclsparql.Plan) -> list[Result]:
    results = []
    for check in plan.checks:
        if check.component == "sparql":
            results += _run_sparql(candidate, shapes, check)
            continue
        messages = _messages(shapes, check)
        solutions = candidate.query(
            check.query, prefixes=check.prefixes, use_default_graph_as_union=True
        )
        has_value = any(v.value == "v" for v in solutions.variables)
        for row in solutions:
            value = row["v"] if has_value else (row["focus"] if check.node_level else None)
            results.append(
                Result(
                    row["focus"],
                    check.path,
                    value,
                    check.shape,
                    check.component_iri,
                    check.severity,
                    messages,
                )
            )
    return results


def _run_sparql(candidate: Store, shapes: Store, check: shaclsparql.Check) -> list[Result]:
    """A compiled SPARQL-based constraint: one result per solution (SHACL 5.3.2)."""
    solutions = candidate.query(
        check.query, prefixes=check.prefixes, use_default_graph_as_union=True
    )
    names = {v.value for v in solutions.variables}
    templates = [
        q.object
        for q in shapes.quads_for_pattern(check.constraint, NamedNode(SH + "message"), None)
        if isinstance(q.object, Literal)
    ]
    if not templates:
        templates = [
            q.object
            for q in shapes.quads_for_pattern(check.shape, NamedNode(SH + "message"), None)
            if isinstance(q.object, Literal)
        ]
    results = []
    for row in solutions:
        if "failure" in names and row["failure"] is not None:
            continue
        path = row["path"] if "path" in names and row["path"] is not None else check.path
        value = (
            row["value"]
            if "value" in names and row["value"] is not None
            else (None if check.path is not None else row["this"])
        )
        bound = {name: row[name] for name in names if row[name] is not None}
        results.append(
            Result(
                row["this"],
                path,
                value,
                check.shape,
                check.component_iri,
                check.severity,
                tuple(_filled(t, bound) for t in templates),
            )
        )
    return results


def _filled(template: Literal, bound: dict) -> Literal:
    text = template.value
    for name, term in bound.items():
        shown = term.value
        text = text.replace("{?" + name + "}", shown).replace("{$" + name + "}", shown)
    return Literal(text, language=template.language) if template.language else Literal(text)


def _messages(shapes: Store, check: shaclsparql.Check) -> tuple[Literal, ...]:
    own = tuple(
        q.object
        for q in shapes.quads_for_pattern(check.shape, NamedNode(SH + "message"), None)
        if isinstance(q.object, Literal)
    )
    if own:
        return own
    value = next(shapes.quads_for_pattern(check.shape, NamedNode(SH + check.component), None), None)
    shown = _short(value.object) if value else ""
    german, english = DEFAULT_MESSAGES[check.component]
    return (
        Literal(german.format(v=shown), language="de"),
        Literal(english.format(v=shown), language="en"),
    )


def _short(term) -> str:
    text = term.value
    for sep in ("#", "/"):
        if isinstance(term, NamedNode) and sep in text:
            return text.rsplit(sep, 1)[-1] or text
    return text


def _remaining(shapes: Store, plan: shaclsparql.Plan) -> Store | None:
    """The shapes minus what was compiled; None when no targeted shape (or a property shape
    of one) still carries a constraint — shapes only reachable from compiled constraints
    need no second look."""
    rest = Store()
    rest.extend(q for q in shapes if (q.subject, q.predicate, q.object) not in plan.compiled)
    constraints = " ".join(f"<{SH}{c}>" for c in _CONSTRAINTS if c != "property")
    targets = " ".join(f"<{SH}{t}>" for t in _TARGETS)
    ask = (
        f"ASK {{ {{ ?shape ?target ?t VALUES ?target {{ {targets} }} }} UNION "
        f"{{ ?shape a <{SH}NodeShape> , <{RDFS}Class> }} "
        f"?shape <{SH}property>? ?x . ?x ?p ?o VALUES ?p {{ {constraints} }} }}"
    )
    return rest if rest.query(ask) else None


def _own(candidate: Store, results: list[Result]) -> list[Result]:
    """Results about the candidate's own nodes (not about reference data), and about the codes
    it uses: a vocabulary shape checks each value of ``dct:language`` as a focus node of its
    own (``skos:inScheme`` must be the list), and ``language/XYZ`` is the candidate's error."""
    graph = DefaultGraph()
    kept = []
    for result in results:
        focus = result.focus
        # Blank nodes cannot be told apart after pyshacl's copy of the data: kept.
        if (
            isinstance(focus, Literal | BlankNode)
            or next(candidate.quads_for_pattern(focus, None, None, graph), None) is not None
            or _used_code(candidate, focus)
        ):
            kept.append(result)
    return kept


def _used_code(candidate: Store, node: NamedNode) -> bool:
    """``node`` lies in a code list's namespace and the candidate has it as a value."""
    if codelists.load().scheme_of(node.value) is None:
        return False
    return next(candidate.quads_for_pattern(None, None, node, DefaultGraph()), None) is not None


def _with_node_shapes(shapes: Store, results: list[Result]) -> list[Result]:
    """Each result with the node shape its (blank) property shape belongs to; pyshacl's
    results know theirs already."""
    owners: dict = {}
    return [
        r if r.node_shape is not None else replace(r, node_shape=_owner(shapes, r.shape, owners))
        for r in results
    ]


def _owner(shapes: Store, shape, owners: dict):
    if shape not in owners:
        node, seen = shape, set()
        while isinstance(node, BlankNode) and node not in seen:
            seen.add(node)
            parent = next(shapes.quads_for_pattern(None, NamedNode(SH + "property"), node), None)
            if parent is None:
                break
            node = parent.subject
        owners[shape] = node
    return owners[shape]


def report_quads(report: Report, report_iri: NamedNode, graph: NamedNode, limit: int) -> list[Quad]:
    """The report as SHACL's own vocabulary, with at most ``limit`` results kept."""
    rdf_type = NamedNode(RDF_TYPE)
    xsd_boolean = NamedNode(XSD + "boolean")
    quads = [
        Quad(report_iri, rdf_type, NamedNode(SH + "ValidationReport"), graph),
        Quad(
            report_iri,
            NamedNode(SH + "conforms"),
            # SHACL's own sense: no result at all (Report.conforms lets warnings pass).
            Literal("false" if report.results else "true", datatype=xsd_boolean),
            graph,
        ),
    ]
    order = {f"{SH}{s}": i for i, s in enumerate(SEVERITIES)}
    ranked = sorted(report.results, key=lambda r: order.get(r.severity.value, 9))
    for result in ranked[:limit]:
        node = BlankNode()
        quads.append(Quad(report_iri, NamedNode(SH + "result"), node, graph))
        quads.append(Quad(node, rdf_type, NamedNode(SH + "ValidationResult"), graph))
        for name, term in (
            ("focusNode", result.focus),
            ("resultPath", result.path),
            ("value", result.value),
            ("sourceShape", result.shape),
            ("sourceConstraintComponent", result.component),
            ("resultSeverity", result.severity),
        ):
            if term is not None:
                quads.append(Quad(node, NamedNode(SH + name), term, graph))
        quads.extend(Quad(node, NamedNode(SH + "resultMessage"), m, graph) for m in result.messages)
    return quads
