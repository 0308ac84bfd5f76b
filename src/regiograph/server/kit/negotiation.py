"""Which representation a client gets: the one content negotiator of every web surface.

A surface states what it offers as an :class:`Offer` — formats from the media-type table
(:mod:`regiograph.mediatypes`), the first one the default — and :func:`choose` picks by the
``format=`` parameter or the Accept header. The ranking is the same everywhere: higher
quality first; then a type the client named exactly over ``type/*`` over ``*/*``; then a
format's own media type over an alias over a generic type (the first alias over a second);
then the order of the offer.

Surfaces differ only in what they offer: pages and ``/data`` (HTML and four RDF syntaxes,
aliases too), ``/sparql`` (by query form, generic types too, nothing acceptable is 406), the
service description (HTML only for a client that names it), ``/catalog`` and ``/api`` (their
formats' own media types only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache

from flask import request
from werkzeug.datastructures import MIMEAccept

from regiograph import mediatypes
from regiograph.mediatypes import MediaType

# ``format=`` decides unless the request's Accept header refuses what it names (issue 15, F4:
# SPARQLWrapper sends format=xml and Accept: application/rdf+xml with a CONSTRUCT). True would
# let format= override any Accept.
FORMAT_OVERRIDES_ACCEPT = False

# Which of a format's media types select it: its own, then aliases, then generic ones.
OWN, ALIASES, GENERIC = 1, 2, 3


class NotAcceptable(Exception):
    """Nothing the client accepts is offered (406)."""


class UnknownFormat(NotAcceptable):
    """``format=`` names nothing the surface offers."""


def _by_extension(fmt: MediaType) -> tuple[str, ...]:
    return (fmt.extension,)


def _names_and_types(fmt: MediaType) -> tuple[str, ...]:
    """/sparql's ``format=``: a short name (``turtle``, ``ttl``, ``n-triples``) or a media type."""
    return (fmt.name, fmt.extension, *fmt.spellings, fmt.media_type, *fmt.aliases, *fmt.generic)


class Offer:
    """What one surface can answer in, as groups of ``(formats, selected_by)``.

    On a tie the earlier group wins; within a group a format's own media type beats an alias,
    an alias beats a generic type (the first alias a second one), and then the earlier format
    wins. The first format is served when the request has no Accept header, and when nothing
    is acceptable unless the offer refuses (406).
    """

    def __init__(
        self,
        *groups: tuple[Sequence[MediaType], int],
        refuse: bool = False,
        names: Callable[[MediaType], Iterable[str]] = _by_extension,
    ):
        ranked = []
        for group, (formats, selected_by) in enumerate(groups):
            for index, fmt in enumerate(formats):
                tiers = ((fmt.media_type,), fmt.aliases, fmt.generic)[:selected_by]
                for tier, types in enumerate(tiers):
                    ranked += [
                        ((group, tier, place, index), t, fmt) for place, t in enumerate(types)
                    ]
        ranked.sort(key=lambda entry: entry[0])
        self.media_types = tuple((t, fmt) for _key, t, fmt in ranked)  # in ranking order
        self._offered = [t for t, _fmt in self.media_types]
        self._format_of: dict[str, MediaType] = {}
        for t, fmt in self.media_types:
            self._format_of.setdefault(t, fmt)
        self.formats = tuple(fmt for formats, _selected_by in groups for fmt in formats)
        self.refuse = refuse
        self.names = names

    def by_accept(self, accept: MIMEAccept) -> MediaType | None:
        best = accept.best_match(self._offered)
        return None if best is None else self._format_of[best]

    def by_name(self, requested: str) -> MediaType | None:
        wanted = requested.strip().lower()
        return next((fmt for fmt in self.formats if wanted in self.names(fmt)), None)


def choose(
    offer: Offer, requested: str | None = None, *, format_decides: bool | None = None
) -> MediaType:
    """The format for this request: by ``format=`` (``requested``) when the Accept header
    takes what it names (``*/*`` does), else by Accept; with ``format_decides`` (``/api``,
    whose ``format=`` is the reader's explicit choice of rows) by ``format=`` whatever Accept says.

    Raises UnknownFormat for a ``format=`` the offer does not have when there is no Accept
    header to go by, NotAcceptable when the offer refuses and nothing is acceptable.
    """
    if format_decides is None:
        format_decides = FORMAT_OVERRIDES_ACCEPT
    accept = request.accept_mimetypes
    if requested:
        named = offer.by_name(requested)
        if named is None and (format_decides or not accept):
            raise UnknownFormat(requested)
        if named is not None and (format_decides or not accept or _accepts(accept, named)):
            return named
    if not accept:
        return offer.formats[0]
    found = offer.by_accept(accept)
    if found is None and offer.refuse:
        raise NotAcceptable(", ".join(t for t, _fmt in offer.media_types))
    return found or offer.formats[0]


