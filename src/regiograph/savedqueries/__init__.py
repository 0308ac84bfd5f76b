"""Saved queries: ``queries/*.rq`` files with a YAML header, validated parameters, safe binding.

A saved query is a SPARQL file whose first lines are ``#+ `` comments holding YAML: title and
description (de/en), tags, a chart hint, parameters with a type, and optionally
``engine: cube`` with a SQL twin (``name.sql`` beside it) that answers from the statistics
mirror instead of the store. The format is documented in ``docs/queries.md``.

Values from users are validated against the declared type, turned into pyoxigraph terms and
bound as a VALUES block (:func:`regiograph.store.binding.bind`); they are never spliced into
query text. A file with a malformed header is reported by :func:`load_catalog`, not raised,
so one bad file never keeps the platform from starting.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from urllib.parse import urljoin

import yaml
from pyoxigraph import Literal, NamedNode, QueryResultsFormat, QuerySolutions, parse_query_results

from regiograph.store import QueryTimeout, Store, StoreError, dialects
from regiograph.store.binding import Term, bind

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
TYPES = ("iri", "ags", "year", "integer", "number", "string", "date", "concept")
CHARTS = ("bar", "line", "map", "table")
ENGINES = ("store", "cube")
MAX_STRING = 500
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_QUERY_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_HEADER_LINE = re.compile(r"#\+ ?(.*)\Z")
_ASK_CLASS = "ASK WHERE { ?value a ?class }"
_ASK_SCHEME = f"ASK WHERE {{ ?value <{SKOS}inScheme> ?scheme }}"


class HeaderError(ValueError):
    """A saved query's header cannot be used; the message names the file and the field."""


class UnknownQuery(LookupError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"no saved query named {name!r}")


class ParameterError(ValueError):
    """A value for a parameter is missing or not of its declared type."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        super().__init__(f"parameter {parameter!r}: {message}")


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
    if not re.search(r"\bWHERE\s*\{", body, re.IGNORECASE):
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


# --- Validating and binding values --------------------------------------------------------


def convert(parameter: Parameter, raw: str, base_iri: str) -> Term:
    """The RDF term for one raw value, or ParameterError saying what was expected."""
    try:
        return _CONVERTERS[parameter.type](raw.strip(), base_iri)
    except (ValueError, InvalidOperation) as exc:
        raise ParameterError(parameter.name, f"{_EXPECTED[parameter.type]} ({exc})") from None


def _iri(raw: str, base_iri: str) -> NamedNode:
    # urljoin silently drops tabs and newlines; refuse them (and all else IRIs forbid) first
    if _NOT_IN_IRI.search(raw):
        raise ValueError("characters that IRIs do not allow")
    iri = urljoin(base_iri, raw)
    if not iri.startswith(("http://", "https://")):
        raise ValueError("only http and https IRIs")
    return NamedNode(iri)  # pyoxigraph refuses what is not a valid IRI


def _ags(raw: str, _base: str) -> Literal:
    if not re.fullmatch(r"[0-9]{8}", raw):
        raise ValueError("8 digits")
    return Literal(raw)


def _year(raw: str, _base: str) -> Literal:
    if not re.fullmatch(r"[0-9]{4}", raw):
        raise ValueError("4 digits")
    return Literal(raw, datatype=NamedNode(XSD + "gYear"))


def _integer(raw: str, _base: str) -> Literal:
    if not re.fullmatch(r"[+-]?[0-9]{1,18}", raw):
        raise ValueError("digits only")
    return Literal(str(int(raw)), datatype=NamedNode(XSD + "integer"))


def _number(raw: str, _base: str) -> Literal:
    if not re.fullmatch(r"[+-]?([0-9]{1,18}(\.[0-9]{0,12})?|\.[0-9]{1,12})", raw):
        raise ValueError("a decimal number such as 12.5")
    return Literal(str(Decimal(raw)), datatype=NamedNode(XSD + "decimal"))


def _string(raw: str, _base: str) -> Literal:
    if len(raw) > MAX_STRING:
        raise ValueError(f"at most {MAX_STRING} characters")
    return Literal(raw)


def _date(raw: str, _base: str) -> Literal:
    day = date.today() if raw == "today" else date.fromisoformat(raw)
    if len(raw) != 10 and raw != "today":
        raise ValueError("YYYY-MM-DD")
    return Literal(day.isoformat(), datatype=NamedNode(XSD + "date"))


_CONVERTERS = {
    "iri": _iri,
    "concept": _iri,
    "ags": _ags,
    "year": _year,
    "integer": _integer,
    "number": _number,
    "string": _string,
    "date": _date,
}
_EXPECTED = {
    "iri": "expected an http(s) IRI",
    "concept": "expected the IRI of a concept",
    "ags": "expected an 8-digit AGS",
    "year": "expected a year such as 2020",
    "integer": "expected an integer",
    "number": "expected a number",
    "string": "expected a text",
    "date": "expected a date YYYY-MM-DD or 'today'",
}


def bindings(
    query: SavedQuery, values: dict[str, str], store: Store, base_iri: str
) -> dict[str, Term | None]:
    """Validated terms for every declared parameter (None: no constraint).

    Values for names the query does not declare are ignored by the caller's choice; here
    only declared parameters are read. Empty strings count as absent.
    """
    result: dict[str, Term | None] = {}
    for parameter in query.parameters:
        raw = values.get(parameter.name)
        raw = raw if raw not in (None, "") else parameter.default
        if raw is None:
            if parameter.required:
                raise ParameterError(parameter.name, "is required")
            result[parameter.name] = None
            continue
        term = convert(parameter, raw, base_iri)
        _check_membership(parameter, term, store)
        result[parameter.name] = term
    return result


def _check_membership(parameter: Parameter, term: Term, store: Store) -> None:
    if parameter.type == "concept":
        question, of, what = _ASK_SCHEME, "scheme", f"a concept of {parameter.scheme}"
    elif parameter.type == "iri" and parameter.cls:
        question, of, what = _ASK_CLASS, "class", f"a {parameter.cls}"
    else:
        return
    target = parameter.scheme if of == "scheme" else parameter.cls
    if not _member(store, question, of, term, target):
        raise ParameterError(parameter.name, f"{term} is not {what}")


_MEMBERS: dict[tuple, bool] = {}
_MEMBERS_MAX = 4096


def _member(store: Store, question: str, of: str, term: Term, target: str) -> bool:
    """The ASK's answer, remembered per data version: forms repeat the same few values."""
    key = (store.endpoints.query, store.data_version(), of, term.value, target)
    if key not in _MEMBERS:
        if len(_MEMBERS) >= _MEMBERS_MAX:
            _MEMBERS.clear()
        _MEMBERS[key] = store.ask(question, {"value": term, of: NamedNode(target)})
    return _MEMBERS[key]


