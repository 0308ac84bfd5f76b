"""Every page query answers for its own resource only.

A store of its own holds two disjoint worlds, "Alpha" and "Beta": two of every kind of
resource that has a type-specific view (project, programme, district, municipality, dataset),
each linked only to things of its own world. Every page of one world must show its own rows
and must not mention anything of the other world. A query that binds the page's resource
where a subquery cannot see it (as ``transfers.rq`` once did) lists the other world's rows
and fails here.
"""

from __future__ import annotations

import re

import pytest

from conftest import BASE_IRI, make_config
from regiograph.runtime import open_store
from regiograph.server import create_app

PREFIXES = f"""
@base <{BASE_IRI}> .
@prefix rg: <https://w3id.org/regiograph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <https://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
"""

# The population series of the world's two municipalities: (municipality, year, value).
SERIES = ((1, 2020, "100{n}0"), (1, 2021, "101{n}0"), (2, 2020, "20{n}0"), (2, 2021, "21{n}0"))
OBSERVATIONS = "".join(
    f"<id/observation/{{w}}-{m}-{year}> sdmx-dimension:refArea <id/municipality/0{{n}}100{m}> ;\n"
    "    rg:indicator <https://w3id.org/regiograph/concepts/indicator/population> ;\n"
    f'    rg:refPeriod "{year}"^^xsd:gYear ; sdmx-measure:obsValue "{value}"^^xsd:decimal .\n'
    for m, year, value in SERIES
)

# One world; {W} is its name, {w} its slug, {n} a digit that keeps its keys apart.
WORLD = (
    """
<id/district/0{n}1> a rg:District ; rdfs:label "{W} district"@en, "{W}-Kreis"@de ;
    rg:population 9{n}000 ; rg:statisticsDate "2023-12-31"^^xsd:date .
<id/municipality/0{n}1001> a rg:Municipality ; rdfs:label "{W}stadt" ;
    rg:ags "0{n}1001" ; rg:district <id/district/0{n}1> ; rg:population 100{n}0 ; rg:area 1{n}.5 ;
    geo:hasGeometry [ geo:asWKT "POINT(8.{n} 49.{n})"^^geo:wktLiteral ] .
<id/municipality/0{n}1002> a rg:Municipality ; rdfs:label "{W}dorf" ;
    rg:ags "0{n}1002" ; rg:district <id/district/0{n}1> ; rg:population 20{n}0 ; rg:area 2{n}.5 ;
    geo:hasGeometry [ geo:asWKT "POINT(8.{n}5 49.{n}5)"^^geo:wktLiteral ] .
"""
    + OBSERVATIONS
    + """
<id/organisation/{w}-org> a rg:Organisation ; rdfs:label "{W} Verein" ;
    rg:locatedIn <id/municipality/0{n}1001> .
<id/solution/{w}-solution> a rg:Solution ; rdfs:label "{W} solution" .
<id/theme/{w}-theme> rdfs:label "{W} theme" .
<id/project/{w}> a rg:Project ; rdfs:label "{W} project" ;
    rg:lead <id/organisation/{w}-org> ; rg:usesSolution <id/solution/{w}-solution> ;
    rg:theme <id/theme/{w}-theme> ; schema:startDate "2020-01-01"^^xsd:date .
<id/project/{w}-sibling> a rg:Project ; rdfs:label "{W} sibling project" ;
    rg:usesSolution <id/solution/{w}-solution> ; rg:theme <id/theme/{w}-theme> .
<id/transfer/{w}> a rg:SolutionTransfer ; rdfs:label "{W} transfer" ;
    rg:transferredSolution <id/solution/{w}-solution> ; rg:originProject <id/project/{w}> ;
    rg:transferredFrom <id/municipality/0{n}1001> ; rg:transferredTo <id/municipality/0{n}1002> ;
    dct:date "2024-0{n}-01"^^xsd:date .

<id/programme/{w}> a rg:FundingProgramme ; rdfs:label "{W} programme" ;
    rg:applicationWindow <id/window/{w}> .
<id/window/{w}> rdfs:label "{W} call" ; schema:startDate "2026-0{n}-01"^^xsd:date .
<id/grant/{w}> a schema:MonetaryGrant ; rdfs:label "{W} grant" ;
    schema:fundedItem <id/project/{w}> ; rg:programme <id/programme/{w}> ;
    rg:recipient <id/organisation/{w}-org> ;
    schema:amount [ schema:value "{n}000"^^xsd:decimal ; schema:currency "EUR" ] .

<id/dataset/{w}> a dcat:Dataset ; dct:title "{W} dataset" ;
    dcat:distribution <id/distribution/{w}> .
<id/distribution/{w}> a dcat:Distribution ; dct:title "{W} download" ;
    dcat:downloadURL <https://example.org/{w}.csv> .
"""
)

