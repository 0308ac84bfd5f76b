"""Breaks in a series are marked in the charts (a dashed line and a legend entry, in German
and English), and a coded indicator (DEGURBA) is a key fact with its concept's label."""

from __future__ import annotations

import re

from regiograph.resources import charts

MANNHEIM = "/page/municipality/08222000"


def test_a_break_is_drawn_between_the_last_value_before_and_the_first_after():
    series = [charts.Series("a", [("2009", 1.0), ("2013", 2.0), ("2017", 3.0)])]
    chart = charts.line_chart("t", series, "de", {"2013"}, "Reihenbruch")
    (mark,) = chart.breaks
    x = {label: px for px, label in chart.x_ticks}
    assert x["2009"] < mark["x"] < x["2013"] and mark["title"] == "Reihenbruch: 2013"
    assert chart.break_label == "Reihenbruch"
    plain = charts.line_chart("t", series, "de", frozenset(), "Reihenbruch")
    assert plain.breaks == [] and plain.break_label == ""  # no legend entry without a mark


def figures(html: str) -> dict[str, str]:
    return dict(
        (m.group(1), m.group(0))
        for m in re.finditer(
            r'<figure class="chart">\s*<figcaption>([^<]*)</figcaption>.*?</figure>', html, re.S
        )
    )


def test_municipality_charts_mark_the_census_and_cadastre_breaks(client):
    html = client.get(MANNHEIM, headers={"Accept-Language": "de"}).get_data(as_text=True)
    charts_by_title = figures(html)
    # GV-ISys flags the first value after a break (obsStatus B): population on the Zensus
    # 2011 basis from 2013, area from ALKIS (2014) first in 2017
    population = charts_by_title["Einwohner (2009 = 100)"]
    assert "<title>Reihenbruch: 2013</title>" in population
    assert '<li class="key-break">Reihenbruch</li>' in population
    assert "<title>Reihenbruch: 2017</title>" in charts_by_title["Bevölkerungsdichte"]
    broadband = next(c for t, c in charts_by_title.items() if t.startswith("Breitband"))
    assert 'class="break"' not in broadband and "key-break" not in broadband
    english = client.get(MANNHEIM, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<li class="key-break">break in the series</li>' in english


def test_degurba_is_a_key_fact_with_its_concept_label_not_a_chart(client):
    html = client.get(MANNHEIM, headers={"Accept-Language": "de"}).get_data(as_text=True)
    # GV-ISys Verstädterungsschlüssel 01 (dicht besiedelt) for Mannheim 2013-2023
    assert "<dt>Grad der Verstädterung (DEGURBA)</dt><dd>städtisch (2013\u20132023)</dd>" in html
    assert "DEGURBA" not in "".join(figures(html))
    english = client.get(MANNHEIM, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<dd>urban (2013\u20132023)</dd>" in english


def test_a_census_value_between_moves_the_mark_before_it():
    # The register flags 2023 as its first value on the 2022 census basis; the census of 2022
    # mixed in is itself on that basis, so the break lies between 2021 and 2022.
    labels = ["2009", "2013", "2021", "2022", "2023"]
    declared = {"2011", "2022"}
    assert charts.break_marks(labels, {"2013", "2023"}, declared) == {"2013", "2022"}
    register_only = ["2009", "2013", "2021", "2023"]
    assert charts.break_marks(register_only, {"2013", "2023"}, declared) == {"2013", "2023"}
    assert charts.break_marks(labels, {"2023"}) == {"2023"}  # nothing declared: as flagged
    assert charts.break_marks(labels, {"2009"}, declared) == set()  # before the first value


def test_the_population_chart_with_the_census_marks_the_break_before_2022(client):
    html = client.get(MANNHEIM, headers={"Accept-Language": "de"}).get_data(as_text=True)
    population = figures(html)["Einwohner (2009 = 100)"]
    # Zensus 2022 (15.05.2022) sits between the register's 2021 and 2023 values
    assert "<title>Mannheim 2022: 101</title>" in population
    marks = re.findall(
        r'<line class="break" x1="([\d.]+)"[^>]*>\s*<title>([^<]*)</title>', population
    )
    dots = dict(
        (year, float(x))
        for x, year in re.findall(
            r'<circle[^>]* cx="([\d.]+)"[^>]*>\s*<title>Mannheim (\d{4})', population
        )
    )
    assert [title for _, title in marks] == ["Reihenbruch: 2013", "Reihenbruch: 2022"]
    census = float(marks[1][0])
    assert dots["2021"] < census < dots["2022"]


def test_the_explorer_marks_the_census_break_before_the_census_value(client):
    html = client.get(
        "/statistics",
        query_string={
            "indicator": "https://w3id.org/regiograph/concepts/indicator/population",
            "ags": "08222000",
            "from": "2009",
        },
    ).get_data(as_text=True)
    assert "Reihenbruch (2013, 2022)" in html
