"""Repairs of harvested catalogues (issue 16), each on the real payload that needs it, fetched
over loopback HTTP: what is unambiguous is put right and named, what is not is named too."""

from __future__ import annotations

from collections import Counter

import pytest
from pyoxigraph import Literal, NamedNode

import httpfixtures
from conftest import BASE_IRI
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline
from regiograph.loader.fetch import http
from regiograph.loader.kinds import Context, dcat

_server = pytest.fixture(name="http_server")(httpfixtures.serving)

DASHBOARD = "dcat-ap-de-shacl/testcases/dashboard"
RDFXML = "application/rdf+xml"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
EU = "http://publications.europa.eu/resource/authority/"
VCARD = "http://www.w3.org/2006/vcard/ns#"


def harvested(http_server, shared_data, name: str, *, as_file: bool = False):
    """(candidate, repairs, url) of one real export through the dcat kind's mapping, served
    over HTTP or (``as_file``: its paging links are not followed) read as an operator's file."""
    path = shared_data / f"{DASHBOARD}/{name}-catalog-original-input.rdf"
    url = http_server.route(f"/{name}.rdf", Reply.file(path, RDFXML))
    source = make_source(kind="dcat", location=str(path) if as_file else url)
    ctx = Context(base_iri=BASE_IRI, fetcher=http.Fetcher(http.Limits.of(source)))
    result = dcat.harvest(source, ctx)
    candidate = dcat.to_graph(source, result, ctx)
    return candidate, result.repairs, url


def objects(store, predicate: str) -> list:
    return [q.object for q in store.quads_for_pattern(None, NamedNode(predicate), None)]


def texts(repairs, lang: int = 1) -> Counter:
    """How often each repair text occurs (English: 1, German: 0), cut to its rule."""
    return Counter(r.what[lang] for r in repairs)


def test_bremen_literal_access_urls_become_iris(http_server, shared_data):
    """All of Bremen's distributions gave dcat:accessURL as a literal; they were dropped from
    the re-published catalogue. Each URL is now an IRI, and each repair is named."""
    candidate, repairs, _ = harvested(http_server, shared_data, "bremen")
    access = objects(candidate, DCAT + "accessURL")
    literals = [o for o in access if isinstance(o, Literal)]
    assert len(access) == 237
    assert [o.value for o in literals] == [""] * 5, "only the five empty ones stay literals"
    made = [r for r in repairs if r.what[1].startswith("dcat:accessURL given as a literal")]
    assert len(made) == 232
    assert all("als IRI übernommen" in r.what[0] for r in made), "German text too"
    left = [r for r in repairs if r.what[1] == 'not repaired: dcat:accessURL "" is no URL']
    assert len(left) == 5


def test_bremen_mail_addresses_are_not_resolved_against_the_document(http_server, shared_data):
    candidate, repairs, url = harvested(http_server, shared_data, "bremen")
    host = url.rsplit("/", 1)[0]
    mails = {o.value for o in objects(candidate, VCARD + "hasEmail")}
    assert "mailto:service@finanzen.bremen.de" in mails
    assert not [m for m in mails if m.startswith(host)], "nothing under the harvest URL"
    assert all(m.startswith("mailto:") for m in mails)
    kept = [r for r in repairs if "kept as <mailto:" in r.what[1]]
    assert len(kept) == 153  # one per contact point that had a relative address


def test_bremen_codes_mapped_by_the_published_tables(http_server, shared_data):
    candidate, repairs, _ = harvested(http_server, shared_data, "bremen")
    languages = Counter(o.value for o in objects(candidate, DCT + "language"))
    assert EU + "language/GER" not in languages
    assert languages[EU + "language/DEU"] > 300
    frequencies = {o.value for o in objects(candidate, DCT + "accrualPeriodicity")}
    assert EU + "frequency/IRREGULAR" not in frequencies
    assert EU + "frequency/IRREG" in frequencies
    english = texts(repairs)
    assert any(t.startswith("code language/GER replaced by DEU") for t in english)
    assert sum(n for t, n in english.items() if "frequency/IRREGULAR replaced by IRREG" in t) == 14
    # DCAT-AP 3.0.1 names the replacement of schema:startDate: its periods are repaired
    starts = objects(candidate, DCAT + "startDate")
    assert len(starts) >= 150
    assert not objects(candidate, "http://schema.org/startDate")
    # "TODO:" is no language code: named, not guessed
    assert english["not repaired: language <TODO:> is no code of the language list"] == 3


def test_old_dcatde_namespaces_become_current_and_are_named(http_server, shared_data):
    candidate, repairs, _ = harvested(http_server, shared_data, "destatis")
    predicates = {q.predicate.value for q in candidate}
    assert not [p for p in predicates if "dcatde/1.0.1/" in p]
    assert "http://dcat-ap.de/def/dcatde/contributorID" in predicates
    contributors = objects(candidate, "http://dcat-ap.de/def/dcatde/contributorID")
    assert contributors and all(isinstance(o, NamedNode) for o in contributors), (
        "Destatis gives its contributor ID as a literal IRI"
    )
    languages = objects(candidate, DCT + "language")
    assert all(o == NamedNode(EU + "language/DEU") for o in languages)
    assert any("outdated DCAT-AP.de IRI" in t for t in texts(repairs))
    assert any("veraltetes DCAT-AP.de-IRI" in t for t in texts(repairs, 0))


