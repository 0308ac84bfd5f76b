"""Schedules: intervals and cron expressions, due computation, a bad schedule named by its
source, and a source already being harvested by another process skipped, not run twice."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

import httpfixtures
from regiograph import config as configuration
from regiograph.cli import main
from regiograph.loader import pipeline, provenance, runs
from regiograph.ops import schedule

NOW = datetime(2025, 3, 4, 12, 0).astimezone()


def config_with(tmp_path, sources_toml: str) -> configuration.Config:
    path = tmp_path / "regiograph.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n{sources_toml}', encoding="utf-8")
    return configuration.load(path, environ={})


def source(id_: str, when: str) -> str:
    return (
        f'[[sources]]\nid = "{id_}"\nkind = "rdf"\nlocation = "http://example.org/{id_}.ttl"\n'
        f'schedule = "{when}"\n'
    )


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("every 6h", datetime(2025, 3, 4, 18, 0)),
        ("30m", datetime(2025, 3, 4, 12, 30)),
        ("every 2 d", datetime(2025, 3, 6, 12, 0)),
        ("0 3 * * *", datetime(2025, 3, 5, 3, 0)),
        ("@hourly", datetime(2025, 3, 4, 13, 0)),
    ],
)
def test_intervals_and_cron_expressions(text, after):
    assert schedule.parse(text, "s").next_after(NOW) == after.astimezone()


@pytest.mark.parametrize("text", ["every banana", "61 * * * *", "0 3 * *", "5s", "every -1h"])
def test_a_schedule_that_does_not_parse_names_the_source(text):
    with pytest.raises(schedule.ScheduleError, match=r"source 'stats'.*schedule") as caught:
        schedule.parse(text, "stats")
    assert repr(text) in str(caught.value)


def test_bad_schedule_stops_the_cli_with_a_usage_error(tmp_path):
    path = tmp_path / "regiograph.toml"
    path.write_text(f'data_dir = "{tmp_path}"\n' + source("stats", "every banana"))
    result = CliRunner().invoke(main, ["--config", str(path), "schedule", "run-due"], env={})
    assert result.exit_code == 2
    assert "source 'stats'" in result.output and "every banana" in result.output


def record_run(store, cfg, source_id: str, started: datetime) -> None:
    """A finished run of the source in the metadata graph, as a harvest records it."""
    run = provenance.run_iri(cfg.base_iri, source_id, started)
    record = provenance.RunRecord(run, source_id, "x.ttl", started, started, outcome="failed")
    provenance.record(store, record, cfg.base_iri)


def test_due_after_the_interval_since_the_last_start(tmp_path, scratch_store):
    a, b = httpfixtures.new_source_id("a"), httpfixtures.new_source_id("b")
    cfg = config_with(tmp_path, source(a, "every 6h") + source(b, "0 3 * * *"))
    assert schedule.due(cfg, scratch_store, NOW) == [a, b]  # never ran: due at once
    record_run(scratch_store, cfg, a, NOW - timedelta(hours=1))
    record_run(scratch_store, cfg, b, NOW - timedelta(hours=1))
    assert schedule.due(cfg, scratch_store, NOW) == []
    assert schedule.due(cfg, scratch_store, NOW + timedelta(hours=5, minutes=1)) == [a]
    assert schedule.due(cfg, scratch_store, NOW + timedelta(hours=16)) == [a, b]


def hold_lock_in_another_process(cfg, source_id):
    """A real second process holding the source's lock, as a running harvest would."""
    path = runs.lock_path(cfg.data_path, source_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    code = (
        "import fcntl, sys, time; h = open(sys.argv[1], 'a+'); "
        "fcntl.flock(h, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "locked"
    return process


def test_a_source_being_harvested_elsewhere_is_skipped(tmp_path, scratch_store):
    a = httpfixtures.new_source_id("a")
    cfg = config_with(tmp_path, source(a, "every 6h"))
    holder = hold_lock_in_another_process(cfg, a)
    try:
        assert schedule.run_due(cfg, scratch_store) == {a: "busy"}
        assert provenance.runs(scratch_store, a) == []  # nothing ran
        assert runs.status(cfg.data_path, scratch_store, a)["running"] is True
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert runs.status(cfg.data_path, scratch_store, a)["running"] is False


class LockWatch(pipeline.Progress):
    """Notes, at each step of the run, whether the source's lock is held meanwhile."""

    def __init__(self, data_path):
        self.data_path, self.held = data_path, []

    def step(self, source, step):
        self.held.append(runs.is_running(self.data_path, source.id))


def test_a_run_is_recorded_with_its_outcome(tmp_path, scratch_platform):
    base_cfg, store = scratch_platform
    a = httpfixtures.new_source_id("a")
    data = tmp_path / "a.ttl"
    data.write_text("<http://example.org/a> <http://example.org/p> 3 .\n")
    cfg = config_with(
        tmp_path,
        f'[[sources]]\nid = "{a}"\nkind = "rdf"\nlocation = "{data}"\nschedule = "every 6h"\n',
    ).with_overrides(site__base_iri=base_cfg.base_iri)
    watch = LockWatch(cfg.data_path)
    result = pipeline.harvest(cfg, store, a, trigger="schedule", progress=watch)
    state = runs.status(cfg.data_path, store, a)
    assert result.outcome == "published" and state["outcome"] == "published"
    assert state["report"]["triples_published"] == 1
    assert watch.held and all(watch.held)  # the lock is held meanwhile
    assert schedule.due(cfg, store) == []
    assert not runs.is_running(cfg.data_path, a)


def test_scheduler_thread_runs_due_sources(tmp_path, scratch_store):
    a = httpfixtures.new_source_id("a")
    cfg = config_with(tmp_path, source(a, "every 6h"))
    scheduler = schedule.Scheduler(cfg, scratch_store, every_s=0.1).start()

    def state():
        return runs.status(cfg.data_path, scratch_store, a)

    try:
        deadline = time.monotonic() + 10
        while state()["state"] != "finished" or state()["running"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert state()["trigger"] == "schedule" and state()["state"] == "finished"


def test_a_due_source_is_harvested_and_published_end_to_end(tmp_path, scratch_platform):
    """The schedule key passes the loader's source check and run_due publishes the graph."""
    base_cfg, store = scratch_platform
    data = tmp_path / "scheduled.ttl"
    data.write_text('<http://example.org/s> <http://example.org/p> "scheduled" .\n')
    cfg = config_with(
        tmp_path,
        f'[[sources]]\nid = "sched-e2e"\nkind = "rdf"\nlocation = "{data}"\n'
        'schedule = "every 1h"\n',
    ).with_overrides(site__base_iri=base_cfg.base_iri)
    assert schedule.run_due(cfg, store) == {"sched-e2e": "published"}
    assert store.graphs()[base_cfg.base_iri + "graph/sched-e2e"] == 1
    assert schedule.due(cfg, store) == []  # it ran just now


def test_harvest_due_runs_what_the_schedules_say(tmp_path, scratch_platform):
    base_cfg, store = scratch_platform
    data = tmp_path / "due.ttl"
    data.write_text('<http://example.org/due> <http://example.org/p> "due" .\n')
    path = tmp_path / "regiograph.toml"
    query_url = store.endpoints.query
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[site]\nbase_iri = "{base_cfg.base_iri}"\n'
        f'[store]\nquery_url = "{query_url}"\n'
        f'update_url = "{store.endpoints.update}"\n'
        f'graph_store_url = "{store.endpoints.graph_store}"\n'
        f'dialect = "{store.endpoints.dialect}"\npassword = "{store.endpoints.password}"\n'
        f'[[sources]]\nid = "cli-due"\nkind = "rdf"\nlocation = "{data}"\n'
        'schedule = "every 1h"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--config", str(path), "harvest", "--due"], env={})
    assert result.exit_code == 0, result.output
    assert "cli-due: published" in result.output
    # another Store object wrote it: ask the store itself, not this client's cached counts
    graph = f"<{base_cfg.base_iri}graph/cli-due>"
    assert store.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}") == 1
    named = CliRunner().invoke(main, ["--config", str(path), "harvest", "--due", "cli-due"])
    assert named.exit_code == 2
