"""Resource pages on the demo region: what a reader sees, in German and English."""

from __future__ import annotations

import re

import pytest

MANNHEIM = "/page/municipality/08222000"
RG = "https://w3id.org/regiograph/ontology#"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def text_of(response) -> str:
    """The page's visible text, roughly: tags removed, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html_of(response), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def get(client, path, lang="de"):
    response = client.get(path, headers={"Accept-Language": lang})
    assert response.status_code == 200, (path, response.status_code)
    return response


def test_municipality_page_in_german(client):
    response = get(client, MANNHEIM)
    html, text = html_of(response), text_of(response)
    assert '<h1 dir="auto" lang="de">Mannheim</h1>' in html
    assert "Gemeinde" in text and "08222000" in text
    assert "316.877 (31.12.2023)" in text  # population (GV-ISys), German grouping, its date
    assert "144,97" in text  # area, German decimal comma
    assert "31. Dezember 2023" in text  # xsd:date, German long form
    assert 'class="map"' in html and "data-points=" in html
    assert html.count('<svg class="chart"') >= 3  # population, density, … over time
    assert "<polyline" in html
    assert "Modellprojekt Smart Cities Mannheim" in text  # a project it leads
    assert "Stadtkreis Mannheim" in text  # its district, by label with a link
    assert 'href="/page/district/08222"' in html
    assert "Eckdaten" in text and "Verweise auf diese Ressource" in text  # UI in German


def test_municipality_page_in_english(client):
    text = text_of(get(client, MANNHEIM, lang="en"))
    assert "316,877" in text
    assert "December 31, 2023" in text
    assert "population" in text and "Key facts" in text


def test_language_switch_wins_over_the_browser_and_is_remembered(client):
    response = client.get(MANNHEIM + "?lang=en", headers={"Accept-Language": "de"})
    assert "Key facts" in text_of(response)
    assert "lang=en" in response.headers["Set-Cookie"]
    assert "Key facts" in text_of(client.get(MANNHEIM, headers={"Accept-Language": "de"}))


def test_label_falls_back_to_german_then_any(client):
    # Baden-Württemberg has only a German label: an English reader still sees it
    text = text_of(get(client, "/page/state/08", lang="en"))
    assert "Baden-Württemberg" in text


def test_project_page(client):
    # a Modellprojekt Smart Cities as the list publishes it: its call, category and lead
    text = text_of(get(client, "/page/project/smarte-region-rhein-neckar"))
    assert "Modellprojekt Smart Cities Rhein-Neckar, Verband Region" in text
    assert "Verband Region Rhein-Neckar" in text  # the lead
    assert "Modellprojekte Smart Cities, Staffel 3 (2021)" in text  # the call
    assert "Interkommunale Kooperationen und Landkreise" in text  # the category


def test_related_projects_nearest_first(client):
    html = html_of(get(client, "/page/project/rufbus-leiningerland"))
    related = html.split('class="related"', 1)[1].split("</ol>", 1)[0]
    first = re.search(r"<li><a href=\"([^\"]+)\"", related).group(1)
    assert first == "/page/project/rufbus-suedpfalz"  # same solution and theme


def test_programme_page(client):
    text = text_of(get(client, "/page/programme/modellprojekte-smart-cities"))
    assert "Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen" in text  # funder
    assert "KfW" in text
    text = text_of(get(client, "/page/programme/elr-baden-wuerttemberg"))  # illustrative grants
    assert "Summen je Kreis" in text
    assert "Neckar-Odenwald-Kreis" in text
    assert "120.000,00 €" in text
    assert "40" in text  # funding rate


def test_district_page_lists_members_with_totals(client):
    response = get(client, "/page/district/08226")
    html, text = html_of(response), text_of(response)
    assert 'class="members"' in html
    assert "Schwetzingen" in text or "Weinheim" in text
    assert "data-points=" in html


@pytest.mark.parametrize("lang", ["de", "en"])
def test_district_page_shows_the_official_population_once(client, lang):
    """The Kreis's own figure with its date in the totals, not again as a property row."""
    html = html_of(get(client, "/page/district/08226", lang))
    totals = html.split('class="facts"', 1)[1].split("</dl>", 1)[0]
    official = re.search(r"<dd>([\d.,]+) \(", totals.split("</dt>", 2)[2]).group(1)
    assert html.count(official) == 1
    assert ("Einwohner je km²" in html) == (lang == "de")


@pytest.mark.parametrize(
    ("lang", "banner"), [("de", "Illustratives Beispiel"), ("en", "Illustrative example")]
)
def test_an_invented_resource_says_so_in_a_banner_not_a_row(client, lang, banner):
    html = html_of(get(client, "/page/dataset/rufbus-haltepunkte-leiningerland", lang))
    head = html.split('<header class="resource-head">', 1)[1].split("</h1>", 1)[0]
    assert 'class="banner illustrative" role="note"' in head and banner in head
    assert not re.search(r'class="prop">illustrati(v|ve)</a>', html)
    assert "banner illustrative" not in html_of(get(client, MANNHEIM, lang))


def test_dataset_page_lists_distributions(client):
    text = text_of(get(client, "/page/dataset/rufbus-haltepunkte-leiningerland"))
    assert "Distributionen und Downloads" in text
    assert "Herunterladen" in text


def test_generic_page_for_an_organisation(client):
    response = get(client, "/page/organisation/verband-region-rhein-neckar")
    assert "Verband Region Rhein-Neckar" in text_of(response)
    assert "Verweise auf diese Ressource" in text_of(response)


