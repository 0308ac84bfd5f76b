"""One harvest per source, whichever path starts it: ``regiograph harvest`` (the loader's
pipeline), the scheduler and the admin API take the same lock, so while one of them harvests a
source the others are refused and report it as busy, without fetching anything."""

from __future__ import annotations

import threading

import pytest
from click.testing import CliRunner

import httpfixtures
from httpfixtures import Reply
from regiograph import config as configuration
from regiograph.cli import main
from regiograph.loader import pipeline
from regiograph.ops import schedule
from regiograph.server import create_app

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
GOOD = b"<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> .\n"
TOKEN = "runs-admin-token"


class HeldFetch:
    """A route whose first request waits until the test lets it go: the harvest that made
    it is then under way (and holds its source's lock) for as long as the test needs."""

    def __init__(self):
        self.arrived, self.release = threading.Event(), threading.Event()

    def __call__(self, request):
        if not self.arrived.is_set():
            self.arrived.set()
            self.release.wait(30)
        return Reply(GOOD)


@pytest.fixture
def held(tmp_path, scratch_platform, http_server):
    """(config file, config, store, the held route, its path) for one fresh source."""
    base_cfg, store = scratch_platform
    route, source_id = HeldFetch(), httpfixtures.new_source_id("runs")
    url = http_server.route(f"/{source_id}.ttl", route)
    endpoints = store.endpoints
    path = tmp_path / "regiograph.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[site]\nbase_iri = "{base_cfg.base_iri}"\n'
        f'[server]\nwrite_token = "{TOKEN}"\n'
        f'[store]\nquery_url = "{endpoints.query}"\nupdate_url = "{endpoints.update}"\n'
        f'graph_store_url = "{endpoints.graph_store}"\n'
        f'dialect = "{endpoints.dialect}"\npassword = "{endpoints.password}"\n'
        f'[[sources]]\nid = "{source_id}"\nkind = "rdf"\nlocation = "{url}"\n'
        'allow_private = true\nretries = 0\nschedule = "every 1h"\n',
        encoding="utf-8",
    )
    return path, configuration.load(path, environ={}), store, route, f"/{source_id}.ttl"


def in_background(work) -> tuple[threading.Thread, list]:
    results: list = []
    thread = threading.Thread(target=lambda: results.append(work()), daemon=True)
    thread.start()
    return thread, results


def test_a_command_line_harvest_refuses_the_scheduler_and_the_admin_api(held, http_server):
    _path, cfg, store, route, fetched = held
    (source_id,) = schedule.schedules(cfg)
    thread, results = in_background(lambda: pipeline.harvest(cfg, store, source_id))
    assert route.arrived.wait(30)
    try:
        scheduled = schedule.run_due(cfg, store)
        admin = create_app(cfg, store).test_client()
        triggered = admin.post(
            f"/api/admin/harvests/{source_id}", headers={"Authorization": f"Bearer {TOKEN}"}
        )
    finally:
        route.release.set()
        thread.join(30)
    assert len(http_server.hits(fetched)) == 1  # only the command line's harvest fetched
    assert scheduled == {source_id: "busy"}
    assert triggered.status_code == 409 and "being harvested" in triggered.get_json()["message"]
    assert results[0].outcome == "published", results[0].message


def test_a_scheduled_harvest_refuses_the_command_line(held, http_server):
    path, cfg, store, route, fetched = held
    (source_id,) = schedule.schedules(cfg)
    thread, results = in_background(lambda: schedule.run_due(cfg, store))
    assert route.arrived.wait(30)
    try:
        cli = CliRunner().invoke(
            main, ["--config", str(path), "harvest", "--no-warm", source_id], env={}
        )
    finally:
        route.release.set()
        thread.join(30)
    assert len(http_server.hits(fetched)) == 1  # only the scheduled harvest fetched
    assert cli.exit_code == 1, cli.output
    assert "busy" in cli.output and "being harvested" in cli.output
    assert results[0] == {source_id: "published"}
