"""The five real catalogues of ../shared/data, harvested with the default policy: the
re-published ``/catalog`` validates, and every dataset and source has its quality score.

GovData's ckanext-dcatde example, the Bremen, Brandenburg and Destatis exports GovData
harvested, and demo.ckan.org's package_search answer (standing in for the region's CKAN) are
served on loopback and harvested with the default policy (the DCAT-AP.de profile with the
bundled code lists, acceptance per dataset, repairs). ``/catalog`` must then pass
DCAT-AP 3.0.0 + DCAT-AP.de 3.0 with the *published* code lists (tests/dcat_ap_de.py) without a
violation, in every syntax: the Turtle is validated, and the RDF/XML, JSON-LD and N-Triples
are the same graph (RDFC-1.0 canonical forms equal; rdflib parses each, as a consumer would).
"""

from __future__ import annotations

import warnings

import pytest
from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, Literal, NamedNode, Quad
from rdflib import BNode, Graph, URIRef

import dcat_ap_de
import httpfixtures
from conftest import BASE_IRI as BASE
from conftest import make_config
from httpfixtures import Reply
from regiograph import config as configuration
from regiograph import iris
from regiograph.loader import pipeline, quality
from regiograph.runtime import open_store
from regiograph.server import create_app

DASHBOARD = "dcat-ap-de-shacl/testcases/dashboard"
RDFXML = "application/rdf+xml"
CATALOGUES = {  # source id -> (file under ../shared/data, path served, media type)
    "govdata": ("ckanext-dcatde/examples/catalog-endpoint.rdf", "/govdata.rdf", RDFXML),
    "bremen": (f"{DASHBOARD}/bremen-catalog-original-input.rdf", "/bremen.rdf", RDFXML),
    "brandenburg": (f"{DASHBOARD}/brandenburg-catalog-original-input.rdf", "/bb.rdf", RDFXML),
    "destatis": (f"{DASHBOARD}/destatis-catalog-original-input.rdf", "/destatis.rdf", RDFXML),
    "ckan": (
        "ckan-api-demo-ckan-org/packages.json",
        "/api/3/action/package_search",
        "application/json",
    ),
}
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld", "nt": "nt"}
DQV = "http://www.w3.org/ns/dqv#"
HV = "https://w3id.org/regiograph/harvest#"
KEYS = (*quality.DIMENSIONS, quality.TOTAL)

_server = pytest.fixture(name="http_server", scope="module")(httpfixtures.serving)


@pytest.fixture(scope="module")
def harvested(tmp_path_factory, http_server, shared_data):
    """(app, store, {source id: run}): a platform of its own that harvested the five."""
    tables = []
    for source_id, (name, path, media_type) in CATALOGUES.items():
        http_server.route(path, Reply.file(shared_data / name, media_type))
        kind = "ckan" if media_type == "application/json" else "dcat"
        location = http_server.base if kind == "ckan" else http_server.url(path)
        tables.append({"id": source_id, "kind": kind, "location": location, "allow_private": True})
    defaults = make_config(tmp_path_factory.mktemp("republished"), catalog__page_size=1000)
    cfg = configuration.Config(
        {s.name: defaults[s.name] for s in configuration.SETTINGS}, {"sources": tables}, "test"
    )
    with open_store(cfg) as (cfg, store):
        runs = {run.source.id: run for run in pipeline.harvest_all(cfg, store)}
        for run in runs.values():
            print(f"\n{run.source.id}: {run.outcome} {run.datasets.counts()} {run.message[:200]}")
        app = create_app(cfg, store)
        app.testing = True
        yield app, store, runs


