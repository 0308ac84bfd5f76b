"""Result formats and content negotiation for the SPARQL endpoint.

SELECT and ASK answer in SPARQL JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in Turtle,
N-Triples, RDF/XML, JSON-LD, N-Quads or TriG (a graph result is the default graph of a
dataset). Browsers may also get ``text/html``. The ``format`` parameter (a short name or a
media type) overrides the Accept header, for links and forms.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept

from regiograph.namespaces import W3C_FORMATS as _F


@dataclass(frozen=True)
class Format:
    name: str  # short name, as in ?format=
    media_type: str
    kind: str  # "results" (SELECT/ASK), "rdf" (CONSTRUCT/DESCRIBE) or "html"
    extension: str
    aliases: tuple[str, ...] = ()  # other media types that select this format
    w3c: str = ""  # IRI in W3C's formats namespace (namespaces.W3C_FORMATS)

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(
            ("+json", "json", "+xml", "/trig", "/n-triples", "/n-quads")
        )
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


RESULT_FORMATS = (
    Format(
        "json",
        "application/sparql-results+json",
        "results",
        "srj",
        ("application/json",),
        _F + "SPARQL_Results_JSON",
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        "results",
        "srx",
        ("application/xml", "text/xml"),
        _F + "SPARQL_Results_XML",
    ),
    Format("csv", "text/csv", "results", "csv", (), _F + "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "results", "tsv", (), _F + "SPARQL_Results_TSV"),
)
RDF_FORMATS = (
    Format("turtle", "text/turtle", "rdf", "ttl", ("application/x-turtle",), _F + "Turtle"),
    Format("ntriples", "application/n-triples", "rdf", "nt", ("text/plain",), _F + "N-Triples"),
    Format(
        "rdfxml",
        "application/rdf+xml",
        "rdf",
        "rdf",
        ("application/xml", "text/xml"),
        _F + "RDF_XML",
    ),
    Format("jsonld", "application/ld+json", "rdf", "jsonld", ("application/json",), _F + "JSON-LD"),
    Format("nquads", "application/n-quads", "rdf", "nq", (), _F + "N-Quads"),
    Format("trig", "application/trig", "rdf", "trig", (), _F + "TriG"),
)
HTML = Format("html", "text/html", "html", "html")
_SHORT_NAMES = {
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "json-ld": "jsonld",
    "nq": "nquads",
    "n-quads": "nquads",
    "srj": "json",
    "srx": "xml",
}
BY_NAME = {f.name: f for f in (*RESULT_FORMATS, *RDF_FORMATS, HTML)}


class NotAcceptable(Exception):
    """No format the client accepts can carry this kind of result."""


def candidates(form: str | None, *, html: bool = True) -> tuple[Format, ...]:
    """Formats for a query form, the default first."""
    own = RDF_FORMATS if form in {"CONSTRUCT", "DESCRIBE"} else RESULT_FORMATS
    return (*own, HTML) if html else own


def choose(
    form: str | None, accept: MIMEAccept, format_param: str | None, *, html: bool = True
) -> Format:
    """The format to answer in, or NotAcceptable naming the formats that would do."""
    options = candidates(form, html=html)
    if format_param:
        wanted = format_param.strip().lower()
        wanted = _SHORT_NAMES.get(wanted, wanted)
        for option in options:
            if wanted in {option.name, option.media_type, *option.aliases}:
                return option
        raise NotAcceptable(
            f"format={format_param!r} cannot carry the result of a "
            f"{form or 'SPARQL'} query; use one of {_names(options)}"
        )
    if not accept or not accept.values():
        return options[0]
    scored = []
    for index, option in enumerate(options):
        # Higher quality first; then a type named exactly over type/* over */*; then the
        # format's own media type over an alias; then the order of ``options``.
        for rank, media_type in enumerate((option.media_type, *option.aliases)):
            quality = accept.quality(media_type)
            if quality > 0:
                scored.append(((quality, _specific(accept, media_type), -rank, -index), option))
    if not scored:
        raise NotAcceptable(
            f"none of the accepted media types can carry the result of a "
            f"{form or 'SPARQL'} query; available: " + ", ".join(o.media_type for o in options)
        )
    return max(scored, key=lambda item: item[0])[1]


def _specific(accept: MIMEAccept, media_type: str) -> int:
    """2: named exactly, 1: by type/*, 0: only by */*."""
    major = media_type.split("/", maxsplit=1)[0]
    best = 0
    for value, quality in accept:
        if quality <= 0:
            continue
        if value.lower() == media_type:
            return 2
        if value.lower() == f"{major}/*":
            best = 1
    return best


def _names(options) -> str:
    return ", ".join(o.name for o in options)
