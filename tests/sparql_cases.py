"""SPARQL queries that are valid but that rdflib's parser refused: the endpoint's own grammar
must accept them (test_sparql_grammar) and the endpoint must run them (test_sparql_frontend).
One table, so that a case added for one is tried by both."""

from __future__ import annotations

XSD = "http://www.w3.org/2001/XMLSchema#"

RDFLIB_REFUSED = {
    "relative-iris-then-negative-number": "SELECT * {<a><b>-1.0}",
    "24-parentheses": "ASK { FILTER(" + "(" * 24 + "true" + ")" * 24 + ") }",
    "36-groups": "SELECT * " + "{" * 36 + "}" * 36,
    "35-optionals": "SELECT * {" + " OPTIONAL {" * 35 + "}" * 35 + "}",
    "1000-unions": "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * 1000) + " }",
    "triple-term": "SELECT * { BIND(<<( <http://a> <http://b> <http://c> )>> AS ?t) }",
    "lateral": "SELECT * { ?s ?p ?o LATERAL { SELECT ?x { BIND(1 AS ?x) } } }",
    "adjust": f'SELECT (ADJUST("2020-01-01T00:00:00Z"^^<{XSD}dateTime>, '
    f'"PT1H"^^<{XSD}dayTimeDuration>) AS ?x) {{}}',
}