def fetch(client, fmt: str) -> Graph:
    response = client.get(f"/catalog.{fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return Graph().parse(data=response.data, format=FORMATS[fmt])


def canonical(graph: Graph) -> Dataset:
    """The graph's RDFC-1.0 canonical form (pyoxigraph: seconds faster than rdflib's
    isomorphism on 11,000 triples with blank nodes)."""

    def term(node):
        if isinstance(node, URIRef):
            return NamedNode(str(node))
        if isinstance(node, BNode):
            return BlankNode(str(node))
        datatype = NamedNode(str(node.datatype)) if node.datatype else None
        return Literal(str(node), language=node.language, datatype=datatype)

    dataset = Dataset(Quad(term(s), term(p), term(o)) for s, p, o in graph)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


@pytest.mark.shared
def test_republished_real_catalogues_validate_in_every_syntax(harvested, shared_data):
    app, _, runs = harvested
    assert {s: r.outcome for s, r in runs.items()} == {
        "govdata": "published",
        "bremen": "published",
        "brandenburg": "published",  # 62 of 112: identifiers as IRIs repaired, literal
        # publishers held back (tests/test_loader_repair.py)
        "destatis": "published",
        "ckan": "published",
    }
    client = app.test_client()
    turtle = fetch(client, "ttl")
    listed = {str(o) for o in turtle.objects(None, URIRef("http://www.w3.org/ns/dcat#dataset"))}
    for run in runs.values():  # what passed is re-published, what was held back is not
        accepted = {v.dataset.value for v in run.datasets.accepted}
        held = {v.dataset.value for v in run.datasets.held_back}
        assert listed >= (accepted if run.outcome == "published" else set()), run.source.id
        assert not listed & held, run.source.id
    shapes, vocabularies = dcat_ap_de.load_shapes(shared_data)
    report = dcat_ap_de.validate(turtle, shapes, vocabularies)
    print(f"\n{len(turtle)} triples, {len(listed)} datasets; {report.summary()}")
    assert report.violations == [], report.summary()
    expected = canonical(turtle)
    for fmt in ("rdf", "jsonld", "nt"):
        assert canonical(fetch(client, fmt)) == expected, f"/catalog.{fmt} is not the Turtle graph"


@pytest.mark.shared
def test_quality_of_every_dataset_and_source_is_stored_as_dqv(harvested):
    app, store, runs = harvested
    for run in runs.values():
        scores = run.quality.source()
        print(f"\n{run.source.id}: " + ", ".join(f"{k} {v:.1f}" for k, v in scores.items()))
    published = [run for run in runs.values() if run.outcome == "published"]
    for run in published:
        scores = run.quality.source()
        stored = measured(store, run.run)
        assert list(stored) == [iris.graph(BASE, run.source.id)], "the source's, by its run"
        assert set(stored[iris.graph(BASE, run.source.id)]) == {HV + k for k in KEYS}
        assert stored[iris.graph(BASE, run.source.id)][HV + "qualityScore"] == pytest.approx(
            scores["qualityScore"], abs=0.05
        )
        per_dataset = measured(store, iris.quality_measurements(BASE, run.source.id))
        judged = {v.dataset.value for v in run.datasets.verdicts.values()}
        assert judged <= set(per_dataset), "held-back datasets have a score too"
        assert all(
            set(keys) == {HV + k for k in quality.DIMENSIONS} for keys in per_dataset.values()
        )
        for dataset, score in run.quality.datasets.items():
            for key in quality.DIMENSIONS:
                assert per_dataset[dataset.value][HV + key] == pytest.approx(
                    score.percent()[key], abs=0.05
                )
    rows = app.test_client().get("/api/queries/harvest-quality-scores").get_json()
    by_resource = {row["resource"]: row for row in rows}
    for run in published:
        for dataset, score in run.quality.datasets.items():
            row = by_resource[dataset.value]
            assert row["sourceId"] == run.source.id
            # the query's whole is made of the stored dimensions, each rounded to 0.1
            assert row["score"] == pytest.approx(score.percent()["qualityScore"], abs=0.1)
    assert [row["score"] for row in rows] == sorted(row["score"] for row in rows), "worst first"


def measured(store, by: str) -> dict[str, dict[str, float]]:
    """{computed on: {metric: value}} of the DQV measurements in the metadata graph that the
    run ``by`` generated, or (``by`` ends in "/") whose IRIs begin with ``by``."""
    which = (
        "FILTER(STRSTARTS(STR(?m), STR(?by)))"
        if by.endswith("/")
        else "?m <http://www.w3.org/ns/prov#wasGeneratedBy> ?by ; a ?measurement ."
    )
    rows = store.select(  # the filter outside the GRAPH group, where ?by is bound
        f"SELECT ?node ?metric ?value WHERE {{ GRAPH ?meta {{ ?m ?on ?node ; ?of ?metric ; "
        f"?v ?value . {which if not by.endswith('/') else ''} }} "
        f"{which if by.endswith('/') else ''} }}",
        {
            "meta": NamedNode(store.meta_graph),
            "measurement": NamedNode(DQV + "QualityMeasurement"),
            "on": NamedNode(DQV + "computedOn"),
            "of": NamedNode(DQV + "isMeasurementOf"),
            "v": NamedNode(DQV + "value"),
            "by": NamedNode(by),
        },
    )
    out: dict[str, dict[str, float]] = {}
    for row in rows:
        out.setdefault(row["node"].value, {})[row["metric"].value] = float(row["value"].value)
    return out


def test_indicator_points_are_mqas():
    """The points of the indicators scored are piveau's pv:trueScore; what is left out of MQA's
    405 (reachability 50 + 30, non-proprietary 20, machine-interpretable 20) is said."""
    assert quality.MAXIMUM == {
        "findability": 100,
        "accessibility": 20,
        "interoperability": 70,
        "reusability": 75,
        "contextuality": 20,
    }
    assert sum(quality.MAXIMUM.values()) == 405 - 50 - 30 - 20 - 20
