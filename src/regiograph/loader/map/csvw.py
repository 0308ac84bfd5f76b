"""CSV to RDF by a CSVW metadata file (W3C *Generating RDF from Tabular Data*), a subset.

Understood: ``dialect`` (encoding, delimiter, quoteChar, doubleQuote, headerRowCount 0/1,
skipRows, trim, skipBlankRows); ``tableSchema`` with ``aboutUrl``, ``primaryKey`` and
``columns`` (name, titles, datatype with ``format`` — number formats with ``decimalChar`` and
``groupChar``, a regular expression for strings, ``true|false`` words for booleans —,
``minimum``/``maximum``, ``@id`` for a datatype of its own such as ``geo:wktLiteral``),
required, null, default, separator, lang, propertyUrl, valueUrl, aboutUrl, virtual,
suppressOutput). URI templates are RFC 6570 level 2 (``{col}``,
``{+col}``, ``{_row}``); relative IRIs resolve against the source's base IRI.

Deliberate differences from the recommendation, all stricter or safer:
- a column without ``propertyUrl`` gets ``urn:x-csv:{name}`` (for a CONSTRUCT step to pick
  up), not ``{#name}`` relative to the table's URL, which would expose a file path;
- a virtual column may carry a literal ``default`` (e.g. a reference year);
- the header must match the columns' titles exactly: missing and extra columns are errors;
- up to ``MAX_ERRORS`` cell errors are collected, each with line, row and column, and any
  error maps nothing (all or nothing).
This module does no I/O: it turns bytes and a parsed metadata dict into triples.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urljoin

from pyoxigraph import Literal, NamedNode, Triple

from regiograph.loader.disclosure import quoted
from regiograph.loader.errors import MappingError
from regiograph.namespaces import SCHEMA_HTTP, XSD, prefixes

MAX_ERRORS = 20
# The prefixes a mapping may use undeclared; as in CSVW's initial context, schema: is http.
PREFIXES = prefixes(
    "rdf",
    "rdfs",
    "xsd",
    "owl",
    "dcat",
    "dcterms",
    "dct",
    "foaf",
    "org",
    "prov",
    "qb",
    "schema",
    "skos",
    "geo",
    "sdmx-dimension",
    "sdmx-measure",
    "sdmx-attribute",
    "rg",
) | {"schema": SCHEMA_HTTP}
NUMERIC = {
    "integer": "integer",
    "int": "integer",
    "long": "integer",
    "decimal": "decimal",
    "double": "double",
    "float": "double",
    "number": "double",
    "nonNegativeInteger": "nonNegativeInteger",
    "positiveInteger": "positiveInteger",
}
PLAIN = {"string", "date", "dateTime", "gYear", "anyURI", "boolean", "time"}
_TEMPLATE = re.compile(r"\{(\+?)([A-Za-z0-9_.%-]+)\}")


@dataclass
class Column:
    name: str
    titles: list[str]
    base: str = "string"
    format: Any = None
    required: bool = False
    null: list[str] = field(default_factory=lambda: [""])
    default: str = ""
    separator: str | None = None
    lang: str = ""
    property_url: str = ""
    value_url: str = ""
    about_url: str = ""
    virtual: bool = False
    suppress: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    datatype_iri: str = ""  # a datatype of its own ({"@id": "geo:wktLiteral"}), lexical as string


@dataclass
class Table:
    columns: list[Column]
    about_url: str = ""
    primary_key: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    header: bool = True
    skip_rows: int = 0
    trim: bool = True
    skip_blank_rows: bool = True
    prefixes: dict[str, str] = field(default_factory=lambda: dict(PREFIXES))


def read_metadata(metadata: dict[str, Any], where: str) -> Table:
    """The table description, checked; MappingError names the offending column."""
    schema = metadata.get("tableSchema")
    if not isinstance(schema, dict) or not isinstance(schema.get("columns"), list):
        raise MappingError(f"{where}: a CSVW metadata file needs tableSchema.columns")
    dialect = metadata.get("dialect", {})
    table = Table(
        columns=[_column(c, i, where) for i, c in enumerate(schema["columns"], 1)],
        about_url=schema.get("aboutUrl", ""),
        primary_key=_as_list(schema.get("primaryKey", [])),
        encoding=dialect.get("encoding", "utf-8"),
        delimiter=dialect.get("delimiter", ","),
        quote_char=dialect.get("quoteChar", '"'),
        double_quote=dialect.get("doubleQuote", True),
        header=dialect.get("header", dialect.get("headerRowCount", 1) == 1),
        skip_rows=dialect.get("skipRows", 0),
        trim=dialect.get("trim", True) in (True, "true", "both"),
        skip_blank_rows=dialect.get("skipBlankRows", True),
    )
    table.prefixes.update(metadata.get("prefixes", {}))
    names = [c.name for c in table.columns]
    for key in table.primary_key:
        if key not in names:
            raise MappingError(f"{where}: primaryKey names unknown column '{key}'")
    return table


def _column(raw: dict[str, Any], number: int, where: str) -> Column:
    if not isinstance(raw, dict) or (not raw.get("name") and not raw.get("titles")):
        raise MappingError(f"{where}: column #{number} needs a name or titles")
    titles = _as_list(raw.get("titles", raw.get("name")))
    datatype = raw.get("datatype", "string")
    if isinstance(datatype, str):
        datatype = {"base": datatype}
    base = datatype.get("base", "string")
    if base not in NUMERIC and base not in PLAIN:
        raise MappingError(f"{where}: column '{raw.get('name')}': unsupported datatype '{base}'")
    column = Column(
        name=raw.get("name") or titles[0],
        titles=titles,
        base=base,
        format=datatype.get("format"),
        required=raw.get("required", False),
        null=_as_list(raw.get("null", "")),
        default=raw.get("default", ""),
        separator=raw.get("separator"),
        lang=raw.get("lang", ""),
        property_url=raw.get("propertyUrl", ""),
        value_url=raw.get("valueUrl", ""),
        about_url=raw.get("aboutUrl", ""),
        virtual=raw.get("virtual", False),
        suppress=raw.get("suppressOutput", False),
        minimum=_decimal_or_none(datatype.get("minimum")),
        maximum=_decimal_or_none(datatype.get("maximum")),
        datatype_iri=_expand(datatype.get("@id", "")),
    )
    if column.virtual and not (column.value_url or column.default):
        raise MappingError(f"{where}: virtual column '{column.name}' needs valueUrl or default")
    return column


def _expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and not local.startswith("//") else name


def _as_list(value: Any) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class _Errors:
    def __init__(self, where: str):
        self.where = where
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)
        if len(self.items) >= MAX_ERRORS:
            self.raise_if_any()

    def raise_if_any(self) -> None:
        if self.items:
            more = (
                " (stopped at the first " + str(MAX_ERRORS) + ")"
                if len(self.items) >= MAX_ERRORS
                else ""
            )
            raise MappingError(
                f"{self.where}: {len(self.items)} error(s){more}:\n  " + "\n  ".join(self.items)
            )


def to_triples(data: bytes, table: Table, *, base_iri: str, where: str) -> list[Triple]:
    """All triples of the table, or MappingError listing each bad cell (line, row, column)."""
    text = _decode(data, table.encoding, where)
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=table.delimiter,
        quotechar=table.quote_char,
        doublequote=table.double_quote,
    )
    rows = list(reader)[table.skip_rows :]
    physical = [c for c in table.columns if not c.virtual]
    errors = _Errors(where)
    first_line = table.skip_rows + 1
    if table.header:
        _check_header(rows[0] if rows else [], physical, where, first_line)
        rows, first_line = rows[1:], first_line + 1
    triples: list[Triple] = []
    keys: dict[tuple, int] = {}
    for offset, cells in enumerate(rows):
        line, row = first_line + offset, offset + 1
        if table.skip_blank_rows and not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(physical):
            errors.add(
                f"line {line} (row {row}): {len(cells)} cells, the header has {len(physical)}"
            )
            continue
        values = _row_values(cells, physical, table.trim, errors, f"line {line} (row {row})")
        if values is None:
            continue
        values["_row"] = [str(row)]
        _check_key(values, table.primary_key, keys, line, errors)
        try:
            triples.extend(_row_triples(values, table, base_iri))
        except MappingError as exc:
            errors.add(f"line {line} (row {row}): {exc}")
    errors.raise_if_any()
    return triples


def _decode(data: bytes, encoding: str, where: str) -> str:
    try:
        return data.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except LookupError:
        raise MappingError(f"{where}: unknown encoding '{encoding}'") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MappingError(
            f"{where}: line {line}, byte {exc.start}: not valid {encoding} "
            f"({quoted(data[exc.start : exc.start + 1])}); set dialect.encoding in "
            "the mapping (e.g. windows-1252)"
        ) from None


def _check_header(header: list[str], columns: list[Column], where: str, line: int) -> None:
    found = [h.strip().lstrip("\ufeff") for h in header]
    expected = [c.titles for c in columns]
    missing = [t[0] for t in expected if not any(x in found for x in t)]
    known = {x for t in expected for x in t}
    extra = [h for h in found if h not in known]
    problems = []
    if missing:
        problems.append(f"missing column(s) {', '.join(repr(m) for m in missing)}")
    if extra:
        problems.append(f"extra column(s) {', '.join(map(quoted, extra))} not in the mapping")
    if problems:
        raise MappingError(f"{where}: line {line} (header): {'; '.join(problems)}")
    order = [next(i for i, t in enumerate(expected) if h in t) for h in found]
    if order != sorted(order):
        raise MappingError(
            f"{where}: line {line} (header): columns are in another order than "
            f"in the mapping ({quoted(', '.join(found))})"
        )


def _row_values(cells, columns, trim, errors, place) -> dict[str, list[str]] | None:
    values: dict[str, list[str]] = {}
    ok = True
    for column, raw in zip(columns, cells, strict=True):
        cell = raw.strip() if trim else raw
        if cell in column.null:
            cell = column.default
        if cell == "":
            if column.required:
                errors.add(f"{place}, column '{column.name}': required but empty")
                ok = False
            continue
        parts = cell.split(column.separator) if column.separator else [cell]
        try:
            values[column.name] = [canonical(column, p.strip() if trim else p) for p in parts]
        except ValueError as exc:
            errors.add(f"{place}, column '{column.name}': {exc}")
            ok = False
    return values if ok else None


def canonical(column: Column, cell: str) -> str:
    """The cell's value in the canonical lexical form of its datatype, or ValueError."""
    if column.base in NUMERIC:
        return _number(column, cell)
    if column.base == "boolean":
        words = (column.format or "true|false").split("|")
        if cell not in words and cell not in ("true", "false", "1", "0"):
            raise ValueError(f"{quoted(cell)} is not a boolean (expected {'|'.join(words)})")
        return "true" if cell in (words[0], "true", "1") else "false"
    if isinstance(column.format, str) and not re.fullmatch(column.format, cell):
        raise ValueError(f"{quoted(cell)} does not match the format {column.format!r}")
    if column.base in ("date", "dateTime", "gYear") and not _ISO[column.base].fullmatch(cell):
        raise ValueError(f"{quoted(cell)} is not an ISO {column.base}")
    return cell


