"""Values for a saved query's parameters: checked against the declared type, turned into
pyoxigraph terms and bound as a VALUES block (:func:`regiograph.store.binding.bind`), never
spliced into query text.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin

from pyoxigraph import Literal, NamedNode

from regiograph.namespaces import SKOS, XSD
from regiograph.savedqueries.library import Parameter, SavedQuery
from regiograph.store import Store
from regiograph.store.binding import Term

log = logging.getLogger(__name__)

MAX_STRING = 500
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ASK_CLASS = "ASK WHERE { ?value a ?class }"
_ASK_SCHEME = f"ASK WHERE {{ ?value <{SKOS}inScheme> ?scheme }}"


class ParameterError(ValueError):
    """A value for a parameter is missing or not of its declared type."""

    def __init__(self, parameter: str, message: str):
        self.parameter = parameter
        super().__init__(f"parameter {parameter!r}: {message}")


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
