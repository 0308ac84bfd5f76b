"""What a saved query's page shows a reader: one option per choice with one selected, names
instead of IRIs, years as years, numbers in the reader's locale, the largest series drawn."""

from __future__ import annotations

import re

import pytest
from pyoxigraph import Literal, NamedNode

from regiograph.savedqueries import charts, display

XSD = "http://www.w3.org/2001/XMLSchema#"
KREIS = "http://localhost:8080/id/district/08226"
OTHER = "http://localhost:8080/id/district/08222"


def _label(text: str, language: str) -> Literal:
    return Literal(text, language=language)


def test_choices_one_option_per_value_in_the_readers_language_one_selected():
    rows = [
        {"value": NamedNode(KREIS), "label": _label("Rhein-Neckar-Kreis", "de")},
        {"value": NamedNode(KREIS), "label": _label("Rhein-Neckar district", "en")},
        {"value": NamedNode(OTHER), "label": _label("Stadtkreis Mannheim", "de")},
    ]
    english = display.choices(rows, "en", "id/district/08226")
    assert english == [
        (KREIS, "Rhein-Neckar district", True),
        (OTHER, "Stadtkreis Mannheim", False),  # no English label: German as fallback
    ]
    german = display.choices(rows, "de", KREIS)
    assert [label for _, label, _ in german] == ["Rhein-Neckar-Kreis", "Stadtkreis Mannheim"]
    assert sum(selected for *_, selected in german) == 1
    assert not any(selected for *_, selected in display.choices(rows, "de", ""))


@pytest.mark.parametrize(
    ("column", "term", "language", "text"),
    [
        ("year", Literal("2015", datatype=NamedNode(XSD + "integer")), "de", "2015"),
        ("fromYear", Literal("2015", datatype=NamedNode(XSD + "integer")), "en", "2015"),
        ("ags", Literal("8222000", datatype=NamedNode(XSD + "integer")), "de", "8222000"),
        ("population", Literal("310658", datatype=NamedNode(XSD + "integer")), "de", "310.658"),
        ("population", Literal("310658", datatype=NamedNode(XSD + "integer")), "en", "310,658"),
        ("share", Literal("48.28", datatype=NamedNode(XSD + "decimal")), "de", "48,28"),
        (
            "since",
            Literal("2024-09-01", datatype=NamedNode(XSD + "date")),
            "en",
            "September 1, 2024",
        ),
        ("name", Literal("Mannheim", language="de"), "en", "Mannheim"),
    ],
)
def test_cells_in_the_readers_format(column, term, language, text):
    assert display.cell(term, column, language, {}, str)["text"] == text


def test_an_iri_cell_shows_the_name_and_links_to_the_page():
    names = {KREIS: {"de": "Rhein-Neckar-Kreis", "en": "Rhein-Neckar district"}}
    cell = display.cell(NamedNode(KREIS), "district", "en", names, lambda iri: "/page/x")
    assert cell == {"text": "Rhein-Neckar district", "href": "/page/x", "title": KREIS}
    unknown = display.cell(NamedNode(OTHER), "district", "en", names, lambda iri: "/page/y")
    assert unknown["text"] == OTHER  # no name known: the IRI is all there is


def test_key_columns():
    assert [display.is_key_column(c) for c in ("year", "toYear", "ref_period", "AGS")] == [True] * 4
    assert not any(display.is_key_column(c) for c in ("population", "paid", "grid", "amount"))


def test_line_chart_draws_the_largest_series_when_there_are_more_than_colours():
    rows = [
        {"name": f"Gemeinde {i:02d}", "year": year, "population": 1000 + i}
        for i in range(12)
        for year in (2020, 2021)
    ] + [{"name": "Zzz-Großstadt", "year": year, "population": 150_000} for year in (2020, 2021)]
    drawn = charts.chart("line", ["name", "year", "population"], rows, {"series": "name"})
    names = [line["name"] for line in drawn["lines"]]
    assert names[0] == "Zzz-Großstadt"  # last alphabetically, largest: drawn first
    assert "Gemeinde 00" not in names and len(names) == charts.MAX_SERIES
    assert drawn["omitted"] == 13 - charts.MAX_SERIES


