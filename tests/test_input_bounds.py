"""No input may exhaust memory or time, and none is silently misread (issue 18): deeply nested
JSON-LD, RDF/XML with a DOCTYPE or entities anywhere, gzip bombs for ``load``/``validate``, a
trickling server against ``deadline_s``, and a declared single-byte charset for UTF-8 bytes.

Every case runs through a real entry point: a harvest from a loopback server, the CLI in
process (click's runner) or as a subprocess. Where the code before these guards would have
needed gigabytes, the subprocess runs under ``RLIMIT_AS`` (a cap the guarded code stays far
below), so a regression fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.cli import main
from regiograph.loader import pipeline
from regiograph.store import rdfguard

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
MiB = 1024 * 1024
AS_CAP = 300 * MiB  # the guarded CLI peaks near 60 MB of address space
RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex.org/"'
STRASSE = "Straße Äöü"


def nested_json_ld(depth: int) -> bytes:
    """``depth`` node objects, each the value of the one around it."""
    return (
        '{"@id": "http://ex.org/n", "http://ex.org/p": ' * depth + '"leaf"' + "}" * depth
    ).encode()


def rdf_xml(body: str = "<ex:p>x</ex:p>", prolog: str = "") -> str:
    return (
        f'{prolog}<rdf:RDF {RDF_NS}><rdf:Description rdf:about="http://ex.org/s">'
        f"{body}</rdf:Description></rdf:RDF>"
    )


def laughs(levels: int) -> str:
    """An internal subset whose last entity expands to 10**levels copies of 'lol'."""
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, levels)
    ]
    return f"<!DOCTYPE rdf:RDF [{''.join(entities)}]>"


def cli_in_subprocess(
    cwd: Path, *args: str, data_dir: Path | None = None
) -> subprocess.CompletedProcess:
    """``regiograph ARGS`` as a process whose address space is capped at AS_CAP."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGIOGRAPH_")}
    env["REGIOGRAPH_DATA_DIR"] = str(data_dir or cwd / "data")
    return subprocess.run(
        [sys.executable, "-m", "regiograph", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (AS_CAP, AS_CAP)),
    )


