"""Saved queries: header parsing, typed parameters, safe binding, and every query on the demo."""

from __future__ import annotations

import math

import pytest
from pyoxigraph import Literal, NamedNode

from conftest import BASE_IRI, ROOT, make_config
from regiograph import savedqueries
from regiograph.bundled import data_dir
from regiograph.savedqueries import HeaderError, Parameter, ParameterError, convert
from regiograph.server import create_app

MINE = ("stats-", "funding-", "projects-", "services-", "datasets-", "harvest-")
INJECTIONS = [
    '"> } ; DROP ALL #',
    "<",
    "a\nb",
    "\\u003E } DROP ALL",
    "x> } ; CLEAR ALL #",
    "http://x/> } ; DROP ALL ; INSERT DATA { <a> <b> <c> } #",
]


def catalog():
    return savedqueries.load_catalog(data_dir("queries"))


def rows(client, name: str, **params) -> list[dict]:
    response = client.get(f"/api/queries/{name}", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


# --- Files --------------------------------------------------------------------------------


def test_bundled_queries_parse_and_there_are_at_least_15():
    found = catalog()
    assert found.errors == {}
    assert len(found.queries) >= 15
    mine = [q for q in found.queries.values() if q.name.startswith(MINE)]
    assert len(mine) >= 16
    for query in mine:
        assert query.title["de"] and query.title["en"], query.name
        assert query.description["de"] and query.description["en"], query.name


@pytest.mark.parametrize(
    ("header", "complaint"),
    [
        ("#+ title: [unclosed\n", "not valid YAML"),
        ("", "no '#\\+ ' header"),
        ("#+ title: {de: T}\n#+ chart: pie\n", "chart must be one of"),
        ("#+ title: {de: T}\n#+ parameters:\n#+   x: {type: colour}\n", "needs a type"),
        ("#+ title: {de: T}\n#+ parameters:\n#+   x: {type: concept}\n", "needs a scheme"),
        ("#+ title: {de: T}\n#+ parameters:\n#+   x-y: {type: string}\n", "not a SPARQL variable"),
        ("#+ title: {de: T}\n#+ engine: cube\n", "SQL twin"),
        ("#+ description: {de: no title}\n", "title needs texts"),
    ],
)
def test_malformed_headers_name_the_problem(tmp_path, header, complaint):
    path = tmp_path / "bad.rq"
    path.write_text(header + "SELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(HeaderError, match=complaint) as caught:
        savedqueries.parse(path)
    assert "bad.rq" in str(caught.value)


def test_a_malformed_file_is_reported_and_the_app_still_starts(tmp_path, demo_platform):
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "good.rq").write_text(
        "#+ title: {de: Gut, en: Good}\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n"
    )
    (folder / "broken.rq").write_text("#+ title: {de: [kaputt\nSELECT * WHERE { ?s ?p ?o }\n")
    cfg = make_config(tmp_path / "data", queries__dir=str(folder))
    app = create_app(cfg, demo_platform[1])
    client = app.test_client()
    page = client.get("/queries").get_data(as_text=True)
    assert "broken.rq" in page and "not valid YAML" in page
    assert client.get("/api/queries/good").status_code == 200
    assert client.get("/api/queries/broken").status_code == 404
    assert "/api/queries/good" in client.get("/api/openapi.json").get_json()["paths"]


# --- Parameter types ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("iri", "id/municipality/08222000", NamedNode(BASE_IRI + "id/municipality/08222000")),
        ("iri", "https://example.org/x", NamedNode("https://example.org/x")),
        ("ags", "08222000", Literal("08222000")),
        ("year", "2019", Literal("2019", datatype=NamedNode(savedqueries.XSD + "gYear"))),
        ("integer", "-42", Literal("-42", datatype=NamedNode(savedqueries.XSD + "integer"))),
        ("number", "12.50", Literal("12.50", datatype=NamedNode(savedqueries.XSD + "decimal"))),
        (
            "date",
            "2026-10-01",
            Literal("2026-10-01", datatype=NamedNode(savedqueries.XSD + "date")),
        ),
        ("string", INJECTIONS[0], Literal(INJECTIONS[0])),
    ],
)
def test_values_become_terms(kind, raw, expected):
    assert convert(Parameter("p", kind), raw, BASE_IRI) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [("iri", value) for value in INJECTIONS]
    + [
        ("iri", "file:///etc/passwd"),
        ("ags", "0822200"),
        ("ags", "0822200x"),
        ("year", "19"),
        ("year", "2019-01"),
        ("integer", "1.5"),
        ("integer", "1e9"),
        ("number", "NaN"),
        ("number", "1e400"),
        ("date", "2026-13-01"),
        ("date", "2026-1-1"),
        ("string", "x" * 501),
        ("concept", "> }"),
    ]
    + [
        (kind, value)
        for kind in ("ags", "year", "integer", "number", "date")
        for value in INJECTIONS
    ],
)
def test_wrong_values_are_refused_with_the_parameter_name(kind, raw):
    with pytest.raises(ParameterError, match="'p'") as caught:
        convert(Parameter("p", kind), raw, BASE_IRI)
    assert caught.value.parameter == "p"


