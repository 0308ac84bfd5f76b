"""One language per page on /statistics (#17): the cube list's titles, component and unit
labels and the indicator options in the reader's language, the other only where a thing has
no label in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from regiograph.statistics import cubes
from regiograph.statistics import mirror as mirror_module
from regiograph.statistics.mirror import Mirror

SELECTION = "indicator=https://w3id.org/regiograph/concepts/indicator/population"
# (German, English) labels the demo's cubes and units carry in both languages
BOTH = [("Indikator", "indicator"), ("Berichtsjahr", "reference year"), ("Personen", "persons")]


def cube_table(client, lang: str) -> str:
    page = client.get(f"/statistics?{SELECTION}&lang={lang}").get_data(as_text=True)
    return page[page.index('<table id="cubes">') : page.index("</table>", page.index('id="cubes"'))]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_cube_components_and_units_are_in_the_readers_language(client, lang):
    table = cube_table(client, lang)
    for german, english in BOTH:
        shown, other = (english, german) if lang == "en" else (german, english)
        assert re.search(rf">{re.escape(shown)}[<,]", table), (shown, table[:2000])
        assert not re.search(rf">{re.escape(other)}[<,]", table), other
    # a label in the page's language needs no lang attribute of its own
    assert 'lang="de"' not in table and 'lang="en"' not in table


def test_indicator_options_name_their_unit_in_the_readers_language(client):
    english = client.get(f"/statistics?{SELECTION}&lang=en").get_data(as_text=True)
    german = client.get(f"/statistics?{SELECTION}&lang=de").get_data(as_text=True)
    assert re.search(r"<option [^>]*selected>[^<]*\(persons;", english)
    assert re.search(r"<option [^>]*selected>[^<]*\(Personen;", german)


def test_a_label_only_in_the_other_language_is_the_fallback(scratch_store, graph_iri, tmp_path):
    """A cube titled only in German is titled so on an English page (and marked lang="de"
    by the template), rather than by its IRI."""
    dataset = "https://example.org/cube/only-german"
    scratch_store.replace_graph(
        graph_iri,
        (
            f"<{dataset}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<http://purl.org/linked-data/cube#DataSet> .\n"
            f'<{dataset}> <http://www.w3.org/2000/01/rdf-schema#label> "Nur deutsch"@de .\n'
        ).encode(),
    )
    try:
        mirror = Mirror(scratch_store, tmp_path / "statistics.duckdb")
        (cube,) = [c for c in cubes.cubes(scratch_store, mirror, "en") if c.iri == dataset]
        assert cube.title == "Nur deutsch"
    finally:
        scratch_store.drop_graph(graph_iri)


def test_an_area_stated_in_several_graphs_is_one_row(scratch_store, graph_iri, tmp_path):
    """Areas come from one SELECT; an area stated in several graphs (two releases, the region
    and the national layer) once gave the product of all its copies' facts — on a store holding
    many copies, millions of rows and a mirror build that did not end."""
    rg, area = "https://w3id.org/regiograph/ontology#", "https://example.org/area/06431022"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    graphs = [f"{graph_iri}-{n}" for n in range(6)]
    for n, graph in enumerate(graphs):
        facts = [
            ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{rg}Municipality>"),
            (f"{rg}ags", '"06431022"'),
            (label, f'"Zwingenberg {n}"@de'),
            (label, f'"Zwingenberg, Stadt {n}"'),
            (f"{rg}population", f'"{7200 + n}"^^<http://www.w3.org/2001/XMLSchema#integer>'),
            (f"{rg}district", f"<https://example.org/d/{n}>"),
        ]
        text = "".join(f"<{area}> <{p}> {o} .\n" for p, o in facts)
        scratch_store.replace_graph(graph, text.encode())
    try:
        areas = (Path(mirror_module.__file__).parent / "areas.rq").read_text()
        answered = [r for r in scratch_store.select(areas) if str(r["area"]) == f"<{area}>"]
        assert len(answered) == 1  # the product of the copies: 15,552 rows before
        mirror = Mirror(scratch_store, tmp_path / "statistics.duckdb")
        _, rows = mirror.sql("SELECT name, population FROM areas WHERE area = ?", [area])
        assert rows == [("Zwingenberg 0", 7205)]  # one row: the least name, the largest count
    finally:
        for graph in graphs:
            scratch_store.drop_graph(graph)
