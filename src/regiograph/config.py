"""Settings: declared once, read from a TOML file and ``REGIOGRAPH_*`` environment variables.

Every setting is a row of ``SETTINGS`` with a type, a default and help text;
``docs/configuration.md`` is generated from that table (``regiograph config --markdown``)
and a test fails when the two drift apart. Precedence: defaults < file < environment.
Unknown keys and values of the wrong type fail at start-up, naming the key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regiograph.namespaces import DCATDE_LICENCES

ENV_PREFIX = "REGIOGRAPH_"
DEFAULT_FILE = "regiograph.toml"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key or file."""


@dataclass(frozen=True)
class Setting:
    name: str  # dotted: "section.key"
    type: type
    default: Any
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.replace(".", "_").upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "site.base_iri",
        str,
        "http://localhost:8080/",
        "Base IRI of this deployment: things are {base}id/…, pages {base}page/…, "
        "data {base}data/…, named graphs {base}graph/{source}. Must end with '/'.",
    ),
    Setting(
        "site.title",
        str,
        "regiograph",
        "Name of the platform shown in pages and in the service description.",
    ),
    Setting(
        "site.default_language",
        str,
        "de",
        "Language of pages when the reader's browser expresses no preference (de or en).",
    ),
    Setting(
        "site.trust_proxy",
        bool,
        False,
        "Honour X-Forwarded-For/-Proto/-Host/-Prefix from one reverse proxy in front.",
    ),
    *(
        setting
        for key, name in (
            ("imprint", "Impressum"),
            ("privacy", "Datenschutzerklärung"),
            ("accessibility", "Erklärung zur Barrierefreiheit"),
        )
        for setting in (
            Setting(
                f"legal.{key}_url",
                str,
                "",
                f"Address of the operator's {name}, linked from every page's footer. "
                f"Empty: the platform serves legal.{key}_text at /legal/{key}.",
            ),
            Setting(
                f"legal.{key}_text",
                str,
                "",
                f"Text of the {name} (plain text, blank lines between paragraphs), shown at "
                f"/legal/{key} when legal.{key}_url is empty. German public sites must have it.",
            ),
        )
    ),
    Setting(
        "data_dir",
        str,
        "./data",
        "Folder for the platform's own state: the embedded store, locks, indexes, dumps.",
    ),
    Setting(
        "store.query_url",
        str,
        "",
        "SPARQL 1.1 query endpoint of an external store. Empty: start the embedded "
        "Oxigraph server in {data_dir}/store.",
    ),
    Setting(
        "store.update_url",
        str,
        "",
        "SPARQL 1.1 update endpoint of the external store (defaults to store.query_url).",
    ),
    Setting(
        "store.graph_store_url",
        str,
        "",
        "Graph Store Protocol endpoint of the external store. Empty: graphs are replaced "
        "with SPARQL Update instead.",
    ),
    Setting("store.username", str, "", "User name for the external store, if it needs one."),
    Setting("store.password", str, "", "Password for the external store.", secret=True),
    Setting("store.auth", str, "basic", "How to send the credentials: basic or digest."),
    Setting(
        "store.dialect",
        str,
        "auto",
        "Quirks of the store: auto (guess from the URLs), oxigraph, virtuoso or generic "
        "(regiograph: the embedded store's owner, set by the platform itself).",
    ),
    Setting(
        "store.query_timeout_s",
        float,
        30.0,
        "Time limit for one SPARQL query on the store, in seconds.",
    ),
    Setting(
        "store.upload_timeout_s",
        float,
        600.0,
        "Time limit for sending one graph to the store (loads and harvests), in seconds.",
    ),
    Setting(
        "store.connect_timeout_s",
        float,
        5.0,
        "How long to wait for a connection to the store before it counts as unavailable.",
    ),
    Setting(
        "store.oxigraph_binary",
        str,
        "",
        "Path of the `oxigraph` binary, for tools and tests that start one; the embedded "
        "store no longer does (its owner is pyoxigraph). Empty: the one beside Python, "
        "then the one on PATH.",
    ),
    Setting("store.port", int, 0, "Loopback port of the embedded store. 0: any free port."),
    Setting("server.host", str, "127.0.0.1", "Address the web app listens on."),
    Setting("server.port", int, 8080, "Port the web app listens on."),
    Setting("server.workers", int, 2, "Web server worker processes (gunicorn)."),
    Setting("server.threads", int, 4, "Threads per web server worker."),
    Setting(
        "server.write_token",
        str,
        "",
        "Credential for writes (SPARQL Update, Graph Store, admin API), sent as "
        "'Authorization: Bearer …'. Empty: writes are off.",
        secret=True,
    ),
    Setting(
        "server.metrics_token",
        str,
        "",
        "Credential for GET /metrics, sent as 'Authorization: Bearer …' (Prometheus: "
        "authorization.credentials). Empty: server.write_token; both empty: /metrics is off.",
        secret=True,
    ),
    Setting(
        "sparql.timeout_s",
        float,
        30.0,
        "Time limit of one query on the public endpoint /sparql, in seconds. With the "
        "embedded store the query's worker process is killed then (CPU freed at once) and "
        "the client gets 503; an external store is asked to stop at this limit.",
    ),
    Setting(
        "sparql.engine",
        str,
        "auto",
        "Who answers /sparql: pool (killable worker processes with read-only handles on "
        "the embedded store's directory), proxy (the store's own endpoint), or auto (pool "
        "for the embedded store, proxy for an external one).",
    ),
    Setting(
        "sparql.workers", int, 2, "Query worker processes per web server process (engine pool)."
    ),
    Setting(
        "sparql.max_query_bytes",
        int,
        100000,
        "Longest query or update text /sparql accepts, in bytes (longer: 413).",
    ),
    Setting(
        "sparql.max_result_bytes",
        int,
        50000000,
        "Largest result /sparql sends, in bytes; a larger one is refused whole with a "
        "message, never cut off. 0: no limit.",
    ),
    Setting(
        "sparql.max_result_rows",
        int,
        100000,
        "Most rows of a SELECT result /sparql sends; more are refused whole with a message "
        "(use LIMIT/OFFSET). 0: no limit.",
    ),
    Setting(
        "sparql.max_concurrent_per_client",
        int,
        2,
        "Queries one client may run at once, counted over all web server processes (more: "
        "429 with Retry-After); in one process a client also never holds every query worker. "
        "A client is its address, or the proxy's X-Forwarded-For with site.trust_proxy. "
        "0: no limit.",
    ),
    Setting(
        "sparql.time_budget_s",
        float,
        60.0,
        "Seconds of query time one client may use per minute on /sparql, over all web server "
        "processes (every query counts at least 0.05 s); over it: 429 with Retry-After until "
        "enough of it is a minute old. 0: no budget.",
    ),
    Setting(
        "sparql.error_budget",
        int,
        30,
        "Failed queries (syntax errors, SERVICE refusals, results over the limits, the time or "
        "memory limit) one client may cause per minute; after that: 429 with Retry-After. "
        "0: no budget.",
    ),
    Setting(
        "sparql.reserved_threads",
        int,
        1,
        "Threads of each web server process (server.threads) that /sparql never takes, so "
        "pages and /healthz are answered while queries queue; a query that would need one "
        "gets 503 with Retry-After.",
    ),
    Setting(
        "sparql.worker_memory_mb",
        int,
        2048,
        "Address space one query worker process may use (RLIMIT_AS), in MiB; a query that "
        "needs more ends with 503 'too much memory' and its worker is replaced. 0: no cap.",
    ),
    Setting(
        "sparql.service_allow",
        str,
        "",
        "SPARQL endpoints that SERVICE may federate to, separated by spaces or commas; "
        "every other target is refused. Loopback, link-local and private addresses only "
        "when written literally here (e.g. http://127.0.0.1:8081/sparql).",
    ),
    Setting(
        "sparql.cache_max_age_s",
        int,
        60,
        "Cache-Control max-age of /sparql results, the service description and VoID, in "
        "seconds (they also carry ETag and Last-Modified from the data version).",
    ),
    Setting(
        "pages.tile_url",
        str,
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Map tile URL template for the maps on resource pages (Leaflet). Empty: maps "
        "show the shapes and markers without a background.",
    ),
    Setting(
        "pages.tile_attribution",
        str,
        "© OpenStreetMap contributors",
        "Attribution shown on maps for the tiles of pages.tile_url.",
    ),
    Setting(
        "pages.cache_entries",
        int,
        500,
        "Rendered pages (and /data documents) each web server process keeps per data "
        "version, least recently used dropped first. 0: every request is rendered.",
    ),
    Setting(
        "pages.cache_max_age_s",
        int,
        60,
        "Cache-Control max-age of resource pages, /data documents and the home page, in "
        "seconds (they also carry ETag and Last-Modified from the data version).",
    ),
    Setting("log.level", str, "INFO", "Log level: DEBUG, INFO, WARNING or ERROR."),
    Setting("log.json", bool, False, "Write logs as one JSON object per line."),
    Setting(
        "schedule.enabled",
        bool,
        True,
        "Run due harvests (sources with a `schedule`) in the background of `regiograph "
        "serve`. Turn off where a separate harvester (`regiograph schedule run-due --loop`) "
        "does it, e.g. with several app instances.",
    ),
    Setting(
        "queries.dir",
        str,
        "",
        "Folder of saved queries (*.rq with a '#+' header). Empty: the bundled queries/.",
    ),
    Setting(
        "queries.max_limit",
        int,
        10000,
        "Largest page of rows /api/queries/… returns (its 'limit' parameter).",
    ),
    Setting("catalog.page_size", int, 100, "Datasets per page of /catalog (hydra paging)."),
    Setting(
        "catalog.publisher_name",
        str,
        "",
        "Publisher (foaf:name) of the catalogue and the platform's own datasets. "
        "Empty: site.title.",
    ),
    Setting(
        "catalog.publisher_iri",
        str,
        "",
        "IRI of that publisher. Empty: {base}id/organisation/operator.",
    ),
    Setting(
        "catalog.contact_email",
        str,
        "opendata@example.org",
        "Functional mailbox of the catalogue's contact point (vcard:hasEmail); set it.",
    ),
    Setting(
        "catalog.contributor_id",
        str,
        "http://dcat-ap.de/def/contributors/metropolregionRheinNeckar",
        "dcatde:contributorID of the own datasets: an IRI from the dcat-ap.de "
        "contributor list (the demo region's by default). Empty: none.",
    ),
    Setting(
        "catalog.licence",
        str,
        DCATDE_LICENCES + "dl-by-de/2.0",
        "Licence of the platform's own datasets and dumps: an IRI from the dcat-ap.de "
        "licence list.",
    ),
    Setting(
        "catalog.preview_hosts",
        str,
        "",
        "Hosts (host or host:port, separated by spaces or commas) whose CSV and GeoJSON "
        "distributions the catalogue's dataset pages preview; the server fetches at most "
        "64 KiB of a CSV and 2 MiB of a GeoJSON, follows no redirect and waits a few "
        "seconds at most. The platform's own files are always previewed. Empty: only those.",
    ),
)

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


def markdown_reference() -> str:
    """docs/configuration.md, generated from SETTINGS so the two cannot drift apart."""
    lines = [
        "# Configuration",
        "",
        "<!-- generated by `regiograph config --markdown`; do not edit by hand -->",
        "",
        f"Settings come from defaults, then the TOML file (`--config FILE`, or `{DEFAULT_FILE}` "
        f"in the working directory when present), then environment variables with the prefix "
        f"`{ENV_PREFIX}`. A dotted name `section.key` is the key `key` in the table "
        "`[section]` of the file. Unknown keys and values of the wrong type stop the start-up "
        "with a message naming the key.",
        "",
        "| setting | environment variable | type | default | meaning |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        default = "(secret)" if s.secret and s.default else repr(s.default)
        lines.append(f"| `{s.name}` | `{s.env}` | {s.type.__name__} | `{default}` | {s.help} |")
    lines += [
        "",
        "Sources to harvest are an array of tables, `[[sources]]`; their keys are described "
        "in `docs/loader.md`.",
        "",
    ]
    return "\n".join(lines)