def test_concept_and_class_membership_are_checked(demo_store):
    query = catalog().get("stats-district-aggregate")
    with pytest.raises(ParameterError, match="indicator"):
        savedqueries.bindings(
            query,
            {"indicator": "https://w3id.org/regiograph/concepts/theme/mobility"},
            demo_store,
            BASE_IRI,
        )
    query = catalog().get("services-online")
    with pytest.raises(ParameterError, match="municipality"):
        savedqueries.bindings(query, {"municipality": "id/district/08226"}, demo_store, BASE_IRI)
    bound = savedqueries.bindings(query, {}, demo_store, BASE_IRI)
    assert bound == {"municipality": NamedNode(BASE_IRI + "id/municipality/08222000")}


@pytest.mark.parametrize("value", INJECTIONS)
def test_injection_through_the_api_changes_nothing(client, demo_store, value):
    before = demo_store.triple_count()
    for name, parameter in [
        ("services-online", "municipality"),
        ("stats-municipality-profile", "ags"),
        ("funding-finder", "day"),
        ("stats-population-development", "fromYear"),
    ]:
        response = client.get(f"/api/queries/{name}", query_string={parameter: value})
        assert response.status_code == 400, (name, value)
        assert response.get_json()["parameter"] == parameter
    assert demo_store.triple_count() == before


def test_a_string_value_is_bound_as_one_literal(demo_store, tmp_path):
    path = tmp_path / "echo.rq"
    path.write_text(
        "#+ title: {de: Echo}\n#+ parameters:\n#+   text: {type: string}\nSELECT ?text WHERE { }\n"
    )
    query = savedqueries.parse(path)
    for value in INJECTIONS:
        values = savedqueries.bindings(query, {"text": value}, demo_store, BASE_IRI)
        result = savedqueries.run(query, demo_store, values)
        assert [r["text"].value for r in result.rows] == [value]


# --- Every saved query on the demo region -------------------------------------------------


def test_population_development(client):
    found = rows(client, "stats-population-development", district="id/district/08226")
    # the 54 municipalities of the Rhein-Neckar-Kreis: GV-ISys 31.12.2009, 2013, 2017, 2019,
    # 2021, 2023 and the Zensus 2022 count (demo/sources/gemeindeverzeichnis, zensus2022)
    assert len(found) == 54 * 7
    assert {r["year"] for r in found} == {2009, 2013, 2017, 2019, 2021, 2022, 2023}
    narrow = rows(
        client,
        "stats-population-development",
        district="id/district/08222",
        fromYear="2019",
        toYear="2019",
    )
    assert narrow == [
        {
            "municipality": BASE_IRI + "id/municipality/08222000",
            "ags": "08222000",
            "name": "Mannheim",
            "year": 2019,
            "population": 310658.0,
        }
    ]


