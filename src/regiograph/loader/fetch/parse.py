"""Parsing fetched bytes into a candidate graph (an in-memory pyoxigraph store).

Every parser is pyoxigraph's: linear in its input, which the fetcher has already capped, so
each parse has a size budget and therefore a time budget. What is not linear is refused first
by :mod:`regiograph.store.rdfguard`, the same checks ``regiograph load`` makes: RDF/XML with a
DOCTYPE
or an entity declaration anywhere (pyoxigraph expands internal entities: "billion laughs"),
JSON-LD nested deeper than ``rdfguard.MAX_JSON_DEPTH`` (memory grows with the square of the
depth); a UTF-8 BOM before Turtle is dropped. JSON-LD cannot load remote contexts (there is no
loader, so a parser never reaches the network). A declared single-byte charset is not believed
for bytes that are valid UTF-8 (:mod:`.charset`). Errors name the source's URL or file, the
line and the column.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Store, parse

from regiograph.loader.errors import ParseError
from regiograph.loader.fetch import charset as charsets
from regiograph.mediatypes import (
    JSONLD,
    NTRIPLES,
    RDF_READ,
    RDFXML,
    TRIG,
    TURTLE,
    accept_header,
    is_generic,
    rdf_by_extension,
    rdf_by_media_type,
)
from regiograph.store import rdfguard

log = logging.getLogger(__name__)

ACCEPT_RDF = accept_header(
    TURTLE, (RDFXML, 0.9), (JSONLD, 0.8), (NTRIPLES, 0.8), (TRIG, 0.5), anything=0.1
)


def rdf_format(media_type: str, name: str, configured: str = "") -> RdfFormat:
    """The syntax: configured (a short name), else the server's media type, else — when the
    server sent none or a generic one — the name's extension (all as in the media-type table)."""
    if configured:
        named = next((f for f in RDF_READ if f.name == configured), None)
        if named is None:
            known = ", ".join(f.name for f in RDF_READ)
            raise ParseError(f"unknown format '{configured}' (one of {known})")
        return named.rdf
    sent_type = rdf_by_media_type(media_type)
    if sent_type is not None:
        return sent_type.rdf
    path = name.split("?", 1)[0].split("#", 1)[0].removesuffix(".gz")
    extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    by_name = rdf_by_extension(extension) if extension else None
    if is_generic(media_type) and by_name is not None:
        return by_name.rdf
    sent = f"Content-Type {media_type}" if media_type else "no Content-Type"
    raise ParseError(
        f"{name}: wrong content type: {sent} is not an RDF syntax (set the "
        "source's 'format' if the server mislabels it)"
    )


def load(
    store: Store,
    data: bytes,
    fmt: RdfFormat,
    *,
    where: str,
    base_iri: str | None,
    graph: NamedNode | DefaultGraph | None = None,
    charset: str = "",
) -> list[str]:
    """Parse ``data`` into ``store`` (all or nothing); ParseError names where, line, column.

    Real catalogues carry IRIs that break RFC 3987 (``?LAYER[id]=1``, spaces): such a
    document is parsed again leniently and the broken IRIs percent-encoded (and logged).
    Returns notes for the run's report: a declared charset that was not believed.
    """
    notes: list[str] = []
    if charset and fmt != RdfFormat.RDF_XML:  # XML says its own encoding
        data, note = _as_utf8(data, charset, where)
        notes += [note] if note else []
    try:
        data = rdfguard.check(data, fmt)
    except rdfguard.RefusedInput as exc:
        raise ParseError(f"{where}: {exc}") from None
    target = graph or DefaultGraph()
    try:
        store.load(data, fmt, base_iri=base_iri, to_graph=target)
        return notes
    except SyntaxError as exc:
        if "IRI" not in str(exc):
            raise ParseError(located(where, exc)) from None
    except ValueError as exc:  # e.g. a relative IRI without a base (quoted: input)
        raise ParseError(f"{where}: syntax error: {exc}") from None
    _load_repairing(store, data, fmt, where, base_iri, target)
    return notes


def _as_utf8(data: bytes, charset: str, where: str) -> tuple[bytes, str]:
    """``data`` as UTF-8, and a note when the declared ``charset`` was not believed."""
    encoding, note = charsets.believed(data, charset, where)
    if note:
        log.warning("%s", note)
    if encoding.lower() in ("utf-8", "utf8", "us-ascii"):
        return data, note
    try:
        return data.decode(encoding).encode("utf-8"), note
    except (LookupError, UnicodeDecodeError) as exc:
        raise ParseError(f"{where}: cannot decode as {encoding}: {exc}") from None


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
    """where:line:column: syntax error: the parser's words. Those quote the input, so what is
    recorded publicly ends at "syntax error" (:func:`regiograph.loader.disclosure.public_text`)."""
    message = exc.msg if getattr(exc, "msg", None) else str(exc)
    if "LoadDocumentCallback" in message:
        message = (
            "JSON-LD with a remote @context: contexts are not fetched; inline the "
            "context or convert the document"
        )
    if exc.lineno:
        return f"{where}:{exc.lineno}:{exc.offset}: syntax error: {message}"
    return f"{where}: syntax error: {message}"