def published_graph(store, graph: str) -> str:
    """The graph as N-Triples, "" when nothing was published to it."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    if not store.count(query, {"g": NamedNode(graph)}):
        return ""
    return store.read_graph(graph).decode()


@pytest.fixture
def harvest(scratch_platform, http_server):
    """Serve ``body`` at a fresh path and harvest it as an rdf source; the run's result and
    what its graph holds afterwards."""
    config, store = scratch_platform

    def run(body: bytes, content_type: str, **options):
        url = http_server.route(
            f"/{httpfixtures.new_source_id()}", Reply(body, content_type=content_type)
        )
        source = make_source(kind="rdf", location=url, retries=0, **options)
        result = pipeline.harvest(config, store, source)
        return result, published_graph(store, source.graph(config.base_iri))

    return run


@pytest.fixture
def validate(tmp_path, monkeypatch):
    """``regiograph validate FILE`` in process, in a clean directory; (exit code, output)."""
    monkeypatch.chdir(tmp_path)

    def run(name: str, data: bytes):
        (tmp_path / name).write_bytes(data)
        result = CliRunner().invoke(main, ["validate", name, "--lang", "en"], env={"LANG": ""})
        return result.exit_code, result.output

    return run


# --- deeply nested JSON-LD ------------------------------------------------------------


def test_deeply_nested_json_ld_is_not_harvested(harvest):
    # 1,000 levels, 34 KB: the parser took 100 MB for it (2,500 levels: 1.3 GB)
    result, published = harvest(nested_json_ld(1_000), "application/ld+json")
    assert result.outcome == "failed", result
    assert f"nested deeper than {rdfguard.MAX_JSON_DEPTH} levels" in result.message
    assert published == ""


def test_json_ld_at_the_limit_is_harvested_and_brackets_in_strings_do_not_count(harvest):
    inner = json.dumps({"@id": "http://ex.org/s", "http://ex.org/p": '[{"\\' * 500})
    deep = nested_json_ld(rdfguard.MAX_JSON_DEPTH - 1).replace(b'"leaf"', inner.encode())
    result, published = harvest(deep, "application/ld+json")
    assert result.outcome == "published", result.message
    assert '<http://ex.org/s> <http://ex.org/p> "[{\\"\\\\' in published


def test_load_of_50000_levels_is_refused_in_bounded_memory(tmp_path):
    # 1.5 MB that took `regiograph load` to 14.7 GB and a SIGSEGV
    (tmp_path / "deep.jsonld").write_bytes(nested_json_ld(50_000))
    result = cli_in_subprocess(tmp_path, "load", "--graph", "http://ex.org/g", "deep.jsonld")
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr.strip().splitlines() == [
        "regiograph: deep.jsonld: JSON nested deeper than "
        f"{rdfguard.MAX_JSON_DEPTH} levels is refused (the JSON-LD parser's memory grows "
        "with the square of the depth)"
    ]


def test_validate_refuses_deep_json_ld(validate):
    code, output = validate("deep.jsonld", nested_json_ld(1_000))
    assert code == 1
    assert "nested deeper than" in output and "Traceback" not in output


# --- RDF/XML: a DOCTYPE or an entity anywhere -----------------------------------------

SMALL_LAUGHS = laughs(3)  # 1,000 times "lol": harmless to parse, and the same attack
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
VARIANTS = {
    "after a 5 KB comment": (
        rdf_xml("<ex:p>&l2;</ex:p>", f"{XML_DECLARATION}<!-- {'x' * 5000} -->\n{SMALL_LAUGHS}")
    ).encode(),
    "after a BOM": b"\xef\xbb\xbf" + rdf_xml("<ex:p>&l2;</ex:p>", SMALL_LAUGHS).encode(),
    "in UTF-16": rdf_xml(
        "<ex:p>&l2;</ex:p>", '<?xml version="1.0" encoding="UTF-16"?>' + SMALL_LAUGHS
    ).encode("utf-16"),
    "lowercase": rdf_xml("<ex:p>&l2;</ex:p>", SMALL_LAUGHS.replace("DOCTYPE", "doctype")).encode(),
    "with an external entity": rdf_xml(
        "<ex:p>&x;</ex:p>", '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    ).encode(),
    "an ENTITY without a DOCTYPE": rdf_xml("<ex:p>&a;</ex:p>", '<!ENTITY a "b">').encode(),
    "inside the root element": (
        f'<rdf:RDF {RDF_NS}><!DOCTYPE r [<!ENTITY a "AAAA">]>'
        '<rdf:Description rdf:about="http://ex.org/s"><ex:p>&a;</ex:p>'
        "</rdf:Description></rdf:RDF>"
    ).encode(),
    "without an internal subset": rdf_xml(prolog="<!DOCTYPE rdf:RDF>").encode(),
}
REFUSED = ("DOCTYPE is refused", "not well-formed XML")


@pytest.mark.parametrize("variant", VARIANTS)
def test_rdf_xml_declarations_are_refused_by_harvests(harvest, variant):
    result, published = harvest(VARIANTS[variant], "application/rdf+xml")
    assert result.outcome == "failed", result
    assert any(reason in result.message for reason in REFUSED), result.message
    assert published == ""


@pytest.mark.parametrize("variant", VARIANTS)
def test_rdf_xml_declarations_are_refused_by_load_and_validate(validate, variant):
    code, output = validate("data.rdf", VARIANTS[variant])
    assert code == 1, output
    assert any(reason in output for reason in REFUSED), output
    assert "lol" not in output and "root:" not in output


def test_billion_laughs_behind_a_comment_is_refused_by_load_in_bounded_memory(tmp_path):
    # the holdout file: 10**9 times "lol" behind a 5 KB comment took 2.9 GB and a traceback
    prolog = f"{XML_DECLARATION}<!-- {'x' * 5000} -->\n{laughs(10)}"
    (tmp_path / "laughs.rdf").write_text(rdf_xml("<ex:p>&l9;</ex:p>", prolog))
    result = cli_in_subprocess(tmp_path, "load", "--graph", "http://ex.org/g", "laughs.rdf")
    assert result.returncode == 1, result.stderr[-2000:]
    assert "laughs.rdf: RDF/XML with a DOCTYPE is refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_plain_rdf_xml_is_still_read(harvest, validate):
    result, published = harvest(rdf_xml().encode(), "application/rdf+xml")
    assert result.outcome == "published", result.message
    assert '<http://ex.org/s> <http://ex.org/p> "x"' in published
    assert validate("plain.rdf", rdf_xml().encode())[0] == 0


# --- compressed files ------------------------------------------------------------------


def test_load_streams_a_gzip_bomb_in_bounded_memory(tmp_path, scratch_platform, graph_iri):
    # 200 MB of blanks and one triple, 200 KB gzipped: inflated whole it needs more address
    # space than the cap; streamed to the parser it stays near the interpreter's own size
    config, store = scratch_platform
    with gzip.open(tmp_path / "bomb.nt.gz", "wb") as out:
        for _ in range(200):
            out.write(b" " * MiB)
        out.write(b'<http://ex.org/s> <http://ex.org/p> "after the blanks" .\n')
    assert (tmp_path / "bomb.nt.gz").stat().st_size < 1 * MiB
    result = cli_in_subprocess(
        tmp_path,
        "load",
        "--no-warm",
        "--graph",
        graph_iri,
        "bomb.nt.gz",
        data_dir=config.data_path,  # attaches to the running scratch store
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "1 triples" in result.stdout
    assert "after the blanks" in published_graph(store, graph_iri)


def test_broken_gzip_is_one_line_not_a_traceback(validate):
    whole = gzip.compress(b'<http://ex.org/s> <http://ex.org/p> "x" .\n' * 1000)
    code, output = validate("cut.nt.gz", whole[: len(whole) // 2])
    assert code == 1
    assert "cut.nt.gz: cannot be read" in output and "Traceback" not in output


# --- a trickling server against deadline_s --------------------------------------------


class TricklingServer:
    """Loopback HTTP: the status line and ``headers`` at once, then ``body`` one byte every
    ``interval_s``; counts the bytes it got out before the client went away."""

    def __init__(self, headers: bytes, body: bytes, interval_s: float):
        self.head = b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\n" + headers + b"\r\n"
        self.body, self.interval_s, self.sent = body, interval_s, 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/slow.ttl"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        connection, _ = self._listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(self.head)
            try:
                for byte in self.body:
                    connection.sendall(bytes([byte]))
                    self.sent += 1
                    time.sleep(self.interval_s)
            except OSError:  # the client closed the connection: what was wanted
                pass

    def harvest(self, config, store):
        try:
            source = make_source(kind="rdf", location=self.url, retries=0, deadline_s=1.0)
            return pipeline.harvest(config, store, source)
        finally:
            self._listener.close()


def test_trickling_server_is_cut_off_at_the_deadline(scratch_platform):
    # before: the deadline was checked when a 64 KiB read completed, so a trickle of one
    # byte every 0.5 s held the source (and its lock) for as long as the server liked
    body = b'<http://ex.org/s> <http://ex.org/p> "%s" .\n' % (b"x" * 160)
    server = TricklingServer(b"Content-Length: %d\r\n" % len(body), body, interval_s=0.05)
    result = server.harvest(*scratch_platform)  # all of the body would take 10 s
    assert result.outcome == "failed", result
    assert result.message.endswith("not complete after 1 s")
    assert server.sent < len(body) // 2  # gave up long before the server was done


def test_trickled_chunk_size_line_is_cut_off_at_the_deadline(scratch_platform):
    # a chunked response whose chunk-size line never ends: one read waits on many receives
    server = TricklingServer(b"Transfer-Encoding: chunked\r\n", b"0" * 200, interval_s=0.05)
    result = server.harvest(*scratch_platform)
    assert result.outcome == "failed", result
    assert result.message.endswith("not complete after 1 s")
    assert server.sent < 100


# --- a declared single-byte charset for UTF-8 bytes -----------------------------------


def test_utf8_served_as_windows_1252_is_read_as_utf8_and_reported(harvest):
    body = f'<http://ex.org/s> <http://ex.org/p> "{STRASSE}" .\n'.encode()
    result, published = harvest(body, "text/turtle; charset=windows-1252")
    assert result.outcome == "published", result.message
    assert f'"{STRASSE}"' in published and "Ã" not in published
    assert "declared as windows-1252, but the content is valid UTF-8" in result.message
    assert "'ß' would become 'ÃŸ'" in result.message


def test_real_windows_1252_is_still_decoded_as_declared(harvest):
    body = f'<http://ex.org/s> <http://ex.org/p> "{STRASSE}" .\n'.encode("cp1252")
    result, published = harvest(body, "text/turtle; charset=windows-1252")
    assert result.outcome == "published", result.message
    assert f'"{STRASSE}"' in published
    assert "declared" not in (result.message or "")


def test_utf8_bom_in_turtle_is_accepted(harvest, validate):
    body = b"\xef\xbb\xbf" + f'<http://ex.org/s> <http://ex.org/p> "{STRASSE}" .\n'.encode()
    result, published = harvest(body, "text/turtle")
    assert result.outcome == "published", result.message
    assert f'"{STRASSE}"' in published
    code, output = validate("bom.ttl", body)
    assert code == 0, output


def test_utf8_csv_mapped_as_windows_1252_is_read_as_utf8(scratch_platform, http_server, tmp_path):
    config, store = scratch_platform
    mapping = {
        "@context": "http://www.w3.org/ns/csvw",
        "dialect": {"encoding": "windows-1252", "delimiter": ",", "header": True},
        "tableSchema": {
            "aboutUrl": "http://ex.org/place/{key}",
            "columns": [
                {"name": "key", "titles": "key", "suppressOutput": True},
                {"name": "name", "titles": "name", "propertyUrl": "rdfs:label"},
            ],
        },
    }
    (tmp_path / "places.csv-metadata.json").write_text(json.dumps(mapping))
    url = http_server.route(
        "/places.csv", Reply("key,name\n1,Brühl\n".encode(), content_type="text/csv")
    )
    source = make_source(tmp_path, kind="csv", location=url, mapping="places.csv-metadata.json")
    result = pipeline.harvest(config, store, source)
    assert result.outcome == "published", result.message
    rows = store.select(
        "SELECT ?name WHERE { GRAPH ?g { ?s ?p ?name } }",
        {"g": NamedNode(source.graph(config.base_iri))},
    )
    assert [row["name"].value for row in rows] == ["Brühl"]
    assert "declared as windows-1252, but the content is valid UTF-8" in result.message