WORLDS = {"Alpha": 1, "Beta": 2}

# page path (with {w} and {n}) -> what that page must show of its own world
PAGES = {
    "/page/project/{w}": [
        "{W} transfer",  # transfers.rq (through the transfer's label or its solution)
        "{W} grant",  # grants.rq
        "{W} Verein",  # partners.rq
        "{W} sibling project",  # related.rq
    ],
    "/page/programme/{w}": ["{W} call", "{W} grant", "{W} project"],  # windows.rq, grants.rq
    "/page/district/0{n}1": ["{W}stadt", "{W}dorf", "0{n}1001"],  # members.rq
    "/page/municipality/0{n}1001": ["{W} district", "{W} Verein"],  # describe, incoming
    "/page/dataset/{w}": ["{W} download", "example.org/{w}.csv"],  # distributions.rq
    "/page/solution/{w}-solution": ["{W} project", "{W} transfer"],  # incoming
}


def _fill(template: str, world: str) -> str:
    n = WORLDS[world]
    return template.replace("{W}", world).replace("{w}", world.lower()).replace("{n}", str(n))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    turtle = PREFIXES + "".join(_fill(WORLD, world) for world in WORLDS)
    with open_store(make_config(tmp_path_factory.mktemp("two-worlds"))) as (cfg, store):
        store.replace_graph(BASE_IRI + "graph/two-worlds", turtle.encode(), "text/turtle")
        app = create_app(cfg, store)
        app.testing = True
        yield app.test_client()


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _other(world: str) -> str:
    return next(w for w in WORLDS if w != world)


@pytest.mark.parametrize("world", list(WORLDS))
@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_shows_its_own_rows_and_none_of_the_other_world(client, path, world):
    response = client.get(_fill(path, world), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    for expected in PAGES[path]:
        assert _fill(expected, world) in html, (path, world, expected)
    other = _other(world)
    assert other not in text, (path, world, re.findall(rf".{{40}}{other}.{{40}}", text))
    assert f"/{other.lower()}" not in html and f"/0{WORLDS[other]}1" not in html


def test_project_lists_exactly_its_own_transfer(client):
    html = client.get("/page/project/alpha", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    section = html.split('id="transfers-heading"', 1)[1].split("</section>", 1)[0]
    assert section.count("<li>") == 1 and "Alphastadt" in section and "Alphadorf" in section


@pytest.mark.parametrize("lang", ["de", "en"])
def test_district_shows_its_official_population_and_says_why_the_sum_differs(client, lang):
    """Two of the Kreis's municipalities are loaded: their sum (12,020) is not its population
    (91,000). The official figure comes first with its date, the sum beside it with the
    reason, and no property row repeats rg:population."""
    html = client.get("/page/district/011", headers={"Accept-Language": lang}).get_data(
        as_text=True
    )
    facts = html.split('class="facts"', 1)[1].split("</dl>", 1)[0]
    official, total = ("91.000", "12.020") if lang == "de" else ("91,000", "12,020")
    assert f"{official} (31.12.2023)" in facts or f"{official} (Dec 31, 2023)" in facts
    assert total in facts and html.count(official) == 1
    why = "offizielle Zahl" if lang == "de" else "official figure"
    assert why in html.split("</dl>", 1)[1].split("</section>", 1)[0]


def test_municipality_chart_compares_with_its_own_district_only(client):
    html = client.get("/page/municipality/011001", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "district mean (2 municipalities)" in html


def test_a_bound_value_lands_in_the_subquery_that_uses_it():
    """The store client binds values after the first ``WHERE {``: in a query with a subquery
    that uses ``?this`` that must be the subquery's (the outer query writes no WHERE)."""
    from regiograph.resources.describe import QUERIES
    from regiograph.store.binding import bind

    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        selects = [m.start() for m in re.finditer(r"\bSELECT\b", code)]
        if len(selects) < 2 or "?this" not in code[selects[1] :]:
            continue
        bound = bind(code, {"this": None})
        assert bound.index("VALUES") > selects[1], path.name
