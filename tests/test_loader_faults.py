"""Bad input and faults: each is refused with a clear message and, where a graph was
published before, leaves it exactly as it was."""

from __future__ import annotations

import gzip
import os
import signal
import socket
import threading
import time

import pytest
from pyoxigraph import RdfFormat, parse

import httpfixtures
from conftest import store_answers
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline
from regiograph.loader import runs as locks
from regiograph.loader.errors import FetchError
from regiograph.loader.fetch import http

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
GOOD = b"@prefix ex: <http://ex.org/> .\n" + b"".join(
    b"ex:s%d ex:p ex:o%d .\n" % (i, i) for i in range(100)
)
MiB = 1024 * 1024


@pytest.fixture
def published(scratch_platform, http_server):
    """A dcat source published once from /data; tests then change what /data answers."""
    config, store = scratch_platform
    url = http_server.route("/data", Reply(GOOD))
    source = make_source(kind="rdf", location=url, retries=1, timeout_s=2.0)
    assert pipeline.harvest(config, store, source).outcome == "published"
    graph = source.graph(config.base_iri)
    before = store.read_graph(graph)
    assert len(before.splitlines()) == 100

    def retry(reply: Reply, **options):
        http_server.route("/data", reply)
        run = make_source(id=source.id, kind="rdf", location=url, **options)
        result = pipeline.harvest(config, store, run)
        assert result.outcome in ("failed", "rejected"), result
        assert store.read_graph(graph) == before
        return result

    return retry


MALFORMED = {
    "turtle": (
        b'@prefix ex: <http://ex.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open\n',
        "text/turtle",
        ":3:",
    ),
    "rdfxml": (
        b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#">\n  <rdf:Description rdf:about="http://ex.org/a">\n'
        b"  </rdf:RDF>\n",
        "application/rdf+xml",
        "/data",
    ),
    "jsonld": (
        b'{"@context": {"@vocab": "http://ex.org/"},\n "a": [1, 2,\n}',
        "application/ld+json",
        ":3:1:",
    ),
}


@pytest.mark.parametrize("syntax", list(MALFORMED))
def test_malformed_documents_name_source_line_and_column(published, syntax):
    body, media_type, where = MALFORMED[syntax]
    result = published(Reply(body, content_type=media_type))
    assert result.step == "parse" and "/data" in result.message and where in result.message


def test_billion_laughs_is_refused_before_parsing(published):
    entities = "".join(
        f'<!ENTITY l{i} "{"&l" + str(i - 1) + ";" * 1 if i else "lol"}'
        f'{("&l" + str(i - 1) + ";") * 9 if i else ""}">'
        for i in range(10)
    )
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [{entities}]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://ex.org/"><rdf:Description rdf:about="http://ex.org/a">'
        "<ex:p>&l9;</ex:p></rdf:Description></rdf:RDF>"
    ).encode()
    began = time.monotonic()
    result = published(Reply(body, content_type="application/rdf+xml"))
    assert "DOCTYPE is refused" in result.message
    assert time.monotonic() - began < 5


def test_external_entity_is_refused_and_not_echoed(published):
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:ex="http://ex.org/"><rdf:Description rdf:about="http://ex.org/a">'
        b"<ex:p>&x;</ex:p></rdf:Description></rdf:RDF>"
    )
    result = published(Reply(body, content_type="application/rdf+xml"))
    assert "DOCTYPE is refused" in result.message and "root:" not in result.message


def test_gzip_bomb_is_cut_at_the_cap_after_decompression(published):
    bomb = b"\0" * (64 * MiB)
    result = published(Reply(bomb, gzip=True), max_bytes=MiB)
    assert "larger than the cap of 1,048,576 bytes" in result.message


def test_gzipped_file_bomb_is_cut_at_the_cap(published, http_server):
    http_server.route(
        "/dump.nt.gz", Reply(gzip.compress(b"\0" * (64 * MiB)), content_type="application/gzip")
    )
    with (
        http.Fetcher(http.Limits(max_bytes=MiB, allow_private=True)) as fetcher,
        pytest.raises(FetchError, match="gzip bomb"),
    ):
        fetcher.get(http_server.url("/dump.nt.gz"), accept="*/*")


def test_oversized_response(published):
    result = published(Reply(GOOD * 100), max_bytes=10_000)
    assert "larger than the cap" in result.message


def test_http_404(published):
    result = published(Reply(b"gone", status=404, content_type="text/plain"))
    assert "HTTP 404" in result.message


