"""The ``[[sources]]`` tables of the configuration, checked and resolved into :class:`Source`.

Every key a source may have is a row of ``KEYS`` (type, default, help); ``docs/loader.md``
shows that table and a test compares the two. Unknown keys, unknown kinds and duplicate ids
stop the start-up with a message that names the source (exit code 2 on the command line).
Relative paths (mapping, shapes, queries, file locations) resolve against the folder of the
file that declares the source.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regiograph import bundled as resources
from regiograph import iris
from regiograph.loader.errors import SourceConfigError, UnknownSource
from regiograph.mediatypes import RDF_READ
from regiograph.namespaces import DCATDE_LICENCES

KINDS = ("dcat", "ckan", "csv", "geojson", "rdf", "sparql")
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_URL = re.compile(r"https?://", re.IGNORECASE)
MiB = 1024 * 1024


@dataclass(frozen=True)
class Key:
    name: str
    type: type | tuple[type, ...]
    default: Any
    help: str


KEYS: tuple[Key, ...] = (
    Key("id", str, None, "Short name, `[a-z0-9_-]`; the graph is `{base}graph/{id}`. Required."),
    Key("kind", str, None, "One of dcat, ckan, csv, geojson, rdf, sparql. Required."),
    Key(
        "location",
        str,
        None,
        "URL (http or https) or, in the operator's file only, a file "
        "path. For ckan the portal's root URL, for sparql the endpoint. Required.",
    ),
    Key("title", str, "", "Name shown on /harvests (default: the id)."),
    Key(
        "format",
        str,
        "",
        "Syntax when the server's Content-Type is not to be trusted: "
        + ", ".join(f.name for f in RDF_READ)
        + ".",
    ),
    Key(
        "base_iri",
        str,
        "",
        "Base IRI for relative IRIs (default: the document's URL); "
        "`{base}` stands for site.base_iri.",
    ),
    Key(
        "mapping",
        str,
        "",
        "csv, geojson: the CSVW metadata file (JSON) that maps the table (the features).",
    ),
    Key(
        "construct",
        list,
        [],
        "SPARQL CONSTRUCT files (.rq) whose results replace the "
        "mapped triples (any kind; relative IRIs resolve against base_iri).",
    ),
    Key("query", str, "", "sparql: the CONSTRUCT query file (.rq) sent to the endpoint."),
    Key(
        "shapes",
        list,
        [],
        "SHACL files the data must pass (paths, or names in shapes/); `dcat-ap-de` names the "
        "bundled DCAT-AP 3.0.0 + DCAT-AP.de 3.0 profile, which dcat and ckan sources are "
        "checked against when they name no shapes.",
    ),
    Key(
        "reference",
        list,
        [],
        "Ids of other sources whose published graphs the shapes may "
        "point at (e.g. municipalities), added to the data for validation only.",
    ),
    Key(
        "licence",
        str,
        "",
        "Licence IRI of the source's data, kept in its catalogue record; required for csv "
        "and geojson (official tables and boundaries are reused under a licence).",
    ),
    Key(
        "default_publisher",
        str,
        "",
        "dcat/ckan: at harvest, the publisher of datasets without a named one (an IRI, named by "
        "the source's title, or a name).",
    ),
    Key(
        "default_licence",
        str,
        "",
        "dcat/ckan: at harvest, dct:license given to distributions without one.",
    ),
    Key("organisations", list, [], "ckan: only packages of these organisations (names)."),
    Key("tags", list, [], "ckan: only packages with these tags."),
    Key("rows", int, 100, "ckan: packages per page of package_search."),
    Key(
        "allow_private",
        bool,
        False,
        "Allow loopback, private and link-local addresses "
        "(tests, the demo, an operator's intranet).",
    ),
    Key("max_bytes", int, 256 * MiB, "Size cap per response, counted after decompression."),
    Key("max_pages", int, 1000, "Most pages followed (hydra paging, CKAN)."),
    Key("max_redirects", int, 5, "Most redirects followed per request."),
    Key("connect_timeout_s", float, 5.0, "Connect time-out per request."),
    Key("timeout_s", float, 30.0, "Read time-out: longest silence while receiving."),
    Key("deadline_s", float, 300.0, "Longest time for one whole response."),
    Key("retries", int, 3, "Further attempts after a 5xx, 429 or time-out."),
    Key("retry_backoff_s", float, 1.0, "First pause between attempts; doubles each time."),
    Key("policy", dict, {}, "Acceptance policy: an inline table, keys below."),
    Key(
        "schedule",
        str,
        "",
        "When to harvest by itself: an interval ('every 6h') or a cron expression "
        "('0 3 * * *'); read by the scheduler (docs/operations.md).",
    ),
)

POLICY_KEYS: tuple[Key, ...] = (
    Key(
        "validate",
        bool,
        True,
        "Check the candidate with SHACL. false publishes it unchecked, and every report and "
        "/harvests say so.",
    ),
    Key(
        "accept",
        str,
        "",
        "'dataset': each dataset with its distributions, agents and contact points is "
        "published or held back on its own (so is a node of no dataset, e.g. the catalogue); "
        "'source': the candidate as a whole. "
        "Default: 'dataset' for dcat and ckan, 'source' for the other kinds.",
    ),
    Key(
        "block",
        list,
        ["Violation"],
        "accept = 'dataset': the severities (Violation, Warning, Info) that hold a dataset "
        "back; results of the other severities only annotate it in the report.",
    ),
    Key(
        "min_accepted",
        float,
        0.0,
        "accept = 'dataset': smallest share of the source's datasets that must pass for any "
        "to be published (0.0: at least one).",
    ),
    Key(
        "max_violations",
        int,
        0,
        "accept = 'source': most sh:Violation results still published (with accept = "
        "'dataset', block decides per dataset).",
    ),
    Key(
        "max_warnings",
        int,
        -1,
        "accept = 'source': most sh:Warning results still published (-1: any number).",
    ),
    Key("allow_shrink", bool, False, "Publish even when the graph shrinks below min_ratio."),
    Key("min_ratio", float, 0.5, "Smallest share of the last published triple count accepted."),
    Key("allow_empty", bool, False, "Publish a source that returns no triples at all."),
    Key(
        "partial_pages",
        bool,
        False,
        "When a page of a paged catalogue fails after its retries: publish the pages fetched "
        "before it (min_ratio still applies) instead of nothing.",
    ),
    Key(
        "first_load",
        str,
        "bulk",
        "How a first publication (the graph empty) is written: 'bulk', the store's bulk path "
        "(Oxigraph's no_transaction in parallel parts, about 7x faster; readers may see the "
        "graph fill up, and a load cut short is removed), or 'atomic', one transaction.",
    ),
)
FIRST_LOADS = ("bulk", "atomic")
ACCEPTS = ("dataset", "source")
SEVERITIES = ("Violation", "Warning", "Info")
_BY_NAME = {k.name: k for k in KEYS}
_POLICY_BY_NAME = {k.name: k for k in POLICY_KEYS}


@dataclass(frozen=True)
class Policy:
    validate: bool = True
    accept: str = ""  # "" until parse_sources resolves it by kind
    block: tuple[str, ...] = ("Violation",)
    min_accepted: float = 0.0
    max_violations: int = 0
    max_warnings: int = -1
    allow_shrink: bool = False
    min_ratio: float = 0.5
    allow_empty: bool = False
    partial_pages: bool = False
    first_load: str = "bulk"


@dataclass(frozen=True)
class Source:
    """One source, with paths resolved; ``options`` holds the remaining keys by name."""

    id: str
    kind: str
    location: str
    options: dict[str, Any] = field(default_factory=dict)
    policy: Policy = field(default_factory=Policy)
    folder: Path = Path()

    def __getattr__(self, name: str) -> Any:
        if name in _BY_NAME:
            return self.options.get(name, _BY_NAME[name].default)
        raise AttributeError(name)

    @property
    def is_url(self) -> bool:
        return bool(_URL.match(self.location))

    @property
    def path(self) -> Path:
        """The file of a file source, relative to the declaring file's folder."""
        return self.folder / self.location

    def graph(self, base_iri: str) -> str:
        return iris.graph(base_iri, self.id)

    def resolve(self, name: str, *, bundled: str | None = None) -> Path:
        """A file named in the source's table: relative to its folder, else in ``bundled``."""
        path = (self.folder / name).resolve()
        if path.is_file() or bundled is None:
            return path
        candidate = resources.data_dir(bundled) / name
        return candidate if candidate.is_file() else path


