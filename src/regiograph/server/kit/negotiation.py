"""Which representation a client gets: HTML, or RDF in one of four serialisations."""

from __future__ import annotations

from flask import request
from pyoxigraph import RdfFormat

HTML = "html"
FORMATS = {  # file extension -> serialisation
    "ttl": RdfFormat.TURTLE,
    "jsonld": RdfFormat.JSON_LD,
    "nt": RdfFormat.N_TRIPLES,
    "rdf": RdfFormat.RDF_XML,
}
_MEDIA = {fmt.media_type: ext for ext, fmt in FORMATS.items()}
_MEDIA.update({"text/n-triples": "nt", "application/x-turtle": "ttl"})


def negotiate(default: str = HTML) -> str:
    """``html`` or an extension from FORMATS, by the Accept header (no header: default)."""
    offers = ["text/html", "application/xhtml+xml", *_MEDIA]
    if default != HTML:
        offers = [*_MEDIA, "text/html"]
    best = request.accept_mimetypes.best_match(offers)
    if best is None:
        return default
    return _MEDIA.get(best, HTML)


def split_extension(key: str) -> tuple[str, str | None]:
    """``municipality/08222000.ttl`` → (``municipality/08222000``, ``ttl``)."""
    stem, dot, extension = key.rpartition(".")
    if dot and extension in FORMATS and "/" not in extension:
        return stem, extension
    return key, None
