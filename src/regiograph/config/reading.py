"""Reading the settings: defaults < TOML file < ``REGIOGRAPH_*`` environment, each value in
its setting's type; unknown keys and values of the wrong type fail at start-up, naming the key.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from regiograph.config.settings import ENV_PREFIX, SETTINGS, Setting

DEFAULT_FILE = "regiograph.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key or file."""


_BY_NAME = {s.name: s for s in SETTINGS}
# Tables whose contents are owned by another module, which validates them itself.
OPEN_TABLES = {"sources": list}


class Config:
    """Resolved settings. ``config["store.query_url"]`` or ``config.get(...)``."""

    def __init__(self, values: dict[str, Any], extra: dict[str, Any], origin: str):
        self._values = values
        self.extra = extra  # open tables such as [[sources]]
        self.origin = origin  # the file the settings came from, or "defaults"

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with some settings changed (keys use '__' for '.')."""
        values = dict(self._values)
        for key, raw in overrides.items():
            name = key.replace("__", ".")
            values[name] = _coerce(_setting(name), raw, f"override {name}")
        return Config(values, self.extra, self.origin)

    @property
    def base_iri(self) -> str:
        return self._values["site.base_iri"]

    @property
    def data_path(self) -> Path:
        return Path(self._values["data_dir"]).expanduser().resolve()

    @property
    def sources(self) -> list[dict[str, Any]]:
        return self.extra.get("sources", [])

    @property
    def embedded_store(self) -> bool:
        return not self._values["store.query_url"]


def load(path: str | os.PathLike | None = None, environ: dict[str, str] | None = None) -> Config:
    """Settings from defaults, the TOML file (explicit, or ./regiograph.toml) and environment."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    extra: dict[str, Any] = {}
    origin = "defaults"
    file = Path(path) if path else Path(DEFAULT_FILE)
    if path or file.is_file():
        origin = str(file)
        file_values, extra = _read_file(file)
        values.update(file_values)
    for setting in SETTINGS:
        if setting.env in environ:
            values[setting.name] = _coerce(setting, environ[setting.env], setting.env)
    _check_environment(environ)
    _check(values)
    return Config(values, extra, origin)


def _read_file(file: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {file}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, raw in _flatten(data):
        if name in OPEN_TABLES:
            if not isinstance(raw, OPEN_TABLES[name]):
                raise ConfigError(f"{file}: '{name}' must be an array of tables ([[{name}]])")
            extra[name] = raw
            continue
        values[name] = _coerce(_setting(name, file), raw, f"{file}: {name}")
    return values, extra


def _flatten(data: dict[str, Any], prefix: str = ""):
    for key, value in data.items():
        name = prefix + key
        if isinstance(value, dict) and name not in _BY_NAME:
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def _setting(name: str, file: Path | None = None) -> Setting:
    try:
        return _BY_NAME[name]
    except KeyError:
        where = f"{file}: " if file else ""
        raise ConfigError(
            f"{where}unknown setting '{name}' (see docs/configuration.md for the list)"
        ) from None


def _coerce(setting: Setting, raw: Any, where: str) -> Any:
    """The value in the setting's type; strings from the environment are parsed."""
    kind = setting.type
    if isinstance(raw, str) and kind is not str:
        raw = _parse_text(raw, kind, where)
    if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        raw = float(raw)
    if not isinstance(raw, kind) or (kind is int and isinstance(raw, bool)):
        raise ConfigError(f"{where}: expected {kind.__name__}, got {type(raw).__name__} {raw!r}")
    return raw


def _parse_text(raw: str, kind: type, where: str) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{where}: expected true or false, got {raw!r}")
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{where}: expected {kind.__name__}, got {raw!r}") from None


def _check_environment(environ: dict[str, str]) -> None:
    known = {s.env for s in SETTINGS}
    for name in environ:
        if name.startswith(ENV_PREFIX) and name not in known:
            raise ConfigError(f"unknown environment variable {name} (see docs/configuration.md)")


def _check(values: dict[str, Any]) -> None:
    if not values["site.base_iri"].endswith("/"):
        raise ConfigError("site.base_iri must end with '/'")
    if values["store.auth"] not in {"basic", "digest"}:
        raise ConfigError("store.auth must be 'basic' or 'digest'")
    if values["store.dialect"] not in {"auto", "oxigraph", "virtuoso", "generic", "regiograph"}:
        raise ConfigError("store.dialect must be auto, oxigraph, virtuoso, generic or regiograph")
    if values["site.default_language"] not in {"de", "en"}:
        raise ConfigError("site.default_language must be 'de' or 'en'")
    if values["store.query_timeout_s"] <= 0:
        raise ConfigError("store.query_timeout_s must be greater than 0")
