"""The home page on the demo region: the region on a map, the latest projects, the search
box and the data holdings, in German and English; kept per data version like the pages."""

from __future__ import annotations

import json
import re

from conftest import make_config
from regiograph.runtime import open_store
from regiograph.server import create_app


def get(client, lang="de", **headers):
    response = client.get("/", headers={"Accept-Language": lang, **headers})
    assert response.status_code == 200
    return response


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_map_of_the_municipalities(client):
    html = get(client).get_data(as_text=True)
    raw = re.search(r"class=\"map\" data-points='([^']+)'", html).group(1)
    points = json.loads(raw.replace("&#34;", '"').replace("&amp;", "&"))
    by_label = {p["label"]: p for p in points}
    assert len(points) >= 50  # every demo municipality with a location
    assert by_label["Mannheim"]["url"] == "/page/municipality/08222000"
    assert 49.4 < by_label["Mannheim"]["lat"] < 49.6 and 8.4 < by_label["Mannheim"]["lon"] < 8.6
    assert "vendor/leaflet/leaflet.js" in html and "map.js" in html
    assert "Die Region auf der Karte" in text_of(html)


def test_latest_projects_newest_first_with_links(client):
    html = get(client).get_data(as_text=True)
    section = html.split('class="latest-projects"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<li><a href="(/page/project/[^"]+)"', section)
    assert links[0] == "/page/project/rufbus-suedpfalz"  # started 1 September 2024
    assert links.index("/page/project/telemedizin-ueberwald") < links.index(
        "/page/project/beteiligung-bergstrasse"
    )  # 2024 before 2022
    text = text_of(section)
    assert "seit 1. September 2024" in text and "Wald-Michelbach" in text  # a lead


def test_search_box_and_data_holdings(client, demo_store):
    response = get(client)
    html = response.get_data(as_text=True)
    assert 'action="/search"' in html and 'id="home-q"' in html
    assert 'data-suggest="/search/suggest"' in html
    assert "Datenbestand" in html and "http://localhost:8080/graph/demo" in html
    total = sum(demo_store.graphs().values())
    assert f"{total:,}".replace(",", ".") + " Tripel" in text_of(html)


def test_home_in_english(client):
    text = text_of(get(client, lang="en").get_data(as_text=True))
    assert "Latest projects" in text and "The region on a map" in text
    assert "since September 1, 2024" in text
    assert "Data holdings" in text


def test_strict_csp_and_no_inline_code(client):
    response = get(client)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"<[^>]+\s(style|on[a-z]+)=", html)


def test_kept_per_data_version_and_revalidated(client):
    first = get(client)
    again = get(client)
    assert again.headers["X-Cache"] == "hit" and again.data == first.data
    assert first.headers["ETag"] == again.headers["ETag"]
    assert get(client, lang="en").headers["ETag"] != first.headers["ETag"]
    unchanged = client.get(
        "/", headers={"Accept-Language": "de", "If-None-Match": first.headers["ETag"]}
    )
    assert unchanged.status_code == 304 and not unchanged.data


def test_empty_store_shows_no_map_and_no_projects(tmp_path):
    with open_store(make_config(tmp_path)) as (cfg, store):  # its own: scratch is shared
        html = create_app(cfg, store).test_client().get("/").get_data(as_text=True)
    assert 'class="map"' not in html and "latest-projects" not in html
    assert "Datenbestand" in html and "Noch keine Daten geladen." in html
