"""Every media type the platform reads or writes, in one table: the RDF syntaxes, the SPARQL
result formats, and the non-RDF representations the web negotiates beside them (HTML, JSON).

One row per format names its media type and the others that select it, its file extensions,
its pyoxigraph format and whether the platform reads and writes it. Every other module looks
formats up here — by short name, media type, extension or pyoxigraph format — and
:func:`write` is the one function that writes RDF for a reader (it says why JSON-LD with a
context goes through rdflib). A new format is a new row here (``CONTRIBUTING.md``).

Media types that select a format come in two strengths: ``aliases`` are other names of
exactly this syntax (``application/x-turtle``); ``generic`` ones are broader types a client
may ask by (``application/json`` for JSON-LD and SPARQL JSON). Which of them a surface honours
is the negotiator's business (:mod:`regiograph.server.kit.negotiation`).

May not: import anything of regiograph but :mod:`~regiograph.namespaces` (every layer imports
this), or know about HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pyoxigraph import Quad, QueryResultsFormat, RdfFormat, Triple, serialize

from regiograph.namespaces import W3C_FORMATS as _W3C

_CHARSET_SUFFIXES = ("+json", "json", "+xml", "/trig", "/n-triples", "/n-quads")


@dataclass(frozen=True)
class MediaType:
    name: str  # short name: ?format= on /sparql, a source's ``format``, the worker's job
    media_type: str
    kind: str  # "rdf" (a syntax), "results" (SPARQL SELECT/ASK) or "page" (HTML, JSON)
    extensions: tuple[str, ...]  # the first is the one written; all are read
    aliases: tuple[str, ...] = ()  # other media types of exactly this syntax
    generic: tuple[str, ...] = ()  # broader media types that may select it
    spellings: tuple[str, ...] = ()  # other short names /sparql's format= accepts
    rdf: RdfFormat | None = None
    results: QueryResultsFormat | None = None
    reads: bool = True
    writes: bool = True
    prefixes: bool = False  # the syntax abbreviates IRIs with prefixes
    w3c: str = ""  # its IRI in W3C's formats namespace (the Service Description)

    @property
    def extension(self) -> str:
        return self.extensions[0]

    @property
    def content_type(self) -> str:
        """The Content-Type header: text formats say they are UTF-8."""
        text = self.media_type.startswith("text/") or self.media_type.endswith(_CHARSET_SUFFIXES)
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


# --- RDF syntaxes -------------------------------------------------------------------------

TURTLE = MediaType(
    "turtle",
    "text/turtle",
    "rdf",
    ("ttl",),
    aliases=("application/x-turtle",),
    rdf=RdfFormat.TURTLE,
    prefixes=True,
    w3c=_W3C + "Turtle",
)
NTRIPLES = MediaType(
    "ntriples",
    "application/n-triples",
    "rdf",
    ("nt", "txt"),
    aliases=("text/n-triples",),
    generic=("text/plain",),
    spellings=("n-triples",),
    rdf=RdfFormat.N_TRIPLES,
    w3c=_W3C + "N-Triples",
)
RDFXML = MediaType(
    "rdfxml",
    "application/rdf+xml",
    "rdf",
    ("rdf", "xml", "owl"),
    generic=("application/xml", "text/xml"),
    spellings=("rdf+xml",),
    rdf=RdfFormat.RDF_XML,
    prefixes=True,
    w3c=_W3C + "RDF_XML",
)
JSONLD = MediaType(
    "jsonld",
    "application/ld+json",
    "rdf",
    ("jsonld", "json"),
    generic=("application/json",),
    spellings=("json-ld",),
    rdf=RdfFormat.JSON_LD,
    w3c=_W3C + "JSON-LD",
)
NQUADS = MediaType(
    "nquads",
    "application/n-quads",
    "rdf",
    ("nq",),
    spellings=("n-quads",),
    rdf=RdfFormat.N_QUADS,
    w3c=_W3C + "N-Quads",
)
TRIG = MediaType(
    "trig",
    "application/trig",
    "rdf",
    ("trig",),
    rdf=RdfFormat.TRIG,
    prefixes=True,
    w3c=_W3C + "TriG",
)
N3 = MediaType(
    "n3",
    "text/n3",
    "rdf",
    ("n3",),
    rdf=RdfFormat.N3,
    writes=False,
    prefixes=True,
    w3c=_W3C + "N3",
)

# --- SPARQL results -----------------------------------------------------------------------

SPARQL_JSON = MediaType(
    "json",
    "application/sparql-results+json",
    "results",
    ("srj",),
    generic=("application/json",),
    results=QueryResultsFormat.JSON,
    w3c=_W3C + "SPARQL_Results_JSON",
)
SPARQL_XML = MediaType(
    "xml",
    "application/sparql-results+xml",
    "results",
    ("srx",),
    generic=("application/xml", "text/xml"),
    results=QueryResultsFormat.XML,
    reads=False,
    w3c=_W3C + "SPARQL_Results_XML",
)
CSV = MediaType(
    "csv",
    "text/csv",
    "results",
    ("csv",),
    results=QueryResultsFormat.CSV,
    reads=False,
    w3c=_W3C + "SPARQL_Results_CSV",
)
TSV = MediaType(
    "tsv",
    "text/tab-separated-values",
    "results",
    ("tsv",),
    results=QueryResultsFormat.TSV,
    reads=False,
    w3c=_W3C + "SPARQL_Results_TSV",
)

# --- Not RDF, but negotiated beside it ----------------------------------------------------

HTML = MediaType("html", "text/html", "page", ("html",), reads=False)
XHTML = MediaType("xhtml", "application/xhtml+xml", "page", ("xhtml",), reads=False)
JSON = MediaType("plainjson", "application/json", "page", ("json",), reads=False)

# --- Lookups ------------------------------------------------------------------------------

# The order is the order a surface lists them in when it offers "all": the first is the default.
RDF = (TURTLE, NTRIPLES, RDFXML, JSONLD, NQUADS, TRIG, N3)
RESULTS = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
ALL = (*RDF, *RESULTS, HTML, XHTML, JSON)
RDF_WRITTEN = tuple(f for f in RDF if f.writes)
RDF_READ = tuple(f for f in RDF if f.reads)
BY_NAME = {f.name: f for f in ALL}


def rdf_by_media_type(media_type: str) -> MediaType | None:
    """The RDF syntax a media type (or one of its aliases) names; generic types name none."""
    wanted = media_type.strip().lower()
    return next((f for f in RDF if wanted in (f.media_type, *f.aliases)), None)


def rdf_by_extension(extension: str) -> MediaType | None:
    """The RDF syntax a file extension (without the dot, any case) is read as."""
    wanted = extension.lower()
    return next((f for f in RDF_READ if wanted in f.extensions), None)


# Types that say nothing about the content ("" when a server sends none).
OPAQUE = ("", "application/octet-stream", "binary/octet-stream")
_GENERIC = frozenset(m for f in ALL for m in f.generic)


def is_generic(media_type: str) -> bool:
    """A type that names no syntax of its own (text/plain, application/json, opaque ones)."""
    return media_type in OPAQUE or media_type in _GENERIC


def accept_header(*preferences: MediaType | tuple[MediaType, float], anything: float = 0) -> str:
    """An Accept header for a client request: formats in order of preference, with qualities.

    ``accept_header(TURTLE, (RDFXML, 0.9), anything=0.1)`` →
    ``text/turtle, application/rdf+xml;q=0.9, */*;q=0.1``.
    """
    parts = []
    for preference in preferences:
        fmt, quality = preference if isinstance(preference, tuple) else (preference, 1.0)
        parts.append(fmt.media_type if quality == 1 else f"{fmt.media_type};q={quality:g}")
    if anything:
        parts.append(f"*/*;q={anything:g}")
    return ", ".join(parts)


