"""The competency queries (queries/competency-*.rq) on the demo region: the rows the demo implies.

Each query runs on the demo store with its header's defaults bound as a VALUES block (the way
the saved-query engine binds them); a few defaults that depend on today are fixed instead.
Values are compared as plain strings, IRIs relative to the base; GROUP_CONCAT columns as sets.
"""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode

from regiograph import bundled as resources
from regiograph import savedqueries
from regiograph.store.binding import bind

BASE = "http://localhost:8080/"
XSD_DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")
QUERIES = {
    p.stem.removeprefix("competency-"): p for p in resources.files("queries", "competency-*.rq")
}
LISTS = {"funders", "recipients", "shared", "formats", "licences", "memberNames", "about"}


def run(demo_store, name: str, **overrides) -> list[dict]:
    query = savedqueries.parse(QUERIES[name])
    values = {
        p.name: savedqueries.convert(p, p.default, BASE) if p.default is not None else None
        for p in query.parameters
    }
    values.update(overrides)
    rows = demo_store.select(bind(query.text, values))
    return [{k: _plain(k, v) for k, v in row.items()} for row in rows]


def _plain(column: str, term) -> str | set | None:
    if term is None:
        return None
    value = term.value.removeprefix(BASE)
    return set(value.split(", ")) if column in LISTS else value


def day(iso: str) -> Literal:
    return Literal(iso, datatype=XSD_DATE)


def test_fourteen_competency_queries_with_bilingual_headers():
    assert len(QUERIES) == 14
    for path in QUERIES.values():
        query = savedqueries.parse(path)
        assert "competency" in query.tags, path.name
        assert set(query.title) == {"de", "en"} and set(query.description) == {"de", "en"}
        assert query.chart


def test_rural_municipalities_in_local_supply_projects_and_funders(demo_store):
    rows = run(demo_store, "local-supply-rural")
    assert [(r["name"], r["population"], r["project"]) for r in rows] == [
        # populations of 31.12.2023 (Destatis GV-ISys, demo/sources/gemeindeverzeichnis)
        ("Epfenbach", "2412", "id/project/dorfladen-kraichgau"),
        ("Helmstadt-Bargen", "3909", "id/project/dorfladen-kraichgau"),
        ("Neidenstein", "1753", "id/project/dorfladen-kraichgau"),
        ("Reichartshausen", "2143", "id/project/dorfladen-kraichgau"),
        ("Waibstadt", "5708", "id/project/dorfladen-kraichgau"),
    ]
    # The state (ELR) funds it (illustrative grant; the invented LEADER grant began before any
    # LEADER call and was removed); the ministry's name has commas of its own.
    ministry = "Ministerium für Ernährung, Ländlichen Raum und Verbraucherschutz Baden-Württemberg"
    for row in rows:
        assert row["funders"] == set(ministry.split(", "))
    lower = run(demo_store, "local-supply-rural", maxPopulation=Literal(2200))
    assert [r["name"] for r in lower] == ["Neidenstein", "Reichartshausen"]


def test_transferred_solutions(demo_store):
    rows = run(demo_store, "solution-transfers")
    assert [(r["solutionName"], r["fromName"], r["toName"], r["date"]) for r in rows] == [
        ("Betreibermodell Regio-Hub / Coworking", "Mudau", "Eberbach", "2024-09-01"),
        ("CONSUL Democracy", "Landkreis Bergstraße", "Weinheim", "2025-06-01"),
        ("Digitaler Dorfladen (Konzept)", "Waibstadt", "Grasellenbach", "2025-03-15"),
        ("Digitaler Dorfladen (Konzept)", "Neidenstein", "Schönbrunn", "2024-05-01"),
        (
            "On-Demand-Rufbus (Betreibermodell und Buchungsdienst)",
            "Verbandsgemeinde Leiningerland",
            "Annweiler am Trifels",
            "2025-01-01",
        ),
        (
            "On-Demand-Rufbus (Betreibermodell und Buchungsdienst)",
            "Verbandsgemeinde Leiningerland",
            "Edenkoben",
            "2025-04-01",
        ),
        ("Paketstation im Dorfladen", "Neidenstein", "Grasellenbach", "2025-03-15"),
    ]


