"""The library of saved queries: ``queries/*.rq`` files with a YAML header, read and checked.

A file with a malformed header is reported by :func:`load_catalog`, not raised, so one bad
file never keeps the platform from starting. The header format is in ``docs/queries.md``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from regiograph.store.binding import has_where

log = logging.getLogger(__name__)

TYPES = ("iri", "ags", "year", "integer", "number", "string", "date", "concept")
CHARTS = ("bar", "line", "map", "table")
ENGINES = ("store", "cube")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_QUERY_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_HEADER_LINE = re.compile(r"#\+ ?(.*)\Z")


class HeaderError(ValueError):
    """A saved query's header cannot be used; the message names the file and the field."""


class UnknownQuery(LookupError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"no saved query named {name!r}")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool = False
    default: str | None = None
    label: dict = field(default_factory=dict)
    cls: str | None = None  # for iri: the class the resource must have
    scheme: str | None = None  # for concept: the scheme the concept must be in


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    title: dict
    description: dict
    tags: tuple[str, ...]
    chart: dict
    parameters: tuple[Parameter, ...]
    text: str
    engine: str = "store"
    sql: str | None = None

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)


@dataclass
class Catalog:
    queries: dict[str, SavedQuery]
    errors: dict[str, str]  # file name -> what is wrong with it

    def get(self, name: str) -> SavedQuery:
        try:
            return self.queries[name]
        except KeyError:
            raise UnknownQuery(name) from None

    def by_tag(self) -> dict[str, list[SavedQuery]]:
        tags: dict[str, list[SavedQuery]] = {}
        for query in self.queries.values():
            for tag in query.tags or ("untagged",):
                tags.setdefault(tag, []).append(query)
        return dict(sorted(tags.items()))


# --- Reading files ------------------------------------------------------------------------


def load_catalog(directory: Path) -> Catalog:
    """Every ``*.rq`` in ``directory``; files that do not parse are listed in ``errors``."""
    queries, errors = {}, {}
    for path in sorted(directory.glob("*.rq")):
        try:
            query = parse(path)
        except HeaderError as exc:
            log.warning("saved query %s skipped: %s", path.name, exc)
            errors[path.name] = str(exc)
        else:
            queries[query.name] = query
    return Catalog(queries, errors)


def split_header(text: str) -> tuple[str, str]:
    """(YAML of the leading ``#+`` lines, the rest of the file)."""
    lines = text.splitlines(keepends=True)
    header = []
    for line in lines:
        match = _HEADER_LINE.match(line.rstrip("\r\n"))
        if not match:
            break
        header.append(match.group(1))
    return "\n".join(header), "".join(lines[len(header) :])


def parse(path: Path) -> SavedQuery:
    name = path.stem
    if not _QUERY_NAME.match(name):
        raise HeaderError(f"{path.name}: file names are lower-case letters, digits and '-'")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HeaderError(f"{path.name}: cannot be read: {exc}") from None
    header_text, body = split_header(text)
    try:
        header = yaml.safe_load(header_text) if header_text.strip() else None
    except yaml.YAMLError as exc:
        raise HeaderError(f"{path.name}: the header is not valid YAML: {exc}") from None
    if not isinstance(header, dict):
        raise HeaderError(f"{path.name}: no '#+ ' header with a title at the top of the file")
    return _saved_query(path, header, body)


def _saved_query(path: Path, header: dict, body: str) -> SavedQuery:
    where = path.name
    engine = header.get("engine", "store")
    if engine not in ENGINES:
        raise HeaderError(f"{where}: engine must be one of {', '.join(ENGINES)}")
    sql_path = path.with_suffix(".sql")
    if engine == "cube" and not sql_path.is_file():
        raise HeaderError(f"{where}: engine 'cube' needs the SQL twin {sql_path.name}")
    if not has_where(body):
        raise HeaderError(f"{where}: the query needs an explicit 'WHERE {{' to bind values")
    tags = header.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise HeaderError(f"{where}: tags must be a list of words")
    return SavedQuery(
        name=path.stem,
        path=path,
        title=_texts(header, "title", where, required=True),
        description=_texts(header, "description", where),
        tags=tuple(tags),
        chart=_chart(header.get("chart"), where),
        parameters=_parameters(header.get("parameters"), where),
        text=body.strip() + "\n",
        engine=engine,
        sql=sql_path.read_text(encoding="utf-8") if engine == "cube" else None,
    )


def _texts(header: dict, key: str, where: str, *, required: bool = False) -> dict:
    value = header.get(key)
    if value is None and not required:
        return {}
    if isinstance(value, str):
        return {"de": value, "en": value}
    if (
        not isinstance(value, dict)
        or not value
        or not all(isinstance(v, str) for v in value.values())
    ):
        raise HeaderError(f"{where}: {key} needs texts by language, e.g. {{de: …, en: …}}")
    return {str(k): v.strip() for k, v in value.items()}


def _chart(value, where: str) -> dict:
    chart = {} if value is None else {"type": value} if isinstance(value, str) else value
    if not isinstance(chart, dict):
        raise HeaderError(f"{where}: chart is a type or a mapping with 'type'")
    chart = {"type": "table", **chart}
    if chart["type"] not in CHARTS:
        raise HeaderError(f"{where}: chart must be one of {', '.join(CHARTS)}")
    return chart


def _parameters(value, where: str) -> tuple[Parameter, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise HeaderError(f"{where}: parameters is a mapping from name to declaration")
    return tuple(_parameter(name, spec, where) for name, spec in value.items())


def _parameter(name, spec, where: str) -> Parameter:
    if not isinstance(name, str) or not _NAME.match(name):
        raise HeaderError(f"{where}: parameter name {name!r} is not a SPARQL variable name")
    if not isinstance(spec, dict) or spec.get("type") not in TYPES:
        raise HeaderError(f"{where}: parameter {name!r} needs a type, one of {', '.join(TYPES)}")
    if spec["type"] == "concept" and not spec.get("scheme"):
        raise HeaderError(f"{where}: concept parameter {name!r} needs a scheme")
    label = spec.get("label") or {}
    label = {"de": label, "en": label} if isinstance(label, str) else label
    default = spec.get("default")
    return Parameter(
        name=name,
        type=spec["type"],
        required=bool(spec.get("required", False)),
        default=None if default is None else str(default),
        label=dict(label),
        cls=spec.get("class"),
        scheme=spec.get("scheme"),
    )