# --- Running ------------------------------------------------------------------------------


@dataclass
class Result:
    """Rows of a saved query: RDF terms from the store, or plain values from the mirror.

    ``rows`` are dicts of terms (unbound cells absent) either way; the mirror's values are
    turned into terms only when asked, since the JSON and CSV outputs do not need them.
    """

    columns: list[str]
    stored: list[dict[str, Term]] | None = None
    values: list[tuple] | None = None
    engine: str = "store"

    @cached_property
    def rows(self) -> list[dict[str, Term]]:
        if self.values is None:
            return self.stored or []
        return [_terms(self.columns, row) for row in self.values]

    def __len__(self) -> int:
        return len(self.values if self.values is not None else self.stored or [])

    def records(self, start: int = 0, stop: int | None = None) -> list[dict]:
        """Rows as JSON-ready dicts (IRIs and text as strings, numbers as numbers)."""
        if self.values is None:
            return [
                {c: plain(row.get(c)) for c in self.columns}
                for row in (self.stored or [])[start:stop]
            ]
        return [
            dict(zip(self.columns, map(_jsonable, row), strict=True))
            for row in self.values[start:stop]
        ]


def plain(term: Term | None):
    """A term as a JSON value: IRIs and text as strings, numbers as numbers."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    datatype = term.datatype.value.rsplit("#", 1)[-1]
    if datatype in _INTEGERS:
        return int(term.value)
    if datatype in {"decimal", "double", "float"}:
        return float(term.value)
    if datatype == "boolean":
        return term.value in {"true", "1"}
    return term.value


_INTEGERS = {"integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger"}


def _jsonable(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def run_sparql(text: str, store: Store, values: dict[str, Term | None]) -> Result:
    """A SELECT on the store with the values bound, columns in the query's order."""
    response = store.query_raw(bind(text, values), "application/sparql-results+json")
    try:
        body = response.content
    finally:
        response.close()
    if dialects.was_cancelled(body):
        raise QueryTimeout("the store stopped the query at its time limit")
    try:
        solutions = parse_query_results(body, format=QueryResultsFormat.JSON)
    except SyntaxError as exc:
        raise StoreError(f"the store sent results that do not parse: {exc}") from None
    if not isinstance(solutions, QuerySolutions):
        raise StoreError("saved queries must be SELECT queries")
    columns = [v.value for v in solutions.variables]
    rows = [{c: s[c] for c in columns if s[c] is not None} for s in solutions]
    return Result(columns, stored=rows)


def run(query: SavedQuery, store: Store, values: dict[str, Term | None], cube=None) -> Result:
    """Run a saved query: on the statistics mirror when it has a SQL twin, else on the store.

    ``cube`` is a :class:`regiograph.statistics.Mirror` (or None to always use the store).
    """
    if query.engine == "cube" and cube is not None and query.sql:
        used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", query.sql))
        params = {k: sql_value(v) for k, v in values.items() if k in used}
        columns, rows = cube.sql(query.sql, params)
        return Result(columns, values=rows, engine="cube")
    return run_sparql(query.text, store, values)


_INTEGER_TYPES = {XSD + t for t in ("integer", "gYear", "int", "long")}


def sql_value(term: Term | None):
    """A bound term as a DuckDB parameter value (IRIs as text, years as integers)."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return term.value
    datatype = term.datatype.value
    if datatype in _INTEGER_TYPES:
        return int(term.value)
    if datatype == XSD + "decimal":
        return float(term.value)
    if datatype == XSD + "date":
        return date.fromisoformat(term.value)
    return term.value


def _terms(columns: list[str], row: tuple) -> dict[str, Term]:
    """A SQL row as RDF terms: http(s) text is an IRI, numbers keep their XSD type."""
    cells = {}
    for column, value in zip(columns, row, strict=True):
        if value is None:
            continue
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            cells[column] = NamedNode(value)
        elif isinstance(value, bool):
            cells[column] = Literal(value)
        elif isinstance(value, int):
            cells[column] = Literal(str(value), datatype=NamedNode(XSD + "integer"))
        elif isinstance(value, float | Decimal):
            cells[column] = Literal(_decimal_text(value), datatype=NamedNode(XSD + "decimal"))
        else:
            cells[column] = Literal(str(value))
    return cells


def _decimal_text(value: float | Decimal) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text if "." in text else text + ".0"
