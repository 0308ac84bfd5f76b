"""SHACL constraints as SPARQL on the in-memory candidate (the validation fast path).

pyshacl needs the data as an rdflib graph and checks node by node in Python (about 31 s per
million triples here); the same checks as SPARQL on pyoxigraph run 30 times faster with
identical results (``tests/test_loader_validate.py`` compares the two). Compiled, for every
targeted node shape (``sh:targetClass`` with subclasses, ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, implicit class targets, SHACL-AF SPARQL
targets) that no other shape refers to: its property shapes with a plain predicate path
(counts, hasValue, uniqueLang, and every value-node component, shape-valued ones included,
via :mod:`.shaclexpr`), its own value-node components, and its SPARQL-based constraints (one
query over all focus nodes).
Everything else (complex paths, qualified and closed shapes, property pairs …) stays in the
shapes graph that :mod:`.validate` hands to pyshacl.

The query text is generated here from the shapes: every term in it is a pyoxigraph term
serialised by pyoxigraph (``str(term)`` is its N-Triples form), never text from the data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, NamedNode, Store

from regiograph import namespaces
from regiograph.loader.map.construct import text
from regiograph.loader.shacl import expr as shaclexpr
from regiograph.namespaces import RDF, SH
from regiograph.store.binding import after_where, has_where

# what every SHACL-SPARQL query may use undeclared, as a dict and as PREFIX lines
STANDARD_PREFIXES = namespaces.prefixes("rdf", "rdfs")
PROLOGUE = namespaces.sparql_prefixes("rdf", "rdfs")
COMPONENTS = {
    "minCount": "MinCountConstraintComponent",
    "maxCount": "MaxCountConstraintComponent",
    "datatype": "DatatypeConstraintComponent",
    "class": "ClassConstraintComponent",
    "nodeKind": "NodeKindConstraintComponent",
    "in": "InConstraintComponent",
    "hasValue": "HasValueConstraintComponent",
    "pattern": "PatternConstraintComponent",
    "minLength": "MinLengthConstraintComponent",
    "maxLength": "MaxLengthConstraintComponent",
    "node": "NodeConstraintComponent",
    "or": "OrConstraintComponent",
    "and": "AndConstraintComponent",
    "not": "NotConstraintComponent",
    "minInclusive": "MinInclusiveConstraintComponent",
    "maxInclusive": "MaxInclusiveConstraintComponent",
    "minExclusive": "MinExclusiveConstraintComponent",
    "maxExclusive": "MaxExclusiveConstraintComponent",
    "uniqueLang": "UniqueLangConstraintComponent",
    "languageIn": "LanguageInConstraintComponent",
}
# Components checked on the focus node itself when they sit on a targeted node shape.
NODE_LEVEL = (
    "class",
    "datatype",
    "nodeKind",
    "in",
    "node",
    "or",
    "and",
    "not",
    "pattern",
    "minLength",
    "maxLength",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
)


@dataclass(frozen=True)
class Check:
    """One compiled constraint: its query selects ?focus (and ?v where there is a value)."""

    shape: NamedNode | BlankNode  # the property shape (sh:sourceShape)
    path: NamedNode
    component: str  # e.g. "minCount", or "sparql" for a SPARQL-based constraint
    severity: NamedNode
    query: str
    prefixes: dict[str, str] = field(default_factory=dict)
    constraint: NamedNode | BlankNode | None = None  # the sh:SPARQLConstraint node
    node_level: bool = False  # checks the focus node itself: the value is the focus

    @property
    def component_iri(self) -> NamedNode:
        if self.component == "sparql":
            return NamedNode(SH + "SPARQLConstraintComponent")
        return NamedNode(SH + COMPONENTS[self.component])


@dataclass
class Plan:
    checks: list[Check] = field(default_factory=list)
    compiled: set[tuple] = field(default_factory=set)  # shapes triples now checked here


def compile_shapes(shapes: Store) -> Plan:
    """The SPARQL checks for every compilable property shape of ``shapes``."""
    targets = _targets(shapes)
    used_elsewhere = _used_elsewhere(shapes, set(targets))
    by_property: dict = defaultdict(list)
    for row in shapes.query(text("shacl-property-shapes.rq")):
        by_property[(row["shape"], row["property"])].append(row)
    plan = Plan()
    for (shape, prop), rows in by_property.items():
        if shape not in targets or shape in used_elsewhere or prop in used_elsewhere:
            continue
        focus = _focus_pattern(targets[shape])
        prefixes = _target_prefixes(targets[shape])
        severity = rows[0]["severity"] or NamedNode(SH + "Violation")
        for row in rows:
            name = row["component"].value.removeprefix(SH)
            if name not in COMPONENTS:
                continue
            try:
                body = _constraint(name, row["value"], prop, shapes)
            except shaclexpr.Unsupported:
                body = None
            if body is None:
                continue
            plan.checks.append(
                Check(
                    prop,
                    row["path"],
                    name,
                    severity,
                    PROLOGUE + body.replace("{FOCUS}", focus).replace("{PATH}", str(row["path"])),
                    prefixes,
                )
            )
            plan.compiled.add((prop, row["component"], row["value"]))
    _compile_node_level(shapes, targets, used_elsewhere, plan)
    _compile_sparql(shapes, targets, used_elsewhere, plan)
    return plan


def _compile_node_level(shapes: Store, targets: dict, used_elsewhere: set, plan: Plan) -> None:
    """Constraints on a targeted node shape itself (sh:or of classes, sh:node …)."""
    expressions = shaclexpr.Expressions(shapes)
    for shape, shape_targets in targets.items():
        if shape in used_elsewhere:
            continue
        severities = [
            q.object for q in shapes.quads_for_pattern(shape, NamedNode(SH + "severity"), None)
        ]
        severity = severities[0] if severities else NamedNode(SH + "Violation")
        focus = _focus_pattern(shape_targets)
        for name in NODE_LEVEL:
            for quad in shapes.quads_for_pattern(shape, NamedNode(SH + name), None):
                try:
                    condition = expressions.value_violation(name, quad.object, "?focus", shape)
                except shaclexpr.Unsupported:
                    continue
                query = PROLOGUE + f"SELECT ?focus WHERE {{ {focus} FILTER({condition}) }}"
                prefixes = _target_prefixes(shape_targets)
                plan.checks.append(
                    Check(shape, None, name, severity, query, prefixes, node_level=True)
                )
                plan.compiled.add((shape, quad.predicate, quad.object))


def _compile_sparql(shapes: Store, targets: dict, used_elsewhere: set, plan: Plan) -> None:
    """SPARQL-based constraints (sh:sparql/sh:select) as one query over all focus nodes.

    pyshacl runs such a query once per focus node; here ``$this`` becomes a variable bound
    by the focus pattern, placed first in the query's WHERE group (so FILTERs and EXISTS see
    it bound, as with SHACL's pre-binding). Queries that SHACL forbids for pre-binding (MINUS,
    VALUES, SERVICE, nested SELECT) or that use $currentShape/$shapesGraph stay in pyshacl.
    """
    owners = _property_owners(shapes)
    for row in shapes.query(text("shacl-sparql-constraints.rq")):
        shape, query = row["shape"], row["select"].value
        owner = shape if shape in targets else owners.get(shape)
        path = row["path"]
        if owner is None or owner not in targets or shape in used_elsewhere:
            continue
        if owner in used_elsewhere or (path is not None and not isinstance(path, NamedNode)):
            continue
        if _UNSUPPORTED.search(query) or len(re.findall(r"\bSELECT\b", query, re.I)) != 1:
            continue
        prefixes, body = _split_prefixes(query)
        body = body.replace("$this", "?this")
        if path is not None:
            body = body.replace("$PATH", str(path))
        body = _prebound(body, targets[owner])
        if body is None:
            continue
        severity = row["severity"] or NamedNode(SH + "Violation")
        prefixes = {
            **STANDARD_PREFIXES,
            **_target_prefixes(targets[owner]),
            **_declared(shapes, row["constraint"]),
            **prefixes,
        }
        if not _parses(body, prefixes):
            continue  # pyshacl will report what is wrong with it
        plan.checks.append(
            Check(shape, path, "sparql", severity, body, prefixes, row["constraint"])
        )
        plan.compiled.add((shape, NamedNode(SH + "sparql"), row["constraint"]))


def _prebound(body: str, targets: list) -> str | None:
    """The constraint's query with ``?this`` bound by the focus pattern first.

    Behind a SPARQL target (a cheap candidate query, SHACL-AF) the constraint runs once per
    candidate (Oxigraph's LATERAL), as pyshacl's pre-binding does: joined as two independent
    groups, a self-join such as "another observation with the same keys" took 10 s on the demo
    even with no candidate at all.
    """
    focus = _focus_pattern(targets).replace("?focus", "?this")
    if not has_where(body):
        return None
    if any(kind == "sparql" for kind, _ in targets):
        return f"SELECT * WHERE {{ {focus} LATERAL {{ {body} }} }}"
    return after_where(body, f" {focus} ")


_UNSUPPORTED = re.compile(r"\b(MINUS|VALUES|SERVICE)\b|\$currentShape|\$shapesGraph", re.I)
_UNSUPPORTED_TARGET = re.compile(r"\$currentShape|\$shapesGraph", re.I)
_PREFIX = re.compile(r"^\s*PREFIX\s+([A-Za-z0-9_.-]*):\s*<([^>]*)>\s*", re.I | re.M)


def _parses(query: str, prefixes: dict[str, str]) -> bool:
    try:
        Store().query(query, prefixes=prefixes)
    except (SyntaxError, ValueError):
        return False
    return True


def _split_prefixes(query: str) -> tuple[dict[str, str], str]:
    prefixes = {m.group(1): m.group(2) for m in _PREFIX.finditer(query)}
    return prefixes, _PREFIX.sub("", query)


def _declared(shapes: Store, constraint) -> dict[str, str]:
    """Prefixes from sh:prefixes → sh:declare (SHACL 5.2.1)."""
    found = {}
    query = (
        "SELECT ?prefix ?namespace WHERE { ?c <"
        + SH
        + "prefixes> ?o . ?o <"
        + SH
        + "declare> [ <"
        + SH
        + "prefix> ?prefix ; <"
        + SH
        + "namespace> ?namespace ] }"
    )
    for row in shapes.query(query.replace("?c", str(constraint))):
        found[row["prefix"].value] = row["namespace"].value
    return found


def _property_owners(shapes: Store) -> dict:
    """Property shape → the node shape it hangs off (when it is exactly one)."""
    owners: dict = {}
    for quad in shapes.quads_for_pattern(None, NamedNode(SH + "property"), None):
        owners[quad.object] = None if quad.object in owners else quad.subject
    return {k: v for k, v in owners.items() if v is not None}


def _targets(shapes: Store) -> dict:
    """Targeted shape → its targets; a shape with a target that does not compile is left
    out (pyshacl checks it whole)."""
    targets: dict = defaultdict(list)
    broken = set()
    for row in shapes.query(text("shacl-targets.rq")):
        kind, target = row["kind"].value, row["target"]
        if kind == "sparql":
            target = _sparql_target(shapes, target)
            if target is None:
                broken.add(row["shape"])
        targets[row["shape"]].append((kind, target))
    return {shape: found for shape, found in targets.items() if shape not in broken}


def _sparql_target(shapes: Store, target) -> tuple[str, dict[str, str]] | None:
    """A ``sh:SPARQLTarget``'s query with ``?this`` renamed ``?focus``, and its prefixes."""
    selects = [q.object for q in shapes.quads_for_pattern(target, NamedNode(SH + "select"), None)]
    is_sparql = next(
        shapes.quads_for_pattern(target, NamedNode(RDF + "type"), NamedNode(SH + "SPARQLTarget")),
        None,
    )
    if is_sparql is None or len(selects) != 1 or _UNSUPPORTED_TARGET.search(selects[0].value):
        return None
    prefixes, body = _split_prefixes(selects[0].value)
    prefixes = {**STANDARD_PREFIXES, **_declared(shapes, target), **prefixes}
    body = re.sub(r"[?$]this\b", "?focus", body)
    return (body, prefixes) if _parses(body, prefixes) else None


def _target_prefixes(targets: list[tuple[str, object]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for kind, target in targets:
        if kind == "sparql":
            found.update(target[1])
    return found


def _used_elsewhere(shapes: Store, targeted: set) -> set:
    """Nodes pointed at other than by sh:property from a targeted shape (or by rdf:type)."""
    used = set()
    for row in shapes.query(text("shacl-referenced.rq")):
        via = row["via"].value
        if via == RDF + "type" or (via == SH + "property" and row["from"] in targeted):
            continue
        if via.startswith(SH + "target"):
            continue
        used.add(row["node"])
    return used


def _focus_pattern(targets: list[tuple[str, object]]) -> str:
    branches = []
    for kind, target in targets:
        if kind == "class":
            branches.append(f"{{ ?focus rdf:type/rdfs:subClassOf* {target} }}")
        elif kind == "node":
            branches.append(f"{{ BIND({target} AS ?focus) }}")
        elif kind == "sparql":
            branches.append(f"{{ {target[0]} }}")
        elif kind == "subjectsOf":
            branches.append(f"{{ ?focus {target} ?targetValue }}")
        else:
            branches.append(f"{{ ?targetValue {target} ?focus }}")
    return "{ SELECT DISTINCT ?focus WHERE { " + " UNION ".join(branches) + " } }"


def _constraint(name: str, value, prop, shapes: Store) -> str | None:
    """The query for one constraint; None where the value is not one we can compile."""
    if name == "minCount":
        return _min_count(int(value.value))
    if name == "maxCount":
        return (
            "SELECT ?focus WHERE { {FOCUS} ?focus {PATH} ?v } GROUP BY ?focus "
            f"HAVING (COUNT(DISTINCT ?v) > {int(value.value)})"
        )
    if name == "hasValue":
        return (
            "SELECT ?focus WHERE { {FOCUS} FILTER NOT EXISTS { ?focus {PATH} " + str(value) + " } }"
        )
    if name == "uniqueLang":
        return _unique_lang(value)
    # Every other component constrains each value node on its own.
    condition = shaclexpr.Expressions(shapes).value_violation(name, value, "?v", prop)
    return "SELECT ?focus ?v WHERE { {FOCUS} ?focus {PATH} ?v FILTER(" + condition + ") }"


def _unique_lang(value) -> str | None:
    """One result per language used by two values (SHACL 4.5.4)."""
    if value.value != "true":
        return None
    return (
        "SELECT DISTINCT ?focus ?lang WHERE { {FOCUS} ?focus {PATH} ?a , ?b "
        'BIND(LCASE(LANG(?a)) AS ?lang) FILTER(!sameTerm(?a, ?b) && ?lang != "" '
        "&& LCASE(LANG(?b)) = ?lang) }"
    )


def _min_count(n: int) -> str:
    if n <= 0:
        return "SELECT ?focus WHERE { {FOCUS} FILTER(false) }"
    if n == 1:
        return "SELECT ?focus WHERE { {FOCUS} FILTER NOT EXISTS { ?focus {PATH} ?v } }"
    return (
        "SELECT ?focus WHERE { {FOCUS} OPTIONAL { ?focus {PATH} ?v } } GROUP BY ?focus "
        f"HAVING (COUNT(DISTINCT ?v) < {n})"
    )
