"""The competency queries (queries/competency-*.rq) on the demo region: the rows the demo implies.

Each query runs on the demo store with its header's defaults bound as a VALUES block (the way
the saved-query engine binds them); a few defaults that depend on today are fixed instead.
Values are compared as plain strings, IRIs relative to the base; GROUP_CONCAT columns as sets.

A query whose rows can rest on the demo's invented examples (rg:illustrative) says so in a
column ``illustrative`` and in its description; the others answer from the real sources, and
their rows are checked against the source files in demo/sources/ (derived from ../shared/data
by scripts/derive_demo_data.py, which test_real_region checks).
"""

from __future__ import annotations

import csv
import html
from decimal import Decimal
from pathlib import Path

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
SOURCES = Path(__file__).resolve().parents[1] / "demo/sources"
ILLUSTRATIVE = "https://w3id.org/regiograph/ontology#illustrative"
NOTE = {
    "de": "Zeilen mit illustrative = true beruhen auf erfundenen Beispielen der Demo",
    "en": "Rows with illustrative = true rest on the demo's invented examples",
}
# The queries that answer from the real sources alone, on the demo as shipped
REAL = {"ageing-and-broadband", "municipalities-without-projects", "population-development"}


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
    # The demo has no real local-supply project in the region: every row is an invented example
    assert {r["illustrative"] for r in rows} == {"true"}
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
    # every transfer is invented (CONSUL itself is real software, its transfer is not)
    assert {r["illustrative"] for r in rows} == {"true"}


def test_federal_funding_per_district_and_inhabitant(demo_store):
    # No federal grant amount is published as data (the Modellprojekte Smart Cities list has
    # none), so the demo states none: the invented Smart Cities grants were removed.
    assert run(demo_store, "federal-funding-per-district") == []
    state = NamedNode("https://w3id.org/regiograph/concepts/programme-level/state")
    by_state = {
        r["districtName"]: r["total"]
        for r in run(demo_store, "federal-funding-per-district", level=state)
    }
    assert {
        r["illustrative"] for r in run(demo_store, "federal-funding-per-district", level=state)
    } == {"true"}  # the state grants' amounts are invented (the one real grant has no district)
    assert by_state == {
        "Rhein-Neckar-Kreis": "95000",
        "Neckar-Odenwald-Kreis": "120000",
        "Landkreis Bergstraße": "12000",
        "Landkreis Bad Dürkheim": "240000",
    }


def test_population_development_side_by_side(demo_store):
    rows = run(demo_store, "population-development")
    # Kreis Bergstraße, 31.12.2013 → 31.12.2021 (GV-ISys extracts, both on the 2011 census basis)
    answered = [(r["name"], r["first"], r["last"], r["changePercent"]) for r in rows]
    first = {label(r["gemeindename"]): number(r["bevoelkerung"]) for r in register("2013", "06431")}
    last = {label(r["gemeindename"]): number(r["bevoelkerung"]) for r in register("2021", "06431")}
    assert sorted(name for name, *_ in answered) == sorted(last)  # the Kreis's 22, none more
    for name, old, new, change in answered:
        assert (old, new) == (first[name], last[name]), name
        percent = (Decimal(new) - Decimal(old)) / Decimal(old) * 100
        assert Decimal(change) == percent.quantize(Decimal("0.1")), name
    assert answered == [
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
    assert {r["illustrative"] for r in rows} == {"true"}  # no real service catalogue loaded
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
    assert {r["illustrative"] for r in rows} == {"true"}  # the portals come without datasets


def test_open_programmes_for_rural_hessen_telemedicine(demo_store):
    rows = run(demo_store, "funding-fit", day=day("2026-11-01"))
    assert rows == [
        {
            "programme": "id/programme/leader-2023-2027",
            "programmeName": "LEADER 2023\u20132027",
            "closes": "2027-01-15",
            "recipients": {"Wald-Michelbach"},
            "illustrative": "true",  # LEADER is real, its windows and this grant are not
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
            "illustrative": "false",
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
            "illustrative": "true",
        },
    ]


def test_white_spots(demo_store):
    rows = run(demo_store, "municipalities-without-projects")
    # Rhein-Neckar-Kreis: no municipality of it takes part in a project stated as fact (the
    # Fach-Community names the Kreis itself; the invented Kraichgau projects do not count), so
    # all 54 of 31.12.2023 with their population and DEGURBA as the register gives them
    expected = sorted(
        (label(row["gemeindename"]), number(row["bevoelkerung"]), DEGURBA[key])
        for row in register("2023", "08226")
        for key in [row["verstaedterungschluessel"]]
    )
    assert len(expected) == 54
    assert [(r["name"], r["population"], r["settlement"]) for r in rows] == expected
    everywhere = run(demo_store, "municipalities-without-projects", district=None)
    # the region's 290, less Mannheim (Modellprojekt Smart Cities, Fach-Community) and
    # Heidelberg (Fach-Community), the two in a real project
    region = {r["gemeinde_ags"] for d in REGION for r in register("2023", d)}
    assert len(region) == 290
    white = {r["municipality"].removeprefix("id/municipality/") for r in everywhere}
    assert white == region - {"08222000", "08221000"} and len(everywhere) == 288


def test_places_on_the_map(demo_store):
    rows = run(demo_store, "places-map")
    assert len(rows) == 10 and all(r["wkt"].startswith("POINT(") for r in rows)
    # the two real places (DiZ Süderbrarup, WALD | STADT | LABOR Iserlohn) have no coordinates
    # in their sources, so only invented ones are on the map
    assert {r["illustrative"] for r in rows} == {"true"}
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
            "illustrative": "true",
        },
        {
            "place": "id/place/regio-hub-mudau",
            "name": "Regio-Hub Mudau",
            "kind": "Regio-Hub",
            "municipalityName": "Mudau",
            "wkt": "POINT(9.204785 49.533059)",
            "illustrative": "true",
        },
    ]