def test_http_500_is_retried_then_fails(published, http_server):
    hits = len(http_server.hits("/data"))
    result = published(Reply(b"oops", status=500, content_type="text/plain"), retries=2)
    assert "HTTP 500" in result.message
    assert len(http_server.hits("/data")) - hits == 3


def test_timeout_is_retried_then_fails(published):
    result = published(Reply(GOOD, delay_s=1.5), timeout_s=0.3, retries=1)
    assert "timed out (after 2 attempts)" in result.message


def test_trickling_server_hits_the_deadline(published):
    result = published(Reply(GOOD * 4, trickle_s=0.2), deadline_s=0.5)
    assert "not complete after" in result.message


def test_redirect_loop(published, http_server):
    http_server.route("/a", Reply(status=302, location="/b"))
    http_server.route("/b", Reply(status=302, location="/a"))
    result = published(Reply(status=301, location="/a"))
    assert "redirect loop" in result.message


def test_too_many_redirects(published, http_server):
    for number in range(8):
        http_server.route(f"/r{number}", Reply(status=307, location=f"/r{number + 1}"))
    result = published(Reply(status=302, location="/r0"), max_redirects=3)
    assert "more than 3 redirects" in result.message


def test_wrong_content_type(published):
    result = published(Reply(b"<html><body>Portal</body></html>", content_type="text/html"))
    assert "wrong content type: Content-Type text/html" in result.message


def test_json_ld_with_remote_context_is_not_fetched(published, http_server):
    context = http_server.url("/context.jsonld")
    body = f'{{"@context": "{context}", "@id": "http://ex.org/a", "p": 1}}'.encode()
    result = published(Reply(body, content_type="application/ld+json"))
    assert "remote @context" in result.message
    assert http_server.hits("/context.jsonld") == []


def test_loopback_is_refused_unless_the_source_allows_it(scratch_platform, http_server):
    config, store = scratch_platform
    source = make_source(
        kind="rdf", location=http_server.route("/x", Reply(GOOD)), allow_private=False
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "failed" and "a loopback address" in result.message
    assert http_server.hits("/x") == []


def public(host, port, *args, **kwargs):
    """A resolver that claims every name is a public address (as a rebinding DNS would)."""
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]


def test_connection_to_a_private_address_is_refused_after_resolution(http_server):
    http_server.route("/x", Reply(GOOD))
    with (
        http.Fetcher(http.Limits(retries=0), resolve=public) as fetcher,
        pytest.raises(FetchError, match="loopback"),
    ):
        fetcher.get(http_server.url("/x"), accept="*/*")
    assert http_server.hits("/x") == []


def test_name_resolving_to_a_private_address_is_refused_before_connecting():
    def internal(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    with (
        http.Fetcher(http.Limits(retries=0), resolve=internal) as fetcher,
        pytest.raises(FetchError, match=r"intranet\.example resolves to 10\.0\.0\.7, a private"),
    ):
        fetcher.get("http://intranet.example/catalog.ttl", accept="*/*")


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.1.1",
        "127.0.0.1",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "100.64.0.1",
        "0.0.0.0",
    ],
)
def test_non_public_addresses(address):
    with pytest.raises(http.AddressRefused):
        http.check_address(address, "host.example")


def test_only_http_urls_are_fetched():
    with http.Fetcher(http.Limits()) as fetcher, pytest.raises(FetchError, match="only http"):
        fetcher.get("file:///etc/passwd", accept="*/*")


def test_empty_source_is_not_published(published):
    result = published(Reply(b"# nothing here\n"))
    assert result.outcome == "rejected" and "no triples" in result.message


def test_shrinking_source_is_not_published(published, scratch_platform):
    half = b"".join(GOOD.splitlines(keepends=True)[:40])
    result = published(Reply(half))
    assert result.outcome == "rejected" and "shrink from 100 to 39 triples" in result.message


def test_shrinking_is_published_when_the_policy_allows(scratch_platform, http_server):
    config, store = scratch_platform
    url = http_server.route("/data", Reply(GOOD))
    source = make_source(kind="rdf", location=url)
    assert pipeline.harvest(config, store, source).outcome == "published"
    http_server.route("/data", Reply(b"".join(GOOD.splitlines(keepends=True)[:40])))
    allowed = make_source(id=source.id, kind="rdf", location=url, policy={"allow_shrink": True})
    assert pipeline.harvest(config, store, allowed).outcome == "published"


