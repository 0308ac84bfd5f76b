"""Rendered pages kept per data version: hits, validators (ETag, Last-Modified, 304), a
new data version renders afresh, and the cache can be switched off."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

from conftest import BASE_IRI
from regiograph.server import create_app

MANNHEIM = "/page/municipality/08222000"


def test_second_request_is_a_hit_with_the_same_body(client):
    first = client.get(MANNHEIM + "?cache-test=1", headers={"Accept-Language": "de"})
    second = client.get(MANNHEIM + "?cache-test=1", headers={"Accept-Language": "de"})
    assert first.headers["X-Cache"] == "miss" and int(first.headers["X-Store-Queries"]) > 0
    assert second.headers["X-Cache"] == "hit" and second.headers["X-Store-Queries"] == "0"
    assert second.data == first.data and second.headers["Link"] == first.headers["Link"]
    assert "Content-Security-Policy" in second.headers  # the hooks still run on a hit
    assert second.headers["Cache-Control"] == "public, max-age=60"


def test_etag_per_language_and_format_and_304(client):
    de = client.get(MANNHEIM, headers={"Accept-Language": "de"})
    en = client.get(MANNHEIM, headers={"Accept-Language": "en"})
    ttl = client.get("/data/municipality/08222000.ttl")
    tags = {de.headers["ETag"], en.headers["ETag"], ttl.headers["ETag"]}
    assert len(tags) == 3 and all(t.startswith('W/"') for t in tags)
    same = client.get(
        MANNHEIM, headers={"Accept-Language": "de", "If-None-Match": de.headers["ETag"]}
    )
    assert same.status_code == 304 and not same.data and same.headers["ETag"] == de.headers["ETag"]
    other = client.get(
        MANNHEIM, headers={"Accept-Language": "de", "If-None-Match": en.headers["ETag"]}
    )
    assert other.status_code == 200  # the English copy is not the German page


def test_if_modified_since(client):
    page = client.get(MANNHEIM)
    modified = parsedate_to_datetime(page.headers["Last-Modified"])
    assert (
        client.get(
            MANNHEIM, headers={"If-Modified-Since": format_datetime(modified, usegmt=True)}
        ).status_code
        == 304
    )
    earlier = modified.replace(year=modified.year - 1)
    stale = client.get(
        MANNHEIM, headers={"If-Modified-Since": format_datetime(earlier, usegmt=True)}
    )
    assert stale.status_code == 200


def test_errors_are_not_kept_or_validated(client):
    missing = client.get("/page/municipality/99999999")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    assert client.get("/page/municipality/99999999").status_code == 404


def test_a_new_data_version_renders_afresh(scratch_platform, graph_iri):
    cfg, store = scratch_platform
    client = create_app(cfg, store).test_client()
    thing = f"<{BASE_IRI}id/thing/cache-test-{graph_iri.rsplit('-', 1)[-1]}>"
    path = "/page/" + thing[1:-1].removeprefix(BASE_IRI + "id/")
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    store.replace_graph(graph_iri, f'{thing} {label} "Erste Fassung"@de .\n'.encode())
    assert "Erste Fassung" in client.get(path).get_data(as_text=True)
    old = client.get(path).headers["ETag"]
    store.replace_graph(graph_iri, f'{thing} {label} "Zweite Fassung"@de .\n'.encode())
    fresh = client.get(path, headers={"If-None-Match": old})
    assert fresh.status_code == 200 and fresh.headers["X-Cache"] == "miss"
    assert "Zweite Fassung" in fresh.get_data(as_text=True)
    store.drop_graph(graph_iri)


def test_cache_off(demo_platform):
    cfg, store = demo_platform
    client = create_app(cfg.with_overrides(pages__cache_entries=0), store).test_client()
    client.get(MANNHEIM)
    assert client.get(MANNHEIM).headers["X-Cache"] == "miss"
