"""/catalog as CKAN users expect it, on two different catalogues in turn: text search, sorting,
facets named from the code lists and the store with counts of what is selected, each answer's
own rows; the dataset page's names, sizes and dates; links that work on any host and port."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import requests
from pyoxigraph import Literal, NamedNode, Triple

from conftest import BASE_IRI, make_config
from livesite import live_server
from regiograph.catalog import PageNotFound
from regiograph.loader import codelists
from regiograph.server import create_app
from test_catalog_harvested import DCAT, DCT, FOAF_NAME, RDF_TYPE, catalogue_for, load

EU = "http://publications.europa.eu/resource/authority/"
LICENCES = "http://dcat-ap.de/def/licenses/"
ARS = "http://dcat-ap.de/def/politicalGeocoding/regionalKey/"
DATE = NamedNode("http://www.w3.org/2001/XMLSchema#date")
RG_ARS = NamedNode("https://w3id.org/regiograph/ontology#ars")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")

# Two catalogues with nothing in common but the shape: (slug, German title, English title,
# theme, publisher, format, licence, ARS, modified, byte size)
WORLDS = {
    "rhein": [
        (
            "radzaehl",
            "Radverkehr Zählstellen",
            "Bicycle counters",
            "TRAN",
            "vrrn",
            "CSV",
            "dl-by-de/2.0",
            "082220000000",
            "2024-03-01",
            2048,
        ),
        (
            "baeume",
            "Baumkataster Mannheim",
            "Tree register Mannheim",
            "ENVI",
            "mannheim",
            "GEOJSON",
            "cc-by/4.0",
            "082220000000",
            "2023-11-15",
            1_500_000,
        ),
        (
            "parken",
            "Parkhäuser Belegung",
            "Car park occupancy",
            "TRAN",
            "mannheim",
            "JSON",
            "dl-by-de/2.0",
            "082220000000",
            "2024-06-30",
            None,
        ),
        (
            "wahl",
            "Wahlergebnisse Heidelberg",
            "Election results Heidelberg",
            "EDUC",
            "vrrn",
            "CSV",
            "dl-zero-de/2.0",
            "082210000000",
            "2022-09-26",
            40_000,
        ),
        (
            "radwege",
            "Radwegenetz der Region",
            "Cycle path network",
            "TRAN",
            "vrrn",
            "GEOJSON",
            "dl-by-de/2.0",
            "082210000000",
            "2021-01-10",
            12_000_000,
        ),
    ],
    "elbe": [
        (
            "hafen",
            "Hafenumschlag",
            "Port throughput",
            "AGRI",
            "hamburg",
            "CSV",
            "cc-by/4.0",
            "020000000000",
            "2020-02-02",
            999,
        ),
        (
            "radzaehl-hh",
            "Radzählstellen Hamburg",
            "Hamburg bicycle counters",
            "TRAN",
            "hamburg",
            "CSV",
            "cc-by/4.0",
            "020000000000",
            "2025-01-01",
            3000,
        ),
        (
            "deich",
            "Deichlinien",
            "Dyke lines",
            "ENVI",
            "kiel",
            "GEOJSON",
            "dl-by-de/2.0",
            "010020000000",
            "2019-05-05",
            None,
        ),
    ],
}
# agents: one named in German and English (one publisher, not two)
AGENTS = {
    "vrrn": {"de": "Verband Region Rhein-Neckar", "en": "Rhine-Neckar Regional Association"},
    "mannheim": {"": "Stadt Mannheim"},
    "hamburg": {"de": "Freie und Hansestadt Hamburg", "en": "Free and Hanseatic City of Hamburg"},
    "kiel": {"": "Landeshauptstadt Kiel"},
}
AREAS = {"082220000000": "Mannheim", "08221": "Heidelberg", "02": "Hamburg", "01002": "Kiel"}
KEYWORDS = {("rhein", "parken"): "Radverkehr"}  # a word in no title: found, ranked lower
THEMES_DE = {code: codelists.load().label(EU + "data-theme/" + code, "de") for code in
             ("TRAN", "ENVI", "EDUC", "AGRI")}  # fmt: skip


def triples(world: str) -> list[Triple]:
    out = []
    for slug, de, en, theme, agent, kind, licence, ars, modified, size in WORLDS[world]:
        ds = NamedNode(f"https://{world}.example/ds/{slug}")
        dist = NamedNode(f"https://{world}.example/ds/{slug}/file")
        who = NamedNode(f"https://{world}.example/org/{agent}")
        out += [
            Triple(ds, RDF_TYPE, NamedNode(DCAT.Dataset)),
            Triple(ds, NamedNode(DCT.title), Literal(de, language="de")),
            Triple(ds, NamedNode(DCT.title), Literal(en, language="en")),
            Triple(ds, NamedNode(DCT.description), Literal(f"Daten: {de}.", language="de")),
            Triple(ds, NamedNode(DCT.modified), Literal(modified, datatype=DATE)),
            Triple(ds, NamedNode(DCAT.theme), NamedNode(EU + "data-theme/" + theme)),
            Triple(ds, NamedNode(DCT.spatial), NamedNode(ARS + ars)),
            Triple(ds, NamedNode(DCT.publisher), who),
            Triple(ds, NamedNode(DCAT.distribution), dist),
            Triple(dist, RDF_TYPE, NamedNode(DCAT.Distribution)),
            Triple(dist, NamedNode(DCAT.accessURL), NamedNode(f"https://{world}.example/{slug}")),
            Triple(dist, NamedNode(DCT["format"]), NamedNode(EU + "file-type/" + kind)),
            Triple(dist, NamedNode(DCT.license), NamedNode(LICENCES + licence)),
            Triple(dist, NamedNode(DCT.modified), Literal(modified, datatype=DATE)),
        ]
        if (world, slug) in KEYWORDS:
            out.append(Triple(ds, NamedNode(DCAT.keyword), Literal(KEYWORDS[(world, slug)])))
        if size is not None:
            count = NamedNode("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
            out.append(Triple(dist, NamedNode(DCAT.byteSize), Literal(str(size), datatype=count)))
        for language, name in AGENTS[agent].items():
            out.append(Triple(who, FOAF_NAME, Literal(name, language=language or None)))
    for ars, name in AREAS.items():
        area = NamedNode(f"https://areas.example/{ars}")
        out += [Triple(area, RG_ARS, Literal(ars)), Triple(area, LABEL, Literal(name))]
    return out


def iri(world: str, slug: str) -> str:
    return f"https://{world}.example/ds/{slug}"


def harvested(page) -> list[str]:
    return [e.iri for e in page.entries if e.graph is not None]


@pytest.fixture(params=sorted(WORLDS))
def world(request, tmp_path, scratch_store, graph_iri):
    load(scratch_store, graph_iri, triples(request.param))
    yield request.param, catalogue_for(tmp_path, scratch_store, catalog__page_size=100)
    scratch_store.drop_graph(graph_iri)


def rows(world: str, keep) -> list[tuple]:
    return [r for r in WORLDS[world] if keep(r)]


def test_search_finds_each_catalogues_own_rows_best_first(world):
    name, cat = world
    # every word must match, anywhere in a word, accents and case aside
    found = harvested(cat.page(1, text="ZÄHL"))
    expected = [iri(name, r[0]) for r in rows(name, lambda r: "zähl" in r[1].lower())]
    assert sorted(found) == sorted(expected) and found
    if name == "rhein":  # a title match ranks before a keyword match (catalogue order: parken)
        assert harvested(cat.page(1, text="radverkehr")) == [
            iri(name, "radzaehl"),
            iri(name, "parken"),
        ]
        assert harvested(cat.page(1, text="radverkehr zählstellen")) == [iri(name, "radzaehl")]
    assert harvested(cat.page(1, text="niemand hat das")) == []


def test_sort_by_title_in_the_readers_language_and_by_date(world):
    name, cat = world
    for language, column in (("de", 1), ("en", 2)):
        page = cat.page(1, sort="title", language=language)
        expected = [iri(name, r[0]) for r in sorted(WORLDS[name], key=lambda r: r[column].lower())]
        assert harvested(page) == expected, language
    newest = [iri(name, r[0]) for r in sorted(WORLDS[name], key=lambda r: r[8], reverse=True)]
    assert harvested(cat.page(1, sort="modified")) == newest


def test_facet_counts_are_of_the_selection(world):
    name, cat = world
    for theme in {r[3] for r in WORLDS[name]}:
        page = cat.page(1, chosen={"theme": theme})
        mine = rows(name, lambda r, t=theme: r[3] == t)
        assert sorted(harvested(page)) == sorted(iri(name, r[0]) for r in mine)
        expected_formats = {}
        for r in mine:
            expected_formats[r[5]] = expected_formats.get(r[5], 0) + 1
        assert page.counts["format"] == expected_formats
        assert page.counts["theme"] == {theme: len(mine)}
        licences = page.counts["licence"]
        assert sum(licences.values()) == len(mine)
    # an agent named in German and English is one publisher
    publishers = cat.page(1).counts["publisher"]
    for agent in {r[4] for r in WORLDS[name]}:
        names = AGENTS[agent]
        key = names.get("de") or names[""]
        assert publishers[key] == len(rows(name, lambda r, a=agent: r[4] == a))
        assert names.get("en") not in publishers
    with pytest.raises(PageNotFound):
        cat.page(2, chosen={"theme": "TRAN"})


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v or "" for k, v in attrs if k == "href"]

    def handle_data(self, data):
        if data.strip():
            self.text.append(" ".join(data.split()))


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def facet(html: str, name: str) -> list[tuple[str, str]]:
    """(name, count) of one facet's values, as the page lists them."""
    section = re.search(rf'<section class="facet" aria-labelledby="facet-{name}">(.*?)</section>',
                        html, re.S)  # fmt: skip
    assert section, name
    return re.findall(
        r'<span class="name">([^<]*)</span> <span class="count">([^<]*)</span>', section.group(1)
    )