def test_concurrent_harvest_is_refused_or_waits(scratch_platform, http_server):
    config, store = scratch_platform
    source = make_source(kind="rdf", location=http_server.route("/data", Reply(GOOD)))
    with locks.source_lock(config.data_path, source.id):
        busy = pipeline.harvest(config, store, source)
    assert busy.outcome == "busy" and "is being harvested by another process (pid" in busy.message
    assert http_server.hits("/data") == []
    held = threading.Event()

    def hold_briefly():
        with locks.source_lock(config.data_path, source.id):
            held.set()
            time.sleep(0.5)

    thread = threading.Thread(target=hold_briefly)
    thread.start()
    held.wait(5)
    waited = pipeline.harvest(config, store, source, wait_s=10)
    thread.join()
    assert waited.outcome == "published"


class KillStoreOnUpload(pipeline.Progress):
    """Kills the store's server (SIGKILL) as soon as the first chunk went out."""

    def __init__(self, server):
        self.server = server

    def uploaded(self, source, nbytes):
        if self.server._process.poll() is None:
            os.kill(self.server._process.pid, signal.SIGKILL)


BIG = b"".join(b'<http://ex.org/s%d> <http://ex.org/p> "%d" .\n' % (i, i) for i in range(150_000))


@pytest.fixture
def own_store(tmp_path):
    """A store of the test's own: these tests kill its server."""
    from conftest import make_config
    from regiograph.runtime import open_store

    with open_store(make_config(tmp_path)) as platform:
        yield platform


def serve_ntriples(http_server, data: bytes) -> str:
    return http_server.route("/data.nt", Reply(data, content_type="application/n-triples"))


def test_store_that_goes_away_mid_publish_keeps_the_old_graph(own_store, http_server):
    config, store = own_store
    source = make_source(
        kind="rdf", location=serve_ntriples(http_server, BIG[: BIG.index(b"<http://ex.org/s5000>")])
    )
    first = pipeline.harvest(config, store, source)
    assert first.outcome == "published", first.message
    graph = source.graph(config.base_iri)
    before = store.read_graph(graph)
    serve_ntriples(http_server, BIG)
    result = pipeline.harvest(config, store, source, progress=KillStoreOnUpload(store.server))
    assert result.outcome == "failed", result
    wait_for_store(store)
    assert store.read_graph(graph) == before


def test_store_that_goes_away_during_a_first_bulk_load_leaves_nothing_published(
    own_store, http_server
):
    config, store = own_store
    source = make_source(kind="rdf", location=serve_ntriples(http_server, BIG))
    result = pipeline.harvest(config, store, source, progress=KillStoreOnUpload(store.server))
    assert result.outcome == "failed", result
    wait_for_store(store)
    small = BIG[: BIG.index(b"<http://ex.org/s10>")]
    serve_ntriples(http_server, small)
    again = pipeline.harvest(config, store, source)
    assert again.outcome == "published", again.message
    published = set(parse(store.read_graph(source.graph(config.base_iri)), RdfFormat.N_TRIPLES))
    assert published == set(parse(small, RdfFormat.N_TRIPLES))


def wait_for_store(store, seconds: float = 60) -> None:
    """Until the supervisor has restarted the killed server."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not store_answers(store):
        time.sleep(0.2)


def test_gzip_in_transit_and_gzipped_files_are_read(scratch_platform, http_server):
    config, store = scratch_platform
    encoded = make_source(
        kind="rdf", location=http_server.route("/enc.ttl", Reply(GOOD, gzip=True))
    )
    assert pipeline.harvest(config, store, encoded).published == 100
    nt = b"".join(b'<http://ex.org/s%d> <http://ex.org/p> "%d" .\n' % (i, i) for i in range(7))
    packed = make_source(
        kind="rdf",
        location=http_server.route(
            "/dump.nt.gz", Reply(gzip.compress(nt), content_type="application/gzip")
        ),
    )
    assert pipeline.harvest(config, store, packed).published == 7


def test_429_with_retry_after_is_retried(scratch_platform, http_server):
    config, store = scratch_platform
    answers = iter(
        [
            Reply(
                b"slow down", status=429, content_type="text/plain", headers={"Retry-After": "0"}
            ),
            Reply(GOOD),
        ]
    )
    source = make_source(
        kind="rdf", location=http_server.route("/busy.ttl", lambda request: next(answers))
    )
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published" and len(http_server.hits("/busy.ttl")) == 2