def _accepts(accept: MIMEAccept, fmt: MediaType) -> bool:
    """Whether the Accept header takes ``fmt`` under any of its media types."""
    return any(accept.quality(t) > 0 for t in (fmt.media_type, *fmt.aliases))


# --- pages: /id, /page, /data, /resource --------------------------------------------------

HTML = mediatypes.HTML.extension  # what pages call the HTML representation (and cache it by)
PAGE_RDF = (mediatypes.TURTLE, mediatypes.JSONLD, mediatypes.NTRIPLES, mediatypes.RDFXML)
FORMATS = {fmt.extension: fmt for fmt in PAGE_RDF}  # extension -> RDF syntax, as pages link them
_PAGES = Offer(((mediatypes.HTML, mediatypes.XHTML), OWN), (PAGE_RDF, ALIASES))
_DATA = Offer((PAGE_RDF, ALIASES), ((mediatypes.HTML,), OWN))  # HTML only if nothing else


def negotiate(default: str = HTML, requested: str | None = None) -> str:
    """``html`` or an extension from FORMATS: by ``requested`` (``format=``), else by Accept
    (``default``, ``html`` or ``ttl``, when nothing acceptable is offered)."""
    chosen = choose(_PAGES if default == HTML else _DATA, requested)
    return HTML if chosen.kind == "page" else chosen.extension


def split_extension(key: str) -> tuple[str, str | None]:
    """``municipality/08222000.ttl`` → (``municipality/08222000``, ``ttl``)."""
    stem, dot, extension = key.rpartition(".")
    if dot and extension in FORMATS and "/" not in extension:
        return stem, extension
    return key, None


# --- /sparql and its service description --------------------------------------------------


def sparql_formats(form: str | None, *, html: bool = True) -> tuple[MediaType, ...]:
    """What /sparql answers a query form in, the default first."""
    graph = form in {"CONSTRUCT", "DESCRIBE"}
    own = mediatypes.RDF_WRITTEN if graph else mediatypes.RESULTS
    return (*own, mediatypes.HTML) if html else own


@cache
def _sparql_offer(form: str | None, html: bool) -> Offer:
    return Offer((sparql_formats(form, html=html), GENERIC), refuse=True, names=_names_and_types)


def for_sparql(form: str | None, requested: str | None, *, html: bool = True) -> MediaType:
    """/sparql's format for a query form; NotAcceptable says which formats would do."""
    offer = _sparql_offer(form if form in {"CONSTRUCT", "DESCRIBE"} else "SELECT", html)
    what = form or "SPARQL"
    try:
        return choose(offer, requested)
    except UnknownFormat:
        names = ", ".join(f.name for f in offer.formats)
        raise NotAcceptable(
            f"format={requested!r} cannot carry the result of a {what} query; use one of {names}"
        ) from None
    except NotAcceptable:
        available = ", ".join(f.media_type for f in offer.formats)
        raise NotAcceptable(
            f"none of the accepted media types can carry the result of a {what} query; "
            f"available: {available}"
        ) from None


def for_service_description() -> MediaType:
    """HTML (the query editor) only for a client that names text/html and ranks it at least as
    high as Turtle — SPARQL clients send ``*/*`` and get RDF; else RDF as for a CONSTRUCT, and
    Turtle when the client accepts query results but no RDF syntax (a SPARQL client asking the
    endpoint's URL for results gets its description, not 406; issue 15, F5)."""
    accept, requested = request.accept_mimetypes, (request.args.get("format") or "").lower()
    html, turtle = mediatypes.HTML.media_type, mediatypes.TURTLE.media_type
    if requested in {mediatypes.HTML.name, html} or (
        not requested and html in accept.values() and accept.quality(html) >= accept.quality(turtle)
    ):
        return mediatypes.HTML
    try:
        return for_sparql("CONSTRUCT", request.args.get("format"), html=False)
    except NotAcceptable:
        if requested or not any(accept.quality(f.media_type) for f in mediatypes.RESULTS):
            raise
        return mediatypes.TURTLE
