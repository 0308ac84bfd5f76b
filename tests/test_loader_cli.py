"""``regiograph harvest`` and ``regiograph sources``: exit codes, summary, config errors."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

import httpfixtures
from httpfixtures import Reply
from regiograph.cli import main
from regiograph.loader import provenance
from regiograph.loader.console import SUMMARY_COLUMNS

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
GOOD = b"<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> ."


def write_config(tmp_path, store, sources: str) -> str:
    endpoints = store.endpoints
    text = (
        f'data_dir = "{tmp_path / "data"}"\n'
        f'[store]\nquery_url = "{endpoints.query}"\nupdate_url = "{endpoints.update}"\n'
        f'graph_store_url = "{endpoints.graph_store}"\n'
        f'dialect = "{endpoints.dialect}"\npassword = "{endpoints.password}"\n\n{sources}'
    )
    path = tmp_path / "regiograph.toml"
    path.write_text(text)
    return str(path)


def source_table(id_: str, location: str, kind: str = "rdf", extra: str = "") -> str:
    return (
        f'[[sources]]\nid = "{id_}"\nkind = "{kind}"\nlocation = "{location}"\n'
        f"allow_private = true\nretries = 0\n{extra}\n"
    )


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_harvest_all_exit_code_and_summary(tmp_path, scratch_store, http_server):
    good = http_server.route("/good.ttl", Reply(GOOD))
    config = write_config(
        tmp_path,
        scratch_store,
        source_table("cli-good", good) + source_table("cli-gone", http_server.url("/gone.ttl")),
    )
    result = run("--config", config, "harvest")
    assert result.exit_code == 1, result.output
    assert "harvest cli-good: page 1" in result.output  # plain lines when not a terminal
    assert "cli-good" in result.output and "published" in result.output
    assert "cli-gone" in result.output and "HTTP 404" in result.output
    only_good = run("--config", config, "harvest", "cli-good")
    assert only_good.exit_code == 0, only_good.output
    listing = run("--config", config, "sources")
    assert listing.exit_code == 0
    assert "cli-good" in listing.output and "cli-gone" in listing.output
    assert "failed" in listing.output
    unconfigured = run("--config", write_config(tmp_path, scratch_store, ""), "sources")
    # not a terminal: one tab-separated line per source, whole however many sources have runs
    rows = {line.split("\t")[0]: line.split("\t") for line in unconfigured.output.splitlines()}
    assert rows["id"] == ["id", "kind", "location", "last run", "outcome", "published"]
    assert rows["cli-good"][2] == "(not configured)" and rows["cli-good"][4] == "published"


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (source_table("a", "http://127.0.0.1:9/x") * 2, "source 'a' is declared twice"),
        (source_table("b", "http://127.0.0.1:9/x", kind="excel"), "unknown kind 'excel'"),
        (
            source_table("c", "http://127.0.0.1:9/x", extra="colour = 'red'"),
            "unknown key(s) colour",
        ),
        (source_table("d", "ftp://example.org/x"), "only http(s) URLs or file paths"),
        (source_table("e", "x.csv", kind="csv"), "needs 'mapping'"),
    ],
)
def test_configuration_errors_exit_2_naming_the_source(tmp_path, scratch_store, tables, message):
    config = write_config(tmp_path, scratch_store, tables)
    result = CliRunner().invoke(main, ["--config", config, "harvest"])
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_source_id_exits_2(tmp_path, scratch_store):
    config = write_config(tmp_path, scratch_store, source_table("known", "http://127.0.0.1:9/x"))
    result = CliRunner().invoke(main, ["--config", config, "harvest", "unknown"])
    assert result.exit_code == 2
    assert "unknown source id unknown (known: known)" in result.output


def test_the_scheduler_runs_the_pipeline(tmp_path, scratch_store, http_server):
    from regiograph import config as configuration
    from regiograph.ops.schedule import run_due

    good = http_server.route("/good.ttl", Reply(GOOD))
    table = source_table("cli-scheduled", good, extra='schedule = "every 1h"')
    path = write_config(tmp_path, scratch_store, table)
    cfg = configuration.load(path, environ={})
    outcomes = run_due(cfg, scratch_store)
    (latest,) = provenance.runs(scratch_store, "cli-scheduled")[:1]
    assert outcomes == {"cli-scheduled": "published"} and latest["outcome"] == "published"
    assert latest["published"] == 1 and latest["trigger"] == "schedule"


BREMEN = "dcat-ap-de-shacl/testcases/dashboard/bremen-catalog-original-input.rdf"
LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ regiograph")


def test_summary_fits_80_columns_and_libraries_stay_quiet(
    tmp_path, scratch_store, http_server, shared_data
):
    """Bremen's export has a dateTime rdflib cannot read; its traceback went to the output."""
    url = http_server.route("/bremen.rdf", Reply.file(shared_data / BREMEN, "application/rdf+xml"))
    config = write_config(
        tmp_path, scratch_store, source_table("cli-bremen", url, "dcat", "max_pages = 1")
    )
    runner = CliRunner(env={"COLUMNS": "80", "LANG": "en_US.UTF-8", "LC_ALL": ""})
    result = runner.invoke(main, ["--config", config, "harvest"], catch_exceptions=False)
    # The platform's own log records (stderr, timestamped) are mixed in by the runner.
    lines = [line.rstrip() for line in result.output.splitlines() if not LOG_LINE.match(line)]
    assert "harvest summary" in lines and any(
        line.lstrip().startswith("cli-bremen ") for line in lines
    ), result.output
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    # the summary's own headers (the sources listing's once took their place), a cell each
    header = lines[lines.index("harvest summary") + 1].split()
    assert header == list(SUMMARY_COLUMNS), header
    row = next(line for line in lines if line.lstrip().startswith("cli-bremen "))
    assert len(row.split()) == len(SUMMARY_COLUMNS), row
    assert "Traceback" not in result.output and "rdflib" not in result.output
    assert "validation: DCAT-AP 3.0.0 + DCAT-AP.de 3.0" in result.output
    assert "datasets accepted" in result.output and "message(s) from libraries" in result.output
    (run,) = provenance.runs(scratch_store, "cli-bremen")[:1]
    notes = provenance.notes(scratch_store, run["run"])
    assert any("rdflib" in note and "dateTime" in note for note in notes)
    german = CliRunner(env={"COLUMNS": "80", "LANG": "de_DE.UTF-8", "LC_ALL": ""}).invoke(
        main, ["--config", config, "harvest", "--force"], catch_exceptions=False
    )
    assert "Datensätzen angenommen" in german.output and "Prüfung:" in german.output
    # a dataset has one source: leave Bremen's datasets to the other tests' sources
    scratch_store.drop_graph(f"{run['run'].split('/id/')[0]}/graph/cli-bremen")
