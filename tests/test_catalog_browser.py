"""The catalogue's dataset page previews and /api's Swagger UI, with real clients: a loopback
HTTP server with real files (the coworking festival's CSV, the region's district boundaries as
GeoJSON) and Debian's chromium via Playwright under the pages' Content-Security-Policy."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest
import requests
from pyoxigraph import Literal, NamedNode, Triple

import httpfixtures
from conftest import make_config
from livesite import live_server
from regiograph.server import create_app
from test_catalog_harvested import DCAT, DCT, FOAF_NAME, RDF_TYPE, load

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
DATASET = "https://preview.example/ds/coworking"


def described(files: dict[str, tuple[str, str]]) -> list[Triple]:
    """One dataset with a distribution per file: name -> (URL, file type code)."""
    ds, agent = NamedNode(DATASET), NamedNode("https://preview.example/org")
    out = [
        Triple(ds, RDF_TYPE, NamedNode(DCAT.Dataset)),
        Triple(ds, NamedNode(DCT.title), Literal("Coworking und Kreise", language="de")),
        Triple(ds, NamedNode(DCT.description), Literal("Vorschau-Test", language="de")),
        Triple(ds, NamedNode(DCT.publisher), agent),
        Triple(agent, FOAF_NAME, Literal("Testamt")),
    ]
    for name, (url, kind) in files.items():
        dist = NamedNode(f"{DATASET}/{name}")
        out += [
            Triple(ds, NamedNode(DCAT.distribution), dist),
            Triple(dist, RDF_TYPE, NamedNode(DCAT.Distribution)),
            Triple(dist, NamedNode(DCT.title), Literal(name, language="de")),
            Triple(dist, NamedNode(DCAT.downloadURL), NamedNode(url)),
            Triple(dist, NamedNode(DCAT.accessURL), NamedNode(url)),
            Triple(dist, NamedNode(DCT["format"]), NamedNode(EU_FILE_TYPE + kind)),
            Triple(dist, NamedNode(DCT.license), NamedNode("http://dcat-ap.de/def/licenses/dl-by-de/2.0")),
        ]  # fmt: skip
    return out


@pytest.fixture
def previewed(shared_data, http_server, tmp_path, scratch_store, graph_iri):
    spaces = (shared_data / "coworking" / "coworkingfestival_spaces.csv").read_bytes()
    districts = shared_data / "boundaries" / "derived-mrn" / "mrn_kreise_vg5000_2021_wgs84.geojson"
    csv_url = http_server.route("/spaces.csv", httpfixtures.Reply(spaces, content_type="text/csv"))
    geo = districts.read_bytes()
    geo_url = http_server.route(
        "/kreise.geojson", httpfixtures.Reply(geo, content_type="application/geo+json")
    )
    # the same server under a name the configuration does not allow: never asked
    other = http_server.route("/other.csv", httpfixtures.Reply(spaces, content_type="text/csv"))
    other = other.replace("127.0.0.1", "localhost")
    files = {
        "a-spaces": (csv_url, "CSV"),
        "b-kreise": (geo_url, "GEOJSON"),
        "c-other": (other, "CSV"),
    }
    load(scratch_store, graph_iri, described(files))
    host = http_server.base.removeprefix("http://")
    cfg = make_config(tmp_path, catalog__preview_hosts=host, pages__tile_url="")
    app = create_app(cfg, scratch_store)
    with live_server(app) as url:
        yield url, spaces, json.loads(geo)
    scratch_store.drop_graph(graph_iri)


def page_url(base: str) -> str:
    return f"{base}/catalog/dataset?iri={quote(DATASET, safe='')}&lang=de"


def test_csv_preview_shows_the_files_first_rows(previewed, http_server):
    url, spaces, _ = previewed
    html = requests.get(page_url(url), timeout=60).text
    rows = list(csv.reader(io.StringIO(spaces.decode("utf-8"))))
    assert '<th scope="col">space_id</th>' in html
    for row in rows[1:11]:  # the first ten rows, each of its cells as the file has it
        assert f"<td>{row[0]}</td>" in html
    assert f"<td>{rows[11][0]}</td>" not in html, "ten rows, not the whole file"
    assert "Die Datei enthält mehr." in html
    assert len(http_server.hits("/spaces.csv")) == 1
    requests.get(page_url(url), timeout=60)  # kept a while: the host is not asked again
    assert len(http_server.hits("/spaces.csv")) == 1
    assert http_server.hits("/other.csv") == [], "a host outside catalog.preview_hosts"
    assert "nicht auf einem Server, von dem die Plattform abrufen darf" in html


@pytest.mark.browser
def test_geojson_preview_is_drawn_on_a_map(previewed, browser):
    url, _, geojson = previewed
    tab = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(page_url(url))
    tab.wait_for_selector(".map[data-drawn=true]")
    areas = tab.locator(".map .leaflet-overlay-pane path").count()
    assert areas == len(geojson["features"]) == 15  # the region's districts, each an area
    assert not [e for e in errors if "Content Security Policy" in e], errors
    tab.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["de", "en"])
def test_swagger_ui_renders_every_operation_and_runs_one(live_url, browser, lang):
    spec = requests.get(live_url + "/api/openapi.json", timeout=60).json()
    operations = [(m, p) for p, item in spec["paths"].items() for m in item if m in {"get", "post"}]
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto(f"{live_url}/api?lang={lang}")
    tab.wait_for_selector("#swagger-ui[data-ready=true]", timeout=60_000)
    # an operation with two tags is listed under each: compare (method, path) pairs
    shown = tab.evaluate(
        """() => [...document.querySelectorAll('#swagger-ui .opblock')].map(b => [
             b.querySelector('.opblock-summary-method').textContent.toLowerCase(),
             b.querySelector('.opblock-summary-path').textContent.replace(/\u200b/g, '')])"""
    )
    assert {tuple(pair) for pair in shown} == set(operations)
    assert tab.locator(".api-operations").is_hidden()  # the server's list, for no JavaScript
    path = "/api/queries/competency-mobility-datasets"
    block = tab.locator("#swagger-ui .opblock", has_text=path).first
    block.locator(".opblock-summary").click()
    block.locator(".try-out__btn").click()
    block.locator(".execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=60_000)
    assert status.inner_text().strip() == "200"
    shown_rows = json.loads(block.locator(".live-responses-table .microlight").first.inner_text())
    direct = requests.get(live_url + path, headers={"Accept": "application/json"}, timeout=60)
    assert shown_rows == direct.json() and shown_rows  # the same rows as asked directly
    assert not [e for e in errors if "Content Security Policy" in e], errors
    tab.close()
