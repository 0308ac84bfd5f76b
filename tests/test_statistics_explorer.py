"""The statistics explorer as researchers use it (#17): answers checked against the demo's
source file (Destatis GV-ISys, demo/sources/gemeindeverzeichnis), the tidy download and its
JSON twin, the two pivots, paging and sorting, and the choropleth map drawn in Chromium."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from regiograph.statistics import explorer

INDICATOR = "https://w3id.org/regiograph/concepts/indicator/"
GV_FILE = Path(__file__).parents[1] / "demo/sources/gemeindeverzeichnis/gv-2009-2023.csv"
RHEIN_NECKAR = "http://localhost:8080/id/district/08226"
POPULATION_RNK = {"indicator": INDICATOR + "population", "district": RHEIN_NECKAR,
                  "from": "2019", "to": "2021"}  # fmt: skip
AREA_CITIES = {"indicator": INDICATOR + "area", "ags": "08222000, 08221000, 07314000",
               "from": "2013", "to": "2017"}  # fmt: skip


def source_values(column: str) -> dict[tuple[str, int], float]:
    """(AGS, year) -> a municipality's figure (Satzart 60) as the source file states it."""
    with GV_FILE.open(encoding="utf-8") as file:
        rows = [r for r in csv.DictReader(file) if r["satzart"] == "60" and r[column].strip()]
    return {
        (r["land"] + r["rb"] + r["kreis"] + r["gemeinde"], int(r["stichtag"][:4])): float(
            r[column].replace(" ", "").replace(",", ".")
        )
        for r in rows
    }


def download(client, kind: str, selection: dict):
    response = client.get(f"/statistics/data.{kind}", query_string=selection)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def csv_rows(client, selection: dict) -> list[dict]:
    body = download(client, "csv", selection).get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(body)))


@pytest.mark.parametrize(
    ("selection", "column", "keys"),
    [
        (POPULATION_RNK, "bevoelkerung", 54 * 2),  # 54 municipalities, GV-ISys 2019 and 2021
        (AREA_CITIES, "flaeche", 3 * 2),  # three cities, GV-ISys 2013 and 2017
    ],
)
def test_a_selection_answers_what_the_source_says(client, selection, column, keys):
    expected = source_values(column)
    rows = csv_rows(client, selection)
    got = {(r["ags"], int(r["period"])): float(r["value"]) for r in rows}
    assert len(got) == len(rows) == keys
    assert got == {k: expected[k] for k in got}  # every value as the source file has it
    years = range(int(selection["from"]), int(selection["to"]) + 1)
    wanted = {k for k in expected if k[1] in years and k[0] in {a for a, _ in got}}
    assert set(got) == wanted  # and none left out


def test_two_selections_give_two_answers(client):
    population = csv_rows(client, POPULATION_RNK)
    area = csv_rows(client, AREA_CITIES)
    assert {r["indicator"] for r in population} == {"Einwohner"}
    assert {r["indicator"] for r in area} == {"Fläche"}
    assert {r["ags"][:5] for r in population} == {"08226"}
    assert {r["ags"] for r in area} == {"08222000", "08221000", "07314000"}


def test_csv_columns_file_name_and_json_twin(client):
    response = download(client, "csv", POPULATION_RNK)
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["ags", "name", "indicator", "period", "value", "unit", "source"]
    assert all(r["unit"] and r["source"] and r["name"] for r in rows)
    name = response.headers["Content-Disposition"]
    assert 'filename="statistics_population_district-08226_2019-2021.csv"' in name
    document = download(client, "json", POPULATION_RNK).get_json()
    assert document["columns"] == explorer.CSV_COLUMNS
    assert document["selection"]["district"] == RHEIN_NECKAR
    as_text = [{k: "" if v is None else str(v) for k, v in r.items()} for r in document["rows"]]
    assert as_text == rows  # the same rows, in the same order


def test_english_download_names_indicator_and_unit_in_english(client):
    rows = csv_rows(client, AREA_CITIES | {"lang": "en"})
    assert {r["indicator"] for r in rows} == {"area"}  # the concept's English label


