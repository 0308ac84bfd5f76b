"""Validation: the SPARQL fast path gives pyshacl's results exactly; reports and the
policy in the pipeline; reference data; the official DCAT-AP.de shapes on real exports."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline, provenance
from regiograph.loader.map import construct as mapping
from regiograph.loader.shacl import engine as validate
from regiograph.loader.shacl import sparql as shaclsparql

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://ex.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype rdf:langString ] ,
    ex:keyShape ,
    [ sh:path ex:date ; sh:datatype xsd:date ] ,
    [ sh:path ex:part ; sh:class ex:Part ; sh:nodeKind sh:IRI ] ,
    [ sh:path ex:colour ; sh:in ( ex:red ex:green ) ; sh:severity sh:Warning ] ,
    [ sh:path ex:size ; sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] ) ] ,
    [ sh:path ex:kind ; sh:hasValue ex:good ; sh:severity sh:Info ] .
ex:keyShape sh:path ex:key ; sh:pattern "^[0-9]{8}$" ; sh:minLength 8 ; sh:maxLength 8 ;
  sh:message "Schlüssel hat 8 Ziffern"@de , "key has 8 digits"@en ;
  sh:sparql [ a sh:SPARQLConstraint ; sh:message "{?value} starts with 0" ;
    sh:select '''SELECT $this ?value WHERE { $this $PATH ?value .
                 FILTER(STRSTARTS(STR(?value), "0")) }''' ] .
ex:ThingShape sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex:prefixes ;
  sh:message "Gleicher Schlüssel wie {?value}"@de ;
  sh:select '''SELECT $this ?value WHERE { $this ex:key ?k . ?value ex:key ?k .
               FILTER (?value != $this && NOT EXISTS { $this ex:kind ex:good }) }''' ] ,
  [ a sh:SPARQLConstraint ; sh:select '''PREFIX ex: <http://ex.org/>
    SELECT $this WHERE { FILTER NOT EXISTS { $this ex:colour ?c } }''' ] .
ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://ex.org/"^^xsd:anyURI ] .
ex:ThingShape sh:property [ sh:path ex:part ; sh:node ex:PartShape ] ,
    [ sh:path ex:weight ; sh:minInclusive 0 ; sh:maxExclusive 100 ] ,
    [ sh:path ex:kind ; sh:not [ sh:hasValue ex:forbidden ] ] ,
    [ sh:path ex:name ; sh:uniqueLang true ; sh:languageIn ( "de" "en" ) ] ,
    [ sh:path ex:part ; sh:node ex:WarnShape ] ;
  sh:or ( [ sh:class ex:Gadget ] [ sh:property [ sh:path ex:colour ; sh:minCount 1 ] ]
          [ sh:path ex:kind ; sh:minCount 1 ] ) .
ex:PartShape a sh:NodeShape ;
  sh:property [ sh:path ex:weight ; sh:maxCount 1 ; sh:datatype xsd:decimal ] ;
  sh:and ( [ sh:nodeKind sh:IRI ] [ sh:class ex:Part ] ) .
ex:WarnShape a sh:NodeShape ; sh:property [ sh:path ex:label ; sh:minCount 1 ;
  sh:severity sh:Warning ] .
ex:NodeTarget a sh:NodeShape ; sh:targetNode ex:special ;
  sh:property [ sh:path ex:name ; sh:minCount 2 ] .
ex:SubjectsTarget a sh:NodeShape ; sh:targetSubjectsOf ex:part ;
  sh:property [ sh:path ex:key ; sh:minCount 1 ] .
ex:ObjectsTarget a sh:NodeShape ; sh:targetObjectsOf ex:part ;
  sh:property [ sh:path ex:weight ; sh:datatype xsd:decimal ; sh:maxCount 1 ] .
"""
DATA = """
@prefix ex: <http://ex.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:Gadget rdfs:subClassOf ex:Thing .
ex:SpecialPart rdfs:subClassOf ex:Part .
ex:t1 a ex:Thing ; ex:name "one" ; ex:key "1234567" , "12345678" ;
  ex:date "2020-13-01"^^xsd:date , "2020-12-01"^^xsd:date ; ex:part ex:p1 , _:b , ex:p2 ;
  ex:colour ex:blue ; ex:size "big" ; ex:kind ex:bad .
ex:t2 a ex:Gadget ; ex:name "zwei"@de , "two"@en ; ex:key "abcdefgh" ; ex:size 3 ;
  ex:part "literal" .
ex:p1 a ex:SpecialPart ; ex:weight 1.5 , 2.5 .
ex:p2 a ex:Part ; ex:weight "heavy" .
_:b a ex:Part .
ex:special ex:name "only one" .
ex:t3 a ex:Thing ; ex:name "drei"@de , "three"@en , "tres"@es , "drei!"@de ;
  ex:key "12345678" , "01234567" ; ex:colour ex:red ;
  ex:weight -1 , 7 , 100 , "heavy" ; ex:kind ex:forbidden , ex:good .
"""