# What a graph that no configured source names reads as: every key at its default.
NO_SOURCE = Source(id="", kind="", location="")


def parse_sources(tables: list[dict[str, Any]], folder: Path) -> list[Source]:
    """``[[sources]]`` tables as Sources, or SourceConfigError naming the offending source."""
    sources: list[Source] = []
    seen: set[str] = set()
    for number, table in enumerate(tables, 1):
        source = _parse_one(table, number, folder)
        if source.id in seen:
            raise SourceConfigError(f"source '{source.id}' is declared twice (ids must be unique)")
        seen.add(source.id)
        sources.append(source)
    return sources


def read_sources_file(path: Path) -> list[Source]:
    """Sources from a TOML file of their own (such as the demo region's ``sources.toml``)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceConfigError(f"{path}: cannot read sources: {exc}") from None
    unknown = set(data) - {"sources"}
    if unknown:
        raise SourceConfigError(f"{path}: only [[sources]] tables belong here, not {unknown}")
    return parse_sources(data.get("sources", []), path.parent)


def from_config(config) -> list[Source]:
    """The configured sources; relative paths resolve against the configuration file."""
    folder = Path(config.origin).parent if config.origin != "defaults" else Path.cwd()
    return parse_sources(config.sources, folder)


def select(sources: list[Source], ids: tuple[str, ...] | list[str]) -> list[Source]:
    """The sources with these ids (all when none given), in the order asked for."""
    if not ids:
        return sources
    by_id = {s.id: s for s in sources}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        known = ", ".join(by_id) or "none configured"
        raise UnknownSource(f"unknown source id {', '.join(unknown)} (known: {known})")
    return [by_id[i] for i in ids]


def _parse_one(table: Any, number: int, folder: Path) -> Source:
    if not isinstance(table, dict):
        raise SourceConfigError(f"sources #{number}: expected a table ([[sources]])")
    name = table.get("id")
    where = f"source '{name}'" if isinstance(name, str) else f"sources #{number}"
    unknown = sorted(set(table) - set(_BY_NAME))
    if unknown:
        raise SourceConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)} "
            f"(see docs/loader.md for the keys of a source)"
        )
    options = {k: _typed(where, _BY_NAME[k], v) for k, v in table.items()}
    for required in ("id", "kind", "location"):
        if not options.get(required):
            raise SourceConfigError(f"{where}: '{required}' is required")
    if not _ID.fullmatch(options["id"]):
        raise SourceConfigError(f"{where}: id must match [a-z0-9][a-z0-9_-]* (it names a graph)")
    if options["kind"] not in KINDS:
        raise SourceConfigError(
            f"{where}: unknown kind '{options['kind']}' (one of {', '.join(KINDS)})"
        )
    policy = _policy(where, options.pop("policy", {}), options["kind"])
    _check_kind(where, options)
    return Source(
        id=options.pop("id"),
        kind=options.pop("kind"),
        location=options.pop("location"),
        options=options,
        policy=policy,
        folder=folder.resolve(),
    )


def _typed(where: str, key: Key, value: Any) -> Any:
    if key.type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    wrong = not isinstance(value, key.type) or (key.type is int and isinstance(value, bool))
    if wrong:
        expected = key.type.__name__ if isinstance(key.type, type) else "value"
        raise SourceConfigError(f"{where}: '{key.name}' must be {expected}, got {value!r}")
    if key.type is list and not all(isinstance(item, str) for item in value):
        raise SourceConfigError(f"{where}: '{key.name}' must be a list of strings")
    return value


def _policy(where: str, table: dict[str, Any], kind: str) -> Policy:
    unknown = sorted(set(table) - set(_POLICY_BY_NAME))
    if unknown:
        raise SourceConfigError(f"{where}: unknown policy key(s) {', '.join(unknown)}")
    values = {k: _typed(f"{where} policy", _POLICY_BY_NAME[k], v) for k, v in table.items()}
    if values.get("first_load", "bulk") not in FIRST_LOADS:
        raise SourceConfigError(
            f"{where} policy: 'first_load' must be 'bulk' or 'atomic', got {values['first_load']!r}"
        )
    values.setdefault("accept", "dataset" if kind in ("dcat", "ckan") else "source")
    if values["accept"] not in ACCEPTS:
        raise SourceConfigError(
            f"{where} policy: 'accept' must be 'dataset' or 'source', got {values['accept']!r}"
        )
    block = tuple(values.get("block", Policy.block))
    if not set(block) <= set(SEVERITIES):
        raise SourceConfigError(
            f"{where} policy: 'block' takes {', '.join(SEVERITIES)}, got {list(block)!r}"
        )
    values["block"] = block
    if not 0.0 <= values.get("min_accepted", 0.0) <= 1.0:
        raise SourceConfigError(f"{where} policy: 'min_accepted' must lie between 0 and 1")
    return Policy(**values)


def _check_kind(where: str, options: dict[str, Any]) -> None:
    kind = options["kind"]
    if kind in ("csv", "geojson") and not options.get("mapping"):
        raise SourceConfigError(f"{where}: a {kind} source needs 'mapping' (a CSVW metadata file)")
    if kind in ("csv", "geojson") and not options.get("licence"):
        raise SourceConfigError(
            f"{where}: a {kind} source needs 'licence' (the IRI of the data's licence, e.g. "
            f"{DCATDE_LICENCES}dl-by-de/2.0); data without one is not harvested"
        )
    if kind == "sparql" and not options.get("query"):
        raise SourceConfigError(f"{where}: a sparql source needs 'query' (a CONSTRUCT .rq file)")
    if kind in ("ckan", "sparql") and not _URL.match(options["location"]):
        raise SourceConfigError(f"{where}: a {kind} source's location must be an http(s) URL")
    scheme = options["location"].split(":", 1)[0].lower()
    if ":" in options["location"] and scheme not in ("http", "https") and len(scheme) > 1:
        raise SourceConfigError(f"{where}: only http(s) URLs or file paths, not '{scheme}:'")
    for name in ("max_bytes", "max_pages", "rows"):
        if name in options and options[name] < 1:
            raise SourceConfigError(f"{where}: '{name}' must be at least 1")


def keys_markdown() -> str:
    """The table of source keys for docs/loader.md."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for key in KEYS:
        default = "" if key.default is None else f"`{key.default!r}`"
        lines.append(f"| `{key.name}` | {key.type.__name__} | {default} | {key.help} |")
    lines += [
        "",
        "Keys of `policy` (an inline table, e.g. `policy = { min_ratio = 0.8 }`):",
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for key in POLICY_KEYS:
        lines.append(f"| `{key.name}` | {key.type.__name__} | `{key.default!r}` | {key.help} |")
    return "\n".join(lines) + "\n"