def test_district_aggregate(client):
    found = {r["districtName"]: r for r in rows(client, "stats-district-aggregate", year="2019")}
    assert found["Stadtkreis Mannheim"]["total"] == 310658  # GV-ISys 31.12.2019
    assert found["Landkreis Bergstraße"]["municipalities"] == 22
    assert found["Landkreis Bergstraße"]["total"] == 270340  # sum of its 22 rows, 2019
    latest = {r["districtName"]: r for r in rows(client, "stats-district-aggregate")}
    assert latest["Rhein-Neckar-Kreis"]["total"] == 556645  # 54 municipalities, 31.12.2023
    bergstrasse = found["Landkreis Bergstraße"]
    assert bergstrasse["minimum"] <= bergstrasse["mean"] <= bergstrasse["maximum"]


def test_indicator_averages_and_profile(client):
    averages = {
        r["indicator"].rsplit("/", 1)[1]: r for r in rows(client, "stats-indicator-averages")
    }
    # cells with a value in demo/sources: GV-ISys 6 Stichtage x 290 (+ Zensus 2022: 290),
    # DEGURBA from 2013 (5 x 290), Zensus household size for 274, INKAR 28 years x 15 districts
    assert averages["population"]["observations"] == 6 * 290 + 290
    assert averages["area"]["observations"] == 6 * 290
    assert averages["degurba"]["observations"] == 5 * 290
    assert averages["household-size"]["observations"] == 274
    assert averages["share-65-plus"]["observations"] == 28 * 15
    profile = rows(client, "stats-municipality-profile", ags="08222000", year="2019")
    population = next(r for r in profile if r["indicator"].endswith("/population"))
    assert population["value"] == 310658 and population["unit"].endswith("/unit/person")
    census = rows(client, "stats-municipality-profile", ags="08222000")  # 2022: Zensus
    assert len(census) == 8
    population = next(r for r in census if r["indicator"].endswith("/population"))
    assert population["value"] == 313693  # Zensus 2022, 15.05.2022


def test_size_class_comparison(client):
    found = rows(client, "stats-size-class-comparison")  # gigabit coverage, Breitbandatlas
    assert {r["year"] for r in found} == {2018, 2019, 2020, 2021}
    assert len({r["sizeClass"] for r in found}) == 6
    # the three cities of 100,000 and more (Mannheim, Heidelberg, Ludwigshafen), 06/2021
    largest = next(r for r in found if r["sizeClass"].endswith("100000-plus") and r["year"] == 2021)
    assert largest["municipalities"] == 3 and largest["mean"] == pytest.approx(88.743, abs=1e-3)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("stats-population-development", {"district": "id/district/08226", "fromYear": "2016"}),
        ("stats-district-aggregate", {"year": "2019"}),
        ("stats-indicator-averages", {}),
        ("stats-municipality-profile", {"ags": "08221000", "year": "2021"}),
        ("stats-size-class-comparison", {}),
        ("stats-indicator-ranking", {"district": "id/district/06431"}),
        ("stats-indicator-ranking", {"year": "2019"}),
    ],
)
def test_sql_twins_answer_like_the_sparql_text(app, demo_store, name, params):
    """The mirror's answer equals the store's answer to the query's own SPARQL."""
    query = catalog().get(name)
    values = savedqueries.bindings(query, params, demo_store, BASE_IRI)
    cube = savedqueries.run(query, demo_store, values, app.extensions["regiograph.statistics"])
    live = savedqueries.run_sparql(query.text, demo_store, values)
    assert cube.engine == "cube" and cube.columns == live.columns
    assert len(cube.rows) == len(live.rows) > 0

    def key(row):
        return tuple(_comparable(row.get(c)) for c in live.columns)

    for mirrored, stored in zip(
        sorted(cube.rows, key=key), sorted(live.rows, key=key), strict=True
    ):
        for column in live.columns:
            a, b = _comparable(mirrored.get(column)), _comparable(stored.get(column))
            assert a == b or math.isclose(a, b, rel_tol=1e-9), (column, a, b)