def write(
    statements: Iterable[Triple | Quad],
    fmt: MediaType,
    prefixes: Mapping[str, str] | None = None,
    *,
    compact: bool = False,
) -> bytes:
    """RDF for a reader, in ``fmt``: the one function that writes a document for the web.

    pyoxigraph writes every syntax; ``prefixes`` are used where the syntax has them (Turtle,
    TriG, RDF/XML) and ignored elsewhere. JSON-LD is the exception: pyoxigraph (0.5) writes
    *expanded* JSON-LD — full IRIs, no ``@context`` — and ignores prefixes. ``compact=True``
    writes it compacted instead, with ``prefixes`` as its ``@context`` (``"dct:title"``,
    ``"@graph"``), which only rdflib does; the catalogue has always been written so, for
    people and DCAT tools that read it as JSON. Measured on the demo catalogue (1,003
    triples): both parse to the same graph (isomorphic with the N-Triples), rdflib takes
    about 58 ms against pyoxigraph's 0.6 ms, so nothing else asks for it. (``/sparql``'s
    query workers stream their results through pyoxigraph directly: expanded JSON-LD too.)
    """
    if fmt.rdf is None or not fmt.writes:
        raise ValueError(f"{fmt.name} is not an RDF syntax the platform writes")
    if fmt is JSONLD and compact and prefixes:
        return _compact_jsonld(list(statements), prefixes)
    if fmt.prefixes and prefixes:
        written = serialize(statements, format=fmt.rdf, prefixes=dict(prefixes)) or b""
    else:
        written = serialize(statements, format=fmt.rdf) or b""
    return _keep_carriage_returns(written) if fmt is RDFXML else written


def _keep_carriage_returns(xml: bytes) -> bytes:
    """RDF/XML with every carriage return written as ``&#13;``.

    pyoxigraph (0.5) writes a literal's carriage return as a raw byte, and every XML parser
    turns a raw CR (or CR LF) into LF before RDF sees it: a harvested description with
    Windows line ends came back as another literal than the Turtle of the same page. A raw
    CR can only stand in a literal here (IRIs and markup have none, the writer's own line
    ends are LF), and a character reference is kept by every parser.
    """
    return xml.replace(b"\r", b"&#13;")


def _compact_jsonld(statements: list[Triple | Quad], prefixes: Mapping[str, str]) -> bytes:
    from rdflib import Graph  # only here: importing rdflib costs more than most pages

    graph = Graph()
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, namespace)
    triples = [s.triple if isinstance(s, Quad) else s for s in statements]
    graph.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES) or b"", format="nt")
    context = dict(prefixes)
    return graph.serialize(format="json-ld", context=context, auto_compact=True).encode("utf-8")
