"""The `regiograph` command as a user runs it: a real process, a real store, exit codes."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import make_config
from regiograph.cli import main
from regiograph.runtime import open_store
from regiograph.store.supervisor import free_port

TTL = (
    '@prefix ex: <http://example.org/> .\nex:mannheim ex:ags "08222000" ; ex:name "Mannheim"@de .\n'
)
GRAPH = "http://example.org/graph/cli"


def run(
    data_dir: Path, *args: str, env: dict | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "regiograph", *args],
        capture_output=True,
        text=True,
        env=_environment(data_dir, env),
        cwd=data_dir,
        input=stdin,
        timeout=120,
    )


def _environment(data_dir: Path, env: dict | None = None) -> dict:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("REGIOGRAPH_")}
    environ.update({"REGIOGRAPH_DATA_DIR": str(data_dir)}, **(env or {}))
    return environ


@pytest.fixture
def loaded(tmp_path):
    (tmp_path / "a.ttl").write_text(TTL)
    result = run(tmp_path, "load", "a.ttl", "--graph", GRAPH)
    assert result.returncode == 0, result.stderr
    assert "2 triples" in result.stdout
    return tmp_path


def test_load_is_quiet_unless_verbose(tmp_path):
    (tmp_path / "one.nt").write_text('<http://example.org/a> <http://example.org/p> "1" .\n')
    quiet = run(tmp_path, "load", "one.nt", "--graph", GRAPH)
    assert quiet.returncode == 0 and quiet.stderr == ""
    lines = quiet.stdout.splitlines()
    assert len(lines) == 2 and lines[0] == f"loaded into <{GRAPH}>: 1 triples"
    assert lines[1].startswith("derived data:")
    verbose = run(tmp_path, "load", "one.nt", "--graph", GRAPH, "-v")
    assert verbose.returncode == 0 and " INFO regiograph." in verbose.stderr


QUERY = "SELECT ?ags WHERE { ?s <http://example.org/ags> ?ags }"


def test_query_from_a_file_an_at_file_and_standard_input(loaded):
    (loaded / "ags.rq").write_text(QUERY + "\n")
    expected = "ags\n08222000\n"
    assert run(loaded, "query", "-f", "ags.rq", "--format", "csv").stdout == expected
    assert run(loaded, "query", "@ags.rq", "--format", "csv").stdout == expected
    assert run(loaded, "query", "-", "--format", "csv", stdin=QUERY).stdout == expected
    assert run(loaded, "query", "-f", "-", "--format", "csv", stdin=QUERY).stdout == expected
    missing = run(loaded, "query", "@nowhere.rq")
    assert missing.returncode == 2 and "cannot read the query from nowhere.rq" in missing.stderr
    neither = run(loaded, "query")
    assert neither.returncode == 2 and "-f FILE" in neither.stderr


def test_query_takes_the_common_prefixes_and_names_an_unknown_one(loaded):
    (loaded / "label.ttl").write_text(
        '<http://example.org/m> <http://www.w3.org/2000/01/rdf-schema#label> "Mannheim" .\n'
    )
    assert run(loaded, "load", "label.ttl", "--graph", GRAPH).returncode == 0
    labels = run(loaded, "query", "SELECT ?l WHERE { ?s rdfs:label ?l }", "--format", "csv")
    assert labels.stdout == "l\nMannheim\n", labels.stderr
    unknown = run(loaded, "query", "SELECT * WHERE { ?s x:p ?o }")
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines() == [
        "regiograph: error at 1:21: the prefix 'x:' is not declared; "
        "add a line PREFIX x: <…> before the query"
    ]


def test_serve_listens_where_host_and_port_say(tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    env = _environment(tmp_path, {"REGIOGRAPH_SERVER_WORKERS": "1"})
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "regiograph",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        assert _answers(f"http://127.0.0.1:{port}/healthz", process), log.read_text()
        assert f"regiograph at http://127.0.0.1:{port}/" in log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=60)


def _answers(url: str, process: subprocess.Popen) -> bool:
    """True once ``url`` answers 200; False when the process ended first."""
    while process.poll() is None:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return True
        except requests.ConnectionError:
            time.sleep(0.2)
    return False


def test_query_formats(loaded):
    query = "SELECT ?ags WHERE { ?s <http://example.org/ags> ?ags }"
    table = run(loaded, "query", query)
    assert "08222000" in table.stdout and "(1 row)" in table.stdout
    assert run(loaded, "query", query, "--format", "csv").stdout == "ags\n08222000\n"
    assert run(loaded, "query", query, "--format", "tsv").stdout == "ags\n08222000\n"
    data = json.loads(run(loaded, "query", query, "--format", "json").stdout)
    assert data["results"]["bindings"][0]["ags"]["value"] == "08222000"
    assert run(loaded, "query", "ASK { ?s ?p ?o }").stdout == "true\n"


def test_export_to_an_unknown_format_is_one_line_and_writes_nothing(loaded):
    result = run(loaded, "export", "-o", "x.ttl")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert ".nq or .trig" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (loaded / "x.ttl").exists()


def test_export_nquads_gz_and_trig(loaded):
    assert run(loaded, "export", "--graph", GRAPH, "-o", "out.nq.gz").returncode == 0
    lines = gzip.decompress((loaded / "out.nq.gz").read_bytes()).decode().splitlines()
    assert len(lines) == 2 and all(line.endswith(f"<{GRAPH}> .") for line in lines)
    assert run(loaded, "export", "-o", "all.trig").returncode == 0
    assert f"<{GRAPH}> {{" in (loaded / "all.trig").read_text()


def test_syntax_error_in_any_file_loads_nothing(loaded):
    (loaded / "bad.ttl").write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n')
    (loaded / "b.nt").write_text('<http://example.org/new> <http://example.org/p> "1" .\n')
    everything = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = run(loaded, "query", everything, "--format", "csv").stdout
    result = run(loaded, "load", "b.nt", "bad.ttl", "--graph", GRAPH)
    assert result.returncode == 1
    assert "bad.ttl:2:" in result.stderr and "Traceback" not in result.stderr
    assert run(loaded, "query", everything, "--format", "csv").stdout == before
    assert before.splitlines()[1] == "2"  # the fixture's two triples (no version triples)


def test_gzipped_file_and_unknown_extension(tmp_path):
    (tmp_path / "a.ttl.gz").write_bytes(gzip.compress(TTL.encode()))
    assert run(tmp_path, "load", "a.ttl.gz", "--graph", GRAPH).returncode == 0
    (tmp_path / "a.xyz").write_text(TTL)
    result = run(tmp_path, "load", "a.xyz", "--graph", GRAPH)
    assert result.returncode == 1 and "unknown RDF file extension" in result.stderr


def test_query_syntax_error_is_one_line_and_exit_1(tmp_path):
    result = run(tmp_path, "query", "SELEC * WHERE { ?s ?p ?o }")
    assert result.returncode == 1
    assert result.stderr.startswith("regiograph: error at 1:")


def test_unreachable_store_exit_3(tmp_path):
    result = run(
        tmp_path, "query", "ASK {}", env={"REGIOGRAPH_STORE_QUERY_URL": "http://127.0.0.1:9/query"}
    )
    assert result.returncode == 3
    assert "http://127.0.0.1:9/query is not reachable" in result.stderr


def test_configuration_error_exit_2(tmp_path):
    (tmp_path / "regiograph.toml").write_text("[store]\ntimeout = 3\n")
    result = run(tmp_path, "query", "ASK {}")
    assert result.returncode == 2
    assert "unknown setting 'store.timeout'" in result.stderr


def test_commands_attach_to_a_running_store(tmp_path):
    cfg = make_config(tmp_path)
    with open_store(cfg) as (_, store):
        store.replace_graph(GRAPH, b'<http://example.org/x> <http://example.org/p> "live" .\n')
        result = run(
            tmp_path, "query", "SELECT ?o WHERE { ?s <http://example.org/p> ?o }", "--format", "csv"
        )
    assert result.stdout == "o\nlive\n", result.stderr


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(tmp_path, command):
    result = run(tmp_path, command, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_bulk_load_adds_and_refuses_to_replace(loaded):
    (loaded / "more.nt").write_text('<http://example.org/x> <http://example.org/p> "bulk" .\n')
    assert run(loaded, "load", "more.nt", "--graph", GRAPH, "--bulk").returncode == 0
    count = run(
        loaded,
        "query",
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}",
        "--format",
        "csv",
    )
    assert count.stdout.splitlines()[1] == "3"
    refused = run(loaded, "load", "more.nt", "--graph", GRAPH, "--bulk", "--replace")
    assert refused.returncode == 2 and "--bulk cannot replace" in refused.stderr
