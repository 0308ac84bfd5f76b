"""/harvests: sources, runs and a run's report grouped by shape and focus node, de and en."""

from __future__ import annotations

import re

import pytest

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline
from regiograph.server import create_app

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ;
                sh:message "Name fehlt"@de , "name is missing"@en ] .
"""


def test_demo_run_is_listed(client):
    page = client.get("/harvests").get_data(as_text=True)
    assert "Quellen" in page and "demo" in page and "veröffentlicht" in page
    source = client.get("/harvests/demo").get_data(as_text=True)
    (link,) = set(re.findall(r'href="(/harvests/demo/\d{8}T\d{12}Z)"', source))
    run = client.get(link)
    assert run.status_code == 200
    assert "Keine Befunde" in run.get_data(as_text=True)  # validated, and it conforms


def test_unknown_source_and_run_are_404(client):
    assert client.get("/harvests/nosuch").status_code == 404
    assert client.get("/harvests/demo/20200101T000000000000Z").status_code == 404
    assert client.get("/harvests/demo/not-a-stamp").status_code == 404


def test_report_grouped_by_shape_and_focus_in_both_languages(
    scratch_platform, http_server, tmp_path
):
    config, store = scratch_platform
    (tmp_path / "s.ttl").write_text(SHAPES)
    body = (
        b"@prefix ex: <http://ex.org/> . ex:a a ex:Thing . ex:b a ex:Thing . "
        b'ex:c a ex:Thing ; ex:name "c" .'
    )
    source = make_source(
        tmp_path, kind="rdf", shapes=["s.ttl"], location=http_server.route("/d.ttl", Reply(body))
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "rejected"
    app = create_app(config, store)
    app.testing = True
    client = app.test_client()
    stamp = result.run.rsplit("/", 1)[1]
    german = client.get(f"/harvests/{source.id}/{stamp}").get_data(as_text=True)
    assert "abgelehnt" in german and "Prüfbericht" in german and "Name fehlt" in german
    assert "MinCountConstraintComponent" in german
    assert "/resource?iri=http%3A//ex.org/a" in german
    assert "/resource?iri=http%3A//ex.org/b" in german
    assert "ex.org/c" not in german
    english = client.get(f"/harvests/{source.id}/{stamp}?lang=en").get_data(as_text=True)
    assert "rejected" in english and "Validation report" in english
    assert "name is missing" in english
    listing = client.get("/harvests?lang=en").get_data(as_text=True)
    assert source.id in listing and "Recent runs" in listing


GOVDATA = "ckanext-dcatde/examples/catalog-endpoint.rdf"


def test_verdicts_per_dataset_and_the_validation_policy_are_shown(
    scratch_platform, http_server, shared_data, tmp_path
):
    config, store = scratch_platform
    url = http_server.route(
        "/govdata.rdf", Reply.file(shared_data / GOVDATA, "application/rdf+xml")
    )
    checked = make_source(kind="dcat", location=url, max_pages=1)
    result = pipeline.harvest(config, store, checked)
    unchecked = make_source(
        kind="rdf", location=http_server.route("/x.ttl", Reply(b"")), policy={"validate": False}
    )
    pipeline.harvest(config, store, unchecked)
    app = create_app(config, store)
    app.testing = True
    client = app.test_client()
    stamp = result.run.rsplit("/", 1)[1]
    german = client.get(f"/harvests/{checked.id}/{stamp}").get_data(as_text=True)
    assert "Urteil je Datensatz" in german and "DCAT-AP.de 3.0" in german
    held = result.datasets.held_back
    assert held, "GovData's own example has datasets that fail DCAT-AP.de 3.0"
    assert "zurückgehalten" in german and held[0].reasons[0][0] in german
    english = client.get(f"/harvests/{checked.id}/{stamp}?lang=en").get_data(as_text=True)
    assert "Verdict per dataset" in english and held[0].reasons[0][1] in english
    counts = result.datasets.counts()
    assert f"{counts['accepted']} of 6 accepted, {counts['held_back']} held back" in english
    listing = client.get("/harvests?lang=en").get_data(as_text=True)
    assert f"{counts['accepted']}/6" in listing
    assert "off (policy validate = false)" in listing, "turning validation off is visible"
    store.drop_graph(checked.graph(config.base_iri))
