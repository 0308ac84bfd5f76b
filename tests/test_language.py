"""One language policy for every surface: ``?lang=``, then the cookie it leaves, then
Accept-Language, then ``site.default_language`` (server/kit/i18n.py)."""

from __future__ import annotations

import re

import pytest

from regiograph.server import create_app

# (path, request headers) of every surface that answers a reader with HTML
SURFACES = [
    ("/", {}),
    ("/page/municipality/08222000", {}),
    ("/search?q=Mannheim", {}),
    ("/browse", {}),
    ("/queries", {}),
    ("/queries/{query}", {}),
    ("/statistics", {}),
    ("/api", {}),
    ("/catalog", {"Accept": "text/html"}),
    ("/harvests", {}),
    ("/sparql", {"Accept": "text/html"}),
]


def page_language(client, path: str, headers: dict, query: str = "", cookie: str | None = None):
    url = path.format(query=_a_saved_query(client))
    if query:
        url += ("&" if "?" in url else "?") + query
    client.delete_cookie("lang")
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    found = re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True))
    assert found, url
    return found.group(1), response


def _a_saved_query(client) -> str:
    return next(iter(client.application.extensions["regiograph.savedqueries"].queries))


@pytest.mark.parametrize(("path", "headers"), SURFACES, ids=[p for p, _ in SURFACES])
def test_every_surface_chooses_the_language_the_same_way(client, path, headers):
    german = {**headers, "Accept-Language": "de"}
    english = {**headers, "Accept-Language": "en"}
    assert page_language(client, path, german)[0] == "de"
    assert page_language(client, path, german, "lang=en")[0] == "en", "?lang= first"
    assert page_language(client, path, german, cookie="en")[0] == "en", "then the cookie"
    assert page_language(client, path, english, "lang=de", cookie="en")[0] == "de"
    assert page_language(client, path, english, cookie="de")[0] == "de"
    assert page_language(client, path, english)[0] == "en", "then Accept-Language"
    assert page_language(client, path, headers)[0] == "de", "then the site's default"


@pytest.mark.parametrize(("path", "headers"), SURFACES, ids=[p for p, _ in SURFACES])
def test_every_surface_remembers_a_chosen_language(client, path, headers):
    _, response = page_language(client, path, headers, "lang=en")
    assert "lang=en" in response.headers.get("Set-Cookie", "")
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_lang_en_switches_the_saved_queries_gallery(client):
    client.delete_cookie("lang")
    german = client.get("/queries", headers={"Accept-Language": "de"}).get_data(as_text=True)
    english = client.get("/queries?lang=en", headers={"Accept-Language": "de"})
    assert '<html lang="de">' in german
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Saved queries" in english.get_data(as_text=True)
    # and the choice holds on the next surface
    catalogue = client.get("/catalog", headers={"Accept": "text/html", "Accept-Language": "de"})
    assert '<html lang="en">' in catalogue.get_data(as_text=True)
    client.delete_cookie("lang")


def test_the_site_default_applies_when_nothing_else_says(demo_platform):
    cfg, store = demo_platform
    client = create_app(cfg.with_overrides(site__default_language="en"), store).test_client()
    assert '<html lang="en">' in client.get("/queries").get_data(as_text=True)
    german = client.get("/queries", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="de">' in german


def test_a_response_that_did_not_ask_for_the_language_does_not_vary_with_it(client):
    response = client.get("/api/queries", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Accept-Language" not in response.vary
