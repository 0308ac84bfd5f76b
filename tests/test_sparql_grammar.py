"""The endpoint's one SPARQL parser (regiograph.sparql.grammar / .parsed) against the engine.

The front end must accept exactly what pyoxigraph accepts and read the same structure from it.
The parser is looser than the engine on purpose (the engine parses again and judges arities,
escapes, IRI syntax, scoping), so "exactly" means: it never refuses what the engine accepts,
and where both accept, it sees the engine's query form. Proven three ways:

- the W3C SPARQL 1.0 and 1.1 syntax suites, positive and negative, queries and updates;
- generated queries whose form, FROM / FROM NAMED and SERVICE targets are known by
  construction, written with random spacing, comments, keyword case, escapes and the
  words "from" and "service" inside IRIs, strings and comments (hypothesis);
- mutants of valid queries (hypothesis): whatever the engine still accepts, the parser must.

Engine verdicts come from a child process without a network (tests/engine_verdicts.py).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_verdicts import verdicts
from regiograph.sparql.parsed import SparqlSyntaxError, Target, parse, quick_form
from sparql_cases import RDFLIB_REFUSED
from w3c_suites import syntax_cases

BASE = "http://localhost/sparql"
GRAPH_FORMS = {"CONSTRUCT": "GRAPH", "DESCRIBE": "GRAPH"}


def _ours(kind: str, text: str, base: str = BASE):
    try:
        return parse(text, base=base, operation=kind)
    except SparqlSyntaxError:
        return None


# --- the W3C syntax suites ----------------------------------------------------------------


@pytest.fixture(scope="module")
def syntax_verdicts(shared_data):
    cases = syntax_cases(shared_data)
    return cases, verdicts([(c.kind, c.text, c.base) for c in cases])


def test_w3c_syntax_suites_never_refuse_what_the_engine_accepts(syntax_verdicts):
    cases, answers = syntax_verdicts
    tally: dict[str, int] = {}
    refused, forms = [], []
    for case, engine in zip(cases, answers, strict=True):
        assert engine is not None, case.id
        ours = _ours(case.kind, case.text, case.base)
        polarity = "positive" if case.positive else "negative"
        key = f"{polarity} engine={engine.accepted} ours={ours is not None}"
        tally[key] = tally.get(key, 0) + 1
        if engine.accepted and ours is None:
            refused.append(case.id)
        seen = GRAPH_FORMS.get(ours.form, ours.form) if ours is not None else None
        if engine.accepted and engine.form and ours is not None and engine.form != seen:
            forms.append((case.id, engine.form, ours.form))
    assert not refused, refused
    assert not forms, forms
    # 368 tests: 257 positive, all accepted by both; of 111 negative the engine accepts one
    # (as does the front end, which is the engine there) and refuses 110, of which the
    # grammar alone already refuses 76 and leaves 34 to the engine (arity, scoping, escapes).
    assert tally == {
        "positive engine=True ours=True": 257,
        "negative engine=True ours=True": 1,
        "negative engine=False ours=False": 76,
        "negative engine=False ours=True": 34,
    }


# --- generated queries with a known structure ---------------------------------------------

_SPACE = st.sampled_from([" ", "\n", "\t", "  ", " # from <x> SERVICE <y> {\n", "\n#}\n"])
_TIGHT = st.sampled_from(["", " ", "\n"])


@st.composite
def _keyword(draw, word: str) -> str:
    return draw(st.sampled_from([word, word.lower(), word.capitalize()]))


@st.composite
def _iri(draw) -> tuple[str, str]:
    """(as written, the IRI it means): escapes and the words from/service inside."""
    local = draw(st.sampled_from(["a", "from", "service", "FROM", "x\\u0041", "g\\U00000042"]))
    written = f"<http://example.org/{local}>"
    value = "http://example.org/" + local.replace("\\u0041", "A").replace("\\U00000042", "B")
    return written, value


@st.composite
def _literal(draw) -> str:
    return draw(
        st.sampled_from(
            [
                '"from"',
                "'SERVICE <http://x/> {}'",
                '"""a\n} FROM <g>"""',
                '"#"@en',
                "1.5",
                "-2",
                "true",
            ]
        )
    )


@st.composite
def _term(draw) -> str:
    kind = draw(st.sampled_from(["var", "iri", "pname", "literal"]))
    if kind == "var":
        return draw(st.sampled_from(["?s", "?from", "$service", "?o"]))
    if kind == "iri":
        return draw(_iri())[0]
    if kind == "pname":
        return draw(st.sampled_from(["ex:a", "ex:from", "ex:service\\.x", "rdfs:label"]))
    return draw(_literal())


@st.composite
def _pattern(draw, depth: int, services: list[Target]) -> str:
    """A group graph pattern; SERVICE targets it writes are appended to ``services``."""
    space = draw(_SPACE)
    s, o = draw(st.sampled_from(["?s", "?from", "ex:a"])), draw(_term())
    parts = [f"{s}{space}ex:p{space}{o}"]
    for _ in range(draw(st.integers(0, 2))):
        choice = draw(st.sampled_from(["filter", "optional", "union", "service", "values", "sub"]))
        if choice == "filter":
            op = draw(st.sampled_from(["<", "<=", ">", "=", "!="]))
            right = draw(st.sampled_from(["3", "?o", "<http://example.org/x>"]))
            parts.append(f"{draw(_keyword('FILTER'))}(?s{draw(_TIGHT)}{op}{draw(_TIGHT)}{right})")
        elif depth > 0 and choice == "optional":
            parts.append(f"{draw(_keyword('OPTIONAL'))}{draw(_pattern(depth - 1, services))}")
        elif depth > 0 and choice == "union":
            left = draw(_pattern(depth - 1, services))
            right = draw(_pattern(depth - 1, services))
            parts.append(f"{left}{space}{draw(_keyword('UNION'))}{space}{right}")
        elif depth > 0 and choice == "service":
            written, value = draw(_iri())
            silent = draw(st.sampled_from(["", "SILENT "]))
            services.append(Target(value, written))
            inner = draw(_pattern(depth - 1, services))
            parts.append(f"{draw(_keyword('SERVICE'))} {silent}{written}{space}{inner}")
        elif choice == "values":
            parts.append(f"VALUES ?v {{ {draw(_iri())[0]} UNDEF }}")
        elif depth > 0 and choice == "sub":
            parts.append(f"{{ SELECT ?s WHERE {draw(_pattern(depth - 1, services))} }}")
    return (
        "{"
        + draw(_SPACE)
        + f"{space}.{space}".join(p if i == 0 else f"{p}" for i, p in enumerate(parts))
        + draw(_SPACE)
        + "}"
    )


@st.composite
def _query(draw) -> tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[Target, ...]]:
    """(text, form, FROM IRIs, FROM NAMED IRIs, SERVICE targets)."""
    services: list[Target] = []
    prologue = draw(st.sampled_from(["", "PREFIX ex: <http://example.org/#>\n"]))
    if not prologue:
        prologue = "PREFIX ex: <http://example.org/\\u0023>\n"  # an escape before any FROM
    version = draw(st.sampled_from(["", 'VERSION "1.2"\n']))
    form = draw(st.sampled_from(["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]))
    froms, named = [], []
    dataset = ""
    for _ in range(draw(st.integers(0, 2))):
        written, value = draw(_iri())
        if draw(st.booleans()):
            named.append(value)
            dataset += f"{draw(_keyword('FROM'))} {draw(_keyword('NAMED'))} {written}{draw(_SPACE)}"
        else:
            froms.append(value)
            dataset += f"{draw(_keyword('FROM'))} {written}{draw(_SPACE)}"
    where = draw(_pattern(2, services))
    head = {
        "SELECT": f"{draw(_keyword('SELECT'))} *",
        "ASK": draw(_keyword("ASK")),
        "CONSTRUCT": f"{draw(_keyword('CONSTRUCT'))} {{ ?s ex:p ?o }}",
        "DESCRIBE": f"{draw(_keyword('DESCRIBE'))} ?s",
    }[form]
    text = f"{prologue}{version}{head}{draw(_SPACE)}{dataset}WHERE {where}"
    return text, form, tuple(froms), tuple(named), tuple(services)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_query(), min_size=60, max_size=60))
def test_generated_queries_read_as_written_and_as_the_engine_reads_them(generated):
    answers = verdicts([("query", text, BASE) for text, *_ in generated])
    for (text, form, froms, named, services), engine in zip(generated, answers, strict=True):
        parsed = parse(text, base=BASE, defaults={"rdfs": "http://www.w3.org/2000/01/rdf-schema#"})
        assert (parsed.form, parsed.default_graphs, parsed.named_graphs) == (form, froms, named)
        assert parsed.services == services, text
        if engine is not None:
            engine_ok = engine.accepted or "rdfs:" in text  # the engine has no default prefixes
            assert engine_ok, (text, engine.message)
            if engine.form:
                assert engine.form == GRAPH_FORMS.get(form, form), text


# --- mutants: what the engine still accepts, the parser must --------------------------------

_PIECES = [
    "<",
    ">",
    "<=",
    ".",
    ";",
    ",",
    "{",
    "}",
    "(",
    ")",
    "5",
    ".5",
    "-",
    "?x",
    "a",
    "|",
    "^",
    "<<",
    ">>",
    "<<(",
    ")>>",
    "~",
    "{|",
    "|}",
    "#",
    "\n",
    "'",
    '"',
    "\\u0041",
    "*",
    "!",
]


@st.composite
def _mutant(draw, corpus: list[str]) -> str:
    text = draw(st.sampled_from(corpus))
    rng = random.Random(draw(st.integers(0, 2**32)))
    for _ in range(draw(st.integers(1, 3))):
        at = rng.randrange(len(text) + 1)
        action = rng.choice(["insert", "delete", "glue"])
        if action == "insert":
            text = text[:at] + rng.choice(_PIECES) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + rng.randint(1, 3) :]
        else:  # drop the whitespace around a position, as the engine's PEG allows
            text = text[:at].rstrip() + text[at:].lstrip()
    return text


_CORPUS = [
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?s > 2) }",
    "PREFIX ex: <http://example.org/#> ASK { ?s ex:p ?o . ?o ex:q 1.5 OPTIONAL { ?o ?p ?s } }",
    "SELECT (COUNT(*) AS ?c) FROM <http://g/1> WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY DESC(?c)",
    "CONSTRUCT { ?s <http://p> ?o } WHERE { ?s <http://p>/<http://q>* ?o }",
    "SELECT * { << ?s ?p ?o >> ?q ?r . ?a ?b ?c {| ?d ?e |} BIND(<<( ?s ?p ?o )>> AS ?t) }",
    "SELECT * { ?s ?p ?o LATERAL { SELECT ?x { BIND(ADJUST(?o, ?p) AS ?x) } } }",
    "DESCRIBE ?s WHERE { VALUES (?s ?o) { (<http://a> 1) (UNDEF 'x') } }",
    "SELECT * { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } MINUS { ?s a ?t } }",
]


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_mutant(_CORPUS), min_size=100, max_size=100))
def test_mutants_the_engine_accepts_are_accepted(mutants):
    for text, engine in zip(mutants, verdicts([("query", t, BASE) for t in mutants]), strict=True):
        if engine is None or not engine.accepted:
            continue
        ours = _ours("query", text)
        assert ours is not None, text
        if engine.form:
            assert engine.form == GRAPH_FORMS.get(ours.form, ours.form), text


# --- the cases of issue 15 (F1 to F3) ----------------------------------------------------------


def test_an_escape_in_an_earlier_iri_does_not_hide_a_from():
    parsed = parse(r"SELECT * { ?s <http://x/\u0041> ?o } ", base=BASE)
    assert not parsed.has_dataset
    parsed = parse(r"PREFIX x: <http://x/\u0041> SELECT * FROM <http://g/1> { ?s ?p ?o }")
    assert parsed.default_graphs == ("http://g/1",)


def test_from_inside_an_iri_string_or_comment_is_no_from():
    for text in (
        r"SELECT * { ?s <http://x/\u0041> <http://e/from> }",
        r"SELECT * { ?s ?p <http://x/\u0041from> }",
        'SELECT * { ?s ?p "FROM <http://g>" } # FROM <http://g>',
    ):
        assert not parse(text, base=BASE).has_dataset, text


@pytest.mark.parametrize(
    "text",
    [*RDFLIB_REFUSED.values(), 'VERSION "1.2" CONSTRUCT WHERE { ?s ?p ?o }'],
    ids=[*RDFLIB_REFUSED.keys(), "version"],
)
def test_what_rdflib_refused_parses_here_and_in_the_engine(text):
    [engine] = verdicts([("query", text, BASE)])
    assert engine is not None and engine.accepted
    assert _ours("query", text) is not None
    with_service = "# service\n" + text
    assert _ours("query", with_service) is not None


def test_a_one_line_query_with_a_prefix_ending_in_a_hash_finds_its_service():
    text = (
        "PREFIX ex: <http://example.org/#> SELECT * { SERVICE <http://allowed.example/sparql> "
        "{ ?s ex:p ?o } }"
    )
    assert parse(text).services == (
        Target("http://allowed.example/sparql", "<http://allowed.example/sparql>"),
    )


def test_an_unknown_prefix_is_one_readable_line():
    with pytest.raises(SparqlSyntaxError) as refused:
        parse("SELECT * { ?s rdfx:label ?o }")
    assert str(refused.value) == (
        "error at 1:15: the prefix 'rdfx:' is not declared; add a line PREFIX rdfx: <…> "
        "before the query"
    )
    assert parse("SELECT * { ?s rdfs:label ?o }", defaults={"rdfs": "urn:r#"}).defaulted == {
        "rdfs": "urn:r#"
    }


# --- the quick reading (the worker's, for a text that can hold no FROM and no SERVICE) ------


def _quick_agrees(kind: str, text: str) -> None:
    """Where the quick reading answers, the whole reading finds that form and nothing more."""
    quick = quick_form(text)
    if quick is None:
        return
    assert kind == "query", text  # an update is never read quickly
    whole = _ours("query", text)
    if whole is not None:  # (a text the parser refuses, the engine refuses too)
        assert (whole.form, whole.has_dataset, whole.services) == (quick, False, ()), text


def test_the_quick_reading_agrees_with_the_whole_over_the_w3c_suites(shared_data):
    cases = syntax_cases(shared_data)
    for case in cases:
        _quick_agrees(case.kind, case.text)
    quick = [c for c in cases if c.kind == "query" and quick_form(c.text)]
    assert len(quick) > 100  # the suites' plain queries are read quickly


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(_query(), min_size=60, max_size=60),
    st.lists(_mutant(_CORPUS), min_size=60, max_size=60),
)
def test_the_quick_reading_agrees_with_the_whole_on_generated_queries(generated, mutants):
    for text, form, froms, named, services in generated:
        quick = quick_form(text)
        assert quick in (None, form), text
        if froms or named or services:
            assert quick is None, text
    for text in mutants:
        _quick_agrees("query", text)


def test_the_quick_reading_leaves_datasets_services_escapes_and_updates_to_the_whole():
    assert quick_form("SELECT ?m WHERE { ?m <http://e/ags> '08' }") == "SELECT"
    assert quick_form("PREFIX e: <http://e/>\nBASE <http://b/> ASK { ?s e:p ?o }") == "ASK"
    for text in (
        "SELECT * FROM <http://g/1> { ?s ?p ?o }",
        "SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }",
        "SELECT * { ?s ?p 'from' }",  # the word anywhere: read whole
        "SELECT * \\u0046ROM <http://g/1> { ?s ?p ?o }",
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "PREFIX e: <http://e/>",
        "SELEC * { }",
    ):
        assert quick_form(text) is None, text