def test_bar_chart_labels_with_names_not_iris():
    rows = [
        {"district": KREIS, "name": "Rhein-Neckar-Kreis", "amount": 5.0},
        {"district": OTHER, "name": "Stadtkreis Mannheim", "amount": 7.0},
    ]
    drawn = charts.chart("bar", ["district", "name", "amount"], rows)
    assert [bar["label"] for bar in drawn["bars"]] == ["Rhein-Neckar-Kreis", "Stadtkreis Mannheim"]
    named = display.named([{"district": KREIS, "amount": 5.0}], "de", {KREIS: {"de": "RNK"}})
    assert named == [{"district": "RNK", "amount": 5.0}]


# --- on the demo: properties that hold whatever the demo holds ----------------------------


def _selects(page: str) -> list[str]:
    return re.findall(r"<select\b.*?</select>", page, flags=re.S)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_query_form_has_distinct_options_and_at_most_one_selected(client, lang):
    names = client.application.extensions["regiograph.savedqueries"].queries
    for name in names:
        page = client.get(f"/queries/{name}?lang={lang}").get_data(as_text=True)
        for select in _selects(page):
            values = re.findall(r'<option value="([^"]*)"', select)
            assert len(values) == len(set(values)), (name, "an option twice")
            assert select.count(" selected") <= 1, name


def test_query_result_cells_name_things_and_print_years_as_years(client):
    page = client.get("/queries/stats-population-development?lang=de").get_data(as_text=True)
    table = page.split('id="results"', 1)[1].split("</table>", 1)[0]
    links = re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', table)
    assert links and not any(text.startswith("http") for text in links)
    header = re.findall(r'<th scope="col"><code>([^<]+)</code></th>', table)
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], flags=re.S)
    years = [re.findall(r"<td[^>]*>(.*?)</td>", row)[header.index("year")] for row in rows]
    assert years and all(re.fullmatch(r"\d{4}", year) for year in years), years[:5]


@pytest.mark.parametrize(("language", "text"), [("en", "Weinheim Castle"), ("de", "Burg Weinheim")])
def test_a_name_the_query_chose_in_german_is_shown_in_the_readers_language(language, text):
    """Queries filter ?name to German (every thing has one); the table names the row's thing
    in the reader's language where the labels know it."""
    place = "http://localhost:8080/id/place/burg"
    names = {place: {"de": "Burg Weinheim", "en": "Weinheim Castle"}}
    row = {"place": NamedNode(place), "name": _label("Burg Weinheim", "de")}
    result = display.table(["place", "name"], [row], language, names, lambda iri: iri)
    assert result["rows"][0][1]["text"] == text
    unknown = {"place": NamedNode(place + "2"), "name": _label("Burg Windeck", "de")}
    result = display.table(["place", "name"], [unknown], "en", names, lambda iri: iri)
    assert result["rows"][0][1]["text"] == "Burg Windeck"  # no English name known: the German


@pytest.mark.parametrize(("language", "text"), [("en", "Weinheim Castle"), ("de", "Burg Weinheim")])
def test_a_chart_labels_its_series_as_the_table_names_them(language, text):
    """The chart of a page in English draws the English name where the table shows it; a thing
    without a name in that language keeps the query's German one, IRIs become names."""
    place = "http://localhost:8080/id/place/burg"
    names = {place: {"de": "Burg Weinheim", "en": "Weinheim Castle"}}
    rows = [
        {"place": NamedNode(place), "name": _label("Burg Weinheim", "de")},
        {"place": NamedNode(place + "2"), "name": _label("Burg Windeck", "de")},
    ]
    records = [
        {"place": place, "name": "Burg Weinheim"},
        {"place": place + "2", "name": "Burg Windeck"},
    ]
    drawn = display.chart_records(["place", "name"], rows, records, language, names)
    assert drawn == [
        {"place": text, "name": text},
        {"place": place + "2", "name": "Burg Windeck"},
    ]