def test_page_has_rdf_links_sparql_link_and_sources(client):
    html = html_of(get(client, MANNHEIM))
    for extension in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="/data/municipality/08222000.{extension}"' in html
    assert "/sparql?query=SELECT" in html
    assert "Herkunft der Angaben" in html and "http://localhost:8080/graph/demo" in html


def test_pages_have_a_strict_csp_and_no_inline_code(client):
    for path in (MANNHEIM, "/page/project/smart-city-mannheim", "/search?q=mann", "/browse"):
        response = get(client, path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        html = html_of(response)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"<[^>]+\sstyle=", html), path
        assert not re.search(r"<[^>]+\son[a-z]+=", html), path


def test_store_queries_per_page_are_few(client):
    for path, most in ((MANNHEIM, 6), ("/page/project/smart-city-mannheim", 9)):
        assert int(get(client, path).headers["X-Store-Queries"]) <= most


def test_unknown_iri_is_404_with_suggestions(client):
    response = client.get("/page/municipality/Heidelberg", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert "Meinten Sie" in text_of(response)
    assert 'href="/page/municipality/08221000"' in html_of(response)


@pytest.mark.parametrize("query", ["page=0", "page=x", "page=100001"])
def test_bad_paging_is_400(client, query):
    assert client.get(f"{MANNHEIM}?{query}").status_code == 400


def test_translations_are_compiled_from_the_catalogue():
    from pathlib import Path

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).parents[1] / "src/regiograph/server/translations/de/LC_MESSAGES"
    with open(folder / "messages.po", "rb") as po, open(folder / "messages.mo", "rb") as mo:
        source, compiled = read_po(po), read_mo(mo)

    def table(catalog):
        def key(value):
            return tuple(value) if isinstance(value, list | tuple) else (value,)

        return {key(m.id): key(m.string) for m in catalog if m.id}

    assert table(source) == table(compiled), "stale: pybabel compile -d …/server/translations"
    assert all(m.string for m in source if m.id), "every UI string has a German translation"


@pytest.mark.parametrize(
    ("lang", "plain", "note"),
    [
        ("de", "Ein Vorhaben, mit dem Kommunen", "Neu geprägt"),
        ("en", "An undertaking in which municipalities", "Minted"),
    ],
)
def test_what_is_this_is_plain_words_and_the_modelling_note_is_behind_a_click(
    client, lang, plain, note
):
    """rg:readerDescription at the top; rdfs:comment (IRI patterns, why minted) only in the
    closed "technical details"."""
    html = html_of(get(client, "/page/project/smart-city-mannheim", lang))
    what = html.split('class="what"', 1)[1].split("</p>", 1)[0]
    assert plain in what and note not in what and "IRI" not in what
    details = html.split('<details class="technical">', 1)[1].split("</details>", 1)[0]
    assert note in details and "{base}id/" in details


def test_what_is_this_falls_back_to_the_first_sentence_of_the_class_comment():
    from regiograph.resources.ontology import ontology
    from regiograph.resources.present import Presenter

    presenter = Presenter(ontology(), "de", str, "http://localhost:8080/")
    gist = presenter.gist(RG + "Project")  # a class with a comment cut at a full stop
    assert "(z. B. Modellprojekt Smart Cities" in gist and "Neu geprägt" not in gist


@pytest.mark.parametrize(("lang", "heading"), [("de", "Veröffentlicht"), ("en", "Publishes")])
def test_incoming_links_are_headed_with_inverse_wording(client, lang, heading):
    html = html_of(get(client, "/page/organisation/verband-region-rhein-neckar", lang))
    incoming = html.split('id="incoming-heading"', 1)[1].split("</section>\n</section>", 1)[0]
    headings = re.findall(r"<h3>([^<]+) <span", incoming)
    assert heading in headings, headings
    assert "Herausgeber" not in headings and "publisher" not in headings


def test_chart_axis_ticks_are_round_numbers_in_the_readers_format():
    from regiograph.resources.charts import Series, line_chart

    chart = line_chart("t", [Series("Mannheim", [("2015", 144.97), ("2016", 152.2)])], "de")
    assert [label for _, label in chart.y_ticks] == ["144", "146", "148", "150", "152", "154"]
    chart = line_chart("t", [Series("x", [("2015", 21.2), ("2016", 23.4)])], "en")
    assert [label for _, label in chart.y_ticks] == ["21", "22", "23", "24"]


@pytest.mark.parametrize(
    ("lang", "technical"), [("de", "Technische Angaben"), ("en", "Technical details")]
)
def test_sources_are_named_in_words_and_graph_iris_are_behind_a_click(client, lang, technical):
    """ "Where this comes from" names each source as its catalogue record does (the
    Gemeindeverzeichnis, not its graph IRI); the graph IRI and the holdings' triple counts
    are one click away."""
    html = html_of(get(client, "/page/municipality/08221000", lang))
    sources = html.split('id="sources-heading"', 1)[1].split("</section>", 1)[0]
    shown = re.sub(r"<details.*?</details>", "", sources, flags=re.S)
    names = re.findall(r'<strong dir="auto">([^<]+)</strong>', shown)
    assert names and all("/" not in name for name in names), names
    assert "/graph/" not in shown
    hidden = re.findall(
        r"<details class=\"technical\"><summary>(.*?)</summary>(.*?)</details>", sources, flags=re.S
    )
    assert hidden and all(summary == technical and "/graph/" in body for summary, body in hidden)
    home = html_of(get(client, "/", lang))
    holdings = home.split('id="graphs-heading"', 1)[1].split("</section>", 1)[0]
    assert "/graph/" not in re.sub(r"<details.*?</details>", "", holdings, flags=re.S)
