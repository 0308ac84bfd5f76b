"""The catalogue at scale and with harvested data: 10,000 datasets, the source's defaults as its
harvest completed them (never by the catalogue), datasets left out with a reason, and a harvest
round trip between two instances."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize
from pyoxigraph import Store as MemoryStore
from rdflib import Graph, Namespace, URIRef
from rdflib import Literal as RdfLiteral

from conftest import BASE_IRI, make_config
from regiograph import config as configuration
from regiograph.catalog import Catalogue, Page, PageNotFound
from regiograph.catalog.view import summarise
from regiograph.loader.map.construct import complete_dcat
from regiograph.loader.sources import parse_sources
from regiograph.server import create_app

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FOAF_NAME = NamedNode("http://xmlns.com/foaf/0.1/name")
LICENCE = "http://dcat-ap.de/def/licenses/cc-by/4.0"


def dataset(iri: str, *, title=True, publisher=True, licence=True, modified="2024-05-01"):
    ds = NamedNode(iri)
    dist = NamedNode(iri + "/csv")
    out = [
        Triple(ds, RDF_TYPE, NamedNode(DCAT.Dataset)),
        Triple(ds, NamedNode(DCT.description), Literal("Beschreibung", language="de")),
        Triple(
            ds,
            NamedNode(DCT.modified),
            Literal(modified, datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        ),
        Triple(ds, NamedNode(DCAT.distribution), dist),
        Triple(dist, RDF_TYPE, NamedNode(DCAT.Distribution)),
        Triple(dist, NamedNode(DCAT.accessURL), NamedNode("https://example.org/data.csv")),
    ]
    if title:
        out.append(
            Triple(ds, NamedNode(DCT.title), Literal(f"Datensatz {iri[-6:]}", language="de"))
        )
    if publisher:
        agent = NamedNode("https://example.org/org/stadt")
        out += [
            Triple(ds, NamedNode(DCT.publisher), agent),
            Triple(agent, FOAF_NAME, Literal("Stadt Beispiel")),
        ]
    if licence:
        out.append(
            Triple(
                dist, NamedNode(DCT.license), NamedNode("http://dcat-ap.de/def/licenses/cc-by/4.0")
            )
        )
    return out


def load(store, graph: str, triples: list[Triple]) -> None:
    store.replace_graph(graph, serialize(triples, format=RdfFormat.N_TRIPLES))


def catalogue_for(tmp_path, store, sources=(), **overrides) -> Catalogue:
    cfg = make_config(tmp_path, **overrides)
    cfg = configuration.Config(
        {k.name: cfg[k.name] for k in configuration.SETTINGS},
        {"sources": list(sources)},
        "defaults",
    )
    return Catalogue(cfg, store)


def walk(cat: Catalogue, since=None) -> list[str]:
    seen, number = [], 1
    while True:
        try:
            page = cat.page(number, since)
        except PageNotFound:
            return seen
        seen += [e.iri for e in page.entries]
        number += 1


def test_ten_thousand_datasets_page_by_key(tmp_path, scratch_store, graph_iri):
    triples = []
    for n in range(10_000):
        triples += dataset(f"https://example.org/big/{n:06d}")
    load(scratch_store, graph_iri, triples)
    cat = catalogue_for(tmp_path, scratch_store)
    started = time.perf_counter()
    first = cat.page(1)
    first_s = time.perf_counter() - started
    index = cat.state().index
    started = time.perf_counter()
    last = cat.page(first.last)
    last_s = time.perf_counter() - started
    print(
        f"\n10,000 datasets: first page {first_s:.2f} s (builds the key list), "
        f"last page {last_s:.2f} s, {first.last} pages"
    )
    assert cat.state().index is index, "the last page reuses the key list, no new sort"
    assert first.total >= 10_000 and len(first.entries) == 100
    assert 1 <= len(last.entries) <= 100
    ours = [iri for iri in walk(cat) if iri.startswith("https://example.org/big/")]
    assert len(ours) == 10_000 == len(set(ours)), "every dataset exactly once, no repeated page"
    assert ours == sorted(ours), "a stable order"
    scratch_store.drop_graph(graph_iri)


def with_defaults(graph_iri: str) -> dict:
    """A dcat source whose graph is ``graph_iri``, with a default publisher and licence."""
    return {
        "id": graph_iri.rsplit("/", 1)[-1],
        "kind": "dcat",
        "location": "https://portal.example.org/catalog",
        "title": "Landkreis Beispiel",
        "default_publisher": "https://example.org/org/landkreis",
        "default_licence": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    }


def completed_at_harvest(triples: list[Triple], table: dict, graph: str) -> list[Triple]:
    """The triples after the harvest's map step has completed its source's defaults."""
    candidate = MemoryStore()
    candidate.extend(Quad(t.subject, t.predicate, t.object) for t in triples)
    complete_dcat(candidate, parse_sources([table], Path.cwd())[0], graph)
    return [q.triple for q in candidate]


def test_defaults_completed_at_harvest_are_published(tmp_path, scratch_store, graph_iri):
    table = with_defaults(graph_iri)
    raw = dataset("https://example.org/x/complete-me", publisher=False, licence=False)
    load(
        scratch_store,
        graph_iri,
        completed_at_harvest(raw, table, graph_iri)
        + dataset("https://example.org/x/untitled", title=False),
    )
    cat = catalogue_for(tmp_path, scratch_store, [table])
    listed = walk(cat)
    assert "https://example.org/x/complete-me" in listed
    assert "https://example.org/x/untitled" not in listed
    reasons = dict(cat.state().index.excluded)
    assert "dct:title" in reasons["https://example.org/x/untitled"]
    graph = Graph()
    for page_number in range(1, cat.page(1).last + 1):
        for t in cat.page(page_number).triples:
            graph.add(
                tuple(
                    URIRef(x.value) if isinstance(x, NamedNode) else RdfLiteral(x.value) for x in t
                )
            )
    ds = URIRef("https://example.org/x/complete-me")
    assert graph.value(ds, DCT.publisher) == URIRef("https://example.org/org/landkreis")
    assert str(graph.value(URIRef("https://example.org/org/landkreis"), FOAF.name)) == (
        "Landkreis Beispiel"  # an IRI as default publisher is named by its source's title
    )
    dist = graph.value(ds, DCAT.distribution)
    assert graph.value(dist, DCT.license) == URIRef("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
    scratch_store.drop_graph(graph_iri)


def test_without_a_publisher_or_licence_the_dataset_or_distribution_is_left_out(
    tmp_path, scratch_store, graph_iri
):
    # loaded without a harvest (as by `regiograph load`): the catalogue completes nothing, not
    # even with its source's defaults configured — map/ is the one place they are applied
    load(
        scratch_store,
        graph_iri,
        dataset("https://example.org/y/no-publisher", publisher=False)
        + dataset("https://example.org/y/no-licence", licence=False),
    )
    cat = catalogue_for(tmp_path, scratch_store, [with_defaults(graph_iri)])
    listed = walk(cat)
    assert "https://example.org/y/no-publisher" not in listed
    assert (
        "default_publisher"
        in dict(cat.state().index.excluded)["https://example.org/y/no-publisher"]
    )
    page = next(
        cat.page(n)
        for n in range(1, cat.page(1).last + 1)
        if "https://example.org/y/no-licence" in [e.iri for e in cat.page(n).entries]
    )
    licences = [
        t for t in page.triples if t.subject.value == "https://example.org/y/no-licence/csv"
    ]
    assert licences == [], "a distribution without licence is not published"
    assert any("no-licence" in note for note in cat.state().notes)
    scratch_store.drop_graph(graph_iri)


def test_modified_since_filters_and_pages(tmp_path, scratch_store, graph_iri):
    load(
        scratch_store,
        graph_iri,
        dataset("https://example.org/z/old", modified="2001-01-01")
        + dataset("https://example.org/z/new", modified="2030-01-01"),
    )
    cat = catalogue_for(tmp_path, scratch_store)
    from regiograph.catalog.index import parse_time

    listed = walk(cat, parse_time("2029-06-01"))
    assert "https://example.org/z/new" in listed
    assert "https://example.org/z/old" not in listed
    scratch_store.drop_graph(graph_iri)


@pytest.fixture
def exporter(demo_platform):
    """The demo instance served over real HTTP, 4 datasets per page so that paging happens."""
    from werkzeug.serving import make_server

    cfg, store = demo_platform
    server = make_server("127.0.0.1", 0, lambda environ, start: [])
    base = f"http://127.0.0.1:{server.server_port}/"
    server.app = create_app(cfg.with_overrides(site__base_iri=base, catalog__page_size=4), store)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join()


def test_harvest_round_trip(exporter, tmp_path, scratch_store, graph_iri):
    from regiograph.loader.fetch import http
    from regiograph.loader.kinds import Context, dcat
    from regiograph.loader.sources import parse_sources

    source_id = graph_iri.rsplit("/", 1)[-1]
    (source,) = parse_sources(
        [
            {
                "id": source_id,
                "kind": "dcat",
                "allow_private": True,
                "location": exporter + "catalog.ttl",
            }
        ],
        tmp_path,
    )
    ctx = Context(base_iri=BASE_IRI, fetcher=http.Fetcher(http.Limits.of(source)))
    harvested = dcat.harvest(source, ctx)
    assert len(harvested.urls) > 1, "the exporter's catalogue was paged"
    candidate = dcat.to_graph(source, harvested, ctx)
    load(scratch_store, graph_iri, [q.triple for q in candidate])
    published = set(walk(catalogue_for(tmp_path, scratch_store)))
    exported, number = set(), 1  # the exporter's own list, page by page

    while True:
        response = requests.get(f"{exporter}catalog.nt?page={number}", timeout=30)
        if response.status_code == 404:
            break
        graph = Graph().parse(data=response.content, format="nt")
        exported |= {str(d) for d in graph.objects(None, DCAT.dataset)}
        number += 1
    assert exported
    assert exported <= published, exported - published
    copies = [
        q.subject.value
        for q in candidate
        if q.predicate.value == str(DCAT.Dataset)
        or (q.predicate == RDF_TYPE and q.object.value == str(DCAT.Dataset))
    ]
    assert len(copies) == len(set(copies)) == len(exported), "every dataset exactly once"
    scratch_store.drop_graph(graph_iri)


def faceted(n: int) -> list[Triple]:
    """Dataset n: theme ENVI when n % 3 == 0, publisher Filterstadt A (even) or B (odd), a CSV
    distribution when n % 5 == 0 — without a licence of its own for n == 10."""
    iri = f"https://example.org/facet/{n:06d}"
    out = dataset(iri, publisher=False, licence=n != 10)
    agent = NamedNode(f"https://example.org/org/filter-{'ab'[n % 2]}")
    out += [
        Triple(NamedNode(iri), NamedNode(DCT.publisher), agent),
        Triple(agent, FOAF_NAME, Literal(f"Filterstadt {'AB'[n % 2]}")),
    ]
    if n % 3 == 0:
        theme = "http://publications.europa.eu/resource/authority/data-theme/ENVI"
        out.append(Triple(NamedNode(iri), NamedNode(DCAT.theme), NamedNode(theme)))
    if n % 5 == 0:
        csv = "http://publications.europa.eu/resource/authority/file-type/CSV"
        out.append(Triple(NamedNode(iri + "/csv"), NamedNode(DCT["format"]), NamedNode(csv)))
    return out


def walk_chosen(cat: Catalogue, chosen: dict) -> list[Page]:
    pages, number = [], 1
    while True:
        try:
            pages.append(cat.page(number, None, chosen))
        except PageNotFound:
            return pages
        number += 1


def test_filters_select_across_the_whole_catalogue_with_paging_and_counts(
    tmp_path, scratch_store, graph_iri
):
    load(scratch_store, graph_iri, [t for n in range(30) for t in faceted(n)])
    cat = catalogue_for(tmp_path, scratch_store, catalog__page_size=2)
    chosen = {"theme": "ENVI", "publisher": "Filterstadt A"}
    pages = walk_chosen(cat, chosen)
    expected = [f"https://example.org/facet/{n:06d}" for n in (0, 6, 12, 18, 24)]
    assert [e.iri for p in pages for e in p.entries] == expected, "every match once, in order"
    assert [(p.number, p.last, p.total) for p in pages] == [(1, 3, 5), (2, 3, 5), (3, 3, 5)]
    for page in pages:  # the filter's facets agree with what the page itself shows
        for shown in summarise(page.triples, [e.iri for e in page.entries]):
            assert "ENVI" in shown["theme"] and shown["publisher"] == ["Filterstadt A"]
    assert cat.page(1).total >= 30, "without filters: everything"
    counts = cat.page(1).counts  # of the whole catalogue: the own datasets are not ENVI
    assert counts["theme"]["ENVI"] == 10
    assert counts["publisher"]["Filterstadt A"] == counts["publisher"]["Filterstadt B"] == 15
    assert cat.page(1, None, chosen).counts["publisher"] == {"Filterstadt A": 5}
    csv_a = {"format": "CSV", "publisher": "Filterstadt A"}
    assert [e.iri[-2:] for p in walk_chosen(cat, csv_a) for e in p.entries] == ["00", "20"]
    # dataset 10's distribution has no licence, so neither it nor its CSV is published; a
    # default licence configured for the source changes nothing here (its harvest applies it)
    licensed = [{**with_defaults(graph_iri), "default_licence": LICENCE}]
    with_licence = catalogue_for(tmp_path, scratch_store, licensed, catalog__page_size=2)
    found = [e.iri[-2:] for p in walk_chosen(with_licence, csv_a) for e in p.entries]
    assert found == ["00", "20"]
    scratch_store.drop_graph(graph_iri)


def test_html_filters_page_through_the_whole_catalogue(tmp_path, scratch_store, graph_iri):
    load(scratch_store, graph_iri, [t for n in range(30) for t in faceted(n)])
    cfg = make_config(tmp_path, catalog__page_size=2)
    client = create_app(cfg, scratch_store).test_client()
    first = client.get("/catalog?theme=ENVI&publisher=Filterstadt+A").get_data(as_text=True)
    assert "5 Datensätze" in first and "Seite 1 von 3" in first
    assert "facet/000000" in first and "facet/000006" in first
    assert "page=2&amp;theme=ENVI&amp;publisher=Filterstadt+A" in first, "the next link keeps them"
    third = client.get("/catalog?page=3&theme=ENVI&publisher=Filterstadt+A")
    assert "facet/000024" in third.get_data(as_text=True)
    assert client.get("/catalog?page=4&theme=ENVI&publisher=Filterstadt+A").status_code == 404
    nothing = client.get("/catalog?theme=ENVI&publisher=Niemand").get_data(as_text=True)
    assert "0 Datensätze" in nothing and "Keine Datensätze für diese Auswahl." in nothing
    scratch_store.drop_graph(graph_iri)
