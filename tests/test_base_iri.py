"""A loud start-up warning when site.base_iri cannot be where the platform is served (#17):
the rule, and `regiograph serve` saying it in its log before it listens."""

from __future__ import annotations

import pytest

from childprocess import regiograph_env, serving
from conftest import make_config
from regiograph.ops import baseiri
from regiograph.store.supervisor import free_port


@pytest.mark.parametrize(
    ("base", "host", "port", "trust_proxy", "warned"),
    [
        ("http://localhost:8080/", "127.0.0.1", 8080, False, None),
        ("http://127.0.0.1:9000/", "127.0.0.1", 9000, False, None),
        ("http://localhost:8080/", "127.0.0.1", 9000, False, "port 8080"),
        ("https://data.example.org/", "0.0.0.0", 443, False, None),
        ("https://data.example.org/", "0.0.0.0", 8080, False, "port 443"),
        ("https://data.example.org/", "0.0.0.0", 8080, True, None),  # a proxy in front
        ("http://data.example.org:8080/", "127.0.0.1", 8080, False, "only on this machine"),
    ],
)
def test_the_rule(tmp_path, base, host, port, trust_proxy, warned):
    cfg = make_config(tmp_path).with_overrides(
        site__base_iri=base, server__host=host, server__port=port, site__trust_proxy=trust_proxy
    )
    reason = baseiri.mismatch(cfg)
    assert reason is None if warned is None else warned in reason


def serve_log(tmp_path, port: int, base: str) -> str:
    """What `regiograph serve` logged by the time it answers /healthz."""
    data = tmp_path / "data"
    data.mkdir(parents=True)
    with serving("serve", regiograph_env(data, port) | {"REGIOGRAPH_SITE_BASE_IRI": base}):
        return (data / "serve.log").read_text()


def test_serve_warns_when_the_base_is_elsewhere_and_not_when_it_is_here(tmp_path):
    port = free_port()
    elsewhere = serve_log(tmp_path / "a", port, "http://localhost:1/")
    assert "site.base_iri is http://localhost:1/ (port 1)" in elsewhere, elsewhere
    assert "REGIOGRAPH_SITE_BASE_IRI" in elsewhere
    here = serve_log(tmp_path / "b", port, f"http://localhost:{port}/")
    assert "regiograph at" in here and "site.base_iri is" not in here, here