def test_cooperation_members_by_role(demo_store):
    # by default a real cooperation: the AEG "Smarte Regionen", accompanied by the Difu
    # (kommune21.de, demo/beispiele)
    real = run(demo_store, "cooperation-members")
    assert [(r["role"], r["memberNames"], r["illustrative"]) for r in real] == [
        ("Begleitforschung", {"Deutsches Institut für Urbanistik (Difu)"}, "false")
    ]
    agency = NamedNode(BASE + "id/organisation/digitalagentur-kraichgau-odenwald")
    rows = run(demo_store, "cooperation-members", cooperation=agency)
    assert {r["illustrative"] for r in rows} == {"true"}
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
    assert {r["illustrative"] for r in rows} == {"true"}  # no real event after 2026-11-01


def test_knowledge_for_a_theme(demo_store):
    rows = run(demo_store, "knowledge-for-theme")
    assert [(r["title"], r["illustrative"]) for r in rows] == [
        ("Arbeitshilfe: Ausschreibung eines On-Demand-Rufbusses", "true"),
        ("Im Fokus: Smartes Landleben", "false"),
        ("Mustervertrag Rufbus-Betrieb", "true"),
    ]
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
    share = next(
        r["share_65plus"]
        for r in table("inkar/inkar.csv")
        if (r["county_code"], r["year"]) == ("08225", "2020")
    )
    names = {r["gemeinde_ags"]: label(r["gemeindename"]) for r in register("2023", "08225")}
    gigabit = {
        names[r["AGS"]]: Decimal(r["alle Technologien \u2265 1000 Mbit/s"].replace(",", "."))
        for r in table("breitband/breitband.csv")
        if r["stand"] == "2020-12" and r["AGS"] in names
    }
    assert {r["name"]: Decimal(r["gigabit"]) for r in rows} == gigabit
    assert {Decimal(r["share65plus"]) for r in rows} == {Decimal(share)}


def test_queries_on_invented_examples_say_so_in_a_column_and_their_description(demo_store):
    invented = {
        r["s"].value for r in demo_store.select(f"SELECT ?s WHERE {{ ?s <{ILLUSTRATIVE}> true }}")
    }
    for name, path in sorted(QUERIES.items()):
        query = savedqueries.parse(path)
        fixed = {"day": day("2026-11-01")} if any(p.name == "day" for p in query.parameters) else {}
        rows = run(demo_store, name, **fixed)
        touching = [r for r in rows if any(BASE + str(v) in invented for v in r.values())]
        if name in REAL:
            assert rows and not touching, name  # answers from the real sources alone
            assert "?illustrative" not in query.text, name
            continue
        assert "?illustrative" in query.text, name
        for language, words in NOTE.items():
            assert words in query.description[language], (name, language)
        assert all(r["illustrative"] == "true" for r in touching), name


def test_the_note_is_on_the_query_page_in_both_languages(client):
    for language, words in NOTE.items():
        page = client.get(
            "/queries/competency-local-supply-rural", headers={"Accept-Language": language}
        ).get_data(as_text=True)
        lead = page.split('<p class="lead">', 1)[1].split("</p>", 1)[0]
        assert html.unescape(words) in html.unescape(lead), language


def label(official: str) -> str:
    """The municipality's label as the mapping makes it: the name before ", Stadt" etc."""
    return official.split(", ", maxsplit=1)[0]


def number(cell: str) -> str:
    return cell.replace(" ", "")


def table(name: str) -> list[dict]:
    with (SOURCES / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def register(year: str, district: str) -> list[dict]:
    """The Gemeindeverzeichnis rows of the municipalities of ``district`` on 31.12.``year``."""
    rows = []
    for row in table("gemeindeverzeichnis/gv-2009-2023.csv"):
        key = row["land"] + row["rb"] + row["kreis"]
        if row["satzart"] == "60" and row["stichtag"] == f"{year}-12-31" and key == district:
            rows.append({**row, "gemeinde_ags": key + row["gemeinde"]})
    return rows


DEGURBA = {"01": "städtisch", "02": "teilweise städtisch", "03": "ländlich"}
REGION = [
    *("08221", "08222", "08225", "08226", "06431", "07311", "07313", "07314"),
    *("07316", "07318", "07319", "07332", "07334", "07337", "07338"),
]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_binds_only_declared_variables(name):
    query = savedqueries.parse(QUERIES[name])
    assert "WHERE {" in query.text
    for parameter in query.parameters:
        assert f"?{parameter.name}" in query.text, (name, parameter.name)