def test_federal_funding_per_district_and_inhabitant(demo_store):
    # No federal grant amount is published as data (the Modellprojekte Smart Cities list has
    # none), so the demo states none: the invented Smart Cities grants were removed.
    assert run(demo_store, "federal-funding-per-district") == []
    state = NamedNode("https://w3id.org/regiograph/concepts/programme-level/state")
    by_state = {
        r["districtName"]: r["total"]
        for r in run(demo_store, "federal-funding-per-district", level=state)
    }
    assert by_state == {
        "Rhein-Neckar-Kreis": "95000",
        "Neckar-Odenwald-Kreis": "120000",
        "Landkreis Bergstraße": "12000",
        "Landkreis Bad Dürkheim": "240000",
    }


def test_population_development_side_by_side(demo_store):
    rows = run(demo_store, "population-development")
    # Kreis Bergstraße, 31.12.2013 → 31.12.2021 (GV-ISys extracts, both on the 2011 census basis)
    assert [(r["name"], r["first"], r["last"], r["changePercent"]) for r in rows] == [
        ("Zwingenberg", "6705", "7202", "7.4"),
        ("Lorsch", "13170", "13930", "5.8"),
        ("Heppenheim (Bergstraße)", "25013", "26357", "5.4"),
        ("Einhausen", "6226", "6554", "5.3"),
        ("Grasellenbach", "3954", "4162", "5.3"),
        ("Bürstadt", "15625", "16430", "5.2"),
        ("Biblis", "8814", "9169", "4"),
        ("Lampertheim", "31491", "32682", "3.8"),
        ("Rimbach", "8450", "8767", "3.8"),
        ("Neckarsteinach", "3797", "3938", "3.7"),
        ("Bensheim", "39368", "40629", "3.2"),
        ("Viernheim", "33120", "34189", "3.2"),
        ("Wald-Michelbach", "10425", "10664", "2.3"),
        ("Mörlenbach", "9884", "10091", "2.1"),
        ("Fürth", "10406", "10587", "1.7"),
        ("Gorxheimertal", "4088", "4155", "1.6"),
        ("Lautertal (Odenwald)", "7127", "7186", "0.8"),
        ("Lindenfels", "5022", "5057", "0.7"),
        ("Abtsteinach", "2426", "2437", "0.5"),
        ("Hirschhorn (Neckar)", "3424", "3382", "-1.2"),
        ("Birkenau", "10012", "9874", "-1.4"),
        ("Groß-Rohrheim", "3775", "3724", "-1.4"),
    ]


def test_online_services_for_a_municipality(demo_store):
    rows = run(demo_store, "online-services")
    assert [(r["serviceName"], r["authorityName"]) for r in rows] == [
        ("An Bürgerbeteiligung online teilnehmen (Kreis Bergstraße)", "Landkreis Bergstraße"),
        ("Fahrzeug zulassen (Kreis Bergstraße)", "Landkreis Bergstraße"),
        ("Gewerbe anmelden (Wald-Michelbach)", "Wald-Michelbach"),
    ]
    assert rows[2]["url"] == "https://service.smart-region.example/gewerbe-anmelden-wald-michelbach"
    # Through its association: the on-demand bus of the Verbandsgemeinde Leiningerland.
    leiningerland = run(
        demo_store, "online-services", municipality=NamedNode(BASE + "id/municipality/07332007")
    )
    assert [r["serviceName"] for r in leiningerland] == ["Rufbus buchen (Leiningerland)"]
    assert "url" not in leiningerland[0]  # an app channel, no online address


