"""Parsing fetched bytes into a candidate graph (an in-memory pyoxigraph store).

Every parser is pyoxigraph's: linear in its input, which the fetcher has already capped, so
each parse has a size budget and therefore a time budget. RDF/XML with a DOCTYPE is refused
before parsing (pyoxigraph expands internal entities: "billion laughs"); JSON-LD cannot load
remote contexts (there is no loader, so a parser never reaches the network). Errors name the
source's URL or file, the line and the column.
"""

from __future__ import annotations

import logging
import xml.parsers.expat
from urllib.parse import quote

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse

from regiograph.loader.errors import ParseError

log = logging.getLogger(__name__)

# Media types a server may send for each syntax; generic ones fall back to the file name.
MEDIA_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/n-quads": RdfFormat.N_QUADS,
    "application/trig": RdfFormat.TRIG,
    "text/n3": RdfFormat.N3,
}
GENERIC_TYPES = {
    "",
    "text/plain",
    "application/octet-stream",
    "application/xml",
    "text/xml",
    "application/json",
    "binary/octet-stream",
}
FORMAT_NAMES = {
    "turtle": RdfFormat.TURTLE,
    "rdfxml": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
}
EXTENSIONS = {
    "ttl": RdfFormat.TURTLE,
    "rdf": RdfFormat.RDF_XML,
    "xml": RdfFormat.RDF_XML,
    "owl": RdfFormat.RDF_XML,
    "jsonld": RdfFormat.JSON_LD,
    "json": RdfFormat.JSON_LD,
    "nt": RdfFormat.N_TRIPLES,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
}
ACCEPT_RDF = (
    "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8, "
    "application/n-triples;q=0.8, application/trig;q=0.5, */*;q=0.1"
)


def rdf_format(media_type: str, name: str, configured: str = "") -> RdfFormat:
    """The syntax: configured, else the server's media type, else the name's extension."""
    if configured:
        if configured not in FORMAT_NAMES:
            raise ParseError(f"unknown format '{configured}' (one of {', '.join(FORMAT_NAMES)})")
        return FORMAT_NAMES[configured]
    if media_type in MEDIA_TYPES:
        return MEDIA_TYPES[media_type]
    path = name.split("?", 1)[0].split("#", 1)[0].removesuffix(".gz")
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    if media_type in GENERIC_TYPES and extension in EXTENSIONS:
        return EXTENSIONS[extension]
    sent = f"Content-Type {media_type}" if media_type else "no Content-Type"
    raise ParseError(
        f"{name}: wrong content type: {sent} is not an RDF syntax (set the "
        "source's 'format' if the server mislabels it)"
    )


def check_xml_prolog(data: bytes, where: str) -> None:
    """Refuse a DOCTYPE or entity declaration; reads only up to the root element."""
    parser = xml.parsers.expat.ParserCreate()

    def doctype(*_args):
        raise ParseError(
            f"{where}: RDF/XML with a DOCTYPE is refused (entity expansion and "
            "external entities are not allowed)"
        )

    def root(*_args):
        raise _PrologDone

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = root
    try:
        parser.Parse(data, True)
    except _PrologDone:
        return
    except xml.parsers.expat.ExpatError as exc:
        raise ParseError(
            f"{where}:{exc.lineno}:{exc.offset + 1}: not well-formed XML "
            f"({xml.parsers.expat.ErrorString(exc.code)})"
        ) from None


class _PrologDone(Exception):
    pass


def load(
    store: Store,
    data: bytes,
    fmt: RdfFormat,
    *,
    where: str,
    base_iri: str | None,
    graph: NamedNode | DefaultGraph | None = None,
    charset: str = "",
) -> int:
    """Parse ``data`` into ``store`` (all or nothing); ParseError names where, line, column.

    Real catalogues carry IRIs that break RFC 3987 (``?LAYER[id]=1``, spaces): such a
    document is parsed again leniently and the broken IRIs percent-encoded. Returns how many
    IRIs were repaired.
    """
    if charset and charset not in ("utf-8", "utf8", "us-ascii") and fmt != RdfFormat.RDF_XML:
        try:
            data = data.decode(charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError) as exc:
            raise ParseError(f"{where}: cannot decode as {charset}: {exc}") from None
    if fmt == RdfFormat.RDF_XML:
        check_xml_prolog(data, where)
    target = graph or DefaultGraph()
    try:
        store.load(data, fmt, base_iri=base_iri, to_graph=target)
        return 0
    except SyntaxError as exc:
        if "IRI" not in str(exc):
            raise ParseError(located(where, exc)) from None
    except ValueError as exc:  # e.g. a relative IRI without a base
        raise ParseError(f"{where}: {exc}") from None
    return _load_repairing(store, data, fmt, where, base_iri, target)


def _load_repairing(
    store: Store, data: bytes, fmt: RdfFormat, where: str, base_iri: str | None, graph
) -> int:
    repaired: set[str] = set()
    try:
        # fresh blank node ids, as Store.load gives them: two documents never share a node
        quads = [
            Quad(
                _fixed(q.subject, repaired),
                _fixed(q.predicate, repaired),
                _fixed(q.object, repaired),
                graph,
            )
            for q in parse(data, fmt, base_iri=base_iri, lenient=True, rename_blank_nodes=True)
        ]
    except SyntaxError as exc:
        raise ParseError(located(where, exc)) from None
    store.extend(quads)
    log.warning(
        "%s: %d IRI(s) were not valid and were percent-encoded, e.g. %s",
        where,
        len(repaired),
        next(iter(repaired), ""),
    )
    return len(repaired)


def _fixed(term, repaired: set[str]):
    if not isinstance(term, NamedNode):
        return term
    try:
        return NamedNode(term.value)
    except ValueError:
        repaired.add(term.value)
        fixed = quote(term.value, safe=":/?#@!$&'()*+,;=%-._~")
        try:
            return NamedNode(fixed)
        except ValueError:
            return NamedNode("urn:x-invalid-iri:" + quote(term.value, safe=""))


def located(where: str, exc: SyntaxError) -> str:
    message = exc.msg if getattr(exc, "msg", None) else str(exc)
    if "LoadDocumentCallback" in message:
        message = (
            "JSON-LD with a remote @context: contexts are not fetched; inline the "
            "context or convert the document"
        )
    if exc.lineno:
        return f"{where}:{exc.lineno}:{exc.offset}: {message}"
    return f"{where}: {message}"
