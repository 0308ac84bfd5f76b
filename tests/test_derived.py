"""Derived data after a write: the catalogue's key list and dumps, the search index and the
statistics mirror are on disk for the new data version before any web request, the first
requests use them as they are, and a request during a warm-up shares its builds. A store
that is down or a step that fails is logged and never changes a harvest's exit code."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode

from regiograph import config as configuration
from regiograph import derived
from regiograph.catalog import dumps, keys
from regiograph.cli import main
from regiograph.derived import buildlock
from regiograph.server import create_app
from regiograph.statistics import FILE_NAME
from regiograph.store import Store
from regiograph.store.supervisor import free_port

BUILD_MESSAGES = ("catalogue key list:", "dumps:", "statistics mirror:")


def write_config(tmp_path: Path, store: Store, base_iri: str, extra: str = "") -> Path:
    """A configuration file naming the session's scratch store by URL, as an operator would."""
    path = tmp_path / "regiograph.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[site]\nbase_iri = "{base_iri}"\n'
        f'[store]\nquery_url = "{store.endpoints.query}"\n'
        f'update_url = "{store.endpoints.update}"\n'
        f'graph_store_url = "{store.endpoints.graph_store}"\n'
        f'dialect = "{store.endpoints.dialect}"\npassword = "{store.endpoints.password}"\n{extra}',
        encoding="utf-8",
    )
    return path