_ISO = {
    "date": re.compile(r"-?\d{4}-\d\d-\d\d"),
    "dateTime": re.compile(r"-?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"),
    "gYear": re.compile(r"-?\d{4}"),
}


_GERMAN = re.compile(r"-?\d{1,3}(\.\d{3})*(,\d+)?|-?\d+,\d+")


def _number(column: Column, cell: str) -> str:
    try:
        return _parse_number(column, cell)
    except ValueError as exc:
        fmt = column.format if isinstance(column.format, dict) else {}
        if _GERMAN.fullmatch(cell) and fmt.get("decimalChar", ".") != ",":
            raise ValueError(
                f"{exc}; a German number? declare datatype.format "
                '{"decimalChar": ",", "groupChar": "."}'
            ) from None
        raise


def _parse_number(column: Column, cell: str) -> str:
    fmt = column.format if isinstance(column.format, dict) else {}
    group, decimal_char = fmt.get("groupChar"), fmt.get("decimalChar", ".")
    text = cell.replace(group, "") if group else cell
    if decimal_char != "." and "." in text:
        raise ValueError(
            f"{quoted(cell)} is not a {column.base} (decimal separator is {decimal_char!r})"
        )
    text = text.replace(decimal_char, ".")
    if column.base not in ("decimal", "double") and "." in text:
        raise ValueError(f"{quoted(cell)} is not an integer")
    try:
        value = Decimal(text)
    except InvalidOperation:
        hint = f" (group separator {group!r})" if group else " (no group separator allowed)"
        raise ValueError(f"{quoted(cell)} is not a {column.base}{hint}") from None
    if not value.is_finite():
        raise ValueError(f"{quoted(cell)} is not a finite number")
    if column.minimum is not None and value < column.minimum:
        raise ValueError(f"{quoted(cell)} is below the minimum {column.minimum}")
    if column.maximum is not None and value > column.maximum:
        raise ValueError(f"{quoted(cell)} is above the maximum {column.maximum}")
    if column.base in ("decimal", "double"):
        return format(value, "f") if column.base == "decimal" else repr(float(value))
    return str(int(value))


