"""SHACL constraints on one node as a SPARQL boolean expression: true when the node violates.

Used by :mod:`.shaclsparql` for the constraints that take shapes as values — ``sh:node``,
``sh:or``, ``sh:and``, ``sh:not`` — and for the value-range components: a value node
conforms to a shape when none of that shape's constraints is violated, so "violates shape S"
is the disjunction of S's constraints' violation expressions, each evaluated with the node
bound (EXISTS sees the current solution's bindings). Anything not expressible here raises
:class:`Unsupported`, and the constraint stays with pyshacl. Nested shapes with a severity
other than sh:Violation are left to pyshacl too: whether a warning breaks conformance is
pyshacl's call (its ``allow_warnings``).
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Store

from regiograph.namespaces import RDF, SH, XSD

CASTABLE = {
    "integer",
    "decimal",
    "double",
    "float",
    "boolean",
    "date",
    "dateTime",
    "time",
    "gYear",
    "gYearMonth",
    "duration",
    "dayTimeDuration",
    "yearMonthDuration",
}
NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isIRI({v}) || isBlank({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
RANGES = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
# Statements of a shape that do not constrain (annotations, targets, the path itself).
PASSIVE = {
    "path",
    "message",
    "name",
    "description",
    "order",
    "group",
    "defaultValue",
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "flags",
    "deactivated",
    "prefixes",
    "declare",
}
MAX_DEPTH = 6


class Unsupported(Exception):
    """This constraint is left to pyshacl."""


class Expressions:
    """Builds violation expressions over one shapes graph, with fresh variable names."""

    def __init__(self, shapes: Store):
        self.shapes = shapes
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"?shaclVar{self.count}"

    def _objects(self, subject, name: str) -> list:
        return [
            q.object for q in self.shapes.quads_for_pattern(subject, NamedNode(SH + name), None)
        ]

    def value_violation(self, name: str, value, var: str, shape, depth: int = 0) -> str:
        """``var`` (a value node) violates the constraint ``sh:{name} value`` of ``shape``."""
        simple = self._simple(name, value, var, shape)
        if simple is not None:
            return simple
        if name == "node":
            return self.shape_violation(value, var, depth + 1)
        if name in ("or", "and"):
            members = [self.shape_violation(m, var, depth + 1) for m in self.members(value)]
            if not members:  # no alternative conforms; nothing to fail
                return "true" if name == "or" else "false"
            joiner = " && " if name == "or" else " || "  # or: every alternative fails
            return "(" + joiner.join(members) + ")"
        if name == "not":
            return "!" + self.shape_violation(value, var, depth + 1)
        raise Unsupported(name)

    def _simple(self, name: str, value, var: str, shape) -> str | None:
        """The components that constrain one node by its own value."""
        if name in RANGES:
            return f"!COALESCE({var} {RANGES[name]} {value}, false)"
        if name in ("minLength", "maxLength"):
            op = ">=" if name == "minLength" else "<="
            return f"!(!isBlank({var}) && STRLEN(STR({var})) {op} {int(value.value)})"
        builder = getattr(self, f"_{name}", None)
        return builder(value, var, shape) if builder else None

    def _datatype(self, value, var: str, shape) -> str:
        ok = f"isLiteral({var}) && datatype({var}) = {value}"
        local = value.value.removeprefix(XSD)
        if value.value.startswith(XSD) and local in CASTABLE:
            # An ill-typed literal ("abc"^^xsd:integer) fails the cast, as in SHACL.
            ok += f" && isLiteral(COALESCE({value}({var}), <urn:x-ill-typed>))"
        return f"!({ok})"

    def _class(self, value, var: str, shape) -> str:
        return f"NOT EXISTS {{ {var} rdf:type/rdfs:subClassOf* {value} }}"

    def _nodeKind(self, value, var: str, shape) -> str:
        kind = value.value.removeprefix(SH)
        if kind not in NODE_KINDS:
            raise Unsupported(kind)
        return "!" + NODE_KINDS[kind].format(v=var)

    def _in(self, value, var: str, shape) -> str:
        allowed = self.fresh()
        members = " ".join(str(m) for m in self.members(value))
        return (
            f"NOT EXISTS {{ VALUES {allowed} {{ {members} }} FILTER(sameTerm({var}, {allowed})) }}"
        )

    def _hasValue(self, value, var: str, shape) -> str:
        return f"!sameTerm({var}, {value})"

    def _languageIn(self, value, var: str, shape) -> str:
        ranges = " || ".join(
            f"langMatches(LANG({var}), {Literal(m.value)})" for m in self.members(value)
        )
        return f"!(isLiteral({var}) && ({ranges or 'false'}))"

    def _pattern(self, value, var: str, shape) -> str:
        flags = self._objects(shape, "flags")
        flag = f", {Literal(flags[0].value)}" if flags else ""
        return f"!(!isBlank({var}) && REGEX(STR({var}), {Literal(value.value)}{flag}))"

    def shape_violation(self, shape, var: str, depth: int = 0) -> str:
        """``var`` does not conform to the node shape ``shape``."""
        if depth > MAX_DEPTH:
            raise Unsupported("nesting")
        if Literal("true", datatype=NamedNode(XSD + "boolean")) in self._objects(
            shape, "deactivated"
        ):
            return "false"
        if self._objects(shape, "path"):  # a property shape (e.g. a member of sh:or)
            return self.property_violation(shape, var, depth)
        parts = []
        for name, value in self._constraints(shape):
            if name == "property":
                parts.append(self.property_violation(value, var, depth + 1))
            else:
                parts.append(self.value_violation(name, value, var, shape, depth))
        return "(" + " || ".join(parts) + ")" if parts else "false"

    def property_violation(self, prop, var: str, depth: int) -> str:
        """``var`` violates the property shape ``prop`` (a plain predicate path only)."""
        paths = self._objects(prop, "path")
        if len(paths) != 1 or not isinstance(paths[0], NamedNode):
            raise Unsupported("path")
        path = paths[0]
        parts = []
        for name, value in self._constraints(prop):
            parts.append(self._count_or_values(name, value, var, path, prop, depth))
        return "(" + " || ".join(parts) + ")" if parts else "false"

    def _constraints(self, shape):
        """(name, value) of each SHACL constraint on ``shape``; only Violation severity."""
        for quad in self.shapes.quads_for_pattern(shape, None, None):
            iri = quad.predicate.value
            if iri == RDF + "type" or not iri.startswith(SH):
                continue
            name = iri.removeprefix(SH)
            if name in PASSIVE:
                continue
            if name == "severity":
                if quad.object != NamedNode(SH + "Violation"):
                    raise Unsupported("severity")
                continue
            yield name, quad.object

    def _count_or_values(self, name: str, value, var: str, path, prop, depth: int) -> str:
        other = self.fresh()
        if name in ("minCount", "maxCount"):
            n = int(value.value)
            if name == "minCount":
                if n > 1:
                    raise Unsupported("minCount > 1 nested")
                return "false" if n == 0 else f"NOT EXISTS {{ {var} {path} {other} }}"
            if n == 0:
                return f"EXISTS {{ {var} {path} {other} }}"
            if n == 1:
                second = self.fresh()
                return (
                    f"EXISTS {{ {var} {path} {other} , {second} "
                    f"FILTER(!sameTerm({other}, {second})) }}"
                )
            raise Unsupported("maxCount > 1 nested")
        if name == "hasValue":
            return f"NOT EXISTS {{ {var} {path} {value} }}"
        if name == "uniqueLang":
            return self._unique_lang(value, var, path, other)
        inner = self.value_violation(name, value, other, prop, depth)
        return f"EXISTS {{ {var} {path} {other} FILTER({inner}) }}"

    def _unique_lang(self, value, var: str, path, other: str) -> str:
        if value != Literal("true", datatype=NamedNode(XSD + "boolean")):
            return "false"
        second = self.fresh()
        return (
            f"EXISTS {{ {var} {path} {other} , {second} FILTER(!sameTerm({other}, "
            f'{second}) && LANG({other}) != "" && LCASE(LANG({other})) = '
            f"LCASE(LANG({second}))) }}"
        )

    def members(self, head) -> list:
        """The members of an RDF list in the shapes graph."""
        members = []
        nil = NamedNode(RDF + "nil")
        while head != nil and len(members) < 10000:
            first = next(self.shapes.quads_for_pattern(head, NamedNode(RDF + "first"), None), None)
            rest = next(self.shapes.quads_for_pattern(head, NamedNode(RDF + "rest"), None), None)
            if first is None or rest is None:
                raise Unsupported("list")
            members.append(first.object)
            head = rest.object
        return members