def dcat_source(tmp_path: Path, source_id: str, title: str) -> str:
    """A ``[[sources]]`` table for a Turtle file with one publishable DCAT dataset."""
    data = tmp_path / f"{source_id}.ttl"
    data.write_text(
        f"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<https://example.org/warm/{source_id}> a dcat:Dataset ; dct:title "{title}"@de ;
  dct:description "Ein Datensatz für den Warm-up-Test"@de ;
  dct:publisher <https://example.org/org/warm> ;
  dcat:distribution <https://example.org/warm/{source_id}/csv> .
<https://example.org/org/warm> foaf:name "Stadt Warm" .
<https://example.org/warm/{source_id}/csv> a dcat:Distribution ;
  dcat:accessURL <https://example.org/warm.csv> ;
  dct:license <http://dcat-ap.de/def/licenses/cc-by/4.0> .
""",
        encoding="utf-8",
    )
    return f'[[sources]]\nid = "{source_id}"\nkind = "rdf"\nlocation = "{data}"\n'


def versions(cfg: configuration.Config) -> dict[str, str | None]:
    """The data version each artefact on disk was built for (None: not there)."""
    manifest = dumps.read_manifest(cfg)
    return {
        "dumps": manifest.version if manifest else None,
        "search": _sqlite_meta(cfg.data_path / "search" / "search.sqlite"),
        "mirror": _duckdb_meta(cfg.data_path / FILE_NAME),
    }


def current(store: Store) -> dict[str, str]:
    """The version each artefact should have been built for: the search index and the mirror
    key on the content version, which harvest records alone do not move."""
    content = store.content_version()
    return {"dumps": store.data_version(), "search": content, "mirror": content}


def _sqlite_meta(path: Path) -> str | None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]
    except sqlite3.Error:
        return None


def _duckdb_meta(path: Path) -> str | None:
    try:
        with duckdb.connect(str(path), read_only=True) as db:
            return db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
    except duckdb.Error:
        return None


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Inode and mtime of every file under ``folder``: a rebuilt file is a new inode."""
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def builds(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith(BUILD_MESSAGES)]


@pytest.fixture
def harvested(tmp_path, scratch_platform):
    """(config, store) after ``regiograph harvest`` of one DCAT source into the scratch store."""
    base_cfg, fixture_store = scratch_platform
    source_id = f"warm-{tmp_path.name[-20:].lower().replace('_', '-')}"
    path = write_config(
        tmp_path, fixture_store, base_cfg.base_iri, dcat_source(tmp_path, source_id, "Warmtitel")
    )
    result = CliRunner().invoke(main, ["--config", str(path), "harvest"], env={})
    assert result.exit_code == 0, result.output
    assert "derived data: catalogue" in result.output
    cfg = configuration.load(path, environ={})
    store = Store.from_config(cfg)  # its own client: the harvest wrote through another one
    yield cfg, store, source_id
    store.drop_graph(f"{cfg.base_iri}graph/{source_id}")


def test_a_harvest_that_changes_nothing_rebuilds_nothing_derived_from_content(harvested):
    """The run is recorded (the data version moves), the published graphs stay: the search
    index and the statistics mirror, keyed on the content version, are not rebuilt."""
    cfg, store, _ = harvested
    data, content = store.data_version(), store.content_version()
    index = cfg.data_path / "search" / "search.sqlite"
    before = stamps(index.parent), stamps_of(cfg.data_path / FILE_NAME)
    result = CliRunner().invoke(main, ["--config", cfg.origin, "harvest"], env={})
    assert result.exit_code == 0, result.output
    fresh = Store.from_config(cfg)
    assert fresh.data_version() != data
    assert fresh.content_version() == content
    assert _sqlite_meta(index) == content
    assert (stamps(index.parent), stamps_of(cfg.data_path / FILE_NAME)) == before


def stamps_of(path: Path) -> tuple[int, int]:
    return path.stat().st_ino, path.stat().st_mtime_ns


def test_after_a_harvest_the_derived_data_is_ready_and_requests_use_it(harvested, caplog):
    cfg, store, source_id = harvested
    version = store.data_version()
    rows = keys.read(cfg, version)
    assert rows is not None, "the key list for the new version is on disk"
    assert f"https://example.org/warm/{source_id}" in [row[0] for row in rows]
    assert versions(cfg) == current(store)
    before = stamps(cfg.data_path)

    caplog.set_level(logging.INFO)
    app = create_app(cfg, store)
    client = app.test_client()
    assert client.get("/catalog").status_code == 200
    assert client.get("/catalog.ttl?page=1").status_code == 200
    assert "Warmtitel" in client.get("/search?q=Warmtitel").get_data(as_text=True)
    download = client.get("/dumps/full.nq.gz")
    download.close()
    assert download.status_code == 200
    entries = app.extensions["regiograph.catalog"].state().index.entries
    assert f"https://example.org/warm/{source_id}" in [e.iri for e in entries]
    assert builds(caplog) == [], "no request rebuilt anything"
    assert app.extensions["regiograph.resources.search"].rebuilds == 0
    assert stamps(cfg.data_path) == before, "no file was rewritten by a request"


def test_a_request_during_the_warm_up_shares_its_builds(harvested, caplog):
    cfg, store, source_id = harvested
    app = create_app(cfg, store)
    client = app.test_client()
    assert client.get("/catalog").status_code == 200  # this process holds the old version
    old_manifest = dumps.read_manifest(cfg)
    graph = NamedNode(f"{cfg.base_iri}graph/{source_id}")
    store.update(  # a new data version with one more dataset (untitled: listed as left out)
        f"INSERT DATA {{ GRAPH {graph} {{ <https://example.org/warm/second> a "
        "<http://www.w3.org/ns/dcat#Dataset> } }"
    )
    caplog.set_level(logging.INFO)
    # Hold the key list's lock as if another process were computing it, so that the warm-up
    # below is caught inside the catalogue step with the dumps lock held.
    with buildlock.exclusive(keys.lock_path(cfg)):
        warming = threading.Thread(target=derived.warm, args=(cfg, Store.from_config(cfg)))
        warming.start()
        _wait_until(lambda: buildlock.is_held(dumps.lock_path(cfg)))
        answers = {}
        asking = threading.Thread(target=lambda: answers.update(page=client.get("/catalog")))
        asking.start()
        time.sleep(0.5)
        assert asking.is_alive(), "the request waits for this version's key list"
    asking.join(30)
    warming.join(60)
    assert answers["page"].status_code == 200
    assert sum(m.startswith("catalogue key list:") for m in builds(caplog)) == 1
    assert sum(m.startswith("dumps:") for m in builds(caplog)) == 1
    excluded = app.extensions["regiograph.catalog"].state().index.excluded
    assert "https://example.org/warm/second" in [iri for iri, _ in excluded]
    manifest = dumps.read_manifest(cfg)
    assert manifest.version == store.data_version() != old_manifest.version
    assert app.extensions["regiograph.catalog"].state().manifest == manifest, (
        "the state built with the previous dumps moved on to the new ones"
    )


def test_search_answers_from_the_previous_index_while_another_process_rebuilds(harvested):
    cfg, store, source_id = harvested
    app = create_app(cfg, store)
    client = app.test_client()
    graph = NamedNode(f"{cfg.base_iri}graph/{source_id}")
    store.update(
        f"INSERT DATA {{ GRAPH {graph} {{ <https://example.org/warm/later> "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Spätertitel" } }'
    )
    with buildlock.exclusive(cfg.data_path / "search" / "search.lock"):
        started = time.monotonic()
        page = client.get("/search?q=Warmtitel").get_data(as_text=True)
        assert time.monotonic() - started < 5, "no waiting for the other build"
        assert "Warmtitel" in page, "the previous index answers"
        assert app.extensions["regiograph.resources.search"].rebuilds == 0
    steps = derived.warm(cfg, Store.from_config(cfg))
    assert all(s.ok for s in steps), steps
    assert "Spätertitel" in client.get("/search?q=Spätertitel").get_data(as_text=True)
    assert app.extensions["regiograph.resources.search"].rebuilds == 0, "the warm-up built it"


def test_an_admin_harvest_is_followed_by_a_warm_up(tmp_path, scratch_platform):
    base_cfg, fixture_store = scratch_platform
    table = dcat_source(tmp_path, "warm-admin", "Admintitel")
    path = write_config(
        tmp_path, fixture_store, base_cfg.base_iri, f'[server]\nwrite_token = "t0ken"\n{table}'
    )
    cfg = configuration.load(path, environ={})
    client = create_app(cfg, Store.from_config(cfg)).test_client()
    started = client.post(
        "/api/admin/harvests/warm-admin", headers={"Authorization": "Bearer t0ken"}
    )
    assert started.status_code == 202

    def ready() -> bool:
        version = Store.from_config(cfg).data_version()
        rows = keys.read(cfg, version) or []
        published = "https://example.org/warm/warm-admin" in [row[0] for row in rows]
        return (
            published
            and (cfg.data_path / FILE_NAME).exists()
            and versions(cfg) == current(Store.from_config(cfg))
        )

    _wait_until(ready, timeout_s=60)
    Store.from_config(cfg).drop_graph(f"{cfg.base_iri}graph/warm-admin")


def test_a_scheduled_harvest_in_serve_is_followed_by_a_warm_up(tmp_path, scratch_platform):
    """The scheduler thread of ``serve`` warms in a spawned child process."""
    from regiograph.ops import schedule

    base_cfg, fixture_store = scratch_platform
    table = dcat_source(tmp_path, "warm-sched", "Plantitel") + 'schedule = "every 1h"\n'
    cfg = configuration.load(
        write_config(tmp_path, fixture_store, base_cfg.base_iri, table), environ={}
    )
    scheduler = schedule.Scheduler(cfg, Store.from_config(cfg), every_s=3600).start()
    try:

        def ready() -> bool:
            version = Store.from_config(cfg).data_version()
            rows = keys.read(cfg, version) or []
            published = "https://example.org/warm/warm-sched" in [row[0] for row in rows]
            return published and versions(cfg) == current(Store.from_config(cfg))

        _wait_until(ready, timeout_s=90)
    finally:
        scheduler.stop()
        Store.from_config(cfg).drop_graph(f"{cfg.base_iri}graph/warm-sched")


def test_a_failing_step_is_logged_the_others_run_and_the_harvest_still_succeeds(
    tmp_path, scratch_platform
):
    base_cfg, fixture_store = scratch_platform
    path = write_config(
        tmp_path, fixture_store, base_cfg.base_iri, dcat_source(tmp_path, "warm-broken", "Kaputt")
    )
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "dumps").write_text("a file where the dumps folder should be")
    result = CliRunner().invoke(main, ["--config", str(path), "harvest"], env={})
    assert result.exit_code == 0, result.output
    assert "catalogue FAILED" in result.output
    cfg = configuration.load(path, environ={})
    store = Store.from_config(cfg)
    assert versions(cfg) == current(store) | {"dumps": None}
    warm = CliRunner().invoke(main, ["--config", str(path), "warm"], env={})
    assert warm.exit_code == 1 and "catalogue FAILED" in warm.output
    store.drop_graph(f"{cfg.base_iri}graph/warm-broken")


