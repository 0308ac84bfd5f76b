"""Literals formatted for a reader (numbers, money and dates in German or English) and
the rule for which IRIs may become links (http, https and mailto only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import urlsplit

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from pyoxigraph import Literal

from regiograph.namespaces import RDF, XSD

RDF_LANGSTRING = RDF + "langString"
_INTEGERS = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
        "unsignedInt",
        "unsignedLong",
    )
}
_DECIMALS = {XSD + t for t in ("decimal", "double", "float")}
LINK_SCHEMES = {"http", "https", "mailto"}
_BOOLEANS = {"de": ("ja", "nein"), "en": ("yes", "no")}


# Explicit embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069): an
# override in a label would reverse the text around it (a heading, the <title>, a table).
_ISOLATES = dict.fromkeys(range(0x2066, 0x206A))
_BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
FSI, PDI = "\u2068", "\u2069"


def isolate_bidi(text: str) -> str:
    """``text`` whose bidirectional controls cannot reach beyond it: its own isolates are
    dropped (an unpaired PDI would close ours early) and it is wrapped in FSI … PDI, which
    ends every embedding and override opened inside (UAX #9, X6a). Text without controls is
    returned as it is."""
    if _BIDI_CONTROLS.isdisjoint(text):
        return text
    return FSI + text.translate(_ISOLATES) + PDI


def safe_href(text: str) -> str | None:
    """``text`` if it is an http(s) or mailto URL that may be a link target, else None."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return text.strip()


def format_literal(literal: Literal, language: str) -> str:
    """The literal's text as a reader of ``language`` expects it; the lexical form when the
    value does not parse as its datatype (bad data stays visible, it does not break a page)."""
    datatype = literal.datatype.value if literal.datatype else ""
    try:
        return _format(literal.value, datatype, language)
    except (ValueError, InvalidOperation, ArithmeticError):
        return literal.value


# Babel spends 40-120 µs per call (locale and pattern lookups); the same figures, dates and
# amounts recur on many pages, and the result depends on the arguments only.
@lru_cache(maxsize=8192)
def _format(text: str, datatype: str, language: str) -> str:
    if datatype in _INTEGERS:
        return format_decimal(int(text), locale=language)
    if datatype in _DECIMALS:
        return format_decimal(Decimal(text), locale=language, decimal_quantization=False)
    if datatype == XSD + "date":
        return format_date(dt.date.fromisoformat(text[:10]), format="long", locale=language)
    if datatype == XSD + "dateTime":
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return format_datetime(value, format="medium", locale=language)
    if datatype == XSD + "boolean":
        yes, no = _BOOLEANS.get(language, _BOOLEANS["en"])
        return yes if text.strip() in {"true", "1"} else no
    return text


@lru_cache(maxsize=1024)
def format_short_date(text: str, language: str) -> str:
    """An xsd:date as a key fact's reference date: ``31.12.2023`` (de), ``Dec 31, 2023`` (en);
    the text as written when it is not a date."""
    try:
        return format_date(dt.date.fromisoformat(text[:10]), format="medium", locale=language)
    except ValueError:
        return text


@lru_cache(maxsize=4096)
def format_money(amount: str, currency: str, language: str) -> str:
    """``1.250.000,00 €`` for de, ``€1,250,000.00`` for en."""
    try:
        return format_currency(Decimal(amount), currency or "EUR", locale=language)
    except (InvalidOperation, ValueError):
        return f"{amount} {currency}".strip()


@lru_cache(maxsize=4096, typed=True)  # 1, 1.0 and Decimal("1.0") are equal keys otherwise
def format_number(value: float | int | Decimal, language: str) -> str:
    return format_decimal(value, locale=language)


def quick_number(value: float, language: str, digits: int = 1) -> str:
    """A number for chart labels, formatted without Babel (hundreds per page: Babel's
    formatter cost 14 ms a page); German swaps the separators."""
    text = f"{value:,.{digits}f}" if abs(value) < 100 else f"{value:,.0f}"
    if language == "de":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def number(literal) -> float | None:
    """The literal as a float, or None when it is not a number."""
    try:
        return float(literal.value)
    except (AttributeError, ValueError):
        return None