@pytest.fixture(params=sorted(WORLDS))
def served(request, tmp_path, scratch_store, graph_iri):
    """The app on a loopback port that is not the one of site.base_iri (localhost:8080)."""
    load(scratch_store, graph_iri, triples(request.param))
    app = create_app(make_config(tmp_path), scratch_store)
    with live_server(app) as url:
        yield request.param, url
    scratch_store.drop_graph(graph_iri)


def test_html_names_counts_and_links_that_work_on_this_host_and_port(served):
    name, url = served
    assert not url.startswith(BASE_IRI.rstrip("/"))
    html = requests.get(url + "/catalog?lang=de", timeout=60).text
    themes = dict(facet(html, "theme"))
    assert THEMES_DE["TRAN"] == "Verkehr"
    for theme in {r[3] for r in WORLDS[name]}:
        assert themes[THEMES_DE[theme]] == str(len(rows(name, lambda r, t=theme: r[3] == t)))
    publishers = [label for label, _ in facet(html, "publisher")]
    assert (
        "Verband Region Rhein-Neckar" in publishers or "Freie und Hansestadt Hamburg" in publishers
    )
    assert not {"Rhine-Neckar Regional Association", "Free and Hanseatic City of Hamburg"} & set(
        publishers
    )
    english = requests.get(url + "/catalog?lang=en", timeout=60).text
    english_publishers = [label for label, _ in facet(english, "publisher")]
    assert (
        "Rhine-Neckar Regional Association" in english_publishers
        or "Free and Hanseatic City of Hamburg" in english_publishers
    )
    areas = {label for label, _ in facet(html, "area")}
    assert areas >= {
        AREAS.get(r[7]) or AREAS.get(r[7][:5]) or AREAS[r[7][:2]] for r in WORLDS[name]
    }
    formats = {label for label, _ in facet(html, "format")}
    assert "GeoJSON" in formats and not {"GEOJSON", "RDF_TURTLE"} & formats
    licences = {label for label, _ in facet(html, "licence")}
    assert any(label.startswith(("Datenlizenz", "Creative Commons")) for label in licences)
    # search and a facet in the page, with the other language's names kept out
    hits = requests.get(url + "/catalog?lang=en&q=counter&sort=title", timeout=60).text
    titles = re.findall(r'<h2><a href="[^"]*">([^<]*)</a></h2>', hits)
    expected = sorted(r[2] for r in WORLDS[name] if "counter" in r[2].lower())
    assert titles == expected and expected  # English titles are searched too
    # every local link of the list and of a dataset page answers here
    page = parse(html)
    assert not [h for h in page.hrefs if h.startswith(BASE_IRI)], "no link to site.base_iri"
    dataset_pages = [h for h in page.hrefs if h.startswith("/catalog/dataset?")]
    assert len(dataset_pages) >= len(WORLDS[name])
    for href in [*{h for h in page.hrefs if h.startswith("/catalog")}, *dataset_pages[:3]]:
        assert requests.get(url + href, timeout=60).status_code == 200, href
    one = requests.get(url + dataset_pages[0], timeout=60).text
    back = [h for h in parse(one).hrefs if h.startswith("/catalog?page=")]
    assert back and requests.get(url + back[0], timeout=60).status_code == 200
    assert back[0].split("#")[1] in html, "the entry's anchor is on that catalogue page"