def _comparable(term):
    if term is None:
        return ""
    try:
        return float(term.value)
    except ValueError:
        return term.value


def test_funding_per_district(client):
    found = {r["districtName"]: r for r in rows(client, "funding-per-district")}
    # illustrative grants to Wald-Michelbach (LEADER) and Grasellenbach (Digitale Dorflinde);
    # no federal grant amount is published as data, so none is stated
    assert found["Landkreis Bergstraße"]["total"] == 192_000
    assert found["Landkreis Bergstraße"]["perInhabitant"] == pytest.approx(0.69)
    federal = rows(
        client,
        "funding-per-district",
        level="https://w3id.org/regiograph/concepts/programme-level/federal",
    )
    assert federal == []


def test_funding_finder(client):
    found = rows(
        client,
        "funding-finder",
        municipality="id/municipality/06431009",
        theme="https://w3id.org/regiograph/concepts/theme/telemedicine",
        day="2026-10-01",
    )
    assert [r["programme"] for r in found] == [BASE_IRI + "id/programme/leader-2023-2027"]
    assert found[0]["recipients"]
    closed = rows(
        client,
        "funding-finder",
        municipality="id/municipality/06431009",
        theme="https://w3id.org/regiograph/concepts/theme/telemedicine",
        day="2026-05-15",
    )
    assert closed == []
    urban = rows(
        client,
        "funding-finder",
        municipality="id/municipality/08222000",
        theme="https://w3id.org/regiograph/concepts/theme/telemedicine",
        day="2026-10-01",
    )
    assert urban == []  # Mannheim is urban and too large for LEADER


def test_funding_open_calls(client):
    found = rows(client, "funding-open-calls", day="2026-10-01")
    windows = [r["window"].rsplit("/", 1)[-1] for r in found]
    assert [r["closes"] for r in found] == sorted(r["closes"] for r in found)
    assert {"leader-2026-2", "dorflinde-2026", "impulsfonds-2026"} <= set(windows)
    state = rows(
        client,
        "funding-open-calls",
        day="2026-10-01",
        level="https://w3id.org/regiograph/concepts/programme-level/state",
    )
    assert 0 < len(state) < len(found)
    assert rows(client, "funding-open-calls", day="2018-01-01") == []


def test_indicator_ranking(client):
    found = rows(
        client,
        "stats-indicator-ranking",
        year="2019",
        indicator="https://w3id.org/regiograph/concepts/indicator/population",
    )
    assert len(found) == 25 and found[0]["name"] == "Mannheim"
    assert [r["value"] for r in found] == sorted((r["value"] for r in found), reverse=True)
    bergstrasse = rows(client, "stats-indicator-ranking", district="id/district/06431")
    # ≥ 1 Gbit/s, Breitbandatlas 06/2021: all 22 municipalities, Zwingenberg first
    assert len(bergstrasse) == 22
    assert (bergstrasse[0]["ags"], bergstrasse[0]["value"]) == ("06431022", 92.96)


def test_funding_recipients(client):
    found = rows(client, "funding-recipients")
    # Digitale Zukunftskommune@bw: the Fach-Community of the Verband Region Rhein-Neckar (real)
    assert [(r["recipientName"], r["amount"]) for r in found] == [
        ("Verband Region Rhein-Neckar", 45_000)
    ]


