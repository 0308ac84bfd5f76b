"""The media-type table (``regiograph.mediatypes``) is the only one, and the one negotiator
(``server/kit/negotiation``) ranks by it.

Outside the table, no Python string in ``src/`` spells an RDF or SPARQL-results media type:
such a literal is a second table in the making. Templates are not Python and are not read.
"""

from __future__ import annotations

import ast
import json
import warnings
from pathlib import Path

import pytest
from flask import Flask
from pyoxigraph import Literal, NamedNode, QueryResultsFormat, RdfFormat, Triple, parse
from rdflib import Graph
from rdflib.compare import isomorphic

from regiograph import mediatypes
from regiograph.server.kit import negotiation

SRC = Path(__file__).resolve().parents[1] / "src" / "regiograph"
TABLE = SRC / "mediatypes.py"
# Media types of the table that also name content which is not RDF, so other code may spell
# them: HTML pages and error pages, JSON bodies and errors, CSV downloads and source files,
# plain-text errors, XML in general.
ALLOWED_ELSEWHERE = {
    "text/html",
    "application/json",
    "text/csv",
    "text/plain",
    "application/xml",
    "text/xml",
}


def _forbidden() -> set[str]:
    every = {t for f in mediatypes.ALL for t in (f.media_type, *f.aliases, *f.generic)}
    return every - ALLOWED_ELSEWHERE


def _strings(tree: ast.AST):
    """String constants that are not docstrings, with their line numbers."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        is_string = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_string and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_media_type_literal_outside_the_table():
    forbidden = _forbidden()
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path == TABLE:
            continue
        for line, text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            lowered = text.lower()
            found += [
                f"{path.relative_to(SRC)}:{line}: {media_type}"
                for media_type in forbidden
                if media_type in lowered
            ]
    assert found == [], "look these up in regiograph.mediatypes:\n" + "\n".join(found)


def test_the_check_finds_a_literal():
    tree = ast.parse('"""Docstrings may say text/turtle."""\nACCEPT = "text/turtle;q=0.9"\n')
    assert [text for _line, text in _strings(tree)] == ["text/turtle;q=0.9"]
    assert "text/turtle" in _forbidden()


def test_the_table_is_consistent_with_pyoxigraph():
    names = [f.name for f in mediatypes.ALL]
    assert len(names) == len(set(names))
    own = [f.media_type for f in mediatypes.ALL]
    assert len(own) == len(set(own))
    aliases = [a for f in mediatypes.ALL for a in f.aliases]
    assert not set(aliases) & set(own) and len(aliases) == len(set(aliases))
    read_extensions = [e for f in mediatypes.RDF_READ for e in f.extensions]
    assert len(read_extensions) == len(set(read_extensions))
    for fmt in mediatypes.RDF:
        assert isinstance(fmt.rdf, RdfFormat) and fmt.rdf.media_type == fmt.media_type
        assert RdfFormat.from_extension(fmt.extension) == fmt.rdf
    for fmt in mediatypes.RESULTS:
        assert isinstance(fmt.results, QueryResultsFormat)
        assert fmt.results.media_type.split(";")[0] == fmt.media_type
        assert fmt.results.iri == fmt.w3c


def test_lookups():
    assert mediatypes.rdf_by_media_type(" Application/X-Turtle") is mediatypes.TURTLE
    assert mediatypes.rdf_by_media_type("application/json") is None  # generic: by file name
    assert mediatypes.rdf_by_extension("OWL") is mediatypes.RDFXML
    assert mediatypes.is_generic("") and mediatypes.is_generic("application/octet-stream")
    assert not mediatypes.is_generic("text/turtle")
    header = mediatypes.accept_header(
        mediatypes.TURTLE, (mediatypes.RDFXML, 0.9), (mediatypes.TRIG, 0.5), anything=0.1
    )
    assert header == "text/turtle, application/rdf+xml;q=0.9, application/trig;q=0.5, */*;q=0.1"


def _triples() -> list[Triple]:
    data = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
    @prefix dct: <http://purl.org/dc/terms/> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <http://ex.org/catalog> a dcat:Catalog ; dct:title "Katalog"@de, "catalogue"@en ;
        dcat:dataset [ a dcat:Dataset ; dct:issued "2024-01-01"^^xsd:date ] .
    """
    return [q.triple for q in parse(data, format=RdfFormat.TURTLE)]