def page_of(client, **selection) -> str:
    response = client.get("/statistics", query_string=selection)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    table = html.split(f'<table id="{table_id}">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def header(html: str, table_id: str) -> list[str]:
    table = html.split(f'<table id="{table_id}">', 1)[1].split("</tbody>", 1)[0]
    head = table.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", head)]


def grouped(value: float) -> str:
    return f"{value:,.10g}".replace(",", " ")


def test_pivot_municipality_by_year(client):
    expected = source_values("bevoelkerung")
    html = page_of(client, view="years", **POPULATION_RNK)
    assert header(html, "pivot") == ["AGS", "Gemeinde", "2019", "2021"]
    rows = table_rows(html, "pivot")
    assert len(rows) == 50  # the first page of 54
    for ags, _name, *cells in rows:
        assert cells == [grouped(expected[(ags, y)]) for y in (2019, 2021)]
    rest = table_rows(page_of(client, view="years", page="2", **POPULATION_RNK), "pivot")
    assert len(rest) == 4 and not {r[0] for r in rest} & {r[0] for r in rows}


def test_pivot_municipality_by_indicator(client):
    population, area = source_values("bevoelkerung"), source_values("flaeche")
    html = page_of(client, view="indicators", **POPULATION_RNK)
    columns = header(html, "pivot")
    assert columns[:2] == ["AGS", "Gemeinde"] and {"Einwohner", "Fläche"} <= set(columns)
    rows = {r[0]: r for r in table_rows(html, "pivot")}
    assert all(ags.startswith("08226") for ags in rows)
    # the latest value up to 2021, with its year
    for ags, row in rows.items():
        assert row[columns.index("Einwohner")] == f"{grouped(population[(ags, 2021)])} (2021)"
        assert row[columns.index("Fläche")] == f"{grouped(area[(ags, 2021)])} (2021)"


def test_paging_and_sorting_the_table(client):
    everything = [float(r["value"]) for r in csv_rows(client, POPULATION_RNK)]
    first = page_of(client, sort="-value", **POPULATION_RNK)
    values = [float(r[3].replace(" ", "")) for r in table_rows(first, "series")]
    assert values == sorted(everything, reverse=True)[:50]
    assert 'aria-sort="descending"' in first and "Seite 1 von 3 (108 Zeilen)" in first
    last = page_of(client, sort="value", page="3", **POPULATION_RNK)
    values = [float(r[3].replace(" ", "")) for r in table_rows(last, "series")]
    assert values == sorted(everything)[100:]
    by_name = table_rows(page_of(client, **POPULATION_RNK), "series")
    assert [r[1] for r in by_name] == sorted(r[1] for r in by_name)


def test_chart_marks_the_series_break(client):
    html = page_of(client, indicator=INDICATOR + "population", ags="08222000", **{"from": "2009"})
    # census bases: before 2013, and before the Zensus 2022 value mixed in (the register's
    # 2023 flag is its own first value on that basis; tests/test_series_breaks.py)
    assert html.count('<line class="break"') == 2
    assert "Reihenbruch (2013, 2022)" in html


def test_bad_sort_and_page_are_400(client):
    assert client.get("/statistics", query_string={"sort": "ags; DROP"}).status_code == 400
    assert client.get("/statistics", query_string={"page": "0"}).status_code == 400


def test_legend_and_fallback_list_in_both_languages(client):
    for lang, words in (("de", "Gemeinden nach Klasse"), ("en", "Municipalities by class")):
        html = page_of(client, lang=lang, **POPULATION_RNK)
        legend = html.split('id="choropleth-legend">', 1)[1].split("</ul>", 1)[0]
        assert legend.count('class="swatch class-') == 5 and words in html
    fallback = html.split('class="map-fallback"', 1)[1].split("</details>", 1)[0]
    assert fallback.count("data-area=") == 54  # every municipality of the district, once


@pytest.mark.browser
def test_the_map_draws_one_classed_area_per_municipality(live_url, browser):
    tab = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(f"{live_url}/statistics?indicator={INDICATOR}population&to=2021&lang=en")
    tab.wait_for_selector("#choropleth[data-drawn=true]")
    paths = tab.locator("#choropleth .leaflet-overlay-pane path")
    classes = [paths.nth(i).get_attribute("class") for i in range(paths.count())]
    assert len(classes) == 290  # the Metropolregion's municipalities
    assert all(re.search(r"\bclass-(\d|none)\b", c) for c in classes)
    assert len({re.search(r"class-(\d|none)", c).group(1) for c in classes}) >= 5
    assert not [e for e in errors if "Content Security Policy" in e], errors
    tab.close()


@pytest.mark.browser
def test_the_explorer_fits_a_phone(live_url, browser):
    tab = browser.new_page(viewport={"width": 375, "height": 800})
    tab.goto(f"{live_url}/statistics?view=years&indicator={INDICATOR}population")
    tab.wait_for_selector("#choropleth[data-drawn=true]")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    tab.close()