def store_of(text: str) -> Store:
    store = Store()
    store.load(text.encode(), RdfFormat.TURTLE)
    return store


def shapes_of(tmp_path: Path, text: str = SHAPES) -> Store:
    (tmp_path / "shapes.ttl").write_text(text)
    return validate.load_shapes([tmp_path / "shapes.ttl"])


def keys(report: validate.Report) -> Counter:
    return Counter(r.key() for r in report.results)


def test_sparql_checks_give_exactly_pyshacls_results(tmp_path):
    shapes = shapes_of(tmp_path)
    fast = validate.validate(store_of(DATA), shapes)
    slow = validate.validate(store_of(DATA), shapes, engine="pyshacl")
    assert fast.engines == ["sparql", "pyshacl"] and slow.engines == ["pyshacl"]
    plan = shaclsparql.compile_shapes(shapes)
    assert sum(1 for c in plan.checks if c.component == "sparql") == 3
    assert {"node", "or", "not", "minInclusive", "maxExclusive", "uniqueLang", "languageIn"} <= {
        c.component for c in plan.checks
    }
    assert len(fast.results) >= 15
    assert keys(fast) == keys(slow)
    components = {r.component.value.rsplit("#", 1)[1] for r in fast.results}
    assert {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "DatatypeConstraintComponent",
        "ClassConstraintComponent",
        "NodeKindConstraintComponent",
        "InConstraintComponent",
        "OrConstraintComponent",
        "PatternConstraintComponent",
        "MinLengthConstraintComponent",
        "HasValueConstraintComponent",
        "SPARQLConstraintComponent",
    } <= components
    key = next(r for r in fast.results if r.path == NamedNode("http://ex.org/key"))
    assert {m.value for m in key.messages} == {"Schlüssel hat 8 Ziffern", "key has 8 digits"}


def test_pyshacl_is_not_started_when_everything_compiles(tmp_path):
    simple = (
        SHAPES.split("    [ sh:path ex:size", maxsplit=1)[0]
        + "    ex:keyShape2 .\n"
        + ("ex:keyShape2 sh:path ex:other ; sh:maxCount 3 .\n")
    )
    report = validate.validate(store_of(DATA), shapes_of(tmp_path, simple))
    assert report.engines == ["sparql"]


TARGETED = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://ex.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "http://ex.org/"^^xsd:anyURI ] .
ex:KeyedShape a sh:NodeShape ;
  sh:target [ a sh:SPARQLTarget ; sh:prefixes ex:prefixes ;
              sh:select "SELECT $this WHERE { $this ex:key ?k }" ] ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype rdf:langString ] ;
  sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes ex:prefixes ; sh:message "{?value}"@en ;
    sh:select "SELECT $this ?value WHERE { $this ex:key ?value FILTER(STRSTARTS(?value, '1')) }" ] .