def test_jsonld_compacted_with_a_context_and_expanded_are_the_same_graph():
    prefixes = {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"}
    compact = mediatypes.write(_triples(), mediatypes.JSONLD, prefixes, compact=True)
    expanded = mediatypes.write(_triples(), mediatypes.JSONLD, prefixes)
    assert json.loads(compact)["@context"] == prefixes
    assert "dct:title" in compact.decode()
    assert isinstance(json.loads(expanded), list)  # pyoxigraph: no context, full IRIs
    with warnings.catch_warnings():
        # rdflib 7.6's JSON-LD parser builds a ConjunctiveGraph internally
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graphs = [Graph().parse(data=body, format="json-ld") for body in (compact, expanded)]
    assert isomorphic(*graphs)
    assert len(graphs[0]) == len(_triples())


def test_write_refuses_what_is_not_written():
    triple = Triple(NamedNode("http://ex.org/a"), NamedNode("http://ex.org/b"), NamedNode("c:d"))
    with pytest.raises(ValueError):
        mediatypes.write([triple], mediatypes.N3)
    with pytest.raises(ValueError):
        mediatypes.write([triple], mediatypes.CSV)


@pytest.fixture
def asking():
    app = Flask(__name__)

    def request(accept: str | None = None):
        return app.test_request_context("/", headers={"Accept": accept} if accept else {})

    return request


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "turtle"),  # no Accept: the first
        ("text/plain", "ntriples"),  # generic types count on /sparql
        ("application/x-turtle, text/plain", "turtle"),  # an alias beats a generic type
        ("application/xml, application/rdf+xml", "rdfxml"),  # the own type beats both
        ("text/*", "turtle"),  # then the order of the offer
        ("text/n-triples", "ntriples"),
    ],
)
def test_sparql_ranks_own_types_then_aliases_then_generic(asking, accept, chosen):
    with asking(accept):
        assert negotiation.for_sparql("CONSTRUCT", None).name == chosen


def test_nothing_acceptable_is_406_on_sparql_and_the_default_elsewhere(asking):
    with asking("image/png"):
        with pytest.raises(negotiation.NotAcceptable):
            negotiation.for_sparql("SELECT", None)
        assert negotiation.negotiate() == "html"
        assert negotiation.negotiate(default="ttl") == "ttl"


def test_format_overriding_accept_is_one_decision(asking, monkeypatch):
    """format= decides unless Accept refuses what it names (issue 15, F4)."""
    with asking("text/turtle"):
        assert negotiation.for_sparql("CONSTRUCT", "nt").name == "turtle"
        assert negotiation.for_sparql("CONSTRUCT", "ttl").name == "turtle"
        assert negotiation.for_sparql("CONSTRUCT", "xml").name == "turtle"  # SPARQLWrapper
        monkeypatch.setattr(negotiation, "FORMAT_OVERRIDES_ACCEPT", True)
        assert negotiation.for_sparql("CONSTRUCT", "nt").name == "ntriples"
    with asking(None):
        assert negotiation.for_sparql("CONSTRUCT", "nt").name == "ntriples"
    with asking("*/*"):
        assert negotiation.for_sparql("SELECT", "csv").name == "csv"


def test_rdfxml_keeps_carriage_returns_and_is_the_turtle_graph():
    """A literal with CR LF and a lone CR (as harvested descriptions have them) reads back
    from RDF/XML as from Turtle (issue 16: the raw CR became LF)."""
    s, p = NamedNode("http://example.org/s"), NamedNode("http://purl.org/dc/terms/description")
    statements = [
        Triple(s, p, Literal("Zeile 1\r\nZeile 2\rEnde\t.", language="de")),
        Triple(s, NamedNode("http://purl.org/dc/terms/title"), Literal("a\rb")),
    ]
    xml = mediatypes.write(statements, mediatypes.RDFXML, {"dct": "http://purl.org/dc/terms/"})
    assert b"\r" not in xml
    turtle = mediatypes.write(statements, mediatypes.TURTLE)
    back = {q.triple for q in parse(xml, format=RdfFormat.RDF_XML)}
    assert back == set(statements)
    assert isomorphic(
        Graph().parse(data=xml, format="xml"), Graph().parse(data=turtle, format="turtle")
    )