def test_mobility_datasets_formats_and_licences(demo_store):
    rows = run(demo_store, "mobility-datasets")
    assert [(r["title"], r["formats"], r["licences"]) for r in rows] == [
        (
            "Fahrtenstatistik Rufbus Leiningerland",
            {"CSV"},
            {"http://dcat-ap.de/def/licenses/dl-zero-de/2.0"},
        ),
        (
            "Ladesäulen für Elektrofahrzeuge in der Metropolregion",
            {"GEOJSON"},
            {"http://dcat-ap.de/def/licenses/cc-by/4.0"},
        ),
        (
            "Radverkehrszählstellen Mannheim",
            {"JSON", "CSV"},
            {"http://dcat-ap.de/def/licenses/dl-zero-de/2.0"},
        ),
        (
            "Virtuelle Haltepunkte Rufbus Leiningerland",
            {"GEOJSON", "CSV"},
            {"http://dcat-ap.de/def/licenses/dl-by-de/2.0"},
        ),
    ]


def test_open_programmes_for_rural_hessen_telemedicine(demo_store):
    rows = run(demo_store, "funding-fit", day=day("2026-11-01"))
    assert rows == [
        {
            "programme": "id/programme/leader-2023-2027",
            "programmeName": "LEADER 2023\u20132027",
            "closes": "2027-01-15",
            "recipients": {"Wald-Michelbach"},
        }
    ]
    assert run(demo_store, "funding-fit", day=day("2026-08-01")) == []


def test_who_can_i_learn_from(demo_store):
    rows = run(demo_store, "learn-from")
    assert rows == [
        {  # real: Digitale Zukunftskommune@bw, shares the theme mobility
            "other": "id/project/fach-community-digitalisierung-rhein-neckar",
            "otherName": "Fach-Community für kommunale digitale Anwendungen"
            " in der Region Rhein-Neckar",
            "lead": "id/organisation/verband-region-rhein-neckar",
            "leadName": "Verband Region Rhein-Neckar",
            "shared": {"Mobilität"},
        },
        {
            "other": "id/project/rufbus-suedpfalz",
            "otherName": "Transfer Rufbus Südliche Weinstraße",
            "lead": "id/district/07337",
            "leadName": "Landkreis Südliche Weinstraße",
            "shared": {
                "On-Demand-Rufbus (Betreibermodell und Buchungsdienst)",
                "On-Demand-Mobilität",
            },
        },
    ]


def test_white_spots(demo_store):
    rows = run(demo_store, "municipalities-without-projects")
    # Rhein-Neckar-Kreis: 54 municipalities, 5 of them in a (demo) project; the type is the
    # official degree of urbanisation (DEGURBA) of 2023
    assert len(rows) == 49
    assert [(r["name"], r["population"], r["settlement"]) for r in rows][:4] == [
        ("Altlußheim", "6389", "teilweise städtisch"),
        ("Angelbachtal", "5217", "teilweise städtisch"),
        ("Bammental", "6594", "teilweise städtisch"),
        ("Brühl", "14238", "teilweise städtisch"),
    ]
    rural = {r["name"] for r in rows if r["settlement"] == "ländlich"}
    assert rural == {
        "Eschelbronn",
        "Heddesbach",
        "Heiligkreuzsteinach",
        "Lobbach",
        "Neckarbischofsheim",
        "Schönau",
        "Schönbrunn",
        "Spechbach",
        "Wilhelmsfeld",
    }
    everywhere = run(demo_store, "municipalities-without-projects", district=None)
    assert len(everywhere) == 242 and {"Speyer", "Worms", "Kandel"} <= {
        r["name"] for r in everywhere
    }


def test_places_on_the_map(demo_store):
    rows = run(demo_store, "places-map")
    assert len(rows) == 10 and all(r["wkt"].startswith("POINT(") for r in rows)
    hubs = run(
        demo_store,
        "places-map",
        placeType=NamedNode("https://w3id.org/regiograph/concepts/place-type/regio-hub"),
    )
    assert hubs == [
        {
            "place": "id/place/regio-hub-limbach",
            "name": "Regio-Hub Limbach",
            "kind": "Regio-Hub",
            "municipalityName": "Limbach",
            "wkt": "POINT(9.212752 49.462425)",
        },
        {
            "place": "id/place/regio-hub-mudau",
            "name": "Regio-Hub Mudau",
            "kind": "Regio-Hub",
            "municipalityName": "Mudau",
            "wkt": "POINT(9.204785 49.533059)",
        },
    ]


