"""pyshacl over rdflib: the fallback for what :mod:`.sparql` does not compile, and the
reference engine the compiled checks are compared with. The only module importing pyshacl.

Its results come back as :class:`.report.Result`, with what pyshacl loses put back: the node
shape a blank property shape belongs to, and the language of a SPARQL constraint's message
(pyshacl drops the tag when it fills in ``{?var}``; the constraint's tagged templates tell
which is which), and the candidate's own blank nodes (rdflib's parser is handed the labels,
so a result about ``_:b7`` names ``_:b7``, and acceptance per dataset can place it).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pyshacl
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, RdfFormat, Store
from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib import Literal as RdflibLiteral

from regiograph.loader.errors import ValidationFailed
from regiograph.loader.shacl.report import SH, Result

_SH = Namespace(SH)


def run(candidate: Store, graphs: list, shapes: Store) -> list[Result]:
    """Validate the union of ``graphs`` of ``candidate`` against ``shapes``."""
    data = Graph()
    labels: dict = {}  # blank node label in the candidate -> rdflib's BNode for it
    for graph in graphs:
        data.parse(data=_nt(candidate, graph), format="nt", bnode_context=labels)
    shapes_graph = Graph().parse(data=_nt(shapes, DefaultGraph()), format="nt")
    try:
        _, results_graph, _ = pyshacl.validate(
            data,
            shacl_graph=shapes_graph,
            inference="none",
            advanced=True,  # SHACL-AF: sh:target with a SPARQL target
            allow_infos=True,
            allow_warnings=True,
            abort_on_first=False,
        )
    except Exception as exc:  # pyshacl raises its own types for broken shapes
        raise ValidationFailed(f"pyshacl could not run the shapes: {exc}") from None
    if not isinstance(results_graph, Graph):  # pyshacl's ValidationFailure
        raise ValidationFailed(f"pyshacl could not run the shapes: {results_graph}")
    ours = {BlankNode(str(bnode)): BlankNode(label) for label, bnode in labels.items()}
    return [_ours(result, ours) for result in _results(results_graph, shapes_graph)]


def _ours(result: Result, ours: dict) -> Result:
    """The result with the candidate's blank nodes instead of rdflib's."""
    focus, value = ours.get(result.focus, result.focus), ours.get(result.value, result.value)
    if focus is result.focus and value is result.value:
        return result
    return replace(result, focus=focus, value=value)


def _nt(store: Store, graph) -> str:
    return store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph).decode("utf-8")


def _results(graph: Graph, shapes: Graph):
    # Only the report's own results: nested ones (sh:detail of sh:node) are typed alike.
    reports = graph.subjects(RDF.type, _SH.ValidationReport)
    for node in {result for report in reports for result in graph.objects(report, _SH.result)}:
        path = graph.value(node, _SH.resultPath)
        source = graph.value(node, _SH.sourceShape)
        templates = _templates(shapes, graph.value(node, _SH.sourceConstraint))
        yield Result(
            focus=_term(graph.value(node, _SH.focusNode)),
            path=_term(path) if isinstance(path, URIRef) else None,
            value=_term(graph.value(node, _SH.value)),
            shape=_term(source),
            component=_term(graph.value(node, _SH.sourceConstraintComponent)),
            severity=_term(graph.value(node, _SH.resultSeverity)),
            messages=tuple(_tagged(m, templates) for m in graph.objects(node, _SH.resultMessage)),
            node_shape=_term(_owner(shapes, source)),
        )


def _owner(shapes: Graph, shape):
    """The node shape a (blank) property shape belongs to."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = shapes.value(predicate=_SH.property, object=shape)
        if parent is None:
            break
        shape = parent
    return shape


def _templates(shapes: Graph, constraint) -> list[tuple[re.Pattern, str]]:
    if constraint is None:
        return []
    return [
        (re.compile(_template_regex(str(t)), re.S), t.language)
        for t in shapes.objects(constraint, _SH.message)
        if isinstance(t, RdflibLiteral) and t.language
    ]


def _template_regex(template: str) -> str:
    parts = re.split(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}", template)
    return ".*?".join(re.escape(part) for part in parts)


def _tagged(message, templates) -> Literal:
    language = getattr(message, "language", None)
    if not language:
        language = next((lang for rx, lang in templates if rx.fullmatch(str(message))), None)
    return Literal(str(message), language=language) if language else _term(message)


def _term(term):
    if term is None:
        return None
    if isinstance(term, URIRef):
        return NamedNode(str(term))
    if isinstance(term, BNode):
        return BlankNode(str(term))  # rdflib's label; _ours puts the candidate's back
    if isinstance(term, RdflibLiteral):
        if term.language:
            return Literal(str(term), language=term.language)
        if term.datatype:
            return Literal(str(term), datatype=NamedNode(str(term.datatype)))
        return Literal(str(term))
    raise TypeError(type(term))
