"""Acceptance per dataset on real catalogues (../shared/data served on loopback): the bundled
DCAT-AP.de profile by default, held-back datasets out of the graph with their reasons in
German and English, one owner per dataset, and the bad inputs of issue 16."""

from __future__ import annotations

import re

import pytest
from pyoxigraph import NamedNode

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import acceptance, pipeline, provenance

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
_fresh = pytest.fixture(autouse=True, name="fresh_graphs")(httpfixtures.dropping_new_graphs)

RDFXML = "application/rdf+xml"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
GOVDATA = "ckanext-dcatde/examples/catalog-endpoint.rdf"  # GovData's own example, 6 datasets
ROSTOCK = "dcat-ap-de-shacl/testcases/dashboard/rostock-catalog-original-input.rdf"


def datasets_of(body: bytes) -> list[str]:
    """The datasets of an RDF/XML catalogue as GovData and CKAN write it."""
    return sorted({m.decode() for m in re.findall(rb'<dcat:Dataset rdf:about="([^"]+)"', body)})


def published_datasets(store, graph: str) -> set[str]:
    rows = store.select(
        "SELECT DISTINCT ?d WHERE { GRAPH ?g { ?d a ?t } }",
        {"g": NamedNode(graph), "t": NamedNode(DCAT + "Dataset")},
    )
    return {row["d"].value for row in rows}


def without_title(body: bytes, dataset: str) -> bytes:
    """The example with one dataset's dct:title removed (RDF/XML as GovData writes it)."""
    start = body.index(f'rdf:about="{dataset}"'.encode())
    title = re.compile(rb"\s*<dct:title>[^<]*</dct:title>")
    match = title.search(body, start)
    assert match, "the example gives each dataset a dct:title"
    return body[: match.start()] + body[match.end() :]


def harvest(platform, http_server, body: bytes, path: str = "/catalog.rdf", **table):
    config, store = platform
    url = http_server.route(path, Reply(body, content_type=RDFXML))
    table.setdefault("max_pages", 1)
    source = make_source(kind="dcat", location=url, **table)
    return source, pipeline.harvest(config, store, source)


def test_a_failing_dataset_is_held_back_and_the_rest_goes_out(
    scratch_platform, http_server, shared_data
):
    config, store = scratch_platform
    body = (shared_data / GOVDATA).read_bytes()
    every = datasets_of(body)
    damaged = every[0]
    source, result = harvest(scratch_platform, http_server, without_title(body, damaged))
    assert "DCAT-AP.de 3.0" in result.validation, "dcat sources get the profile by default"
    assert result.report is not None and result.datasets is not None
    verdicts = result.datasets.verdicts
    assert sorted(v.value for v in verdicts) == every
    held = verdicts[NamedNode(damaged)]
    assert not held.accepted
    assert any("dct:title" in english for _, english in held.reasons), held.reasons
    assert all(german and english for german, english in held.reasons)
    published = published_datasets(store, source.graph(config.base_iri))
    accepted = {v.dataset.value for v in result.datasets.accepted}
    assert published == accepted and damaged not in published
    if accepted:  # the rest went out: its distributions with it, the held-back one's not
        assert result.outcome == "published"
        graph = store.read_graph(source.graph(config.base_iri)).decode()
        assert damaged not in graph, "neither the dataset nor the catalogue's link to it"
    runs = provenance.runs(store, source.id)
    assert runs[0]["heldBack"] == len(result.datasets.held_back)
    assert runs[0]["validation"] == result.validation
    stored = {v["resource"].value: v for v in provenance.verdicts(store, runs[0]["run"])}
    assert set(stored) >= set(every)
    assert stored[damaged]["accepted"] is False
    assert stored[damaged]["reasons"]["de"] and stored[damaged]["reasons"]["en"]


def test_every_dataset_failing_publishes_nothing_and_keeps_the_previous_version(
    scratch_platform, http_server, shared_data
):
    config, store = scratch_platform
    body = (shared_data / GOVDATA).read_bytes()
    source, first = harvest(scratch_platform, http_server, body)
    graph = source.graph(config.base_iri)
    before = store.read_graph(graph) if first.outcome == "published" else b""
    broken = body
    for dataset in datasets_of(body):
        broken = without_title(broken, dataset)
    http_server.route("/catalog.rdf", Reply(broken, content_type=RDFXML))
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "rejected"
    assert "none of the 6 datasets passes; nothing published" in result.message
    assert len(result.datasets.held_back) == 6
    assert store.read_graph(graph) == before, "the previous version stays"
    latest = provenance.runs(store, source.id)[0]
    assert latest["outcome"] == "rejected" and latest["heldBack"] == 6
    assert "nothing published" in latest["message"]


