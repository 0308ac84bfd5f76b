"""The SHACL shapes, checked with their fixtures and the demo region.

``tests/shapes/valid.ttl`` holds a conforming example for every shape; ``tests/shapes/invalid/
<Shape>.ttl`` holds violating examples, each announcing the results it must produce in
``# expect: <severity> <shape> <focus> <path>`` lines. All fixtures are validated in one run
(the focus nodes differ), and the results must be exactly the announced ones.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from regiograph.loader.shacl import engine as validate
from regiograph.loader.shacl import files as validation
from regiograph.loader.shacl.report import PREFIXES, SH, Report, Result

FIXTURES = Path(__file__).parent / "shapes"
BASE = "http://localhost:8080/"
RGSH = "https://w3id.org/regiograph/shapes#"
EXPECT = re.compile(r"^# expect: (Violation|Warning|Info) (\w+) <([^>]+)> (\S+)$", re.M)


def expectations(path: Path) -> list[tuple[str, str, str, str | None]]:
    """(severity, shape, focus IRI, path IRI) announced by one violating fixture."""
    found = []
    for severity, shape, node, prop in EXPECT.findall(path.read_text(encoding="utf-8")):
        focus = node if ":" in node else BASE + node
        found.append((severity, RGSH + shape, focus, None if prop == "-" else _expand(prop)))
    return found


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else curie


def _key(result: Result) -> tuple[str, str, str, str | None]:
    path = result.path.value if result.path else None
    return (result.severity_name, result.node_shape.value, result.focus.value, path)


def _objects(store: Store, subject, predicate: str) -> list:
    return [q.object for q in store.quads_for_pattern(subject, NamedNode(SH + predicate), None)]


def _targeted_shapes() -> list[str]:
    found = validation.load_shapes().query(
        "SELECT DISTINCT ?shape WHERE { ?shape ?target [] FILTER(isIRI(?shape)) "
        f"VALUES ?target {{ <{SH}targetClass> <{SH}targetObjectsOf> <{SH}targetSubjectsOf> "
        f"<{SH}targetNode> <{SH}target> }} }}"
    )
    return sorted(row["shape"].value.removeprefix(RGSH) for row in found)


INVALID = sorted(FIXTURES.glob("invalid/*.ttl"))
SHAPES = _targeted_shapes()


@pytest.fixture(scope="module")
def fixture_report() -> Report:
    graph = validation.read_files([FIXTURES / "valid.ttl", *INVALID], BASE)
    return validation.validate(graph)


@pytest.fixture(scope="module")
def valid_graph() -> Store:
    store = Store()
    store.load(validation.read_files([FIXTURES / "valid.ttl"], BASE), RdfFormat.N_TRIPLES)
    store.load(validation.vocabulary(), RdfFormat.N_TRIPLES)
    return store


def test_valid_fixture_gives_no_result_at_all(valid_graph):
    report = validation.validate(validation.read_files([FIXTURES / "valid.ttl"], BASE))
    assert report.results == []
    assert report.conforms


def test_demo_region_has_no_violations(demo_store):
    """The demo as published: every source's graph together (its Turtle files point at the
    municipalities the CSV sources publish)."""
    graph = "".join(
        f"{t.subject} {t.predicate} {t.object} .\n"
        for t in demo_store.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
            f'FILTER (STRSTARTS(STR(?g), "{BASE}graph/") && ?g NOT IN '
            f"(<{BASE}graph/meta>, <{BASE}graph/ontology>)) }}"
        )
    ).encode()
    report = validation.validate(graph)
    assert report.count("Violation") == 0, report.to_text("en")
    assert report.conforms


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_has_a_conforming_and_a_violating_example(shape, valid_graph):
    violating = FIXTURES / "invalid" / f"{shape}.ttl"
    assert violating.is_file(), f"no violating fixture for rgsh:{shape}"
    assert any(e[1] == RGSH + shape for e in expectations(violating))
    for cls in _objects(validation.load_shapes(), NamedNode(RGSH + shape), "targetClass"):
        instance = f"ASK {{ ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {cls} }}"
        assert valid_graph.query(instance), f"valid.ttl has no instance of {cls} for rgsh:{shape}"


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_violations_reported_on_focus_node_and_path(fixture, fixture_report):
    expected = expectations(fixture)
    assert expected, f"{fixture.name} announces no results"
    foci = {e[2] for e in expected}
    found = [_key(r) for r in fixture_report.results if r.focus.value in foci]
    assert Counter(found) == Counter(expected)


def test_no_result_that_a_fixture_does_not_announce(fixture_report):
    announced = Counter(e for f in INVALID for e in expectations(f))
    assert Counter(_key(r) for r in fixture_report.results) == announced


def test_every_result_has_a_german_and_an_english_message(fixture_report):
    for result in fixture_report.results:
        assert {"de", "en"} <= result.languages(), result
        assert result.message("de") != result.message("en")


def test_sparql_messages_keep_their_language(fixture_report):
    period = next(r for r in fixture_report.results if r.node_shape.value == RGSH + "PeriodShape")
    assert period.message("de") == "Das Ende (2024-01-01) liegt vor dem Beginn (2024-03-31)."
    assert period.message("en") == "The end (2024-01-01) lies before the start (2024-03-31)."


def test_every_constraint_carries_messages_in_both_languages():
    """Property shapes of targeted shapes and SPARQL constraints (the value-list shapes in
    common.ttl are only used nested, and their parent's message is the one reported)."""
    shapes = validation.load_shapes()
    owners = [p for s in SHAPES for p in _objects(shapes, NamedNode(RGSH + s), "property")]
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    sparql = shapes.quads_for_pattern(None, rdf_type, NamedNode(SH + "SPARQLConstraint"))
    owners += [q.subject for q in sparql]
    for owner in owners:
        languages = {m.language for m in _objects(shapes, owner, "message")}
        assert {"de", "en"} <= languages, owner


def test_report_text_groups_by_focus_node_in_the_chosen_language(fixture_report):
    german = fixture_report.to_text("de")
    block = german.split(f"<{BASE}id/municipality/0822609>\n", 1)[1].split("\n\n", 1)[0]
    assert (
        '  Verstoß rg:ags (Wert: "0822609"): Eine Gemeinde braucht genau einen 8-stelligen' in block
    )
    assert "Die Daten sind NICHT gültig." in german
    assert "A municipality needs exactly one 8-digit" in fixture_report.to_text("en")


def test_violations_decide_conformance_warnings_do_not():
    warning_only = validation.read_files(
        [FIXTURES / "valid.ttl", FIXTURES / "invalid" / "ProjectLeadShape.ttl"], BASE
    )
    report = validation.validate(warning_only)
    assert report.count("Warning") == 1 and report.count("Violation") == 0
    assert report.conforms


def test_reference_data_can_come_as_extra_graphs():
    data = validation.read_files([FIXTURES / "invalid" / "GrantMaximumShape.ttl"], BASE)
    alone = validation.validate(data)
    assert any(r.path.value.endswith("#recipient") for r in alone.results if r.path)
    reference = validation.read_files([FIXTURES / "valid.ttl"], BASE)
    together = validation.validate(data, extra_graphs=[reference])
    assert [r.node_shape.value for r in together.results] == [RGSH + "GrantMaximumShape"]


def test_unknown_shapes_directory_is_a_shapes_error(tmp_path):
    with pytest.raises(validation.ShapesError, match="shapes directory not found"):
        validation.validate(b"", tmp_path / "missing")


def test_a_broken_shapes_file_names_file_and_line(tmp_path):
    (tmp_path / "broken.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a> sh:x\n")
    with pytest.raises(validation.ShapesError, match=r"broken\.ttl:\d+:\d+"):
        validation.load_shapes(tmp_path)


def test_compiled_checks_give_pyshacls_results_on_the_fixtures():
    """The loader's engine compiles every bundled shape (SPARQL targets included) and finds
    exactly what pyshacl alone finds."""
    shapes = validation.load_shapes()
    data = validation.read_files([FIXTURES / "valid.ttl", *INVALID], BASE)

    def run(engine: str) -> Report:
        store = Store()
        store.load(data, RdfFormat.N_TRIPLES)
        return validate.validate(store, shapes, [validation.vocabulary()], engine=engine)

    fast, slow = run("auto"), run("pyshacl")
    assert fast.engines == ["sparql"]
    assert len(fast.results) > 100
    assert Counter(r.key() for r in fast.results) == Counter(r.key() for r in slow.results)
