"""The admin API: bearer token only (401 without, 403 wrong or off, nothing runs), 409 while
the source is harvested by another process, 202 and a status with the last report."""

from __future__ import annotations

import time

import pytest

import httpfixtures
from regiograph import config as configuration
from regiograph.loader import provenance
from regiograph.server import create_app
from test_ops_schedule import hold_lock_in_another_process, source

TOKEN = "s3cret-admin-token"


@pytest.fixture
def stats():
    """The id of the one configured source (the store is shared: ids are never reused)."""
    return httpfixtures.new_source_id("stats")


@pytest.fixture
def admin(tmp_path, scratch_store, stats):
    def make(token: str = TOKEN):
        path = tmp_path / "regiograph.toml"
        path.write_text(
            f'data_dir = "{tmp_path / "data"}"\n[server]\nwrite_token = "{token}"\n'
            + source(stats, "every 6h"),
            encoding="utf-8",
        )
        cfg = configuration.load(path, environ={})
        app = create_app(cfg, scratch_store)
        app.testing = True
        return cfg, app.test_client()

    return make


def recorded_runs(scratch_store, source_id: str) -> list[dict]:
    return provenance.runs(scratch_store, source_id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic YWRtaW46YWRtaW4="}, 401),
        (bearer("wrong"), 403),
        (bearer(TOKEN + "x"), 403),
    ],
)
def test_without_the_right_token_nothing_runs(admin, stats, scratch_store, headers, status):
    _cfg, client = admin()
    response = client.post(f"/api/admin/harvests/{stats}", headers=headers)
    assert response.status_code == status
    assert response.get_json()["status"] == status
    assert response.get_json()["request_id"] == response.headers["X-Request-Id"]
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(f"/api/admin/harvests/{stats}", headers=headers).status_code == status
    assert recorded_runs(scratch_store, stats) == []


def test_without_a_configured_token_the_admin_api_is_off(admin, stats, scratch_store):
    _cfg, client = admin(token="")
    response = client.post(f"/api/admin/harvests/{stats}", headers=bearer(""))
    assert response.status_code == 403 and "off" in response.get_json()["message"]
    assert recorded_runs(scratch_store, stats) == []


def test_cookies_do_not_authenticate(admin, stats):
    _cfg, client = admin()
    client.set_cookie("Authorization", f"Bearer {TOKEN}")
    assert client.post(f"/api/admin/harvests/{stats}").status_code == 401


def test_trigger_while_running_elsewhere_is_409_and_starts_nothing(admin, stats, scratch_store):
    cfg, client = admin()
    holder = hold_lock_in_another_process(cfg, stats)
    try:
        response = client.post(f"/api/admin/harvests/{stats}", headers=bearer(TOKEN))
        assert response.status_code == 409
        assert "being harvested" in response.get_json()["message"]
        status = client.get(f"/api/admin/harvests/{stats}", headers=bearer(TOKEN)).get_json()
        assert status["running"] is True and status["state"] == "never run"
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert recorded_runs(scratch_store, stats) == []


def test_trigger_runs_and_reports(admin, stats):
    _cfg, client = admin()
    response = client.post(f"/api/admin/harvests/{stats}", headers=bearer(TOKEN))
    assert response.status_code == 202
    assert response.headers["Location"] == f"/api/admin/harvests/{stats}"
    deadline = time.monotonic() + 30
    while True:
        status = client.get(f"/api/admin/harvests/{stats}", headers=bearer(TOKEN)).get_json()
        if status.get("state") == "finished" and not status["running"]:
            break
        assert time.monotonic() < deadline, status
        time.sleep(0.05)
    assert status["trigger"] == "admin"
    assert status["outcome"] in {"published", "rejected", "failed"}
    assert "report" in status
    listing = client.get("/api/admin/harvests", headers=bearer(TOKEN)).get_json()
    assert [s["source"] for s in listing["sources"]] == [stats]


def test_unknown_source_is_404(admin):
    _, client = admin()
    response = client.post("/api/admin/harvests/nope", headers=bearer(TOKEN))
    assert response.status_code == 404 and "nope" in response.get_json()["message"]
