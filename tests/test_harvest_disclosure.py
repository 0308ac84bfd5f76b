"""Harvest records are public (/sparql over the metadata graph, /harvests): they name no
internal host, port or folder and never quote the input a parser choked on; the operator
finds the full message in the log (and the CLI summary). A public URL is kept."""

from __future__ import annotations

import html
import json
import logging

import pytest

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import disclosure, pipeline, provenance
from regiograph.loader.map import geojson
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


# --- content a mapping or an API answer quotes -----------------------------------------

TABLE_MAPPING = {
    "@context": "http://www.w3.org/ns/csvw",
    "dialect": {"encoding": "utf-8", "delimiter": ",", "header": True},
    "tableSchema": {
        "aboutUrl": "id/thing/{key}",
        "primaryKey": "key",
        "columns": [
            {"name": "key", "titles": "key", "required": True, "propertyUrl": "rdfs:label"},
            {
                "name": "count",
                "titles": "count",
                "propertyUrl": "rdf:value",
                "datatype": {"base": "integer"},
            },
        ],
    },
}
BAD_TABLES = {  # a table that is not what its mapping says: (it, where the record says it is)
    "a cell": (f'key,count\nfirst,"{SECRET}"\n', "line 2 (row 1), column 'count'"),
    "the header": (f'key,count,"{SECRET}"\nfirst,1,2\n', "line 1 (header): extra column(s)"),
    "a repeated key": (f'key,count\n"{SECRET}",1\n"{SECRET}",2\n', "line 3: primary key"),
}


@pytest.mark.parametrize("case", list(BAD_TABLES))
def test_a_table_that_does_not_fit_its_mapping_is_not_quoted_in_the_record(
    scratch_platform, http_server, tmp_path, caplog, case
):
    config, store = scratch_platform
    (tmp_path / "table.csv-metadata.json").write_text(json.dumps(TABLE_MAPPING))
    table, where = BAD_TABLES[case]
    url = http_server.route("/table.csv", Reply(table.encode(), content_type="text/csv"))
    source = make_source(tmp_path, kind="csv", location=url, mapping="table.csv-metadata.json")
    with caplog.at_level(logging.WARNING):
        result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and result.step == "map"
    assert "S3CRET-TOKEN-7Q" in result.message, "the CLI summary keeps it"
    shown = _published_view(config, store, result)
    assert where in html.unescape(shown) and disclosure.VALUE_WITHHELD in html.unescape(shown)
    assert "S3CRET-TOKEN-7Q" not in shown and "root:" not in shown
    assert "S3CRET-TOKEN-7Q" in caplog.text, "the operator's log has it"


CKAN_ANSWERS = {
    "not JSON": SECRET.encode(),
    "JSON, not UTF-8": json.dumps({"result": SECRET + " \u00fc"}, ensure_ascii=False).encode(
        "latin-1"
    ),
}


@pytest.mark.parametrize("case", list(CKAN_ANSWERS))
def test_a_ckan_answer_that_is_not_json_is_not_quoted_in_the_record(
    scratch_platform, http_server, case
):
    config, store = scratch_platform
    answer = Reply(CKAN_ANSWERS[case], content_type="application/json")
    http_server.route("/api/3/action/package_search", answer)
    source = make_source(kind="ckan", location=http_server.base)
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and "not valid JSON" in result.message
    shown = _published_view(config, store, result)
    assert "not valid JSON" in shown
    assert "S3CRET-TOKEN-7Q" not in shown and "root:" not in shown and "0xfc" not in shown


RING = [[0, "S3CRET"], [1, 1], [1, 0], [0, "S3CRET"]]


def test_a_geojson_feature_left_out_is_not_quoted_in_the_record():
    """A note names the feature by its properties (data the source publishes) and quotes the
    coordinate that is wrong, which the record withholds."""
    said = geojson.to_csv(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "Birkenau"},
                        "geometry": {"type": "Polygon", "coordinates": [RING]},
                    }
                ],
            }
        ).encode(),
        ["name", geojson.GEOMETRY],
        where="x.geojson",
    )[1]
    assert len(said) == 1 and "S3CRET" in said[0]
    assert disclosure.public_text(said[0]) == (
        "feature 1 (name=Birkenau): a coordinate that is not a number: "
        f"{disclosure.VALUE_WITHHELD}; left out"
    )


def test_a_quote_cannot_end_early():
    message = f"cell {disclosure.quoted('a » S3CRET « b')} is wrong"
    assert "S3CRET" in message
    assert disclosure.public_text(message) == f"cell {disclosure.VALUE_WITHHELD} is wrong"