def test_warm_up_with_the_store_down_says_so_once_and_does_not_raise(tmp_path, caplog):
    port = free_port()  # nothing listens there
    cfg = configuration.load(None, environ={}).with_overrides(
        data_dir=str(tmp_path), store__query_url=f"http://127.0.0.1:{port}/query"
    )
    caplog.set_level(logging.INFO)
    steps = derived.warm(cfg, Store.from_config(cfg))
    assert [s.ok for s in steps] == [False, False, False]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, errors
    assert errors[0].startswith("derived data not brought up to date: the triple store at")
    assert f"127.0.0.1:{port}" in errors[0]
    path = tmp_path / "regiograph.toml"
    path.write_text(f'data_dir = "{tmp_path}"\n[store]\nquery_url = "{cfg["store.query_url"]}"\n')
    result = CliRunner().invoke(main, ["--config", str(path), "warm"], env={})
    assert result.exit_code == 3, result.output


def test_load_warms_and_no_warm_leaves_it_to_later(tmp_path, scratch_platform, graph_iri):
    base_cfg, fixture_store = scratch_platform
    path = write_config(tmp_path, fixture_store, base_cfg.base_iri)
    data = tmp_path / "one.nt"
    data.write_text('<http://example.org/warm/load> <http://example.org/p> "geladen" .\n')
    cfg = configuration.load(path, environ={})
    args = ["--config", str(path), "load", str(data), "--graph", graph_iri]
    result = CliRunner().invoke(main, [*args, "--no-warm"], env={})
    assert result.exit_code == 0 and "derived data" not in result.output
    assert keys.read(cfg, Store.from_config(cfg).data_version()) is None
    result = CliRunner().invoke(main, args, env={})
    assert result.exit_code == 0 and "derived data: catalogue" in result.output
    assert keys.read(cfg, Store.from_config(cfg).data_version()) is not None
    Store.from_config(cfg).drop_graph(graph_iri)


def _wait_until(condition, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_start_with_the_same_vocabulary_keeps_the_data_version(scratch_platform):
    """Publishing an unchanged ontology writes nothing, so a restart rebuilds no derived data."""
    from regiograph.loader import vocabulary

    base_cfg, _ = scratch_platform
    cfg = base_cfg.with_overrides(site__base_iri="http://vocabulary-test.example/")
    store = Store.from_config(cfg)
    graph = vocabulary.graph_iri(cfg)
    try:
        published = vocabulary.publish(cfg, store)
        version = store.data_version()
        assert vocabulary.publish(cfg, store) == published
        assert store.data_version() == version, "the same triples again: nothing written"
        store.update(f"DELETE WHERE {{ GRAPH {NamedNode(graph)} {{ ?s ?p ?o }} }}")
        moved = store.data_version()
        vocabulary.publish(cfg, store)
        assert store.data_version() != moved
        assert store.graphs()[graph] == published
    finally:
        store.drop_graph(graph)
        store.drop_graph(store.meta_graph)