def test_projects_services_transfers_datasets_harvest(client):
    projects = rows(
        client,
        "projects-by-theme-size-class",
        sizeClass="https://w3id.org/regiograph/concepts/size-class/100000-plus",
    )
    assert projects and all(r["sizeClass"].endswith("100000-plus") for r in projects)
    services = rows(client, "services-online")
    assert {r["serviceName"] for r in services} == {
        "Bewohnerparkausweis beantragen (Mannheim)",
        "Wohnsitz anmelden (Mannheim)",
    }
    transfers = rows(client, "projects-solution-transfers")
    assert len(transfers) == 7
    assert {"fromName": "Mudau", "toName": "Eberbach"}.items() <= transfers[0].items()
    datasets = rows(client, "datasets-by-theme-licence")
    # six own datasets and the four real statistics cubes (GV-ISys, Zensus, Breitbandatlas, INKAR)
    assert len(datasets) == 10
    mobility = rows(
        client,
        "datasets-by-theme-licence",
        theme="https://w3id.org/regiograph/concepts/theme/mobility",
    )
    assert 0 < len(mobility) < 6
    licences = rows(client, "datasets-licence-counts")
    assert sum(r["distributions"] for r in licences) >= 6
    harvest = rows(client, "harvest-quality", graph="graph/demo")
    # the demo graph's own datasets: five since the invented one without a format was cut (#14)
    assert harvest[0] == {
        "graph": BASE_IRI + "graph/demo",
        "datasets": 5,
        "withoutDescription": 0,
        "withoutLicence": 0,
        "withoutDistribution": 0,
        "withoutFormat": 0,
        "completeness": 100.0,
    }


def test_every_query_is_documented():
    documented = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    for name in catalog().queries:
        if name.startswith(MINE):
            assert f"| `{name}` |" in documented, name


def test_every_bundled_query_answers_on_the_demo(client):
    """Including the competency queries written by others: no query fails with its defaults."""
    required = {"stats-municipality-profile": {"ags": "08222000"}}
    for name, query in catalog().queries.items():
        missing = [p.name for p in query.parameters if p.required and p.default is None]
        params = required.get(name, {})
        if set(missing) - set(params):
            continue
        assert client.get(f"/api/queries/{name}", query_string=params).status_code == 200, name


# --- Pages --------------------------------------------------------------------------------


def test_gallery_groups_by_tag(client):
    page = client.get("/queries").get_data(as_text=True)
    assert 'id="tag-statistics"' in page and 'id="tag-funding"' in page
    assert "/queries/funding-finder" in page


def test_query_page_table_chart_text_and_downloads(client):
    response = client.get("/queries/funding-per-district")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/page/district/06431"' in page  # the district's page, named not by IRI
    assert "192.000" in page  # numbers formatted for the reader (de)
    assert 'data-kind="bar"' in page
    assert 'href="/sparql?query=PREFIX' in page
    for fmt in ("csv", "json", "excel", "sparql"):
        assert f"/api/queries/funding-per-district?format={fmt}" in page


def _map_points(page: str) -> list[dict]:
    import html
    import json
    import re

    found = re.search(r"data-points='([^']*)'", page)
    return json.loads(html.unescape(found.group(1))) if found else []


def test_a_map_hint_draws_the_places_on_a_map(client):
    page = client.get("/queries/competency-places-map").get_data(as_text=True)
    points = _map_points(page)
    assert len(points) == 10  # every place of the demo region, each with its point
    buchen = next(p for p in points if p["label"] == "Coworking Buchen im alten Amtshaus")
    assert (buchen["lat"], buchen["lon"]) == (49.522695, 9.321679)
    assert (
        buchen["url"]
        == "/resource?iri=http%3A%2F%2Flocalhost%3A8080%2Fid%2Fplace%2Fcoworking-buchen"
    )
    assert "leaflet.js" in page and 'data-kind="bar"' not in page
    coworking = client.get(
        "/queries/competency-places-map",
        query_string={
            "placeType": "https://w3id.org/regiograph/concepts/place-type/coworking-space"
        },
    ).get_data(as_text=True)
    assert 0 < len(_map_points(coworking)) < 10


def test_required_parameter_page_waits_for_input_then_answers(client):
    empty = client.get("/queries/stats-municipality-profile")
    assert empty.status_code == 200 and 'id="results"' not in empty.get_data(as_text=True)
    answered = client.get("/queries/stats-municipality-profile", query_string={"ags": "08222000"})
    assert 'id="results"' in answered.get_data(as_text=True)
    wrong = client.get("/queries/stats-municipality-profile", query_string={"ags": "x"})
    assert wrong.status_code == 400 and "&#39;ags&#39;" in wrong.get_data(as_text=True)
    assert client.get("/queries/no-such-query").status_code == 404