"""


def test_sparql_targets_compile_and_give_pyshacls_results(tmp_path):
    shapes = shapes_of(tmp_path, TARGETED)
    fast = validate.validate(store_of(DATA), shapes)
    slow = validate.validate(store_of(DATA), shapes, engine="pyshacl")
    assert fast.engines == ["sparql"]
    assert len(fast.results) == 4  # t1: datatype and two keys; t3: one key
    assert keys(fast) == keys(slow)


def test_a_target_that_does_not_compile_goes_to_pyshacl_whole(tmp_path):
    """pyshacl runs SHACL-AF targets too (advanced mode)."""
    uses_shapes_graph = TARGETED.replace(
        "WHERE { $this ex:key ?k }",
        "WHERE { $this ex:key ?k . FILTER(BOUND($shapesGraph) || true) }",
    )
    shapes = shapes_of(tmp_path, uses_shapes_graph)
    report = validate.validate(store_of(DATA), shapes)
    assert report.engines == ["pyshacl"]
    assert len(report.results) == 4


def test_official_dcat_ap_de_shapes_agree_on_a_real_export(shared_data):
    files = [shared_data / "dcat-ap-3/3.0.0/shacl/dcat-ap-SHACL.ttl"] + [
        shared_data / "dcat-ap-de-shacl/validator/resources/v3.0/shapes" / name
        for name in ("dcat-ap-SHACL-DE.ttl", "dcat-ap-spec-german-additions.ttl")
    ]
    shapes = validate.load_shapes(files)

    def candidate():
        store = Store()
        path = (
            shared_data / "dcat-ap-de-shacl/testcases/dashboard/bremen-catalog-original-input.rdf"
        )
        store.load(path.read_bytes(), RdfFormat.RDF_XML, base_iri="http://x/")
        mapping.drop_paging(store)
        return store

    fast = validate.validate(candidate(), shapes)
    slow = validate.validate(candidate(), shapes, engine="pyshacl")
    assert fast.count("Violation") > 100  # real portals do not pass DCAT-AP.de 3.0
    assert keys(fast) == keys(slow)


@pytest.fixture
def shapes_file(tmp_path) -> Path:
    (tmp_path / "shapes.ttl").write_text(SHAPES)
    return tmp_path


def test_violations_reject_the_candidate_and_the_report_is_kept(
    scratch_platform, http_server, shapes_file
):
    config, store = scratch_platform
    good = (
        b'@prefix ex: <http://ex.org/> . ex:t9 a ex:Thing ; ex:name "n"@de ; '
        b'ex:key "12345678" ; ex:kind ex:good ; ex:colour ex:red .'
    )
    url = http_server.route("/d.ttl", Reply(good))
    source = make_source(shapes_file, kind="rdf", location=url, shapes=["shapes.ttl"])
    first = pipeline.harvest(config, store, source)
    assert first.outcome == "published" and first.report.conforms
    before = store.read_graph(source.graph(config.base_iri))
    http_server.route("/d.ttl", Reply(DATA.encode()))
    second = pipeline.harvest(config, store, source)
    assert second.outcome == "rejected" and "SHACL violation(s)" in second.message
    assert store.read_graph(source.graph(config.base_iri)) == before
    (latest,) = provenance.runs(store, source.id)[:1]
    assert latest["outcome"] == "rejected" and latest["violations"] == second.report.count(
        "Violation"
    )
    results = provenance.report_results(store, latest["report"])
    assert len(results) == len(second.report.results)
    assert {r["focus"].value for r in results} >= {"http://ex.org/t1", "http://ex.org/t2"}


def test_policy_can_accept_violations(scratch_platform, http_server, shapes_file):
    config, store = scratch_platform
    url = http_server.route("/d.ttl", Reply(DATA.encode()))
    source = make_source(
        shapes_file,
        kind="rdf",
        location=url,
        shapes=["shapes.ttl"],
        policy={"max_violations": 1000},
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published" and result.report.count("Violation") > 0


def test_reference_data_from_another_source(scratch_platform, http_server, tmp_path):
    config, store = scratch_platform
    (tmp_path / "project.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .\n"
        "ex:P a sh:NodeShape ; sh:targetClass ex:Project ;\n"
        "  sh:property [ sh:path ex:participant ; sh:class ex:Municipality ] .\n"
    )
    towns = make_source(
        kind="rdf",
        location=http_server.route(
            "/towns.ttl", Reply(b"<http://ex.org/m1> a <http://ex.org/Municipality> .")
        ),
    )
    assert pipeline.harvest(config, store, towns).outcome == "published"
    project = (
        b"<http://ex.org/p1> a <http://ex.org/Project> ; "
        b"<http://ex.org/participant> <http://ex.org/m1> ."
    )
    url = http_server.route("/project.ttl", Reply(project))
    alone = make_source(tmp_path, kind="rdf", location=url, shapes=["project.ttl"])
    assert pipeline.harvest(config, store, alone).outcome == "rejected"
    with_towns = make_source(
        tmp_path, kind="rdf", location=url, shapes=["project.ttl"], reference=[towns.id]
    )
    result = pipeline.harvest(config, store, with_towns)
    assert result.outcome == "published" and result.report.conforms
    published = store.read_graph(with_towns.graph(config.base_iri)).decode()
    assert "Municipality" not in published  # reference data is not copied


def test_broken_shapes_file_fails_the_validate_step(scratch_platform, http_server, tmp_path):
    config, store = scratch_platform
    (tmp_path / "bad.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\nsh:x sh:y")
    source = make_source(
        tmp_path,
        kind="rdf",
        shapes=["bad.ttl"],
        location=http_server.route("/d.ttl", Reply(DATA.encode())),
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and result.step == "validate"
    assert "bad.ttl:2:" in result.message


def test_old_runs_are_pruned_with_their_reports(scratch_platform, http_server, shapes_file):
    config, store = scratch_platform
    url = http_server.route("/d.ttl", Reply(DATA.encode()))
    source = make_source(shapes_file, kind="rdf", location=url, shapes=["shapes.ttl"])
    first = None
    for _ in range(provenance.KEEP_RUNS + 2):
        result = pipeline.harvest(config, store, source)
        assert result.outcome == "rejected"
        first = first or result.run
    runs = provenance.runs(store, source.id)
    assert len(runs) == provenance.KEEP_RUNS
    assert first not in {r["run"] for r in runs}
    leftovers = store.count(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?meta { ?s ?p ?o "
        "FILTER(STRSTARTS(STR(?s), STR(?first))) } }",
        {"meta": NamedNode(store.meta_graph), "first": NamedNode(first)},
    )
    assert leftovers == 0  # the run and its report (IRIs under the run's) are gone
    orphans = store.count(
        "SELECT (COUNT(?r) AS ?n) WHERE { GRAPH ?meta { ?r a ?result "
        "FILTER NOT EXISTS { ?report ?has ?r } } }",
        {
            "meta": NamedNode(store.meta_graph),
            "result": NamedNode("http://www.w3.org/ns/shacl#ValidationResult"),
            "has": NamedNode("http://www.w3.org/ns/shacl#result"),
        },
    )
    assert orphans == 0  # and so are its results
    kept = runs[-1]["report"]
    assert len(provenance.report_results(store, kept)) == len(result.report.results)