def test_every_distribution_without_an_access_url_is_held_back_and_named(
    scratch_platform, http_server, shared_data
):
    config, store = scratch_platform
    body = (shared_data / GOVDATA).read_bytes()
    stripped = re.sub(rb"\s*<dcat:accessURL[^>]*?(/>|>[^<]*</dcat:accessURL>)", b"", body)
    assert b"accessURL" not in stripped
    source, result = harvest(scratch_platform, http_server, stripped)
    assert result.outcome == "rejected"
    assert "nothing published" in result.message
    assert not published_datasets(store, source.graph(config.base_iri))
    for verdict in result.datasets.verdicts.values():
        assert any("accessURL" in english for _, english in verdict.reasons), verdict.reasons
    lines = acceptance.text(result.datasets, "de")
    assert sum(line.startswith("zurückgehalten:") for line in lines) == 6


def test_a_dataset_has_one_source(scratch_platform, http_server, shared_data):
    """Two sources list the same datasets; ``block = []`` lets every dataset pass SHACL, so
    that only ownership decides."""
    config, store = scratch_platform
    body = (shared_data / GOVDATA).read_bytes()
    lenient = {"block": []}
    first, result = harvest(scratch_platform, http_server, body, path="/a.rdf", policy=lenient)
    assert len(result.datasets.accepted) == 6, result.message
    second, other = harvest(scratch_platform, http_server, body, path="/b.rdf", policy=lenient)
    assert other.outcome == "rejected" and len(other.datasets.held_back) == 6
    moving = datasets_of(body)[0]
    reasons = {reason for _, reason in other.datasets.verdicts[NamedNode(moving)].reasons}
    assert reasons == {f"already published by source '{first.id}' (a dataset has one source)"}
    # the dataset moves: the first source no longer lists it, the second takes it over
    http_server.route("/a.rdf", Reply(drop_dataset(body, moving), content_type=RDFXML))
    assert pipeline.harvest(config, store, first).outcome == "published"
    assert moving not in published_datasets(store, first.graph(config.base_iri))
    again = pipeline.harvest(config, store, second)
    assert again.outcome == "published", again.message
    assert [v.dataset.value for v in again.datasets.accepted] == [moving]
    assert published_datasets(store, second.graph(config.base_iri)) == {moving}
    assert len(published_datasets(store, first.graph(config.base_iri))) == 5


def drop_dataset(body: bytes, dataset: str) -> bytes:
    """The example without one dataset: its description and the catalogue's link to it."""
    start = body.index(f'<dcat:Dataset rdf:about="{dataset}"'.encode())
    end = body.index(b"</dcat:Dataset>", start) + len(b"</dcat:Dataset>")
    return body[:start] + body[end:]


def test_warnings_annotate_unless_the_policy_blocks_them(
    scratch_platform, http_server, shared_data
):
    body = (shared_data / GOVDATA).read_bytes()
    _, annotating = harvest(scratch_platform, http_server, body, path="/w1.rdf")
    warned = [
        v
        for v in annotating.datasets.accepted
        if any(r.severity_name == "Warning" for r in v.results)
    ]
    _, blocking = harvest(
        scratch_platform,
        http_server,
        body,
        path="/w2.rdf",
        policy={"block": ["Violation", "Warning"]},
    )
    held = {v.dataset for v in blocking.datasets.held_back}
    assert {v.dataset for v in annotating.datasets.held_back} <= held
    assert {v.dataset for v in warned} <= held
    for verdict in warned:  # published, with its warnings kept in the report
        assert not verdict.reasons and verdict.results


def test_validation_off_is_an_explicit_visible_policy(scratch_platform, http_server, shared_data):
    config, store = scratch_platform
    body = (shared_data / GOVDATA).read_bytes()
    source, result = harvest(scratch_platform, http_server, body, policy={"validate": False})
    assert result.outcome == "published" and result.report is None
    assert result.validation == "off (policy validate = false)"
    assert len(published_datasets(store, source.graph(config.base_iri))) == 6
    assert provenance.runs(store, source.id)[0]["validation"] == result.validation


def test_a_page_that_cannot_be_fetched_stops_the_run_and_is_named(
    scratch_platform, http_server, shared_data
):
    """Rostock's real page 1 of 3: its next page (opendata-hro.de) cannot be reached here."""
    config, store = scratch_platform
    body = (shared_data / ROSTOCK).read_bytes()
    next_page = "https://www.opendata-hro.de/catalog.rdf?page=2"
    assert next_page.encode() in body
    source, result = harvest(
        scratch_platform, http_server, body, path="/hro.rdf", max_pages=5, retries=0
    )
    assert result.outcome == "failed"
    assert f"page 2 of the paged catalogue failed: {next_page}" in result.message
    assert "nothing published" in result.message
    assert not published_datasets(store, source.graph(config.base_iri))
    partial, kept = harvest(
        scratch_platform,
        http_server,
        body,
        path="/hro2.rdf",
        max_pages=5,
        retries=0,
        policy={"partial_pages": True},
    )
    assert kept.outcome in ("published", "rejected"), kept.message
    assert any(f"page 2 of the paged catalogue failed: {next_page}" in n for n in kept.notes)
    assert kept.pages == 1 and len(kept.datasets.verdicts) == 100  # page 1 lists 100
    notes = provenance.notes(store, provenance.runs(store, partial.id)[0]["run"])
    assert any("page 2" in note for note in notes)
