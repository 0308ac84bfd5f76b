"""Settings: defaults, file, environment; unknown keys and wrong types named at start-up."""

from __future__ import annotations

import pytest

from regiograph import config as configuration
from regiograph.config import ConfigError


def test_defaults_need_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = configuration.load(None, environ={})
    assert cfg.base_iri == "http://localhost:8080/"
    assert cfg.embedded_store and cfg.origin == "defaults"


def test_file_then_environment(tmp_path):
    file = tmp_path / "regiograph.toml"
    file.write_text(
        '[site]\nbase_iri = "https://region.example/"\n[store]\n'
        'query_timeout_s = 10\n[[sources]]\nid = "a"\nkind = "rdf"\n'
    )
    cfg = configuration.load(file, environ={"REGIOGRAPH_STORE_QUERY_TIMEOUT_S": "2.5"})
    assert cfg.base_iri == "https://region.example/"
    assert cfg["store.query_timeout_s"] == 2.5
    assert cfg.sources == [{"id": "a", "kind": "rdf"}]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[store]\nquery_url_typo = "x"\n', "unknown setting 'store.query_url_typo'"),
        ('[server]\nport = "eighty"\n', "server.port: expected int"),
        ("[site]\ntrust_proxy = 1\n", "site.trust_proxy: expected bool"),
        ("[site\n", "not valid TOML"),
        ('[site]\nbase_iri = "https://no-slash.example"\n', "must end with '/'"),
        ("sources = 3\n", "array of tables"),
    ],
)
def test_bad_file_names_the_key(tmp_path, text, message):
    file = tmp_path / "bad.toml"
    file.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        configuration.load(file, environ={})


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"REGIOGRAPH_SERVER_PORT": "x"}, "REGIOGRAPH_SERVER_PORT: expected int"),
        ({"REGIOGRAPH_SITE_TRUST_PROXY": "maybe"}, "expected true or false"),
        ({"REGIOGRAPH_NO_SUCH_THING": "1"}, "unknown environment variable REGIOGRAPH_NO_SUCH"),
    ],
)
def test_bad_environment_names_the_variable(tmp_path, monkeypatch, environ, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=message):
        configuration.load(None, environ=environ)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        configuration.load(tmp_path / "nope.toml", environ={})
