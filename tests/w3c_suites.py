"""Reading the W3C SPARQL 1.0 and 1.1 test manifests: the syntax tests (positive and negative,
queries and updates) and the query-evaluation tests (data, query, expected results).

``../shared/data/w3c-sparql-tests`` holds the suites as the W3C publishes them (SOURCES.md);
every ``manifest.ttl`` under ``sparql/sparql10`` and ``sparql/sparql11`` is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
SYNTAX_TYPES = {
    MF.PositiveSyntaxTest: ("query", True),
    MF.PositiveSyntaxTest11: ("query", True),
    MF.NegativeSyntaxTest: ("query", False),
    MF.NegativeSyntaxTest11: ("query", False),
    MF.PositiveUpdateSyntaxTest11: ("update", True),
    MF.NegativeUpdateSyntaxTest11: ("update", False),
}


@dataclass(frozen=True)
class SyntaxCase:
    id: str  # suite/directory/name
    kind: str  # query or update
    positive: bool
    path: Path

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def base(self) -> str:
        return self.path.as_uri()


@dataclass(frozen=True)
class EvalCase:
    id: str
    query: Path
    data: tuple[Path, ...]  # into the default graph
    graph_data: tuple[Path, ...]  # each into the named graph of its own file IRI
    result: Path | None


def root(shared: Path) -> Path:
    return shared.resolve() / "w3c-sparql-tests" / "sparql"


def _manifests(shared: Path) -> list[Path]:
    base = root(shared)
    return sorted(
        p for suite in ("sparql10", "sparql11") for p in (base / suite).rglob("manifest.ttl")
    )


def _entries(manifest: Path) -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    entries = []
    for listed in graph.objects(None, MF.entries):
        entries += list(Collection(graph, listed))
    return graph, entries


def _path(iri) -> Path:
    return Path(unquote(urlsplit(str(iri)).path))


def _id(shared: Path, manifest: Path, entry) -> str:
    where = manifest.parent.relative_to(root(shared))
    return f"{where}/{str(entry).rsplit('#', 1)[-1]}"


def syntax_cases(shared: Path) -> list[SyntaxCase]:
    cases = []
    for manifest in _manifests(shared):
        graph, entries = _entries(manifest)
        for entry in entries:
            kinds = [SYNTAX_TYPES[t] for t in graph.objects(entry, RDF.type) if t in SYNTAX_TYPES]
            action = graph.value(entry, MF.action)
            if kinds and action is not None:
                kind, positive = kinds[0]
                cases.append(
                    SyntaxCase(_id(shared, manifest, entry), kind, positive, _path(action))
                )
    return cases


def eval_cases(shared: Path) -> list[EvalCase]:
    cases = []
    for manifest in _manifests(shared):
        graph, entries = _entries(manifest)
        for entry in entries:
            if (entry, RDF.type, MF.QueryEvaluationTest) not in graph:
                continue
            action = graph.value(entry, MF.action)
            query = graph.value(action, QT.query)
            if query is None:
                continue
            result = graph.value(entry, MF.result)
            cases.append(
                EvalCase(
                    _id(shared, manifest, entry),
                    _path(query),
                    tuple(_path(d) for d in graph.objects(action, QT.data)),
                    tuple(_path(g) for g in graph.objects(action, QT.graphData)),
                    _path(result) if result is not None else None,
                )
            )
    return cases
