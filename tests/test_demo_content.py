"""What the shipped demo region says: how much of it is invented, and whether its public services
and public organisations pass the official CPSV-AP 3.2 shapes.

An instance triple is *illustrative* when its subject carries ``rg:illustrative true``, when its
subject is a value node (amount, geometry) of such a resource, or when it points at one (the
``org:memberOf`` shortcut of a real municipality into an invented network). Instance triples
are those of the sources' graphs (``{base}graph/…``), not the ontology's or the run records'.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from regiograph.loader.shacl import files as validation

BASE = "http://localhost:8080/"
SOURCE_GRAPHS = (
    f'STRSTARTS(STR(?g), "{BASE}graph/") && ?g NOT IN (<{BASE}graph/meta>, <{BASE}graph/ontology>)'
)
ALL_TRIPLES = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER ({SOURCE_GRAPHS}) }}"
)
# Starts from the flagged resources (few), so that it does not test every triple.
ILLUSTRATIVE_TRIPLES = f"""
PREFIX rg: <https://w3id.org/regiograph/ontology#>
SELECT (COUNT(*) AS ?n) WHERE {{
  SELECT DISTINCT ?g ?s ?p ?o WHERE {{
    {{ ?s rg:illustrative true . GRAPH ?g {{ ?s ?p ?o }} }}
    UNION {{
      ?owner rg:illustrative true . GRAPH ?g {{ ?owner ?via ?s . ?s ?p ?o }} FILTER (isBlank(?s))
    }}
    UNION {{ ?o rg:illustrative true . GRAPH ?g {{ ?s ?p ?o }} }}
    FILTER ({SOURCE_GRAPHS})
  }}
}}"""
CPSV_AP = Path("cpsv-ap") / "3.2.0" / "shacl"
CPSV = "https://semiceu.github.io/CPSV-AP/releases/3.2.0//shacl/cpsv-ap-SHACL.ttl#"
SERVICES_AND_BODIES = ("PublicServiceShape", "PublicOrganisationShape", "ChannelShape")


def test_the_demo_is_at_most_five_percent_invented(demo_store):
    triples = int(demo_store.select(ALL_TRIPLES)[0]["n"].value)
    illustrative = int(demo_store.select(ILLUSTRATIVE_TRIPLES)[0]["n"].value)
    assert triples > 10_000
    assert illustrative / triples <= 0.05, f"{illustrative} of {triples} triples are illustrative"


def test_every_invented_service_channel_and_distribution_is_flagged(demo_store):
    unflagged = demo_store.select(
        """PREFIX rg: <https://w3id.org/regiograph/ontology#>
        PREFIX cv: <http://data.europa.eu/m8g/>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT ?part WHERE {
          { ?whole rg:illustrative true ; cv:hasChannel ?part }
          UNION { ?whole rg:illustrative true ; dcat:distribution ?part }
          FILTER NOT EXISTS { ?part rg:illustrative true }
        }"""
    )
    assert unflagged == []


def test_no_grant_starts_before_its_programmes_first_call(demo_store):
    early = demo_store.select(
        """PREFIX rg: <https://w3id.org/regiograph/ontology#>
        PREFIX schema: <https://schema.org/>
        SELECT ?grant WHERE {
          ?grant schema:startDate ?start ; rg:programme ?programme .
          { ?programme rg:applicationWindow/schema:startDate ?opens }
          UNION { ?call a rg:FundingCall ; rg:programme ?programme ; schema:startDate ?opens }
          FILTER NOT EXISTS {
            { ?programme rg:applicationWindow/schema:startDate ?first }
            UNION { ?other a rg:FundingCall ; rg:programme ?programme ; schema:startDate ?first }
            FILTER (?first <= ?start)
          }
        }"""
    )
    assert early == []


@pytest.fixture(scope="module")
def demo_triples(demo_store) -> bytes:
    """Every source graph of the demo as N-Triples."""
    triples = demo_store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER ({SOURCE_GRAPHS}) }}"
    )
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in triples).encode()


def test_services_and_public_organisations_pass_cpsv_ap_3_2(shared_data, demo_triples):
    report = validation.validate(demo_triples, shapes_dir=shared_data / CPSV_AP)
    failing = [
        r
        for r in report.results
        if r.severity_name == "Violation"
        and r.node_shape.value.removeprefix(CPSV).split("/")[0] in SERVICES_AND_BODIES
    ]
    assert failing == [], report.to_text("en")[:4000]


def test_cpsv_ap_sees_the_demos_services_and_public_organisations(demo_store):
    counts = demo_store.select(
        """PREFIX cv: <http://data.europa.eu/m8g/>
        PREFIX cpsv: <http://purl.org/vocab/cpsv#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT (COUNT(DISTINCT ?service) AS ?services) (COUNT(DISTINCT ?body) AS ?bodies) WHERE {
          { ?service a cpsv:PublicService }
          UNION { ?body a/rdfs:subClassOf* cv:PublicOrganisation }
        }"""
    )[0]
    assert int(counts["services"].value) >= 5
    assert int(counts["bodies"].value) >= 300  # the region's bodies and those of the Modellprojekte


def test_the_73_modellprojekte_with_their_calls_and_resolved_leads(demo_store):
    rows = demo_store.select(
        """PREFIX rg: <https://w3id.org/regiograph/ontology#>
        SELECT ?call (COUNT(DISTINCT ?project) AS ?projects) (COUNT(DISTINCT ?lead) AS ?leads)
        WHERE {
          ?project rg:call ?call .
          ?call rg:programme ?programme .
          OPTIONAL { ?project rg:lead ?lead }
          FILTER (?programme = ?mpsc)
        } GROUP BY ?call ORDER BY ?call""",
        {"mpsc": NamedNode(BASE + "id/programme/modellprojekte-smart-cities")},
    )
    assert [(r["call"].value.removeprefix(BASE), r["projects"].value) for r in rows] == [
        ("id/call/modellprojekte-smart-cities-staffel-1", "13"),
        ("id/call/modellprojekte-smart-cities-staffel-2", "32"),
        ("id/call/modellprojekte-smart-cities-staffel-3", "28"),
    ]
    assert sum(int(r["leads"].value) for r in rows) == 73
