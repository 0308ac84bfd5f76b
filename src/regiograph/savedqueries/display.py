"""What a saved query's page shows a reader: result cells and form choices in the reader's
language.

- An IRI cell shows the thing's name (from ``names``: IRI → language → label) and links to
  its page; the raw IRI only where no name is known.
- A number is grouped in the reader's locale (``12.500``, ``12,500``), except in a column
  that holds keys or periods (``year``, ``ags``, …): a year is "2015", never "2.015".
- A form's choices are one option per value, labelled in the reader's language (the other
  only as fallback), and exactly one of them is selected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from pyoxigraph import Literal, NamedNode

from regiograph.resources import labels
from regiograph.resources import values as fmt
from regiograph.savedqueries.run import plain

# Last words of column names whose numbers are keys or points in time, not quantities.
_KEY_WORDS = {"year", "jahr", "period", "periode", "ags", "ars", "code", "key", "id"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def is_key_column(column: str) -> bool:
    """``year``, ``fromYear``, ``ref_period``, ``ags``: yes; ``population``, ``paid``: no."""
    words = _WORD.findall(column)
    return bool(words) and words[-1].lower() in _KEY_WORDS


def iris_of(rows: Iterable[dict]) -> list[str]:
    """Every IRI in the result rows (to look their names up at once)."""
    return sorted({t.value for row in rows for t in row.values() if isinstance(t, NamedNode)})


def table(
    columns: list[str],
    rows: list[dict],
    language: str,
    names: dict[str, dict[str, str]],
    link: Callable[[str], str],
) -> dict:
    """The result as the template's table: column names and rows of cells."""
    rows = [in_language(row, columns, language, names) for row in rows]
    return {
        "columns": columns,
        "rows": [[cell(row.get(c), c, language, names, link) for c in columns] for row in rows],
    }


def in_language(row: dict, columns: list[str], language: str, names: dict) -> dict:
    """The row with its ``name`` in the reader's language where the query chose another
    (queries filter names to German, the fallback every thing has): the name of the row's
    first IRI, when the labels know one in ``language``."""
    name = row.get("name")
    if not isinstance(name, Literal) or name.language in (None, "", language):
        return row
    thing = next((row[c] for c in columns if isinstance(row.get(c), NamedNode)), None)
    text = names.get(thing.value, {}).get(language) if thing is not None else None
    return {**row, "name": Literal(text, language=language)} if text else row


def cell(term, column: str, language: str, names: dict, link: Callable[[str], str]) -> dict:
    """One cell: ``text``, and ``href`` for an IRI, ``number`` for a right-aligned number."""
    if term is None:
        return {"text": ""}
    if isinstance(term, NamedNode):
        name = labels.pick(names.get(term.value, {}), language)
        return {"text": name or term.value, "href": link(term.value), "title": term.value}
    value = plain(term)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if is_key_column(column) and float(value).is_integer():
            return {"text": str(int(value)), "number": True}
        return {"text": fmt.format_number(value, language), "number": True}
    if isinstance(term, Literal):
        return {"text": fmt.format_literal(term, language), "lang": term.language or None}
    return {"text": str(value)}


def named(records: list[dict], language: str, names: dict) -> list[dict]:
    """JSON-ready records with every IRI replaced by its name, for a chart's labels."""

    def name(value):
        if isinstance(value, str) and value in names:
            return labels.pick(names[value], language) or value
        return value

    return [{column: name(value) for column, value in record.items()} for record in records]


def chart_records(
    columns: list[str], rows: list[dict], records: list[dict], language: str, names: dict
) -> list[dict]:
    """:func:`named` records whose ``name`` is the one the table shows (:func:`in_language`):
    a chart of an English page labels its series in English where the labels know it."""
    shown = []
    for row, record in zip(rows, records, strict=True):
        adjusted = in_language(row, columns, language, names)
        shown.append(record if adjusted is row else {**record, "name": adjusted["name"].value})
    return named(shown, language, names)


def choices(rows: Iterable[dict], language: str, current: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) per distinct value of ``?value`` rows with ``?label`` in any
    language, sorted by label. ``current`` may be the full IRI or its tail (a default such
    as ``id/district/08226``); at most one option is selected."""
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        texts = found.setdefault(row["value"].value, {})
        label = row.get("label")
        if label is not None:
            texts.setdefault(getattr(label, "language", "") or "", label.value)
    options = sorted(
        ((value, labels.pick(texts, language) or value) for value, texts in found.items()),
        key=lambda option: (option[1].casefold(), option[0]),
    )
    chosen = _chosen(current, [value for value, _ in options])
    return [(value, label, value == chosen) for value, label in options]


def _chosen(current: str, values: list[str]) -> str | None:
    if not current:
        return None
    if current in values:
        return current
    return next((v for v in values if v.endswith("/" + current.lstrip("/"))), None)