def test_cooperation_members_by_role(demo_store):
    rows = run(demo_store, "cooperation-members")
    assert [(r["role"], r["members"], r["memberNames"]) for r in rows] == [
        (
            "Gesellschafter",
            "6",
            {"Helmstadt-Bargen", "Epfenbach", "Neidenstein", "Eberbach", "Waibstadt", "Sinsheim"},
        ),
        ("Gründungsmitglied", "2", {"Waibstadt", "Sinsheim"}),
    ]


def test_upcoming_events(demo_store):
    rows = run(demo_store, "upcoming-events", day=day("2026-11-01"))
    assert [
        (r["start"], r["kind"], r["name"], r.get("placeName"), r["organiserName"]) for r in rows
    ] == [
        (
            "2026-11-27",
            "Netzwerktreffen",
            "Netzwerktreffen Smarte Dörfer 2026",
            "Smart City Lab Mannheim",
            "Netzwerk Smarte Dörfer Rhein-Neckar",
        ),
        (
            "2026-12-01",
            "Webinar",
            "Webinar: LEADER-Aufruf 2026/II",
            None,
            "Verband Region Rhein-Neckar",
        ),
        (
            "2026-12-03",
            "Workshop",
            "Workshop: Dorfladen und Paketstation planen",
            "Dorfbüro Schönbrunn",
            "Digitalagentur Kraichgau-Odenwald",
        ),
        (
            "2026-12-10",
            "Schulung",
            "Online-Schulung CONSUL für Verwaltungen",
            None,
            "Landkreis Bergstraße",
        ),
    ]
    health = run(
        demo_store,
        "upcoming-events",
        day=day("2026-11-01"),
        theme=NamedNode("https://w3id.org/regiograph/concepts/theme/health"),
    )
    assert [r["name"] for r in health] == ["Netzwerktreffen Smarte Dörfer 2026"]  # telemedicine


def test_knowledge_for_a_theme(demo_store):
    rows = run(demo_store, "knowledge-for-theme")
    assert [(r["kind"], r["title"], r["about"]) for r in rows] == [
        (
            "Arbeitshilfe",
            "Arbeitshilfe: Ausschreibung eines On-Demand-Rufbusses",
            {"On-Demand-Rufbus (Betreibermodell und Buchungsdienst)"},
        ),
        (  # real: smart-city-dialog.de on rural model projects (theme on-demand mobility)
            "Good-Practice-Beispiel",
            "Im Fokus: Smartes Landleben",
            {
                "Modellprojekt Smart Cities Grevesmühlen",
                "Modellprojekt Smart Cities Gemeinde Fuchstal",
            },
        ),
        (
            "Mustervorlage",
            "Mustervertrag Rufbus-Betrieb",
            {"On-Demand-Rufbus (Betreibermodell und Buchungsdienst)"},
        ),
    ]


def test_ageing_and_gigabit_coverage(demo_store):
    rows = run(demo_store, "ageing-and-broadband")
    # Neckar-Odenwald-Kreis, 2020: gigabit share per municipality (Breitbandatlas 12/2020) and
    # the district's share 65+ (INKAR 08225, 2020: 22.13)
    assert len(rows) == 27
    assert [(r["name"], r["share65plus"], r["gigabit"]) for r in rows][:5] == [
        ("Fahrenbach", "22.13", "0"),
        ("Hüffenhardt", "22.13", "0"),
        ("Ravenstein", "22.13", "0"),
        ("Adelsheim", "22.13", "0.05"),
        ("Seckach", "22.13", "0.06"),
    ]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_binds_only_declared_variables(name):
    query = savedqueries.parse(QUERIES[name])
    assert "WHERE {" in query.text
    for parameter in query.parameters:
        assert f"?{parameter.name}" in query.text, (name, parameter.name)