def _check_key(values, primary_key, keys, line, errors) -> None:
    if not primary_key:
        return
    key = tuple(tuple(values.get(k, [])) for k in primary_key)
    if key in keys:
        shown = quoted(", ".join(value for part in key for value in part))
        errors.add(f"line {line}: primary key {shown} repeats line {keys[key]}")
    keys.setdefault(key, line)


def _row_triples(values, table: Table, base_iri: str) -> list[Triple]:
    default_subject = _iri(table.about_url, values, table, base_iri) if table.about_url else None
    triples = []
    for column in table.columns:
        if column.suppress or (column.name not in values and not column.virtual):
            continue
        subject = (
            _iri(column.about_url, values, table, base_iri) if column.about_url else default_subject
        )
        if subject is None:
            raise MappingError(
                "a column without aboutUrl needs tableSchema.aboutUrl "
                "(blank-node rows are not published)"
            )
        predicate = (
            _iri(column.property_url, values, table, base_iri)
            if column.property_url
            else NamedNode("urn:x-csv:" + quote(column.name))
        )
        for obj in _objects(column, values, table, base_iri):
            triples.append(Triple(subject, predicate, obj))
    return triples


def _objects(column: Column, values, table: Table, base_iri: str):
    if column.value_url:
        cells = values.get(column.name, [""])
        for cell in cells:
            scope = {**values, column.name: [cell]} if cell else values
            yield _iri(column.value_url, scope, table, base_iri)
        return
    cells = values.get(column.name) or ([column.default] if column.default else [])
    for cell in cells:
        if column.lang:
            yield Literal(cell, language=column.lang)
        elif column.datatype_iri:
            yield Literal(cell, datatype=NamedNode(column.datatype_iri))
        else:
            yield Literal(cell, datatype=NamedNode(XSD + NUMERIC.get(column.base, column.base)))


def _iri(template: str, values: dict[str, list[str]], table: Table, base_iri: str) -> NamedNode:
    def expand(match: re.Match) -> str:
        reserved, name = match.groups()
        cells = values.get(name)
        if not cells:
            raise MappingError(f"template {template!r}: no value for {{{name}}} in this row")
        return quote(cells[0], safe=":/?#[]@!$&'()*+,;=" if reserved else "")

    text = _TEMPLATE.sub(expand, template)
    prefix, _, local = text.partition(":")
    if prefix in table.prefixes and not local.startswith("//"):
        text = table.prefixes[prefix] + local
    try:
        return NamedNode(urljoin(base_iri, text))
    except ValueError as exc:
        raise MappingError(f"template {template!r} gives an invalid IRI: {quoted(exc)}") from None
