"""The SHACL validation report: its results, and how they read in German and English.

One report type for every caller: the loader stores it as RDF
(:func:`regiograph.loader.shacl.engine.report_quads`), ``regiograph validate`` prints
:meth:`Report.to_text`, the harvest pages and the shape tests read the results. Terms stay
pyoxigraph terms; only the text turns them into compact IRIs.

A report *conforms* when it has no ``sh:Violation``: warnings and infos are for the publisher
to fix and never block a load on their own (the stored ``sh:conforms`` keeps SHACL's stricter
meaning, no result at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode

from regiograph.namespaces import SH, prefixes

SEVERITIES = ("Violation", "Warning", "Info")
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
# Namespaces shortened in the text (the ontology's vocabularies and the shapes').
PREFIXES = prefixes(
    "rg",
    "schema",
    "dct",
    "org",
    "cv",
    "cpsv",
    "dcat",
    "qb",
    "skos",
    "prov",
    "adms",
    "geo",
    "rdfs",
    "rdf",
    "sdmx-dimension",
    "sdmx-measure",
    "sdmx-attribute",
    "rgsh",
    "owl",
    "foaf",
)


@dataclass(frozen=True)
class Result:
    """One ``sh:ValidationResult``. ``shape`` is its ``sh:sourceShape`` (often a blank
    property shape); ``node_shape`` the node shape that shape belongs to."""

    focus: NamedNode | BlankNode | Literal
    path: NamedNode | None
    value: NamedNode | BlankNode | Literal | None
    shape: NamedNode | BlankNode
    component: NamedNode
    severity: NamedNode
    messages: tuple[Literal, ...] = ()
    node_shape: NamedNode | BlankNode | None = None

    @property
    def severity_name(self) -> str:
        return self.severity.value.removeprefix(SH)

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``, else English, else an untagged one, else any."""
        for wanted in (lang, "en", ""):
            for literal in self.messages:
                if (literal.language or "") == wanted:
                    return literal.value
        return self.messages[0].value if self.messages else self.component.value

    def languages(self) -> set[str]:
        return {m.language or "" for m in self.messages}

    def key(self) -> tuple:
        """What identifies a result across engines (blank nodes compared as blank)."""

        def term(t):
            return "_" if isinstance(t, BlankNode) else (str(t) if t is not None else "")

        return (
            term(self.focus),
            term(self.path),
            term(self.value),
            term(self.shape),
            self.component.value,
            self.severity.value,
        )


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    engines: list[str] = field(default_factory=list)
    seconds: float = 0.0
    shapes: list[str] = field(default_factory=list)

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity_name == severity)

    @property
    def conforms(self) -> bool:
        return self.count("Violation") == 0

    def by_focus(self) -> dict[str, list[Result]]:
        """Results grouped by focus node (its N-Triples form), the worst first within each."""
        groups: dict[str, list[Result]] = {}
        for result in sorted(self.results, key=_order):
            groups.setdefault(str(result.focus), []).append(result)
        return groups

    def to_text(self, lang: str = "en") -> str:
        """The report for reading: one block per focus node, then a summary line."""
        words = _WORDS.get(lang, _WORDS["en"])
        groups = self.by_focus()
        lines = []
        for results in groups.values():
            lines.append(term_text(results[0].focus))
            lines += [_line(r, words, lang) for r in results]
            lines.append("")
        counts = {s[0].lower(): self.count(s) for s in SEVERITIES}
        lines.append(words["summary"].format(n=len(groups), **counts))
        lines.append(words["conforms" if self.conforms else "fails"])
        return "\n".join(lines) + "\n"


def _order(result: Result) -> tuple:
    # Stable whatever order the engines found them in.
    return (
        result.focus.value,
        SEVERITIES.index(result.severity_name) if result.severity_name in SEVERITIES else 9,
        result.path.value if result.path else "",
        result.component.value,
        str(result.node_shape or ""),
        tuple(m.value for m in result.messages),
    )


def _line(result: Result, words: dict, lang: str) -> str:
    where = f" {compact(result.path.value)}" if result.path else ""
    shown = None if isinstance(result.value, BlankNode | None) else term_text(result.value)
    value = f" ({words['value']}: {shown})" if shown else ""
    severity = words.get(result.severity_name, result.severity_name)
    return f"  {severity}{where}{value}: {result.message(lang)}"


def term_text(term) -> str:
    """A term as the report shows it: a compact IRI, ``<iri>``, or ``"text"@lang``."""
    if isinstance(term, Literal):
        return f'"{term.value}"' + (f"@{term.language}" if term.language else "")
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return compact(term.value, brackets=True)


def compact(iri: str, brackets: bool = False) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>" if brackets and ":" in iri else iri
