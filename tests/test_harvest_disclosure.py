"""Harvest records are public (/sparql over the metadata graph, /harvests): they name no
internal host, port or folder and never quote the input a parser choked on; the operator
finds the full message in the log (and the CLI summary). A public URL is kept."""

from __future__ import annotations

import logging

import pytest

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import disclosure, pipeline, provenance
from regiograph.server import create_app

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
SECRET = "root:x:0:0:S3CRET-TOKEN-7Q:/root:/bin/bash"


def _published_view(config, store, result) -> str:
    """Everything anyone can read of the run: its triples through /sparql and its pages."""
    app = create_app(config, store)
    app.testing = True
    client = app.test_client()
    query = (
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o "
        f'FILTER(STRSTARTS(STR(?s), "{result.run}")) }} }}'
    )
    answer = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert answer.status_code == 200
    triples = answer.get_data(as_text=True)
    assert "prov#used" in triples and "harvest#message" in triples, triples
    stamp = result.run.rsplit("/", 1)[1]
    pages = [f"/harvests/{result.source.id}/{stamp}", f"/harvests/{result.source.id}", "/harvests"]
    return triples + "".join(client.get(page).get_data(as_text=True) for page in pages)


def test_a_file_that_does_not_parse_leaves_neither_its_folders_nor_its_content(
    scratch_platform, tmp_path, caplog
):
    config, store = scratch_platform
    folder = tmp_path / "operators-private-folder"
    folder.mkdir()
    (folder / "passwd.ttl").write_text(SECRET + "\n")
    source = make_source(tmp_path, kind="rdf", location=str(folder / "passwd.ttl"))
    with caplog.at_level(logging.WARNING):
        result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and "root:" in result.message, "the CLI summary keeps it"
    shown = _published_view(config, store, result)
    assert "passwd.ttl:1:1: syntax error" in shown, "where, line and column are kept"
    for secret in ("S3CRET-TOKEN-7Q", "root:", "operators-private-folder", str(tmp_path)):
        assert secret not in shown, secret
    assert "operators-private-folder" in caplog.text and "root:" in caplog.text
    assert result.run in caplog.text, "the log names the run"


def test_a_source_at_a_loopback_address_is_not_named(scratch_platform, http_server, tmp_path):
    config, store = scratch_platform
    url = http_server.route("/internal/data.ttl", Reply(b"not turtle at all"))
    address = url.split("/")[2]  # host:port
    source = make_source(tmp_path, kind="rdf", location=url)
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and address in result.message
    shown = _published_view(config, store, result)
    assert address not in shown and "/internal/" not in shown
    assert disclosure.WITHHELD in shown or "&lt;address withheld&gt;" in shown


def test_a_public_url_is_kept(scratch_store):
    url = "https://daten.example.org/katalog/dcat.ttl"
    started = provenance.now()
    run = provenance.RunRecord(
        run=provenance.run_iri("http://localhost:8080/", "public-src", started),
        source_id="public-src",
        location=url,
        started=started,
        ended=provenance.now(),
        outcome="failed",
        step="harvest",
        message=f"{url}: HTTP 503 (redirected from http://10.1.2.3:8080/x)",
    )
    provenance.record(scratch_store, run, "http://localhost:8080/")
    (recorded,) = provenance.runs(scratch_store, "public-src", run=run.run)
    assert recorded["location"] == url
    assert recorded["message"] == f"{url}: HTTP 503 (redirected from <address withheld>)"


@pytest.mark.parametrize(
    "location, shown",
    [
        ("https://www.govdata.de/ckan/catalog.rdf", "https://www.govdata.de/ckan/catalog.rdf"),
        ("http://127.0.0.1:8001/x.ttl", disclosure.WITHHELD),
        ("http://[::1]/x", disclosure.WITHHELD),
        ("http://192.168.1.20/x", disclosure.WITHHELD),
        ("http://169.254.169.254/latest/meta-data/", disclosure.WITHHELD),
        ("http://localhost:7878/query", disclosure.WITHHELD),
        ("http://store:7878/query", disclosure.WITHHELD),
        ("file:///etc/passwd", disclosure.WITHHELD),
        ("/srv/regiograph/private/daten.ttl", "daten.ttl"),
        ("../shared/data/x.csv", "x.csv"),
    ],
)
def test_the_rule_for_locations(location, shown):
    assert disclosure.public_location(location) == shown