def test_dataset_page_names_licence_format_size_and_date(tmp_path, scratch_store, graph_iri):
    load(scratch_store, graph_iri, triples("rhein"))
    client = create_app(make_config(tmp_path), scratch_store).test_client()
    page = client.get("/catalog/dataset?iri=https://rhein.example/ds/radwege&lang=de")
    assert page.status_code == 200
    text = " ".join(parse(page.get_data(as_text=True)).text)
    assert "Radwegenetz der Region" in text
    assert "Datenlizenz Deutschland Namensnennung 2.0" in text and LICENCES not in text
    assert "GeoJSON" in text and "GEOJSON" not in text
    # the date; a harvested dcat:byteSize does not reach the page: Oxigraph stores
    # xsd:nonNegativeInteger as xsd:integer and harvested-page.rq keeps only the former
    # (the own datasets' sizes are shown: test_catalog_browser)
    assert "10.01.2021" in text
    assert "Verband Region Rhein-Neckar" in text and "Heidelberg" in text
    assert "Zurück zum Katalogeintrag" in text
    missing = client.get("/catalog/dataset?iri=https://rhein.example/ds/nothing")
    assert missing.status_code == 404
    scratch_store.drop_graph(graph_iri)


def test_licence_names_in_the_readers_language(tmp_path, scratch_store, graph_iri):
    """The dcat-ap.de list names licences in German only; English pages take the bundled
    English names (codelists/dcatde-licenses.en.ttl), German pages the published ones."""
    load(scratch_store, graph_iri, triples("rhein"))
    client = create_app(make_config(tmp_path), scratch_store).test_client()
    german, english = "Datenlizenz Deutschland Namensnennung 2.0", "Data licence Germany"
    for path in ("/catalog/dataset?iri=https://rhein.example/ds/radwege&", "/catalog?"):
        de, en = (
            " ".join(parse(client.get(f"{path}lang={lang}").get_data(as_text=True)).text)
            for lang in ("de", "en")
        )
        assert german in de and english not in de, path
        assert english + " \u2013 attribution \u2013 version 2.0" in en and german not in en, path
    scratch_store.drop_graph(graph_iri)