def test_formats_media_types_and_loc_languages_of_brandenburg(http_server, shared_data):
    candidate, repairs, _ = harvested(http_server, shared_data, "brandenburg")
    formats = Counter(o.value for o in objects(candidate, DCT + "format"))
    assert formats[EU + "file-type/CSV"] >= 110  # "csv", "CSV" and "text/csv"
    assert formats[EU + "file-type/GEOJSON"] == 26
    assert not [o for o in objects(candidate, DCT + "format") if isinstance(o, Literal)]
    media = {o.value for o in objects(candidate, DCAT + "mediaType")}
    assert "https://www.iana.org/assignments/media-types/application/json" in media
    languages = {o.value for o in objects(candidate, DCT + "language")}
    assert "http://id.loc.gov/vocabulary/iso639-1/de" not in languages
    assert EU + "language/DEU" in languages
    assert any(t.startswith("code language/iso639-1/de replaced by DEU") for t in texts(repairs))
    licences = [r for r in repairs if "license" in r.what[1] and "names no code" in r.what[1]]
    assert len(licences) == 144, "'Nutzungsbedingungen der LHP' is no licence: named, kept"


def test_rostock_service_types_by_the_file_type_table(http_server, shared_data):
    """Rostock's file-type/WFS and WMS are the table's English names of WFS_SRVC and
    WMS_SRVC; its DCAT-AP.de 1.1 namespace is the current one, its conformsTo stays."""
    candidate, repairs, _ = harvested(http_server, shared_data, "rostock", as_file=True)
    formats = Counter(o.value for o in objects(candidate, DCT + "format"))
    assert formats[EU + "file-type/WFS_SRVC"] == 97 and formats[EU + "file-type/WMS_SRVC"] == 97
    assert not [f for f in formats if f.endswith(("/WFS", "/WMS"))]
    assert not [q for q in candidate if "www.dcat-ap.de/def/dcatde/1.1/" in q.predicate.value]
    assert any("replaced by WFS_SRVC" in t for t in texts(repairs))


def test_published_graph_holds_only_repaired_values(scratch_platform, http_server, shared_data):
    """Through the whole pipeline into Oxigraph: whatever the acceptance publishes of Bremen
    is repaired."""
    config, store = scratch_platform
    path = shared_data / DASHBOARD / "bremen-catalog-original-input.rdf"
    url = http_server.route("/bremen.rdf", Reply.file(path, RDFXML))
    source = make_source(kind="dcat", location=url)
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    data = store.read_graph(source.graph(config.base_iri)).decode()
    assert "language/GER>" not in data and "frequency/IRREGULAR>" not in data
    assert "/service@finanzen.bremen.de>" not in data.replace("mailto:service@", "")
    assert "<mailto:service@finanzen.bremen.de>" in data
    assert f"<{DCAT}accessURL> <http://transparenz.bremen.de/" in data
    assert f'<{DCAT}accessURL> "' not in data


def test_brandenburg_identifiers_repaired_literal_publishers_held_back(
    scratch_platform, http_server, shared_data
):
    """Brandenburg's export was rejected whole. dct:identifier given as an IRI (62 datasets)
    is an unambiguous repair — DCAT-AP's range is rdfs:Literal and the IRI's text is the
    identifier; a publisher given as a literal ("t173381", 47) names no agent and holds its
    dataset back, as do the 3 with other violations. The rest is published by default."""
    candidate, repairs, _ = harvested(http_server, shared_data, "brandenburg")
    identifiers = objects(candidate, DCT + "identifier")
    assert not [i for i in identifiers if isinstance(i, NamedNode)]
    assert Literal("https://service.brandenburg.de/lis/detail.php/13976") in identifiers
    made = [t for t in texts(repairs) if t.startswith("dct:identifier given as the IRI <")]
    assert sum(texts(repairs)[t] for t in made) >= 62
    assert any(t.startswith("dct:identifier als IRI <") for t in texts(repairs, 0))

    config, store = scratch_platform
    path = shared_data / DASHBOARD / "brandenburg-catalog-original-input.rdf"
    source = make_source(
        kind="dcat", location=http_server.route("/bb.rdf", Reply.file(path, RDFXML))
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    counts = result.datasets.counts()
    assert (counts["datasets"], counts["accepted"], counts["held_back"]) == (112, 62, 50)
    why = Counter(r[1] for v in result.datasets.held_back for r in v.reasons)
    literal_publisher = [w for w in why if w.startswith("dct:publisher") and "IRI" in w]
    assert sum(why[w] for w in literal_publisher) == 47
    assert not [w for w in why if w.startswith("dct:identifier")], "no identifier holds one back"
    published = store.read_graph(source.graph(config.base_iri)).decode()
    assert '<http://purl.org/dc/terms/publisher> "' not in published
    assert f'<{DCT}identifier> "https://service.brandenburg.de/lis/detail.php/' in published
