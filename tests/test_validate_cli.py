"""``regiograph validate``: report, language, base IRI, exit codes and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from regiograph.cli import main

FIXTURES = Path(__file__).parent / "shapes"
VALID = str(FIXTURES / "valid.ttl")
BAD_MUNICIPALITY = str(FIXTURES / "invalid" / "MunicipalityShape.ttl")


@pytest.fixture
def run(tmp_path, monkeypatch):
    """The CLI in a clean directory (no regiograph.toml) with no REGIOGRAPH_* or LANG."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LANG", raising=False)

    def invoke(*args: str, env: dict | None = None):
        return CliRunner().invoke(main, ["validate", *args], env=env)

    return invoke


def test_demo_region_conforms(run, demo_store, tmp_path):
    """The demo as published (its Turtle files point at municipalities its CSV sources map)."""
    base = "http://localhost:8080/"
    published = demo_store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
        f'FILTER (STRSTARTS(STR(?g), "{base}graph/") && ?g NOT IN '
        f"(<{base}graph/meta>, <{base}graph/ontology>)) }}"
    )
    demo = tmp_path / "demo.nt"
    demo.write_text("".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in published))
    result = run(str(demo), "--lang", "en")
    assert result.exit_code == 0, result.output
    assert result.output.endswith("The data conforms.\n")
    assert "0 violations" in result.output


def test_violations_exit_1_with_a_report_grouped_by_node(run):
    result = run(VALID, BAD_MUNICIPALITY, "--lang", "en")
    assert result.exit_code == 1
    out = result.stdout
    block = out.split("<http://localhost:8080/id/municipality/0822609>\n", 1)[1].split("\n\n")[0]
    assert (
        '  Violation rg:ags (value: "0822609"): A municipality needs exactly one 8-digit' in block
    )
    assert "rg:population" not in block  # that warning belongs to the other municipality
    assert "<http://localhost:8080/id/municipality/08226990>\n  Warning" in out
    assert out.endswith("The data does NOT conform.\n")


def test_language_from_option_and_from_lang(run):
    german = run(VALID, BAD_MUNICIPALITY, "--lang", "de")
    assert "Verstoß rg:ags" in german.stdout and "Die Daten sind NICHT gültig." in german.stdout
    from_env = run(VALID, BAD_MUNICIPALITY, env={"LANG": "de_DE.UTF-8"})
    assert from_env.stdout == german.stdout
    english = run(VALID, BAD_MUNICIPALITY, env={"LANG": "C.UTF-8"})
    assert "Violation rg:ags" in english.stdout


def test_warnings_alone_exit_0(run):
    result = run(VALID, str(FIXTURES / "invalid" / "ProjectLeadShape.ttl"), "--lang", "en")
    assert result.exit_code == 0
    assert "1 warnings" in result.stdout and "The data conforms." in result.stdout


def test_relative_iris_resolve_against_base(run):
    result = run(VALID, BAD_MUNICIPALITY, "--base", "https://region.example/", "--lang", "en")
    assert "<https://region.example/id/municipality/0822609>" in result.stdout
    assert "localhost" not in result.stdout


def test_reference_data_missing_is_reported(run):
    # The bad municipality alone: its district is not in the data, so the reference fails.
    result = run(str(FIXTURES / "invalid" / "MunicipalityKeyShape.ttl"), "--lang", "en")
    assert result.exit_code == 1
    assert "rg:district (value: <http://localhost:8080/id/district/08226>)" in result.stdout


def test_a_file_that_is_not_rdf_gives_line_and_column(run, tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix rg: <https://w3id.org/regiograph/ontology#> .\n\n<a> rg:ags } .\n")
    result = run(str(broken))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"regiograph: {broken}:3:")
    assert "Traceback" not in result.output


def test_a_missing_file_is_a_clean_error(run, tmp_path):
    result = run(str(tmp_path / "nothing.ttl"))
    assert result.exit_code == 1
    assert "nothing.ttl" in result.stderr and "Traceback" not in result.output


def test_unknown_shapes_directory_exits_2(run, tmp_path):
    result = run(VALID, "--shapes", str(tmp_path / "no-shapes"))
    assert result.exit_code == 2
    assert result.stderr == f"regiograph: shapes directory not found: {tmp_path / 'no-shapes'}\n"


def test_a_folder_without_shapes_exits_2(run, tmp_path):
    (tmp_path / "empty").mkdir()
    result = run(VALID, "--shapes", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert "no SHACL node shapes" in result.stderr


def test_own_shapes_directory_is_used(run, tmp_path):
    shapes = tmp_path / "mine"
    shapes.mkdir()
    (shapes / "one.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix rg: <https://w3id.org/regiograph/ontology#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass rg:Municipality ;\n"
        "  sh:property [ sh:path rg:ags ; sh:maxCount 0 ;\n"
        '                sh:message "kein AGS"@de, "no AGS"@en ] .\n'
    )
    result = run(VALID, "--shapes", str(shapes), "--lang", "en")
    assert result.exit_code == 1
    assert result.stdout.count(": no AGS") == 2


HOSTILE = {
    "folder": None,
    "entities.rdf": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]>\n<rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&a;</rdf:RDF>',
    "broken.nt.gz": b"\x1f\x8b\x08\x00 this is not a gzip stream",
    "latin1.ttl": b'<http://example.org/a> <http://example.org/b> "Br\xfchl" .\n',
    "deep.jsonld": b"[" * 5000 + b"]" * 5000,
    "passwd.ttl": b"root:x:0:0:root:/root:/bin/bash\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_give_one_line_and_no_traceback(tmp_path, name):
    """Issue 18: `regiograph validate` printed tracebacks; a real process, so nothing is caught."""
    import subprocess
    import sys

    path = tmp_path / name
    if HOSTILE[name] is None:
        path.mkdir()
    else:
        path.write_bytes(HOSTILE[name])
    done = subprocess.run(
        [sys.executable, "-m", "regiograph", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode in (1, 2), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.startswith("regiograph:"), done.stderr
    assert "root:x:0" not in done.stderr
