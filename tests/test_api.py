"""/api: negotiation, paging, errors, the OpenAPI document and a property-based run over it."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate

NAME = "stats-population-development"
DISTRICT = {"district": "id/district/08226"}
ROWS = 54 * 7  # the Rhein-Neckar-Kreis' municipalities: GV-ISys 2009-2023 (6) and Zensus 2022


@pytest.mark.parametrize(
    ("accept", "fmt", "content_type"),
    [
        (None, None, "application/json"),
        ("application/json", None, "application/json"),
        ("text/csv", None, "text/csv"),
        ("application/sparql-results+json", None, "application/sparql-results+json"),
        ("text/html;q=0.9, text/csv", None, "text/csv"),
        ("text/csv", "json", "application/json"),
        (None, "sparql", "application/sparql-results+json"),
        (None, "excel", "text/csv"),
    ],
)
def test_negotiation(client, accept, fmt, content_type):
    headers = {"Accept": accept} if accept else {}
    query = {**DISTRICT, **({"format": fmt} if fmt else {})}
    response = client.get(f"/api/queries/{NAME}", headers=headers, query_string=query)
    assert response.status_code == 200
    assert response.mimetype == content_type
    assert response.headers["X-Total-Count"] == str(ROWS)


def test_formats_carry_the_same_rows(client):
    def get(fmt):
        return client.get(f"/api/queries/{NAME}", query_string={**DISTRICT, "format": fmt})

    objects = get("json").get_json()
    assert list(objects[0]) == ["municipality", "ags", "name", "year", "population"]
    table = list(csv.DictReader(io.StringIO(get("csv").get_data(as_text=True))))
    assert len(table) == len(objects) == ROWS
    assert table[0]["ags"] == objects[0]["ags"]
    results = json.loads(get("sparql").get_data(as_text=True))
    assert results["head"]["vars"] == list(objects[0])
    first = results["results"]["bindings"][0]
    assert first["municipality"]["type"] == "uri"
    assert first["population"]["datatype"].endswith("#decimal")
    excel = get("excel").get_data()
    assert excel.startswith("\ufeff".encode())
    header, row = excel.decode("utf-8-sig").splitlines()[:2]
    assert header == "municipality;ags;name;year;population"
    assert row.endswith(",0")  # decimal comma for German spreadsheets


def test_paging_with_link_headers(client):
    first = client.get(f"/api/queries/{NAME}", query_string={**DISTRICT, "limit": 50})
    assert len(first.get_json()) == 50
    assert 'rel="next"' in first.headers["Link"] and "offset=50" in first.headers["Link"]
    last = client.get(f"/api/queries/{NAME}", query_string={**DISTRICT, "limit": 50, "offset": 350})
    assert len(last.get_json()) == ROWS - 350
    assert 'rel="next"' not in last.headers["Link"] and 'rel="prev"' in last.headers["Link"]
    everything = client.get(f"/api/queries/{NAME}", query_string=DISTRICT).get_json()
    pages = [
        client.get(
            f"/api/queries/{NAME}", query_string={**DISTRICT, "limit": 50, "offset": offset}
        ).get_json()
        for offset in range(0, ROWS, 50)
    ]
    assert [row for page in pages for row in page] == everything


@pytest.mark.parametrize(
    ("path", "query", "status", "parameter"),
    [
        ("/api/queries/stats-municipality-profile", {}, 400, "ags"),
        ("/api/queries/stats-municipality-profile", {"ags": "123"}, 400, "ags"),
        (f"/api/queries/{NAME}", {"fromYear": "zwanzig"}, 400, "fromYear"),
        (f"/api/queries/{NAME}", {"district": "id/municipality/08222000"}, 400, "district"),
        (f"/api/queries/{NAME}", {"limit": "10000000000"}, 400, "limit"),
        (f"/api/queries/{NAME}", {"limit": "0"}, 400, "limit"),
        (f"/api/queries/{NAME}", {"limit": "ten"}, 400, "limit"),
        (f"/api/queries/{NAME}", {"offset": "-1"}, 400, "offset"),
        (f"/api/queries/{NAME}", {"format": "xml"}, 400, "format"),
        ("/api/queries/funding-finder", {"day": "2026-02-30"}, 400, "day"),
        ("/api/queries/funding-finder", {"theme": '"> } ; DROP ALL #'}, 400, "theme"),
        ("/api/queries/no-such-query", {}, 404, None),
        ("/api/queries/..%2F..%2Fetc%2Fpasswd", {}, 404, None),
    ],
)
def test_bad_input(client, path, query, status, parameter):
    response = client.get(path, query_string=query)
    assert response.status_code == status
    body = response.get_json()
    assert body["status"] == status
    if parameter:
        assert body["parameter"] == parameter and parameter in body["message"]


def test_query_list(client):
    listed = {q["name"]: q for q in client.get("/api/queries").get_json()}
    assert listed[NAME]["engine"] == "cube"
    assert listed["stats-municipality-profile"]["parameters"]["ags"]["required"] is True


def test_openapi_document_validates_and_covers_every_query(client, app):
    spec = client.get("/api/openapi.json").get_json()
    validate(spec)
    names = set(app.extensions["regiograph.savedqueries"].queries)
    saved = [p for p in spec["paths"] if p.startswith("/api/queries/")]
    assert {p.rsplit("/", 1)[-1] for p in saved} == names
    admin = spec["paths"]["/api/admin/harvests/{source}"]
    assert set(admin) >= {"get", "post"} and admin["post"]["security"] == [{"bearer": []}]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operation = spec["paths"]["/api/queries/stats-municipality-profile"]["get"]
    ags = next(p for p in operation["parameters"] if p.get("name") == "ags")
    assert ags["required"] is True and ags["schema"]["pattern"] == "^[0-9]{8}$"


def test_api_page_renders_every_operation(client):
    page = client.get("/api").get_data(as_text=True)
    assert "GET /api/queries/funding-finder" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline scripts (strict CSP)


def _operations(client):
    spec = client.get("/api/openapi.json").get_json()
    shared = spec["components"]["parameters"]

    def resolve(parameter):
        return shared[parameter["$ref"].rsplit("/", 1)[-1]] if "$ref" in parameter else parameter

    return [
        (path, [resolve(p) for p in item["get"]["parameters"]])
        for path, item in sorted(spec["paths"].items())
        if path.startswith("/api/queries/")  # the admin API needs a token (test_ops_admin)
    ]


def _value(parameter):
    """Values from the declared schema, and text that ignores it."""
    schema = parameter["schema"]
    by_schema = {
        "integer": st.integers(-(10**6), 10**6).map(str),
        "number": st.floats(allow_nan=True).map(str),
    }.get(schema["type"], st.nothing())
    if "enum" in schema:
        by_schema = st.sampled_from(schema["enum"])
    if "pattern" in schema:
        by_schema = st.from_regex(schema["pattern"], fullmatch=True)
    if "default" in schema:
        by_schema = by_schema | st.just(schema["default"])
    return st.one_of(
        by_schema,
        st.text(max_size=40),
        st.sampled_from(
            ['"> } ; DROP ALL #', "<", "\n", "\\u003e", "https://w3id.org/regiograph/concepts/x"]
        ),
    )


def test_property_based_run_over_the_openapi_document(client):
    """Schemathesis-like: every operation, generated parameters, never a server error."""
    operations = _operations(client)

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.data())
    def check(data):
        path, parameters = data.draw(st.sampled_from(operations))
        chosen = data.draw(st.lists(st.sampled_from(parameters), unique_by=lambda p: p["name"]))
        query = {p["name"]: data.draw(_value(p)) for p in chosen}
        response = client.get(path, query_string=query)
        assert response.status_code in {200, 400}, (path, query, response.get_data(as_text=True))
        if response.status_code == 400:
            required = {p["name"] for p in parameters if p["required"]}
            assert response.get_json()["parameter"] in set(query) | required

    check()
