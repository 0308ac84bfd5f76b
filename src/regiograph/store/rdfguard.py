"""Checks on RDF input before (and while) pyoxigraph's parsers read it: what those parsers
would turn into unbounded memory or hidden expansion. One set of checks for every entry point
(harvests, ``regiograph load`` and ``validate``, shapes files).

- **JSON-LD nested deeper than** :data:`MAX_JSON_DEPTH`: the JSON-LD parser's memory grows with
  the square of the nesting depth (measured: 1,000 levels 100 MB, 2,500 levels 1.3 GB, 50,000
  levels 14.7 GB and a SIGSEGV), so a size cap does not bound it. Brackets are counted outside
  strings, chunk by chunk; the chunk that passes the limit never reaches the parser.
- **RDF/XML with a DOCTYPE or an entity declaration anywhere**: pyoxigraph expands internal
  entities ("billion laughs"), also from a DOCTYPE inside the root element, and accepts a
  lowercase ``<!doctype``. The whole document goes through expat first (it reads the XML
  declaration's encoding, a BOM, UTF-16), which reports the declaration or refuses the document
  as not well-formed.
- **A UTF-8 byte-order mark** at the start of Turtle, TriG, N-Triples or N-Quads: pyoxigraph
  refuses it, editors on Windows write it; it is dropped.

:func:`check` does this for bytes in memory, :class:`Checked` for a stream the parser reads
(a file, a gzip stream), so a large file is never held whole.

May not: import anything of the platform (the store's file reader and the loader both use it).
"""

from __future__ import annotations

import xml.parsers.expat
from itertools import accumulate

from pyoxigraph import RdfFormat

MAX_JSON_DEPTH = 100  # levels of [ and {; real JSON-LD (DCAT, GeoJSON-LD) stays below 20
CHUNK = 1024 * 1024
BOM = b"\xef\xbb\xbf"
_BOM_FREE = (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.N_TRIPLES, RdfFormat.N_QUADS)

_NOT_MARKS = bytes(b for b in range(256) if b not in b'"[]{}')
_STEP = [0] * 256
for _byte, _step in ((b"[", 1), (b"{", 1), (b"]", -1), (b"}", -1)):
    _STEP[_byte[0]] = _step


class RefusedInput(ValueError):
    """The input is refused before parsing; the message says why (without the input's text)."""


class JsonDepth:
    """Nesting depth of a JSON document fed in chunks; refuses it past ``limit`` levels.

    Escapes are dropped first (an escaped backslash, then an escaped quote: pairs from the
    start of a run, as JSON reads them), so every quote left opens or closes a string; only
    quotes and brackets are kept, and the brackets between strings counted. All of it runs
    in ``bytes`` methods: a few hundred MB a second.
    """

    def __init__(self, limit: int = MAX_JSON_DEPTH):
        self.limit = limit
        self.depth = 0
        self._in_string = False
        self._backslash = b""  # a chunk ended in an odd run of backslashes

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self._backslash + chunk
        run = len(data) - len(data.rstrip(b"\\"))
        self._backslash = b"\\" if run % 2 and not final else b""
        data = data[: len(data) - run % 2].replace(b"\\\\", b"").replace(b'\\"', b"")
        pieces = data.translate(None, _NOT_MARKS).split(b'"')
        outside = pieces[1::2] if self._in_string else pieces[0::2]
        if len(pieces) % 2 == 0:  # an odd number of quotes
            self._in_string = not self._in_string
        brackets = b"".join(outside)
        if not brackets:
            return
        deepest = max(accumulate(map(_STEP.__getitem__, brackets), initial=self.depth))
        if deepest > self.limit:
            raise RefusedInput(
                f"JSON nested deeper than {self.limit} levels is refused (the JSON-LD "
                "parser's memory grows with the square of the depth)"
            )
        self.depth += sum(brackets.count(b) for b in b"[{") - sum(brackets.count(b) for b in b"]}")


class XmlDeclarations:
    """Expat over a whole XML document fed in chunks; refuses a DOCTYPE or an entity
    declaration, and a document that is not well-formed XML (a stray ``<!doctype``)."""

    def __init__(self):
        self._parser = xml.parsers.expat.ParserCreate()
        self._parser.StartDoctypeDeclHandler = self._refuse
        self._parser.EntityDeclHandler = self._refuse

    @staticmethod
    def _refuse(*_args) -> None:
        raise RefusedInput(
            "RDF/XML with a DOCTYPE is refused, as is any entity declaration (entity "
            "expansion and external entities are not allowed)"
        )

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self._parser.Parse(chunk, final)
        except xml.parsers.expat.ExpatError as exc:
            raise RefusedInput(
                f"line {exc.lineno}, column {exc.offset + 1}: not well-formed XML "
                f"({xml.parsers.expat.ErrorString(exc.code)})"
            ) from None


def checker(fmt: RdfFormat) -> JsonDepth | XmlDeclarations | None:
    """What reads a document of syntax ``fmt`` before its parser does (None: nothing to check)."""
    if fmt == RdfFormat.JSON_LD:
        return JsonDepth()
    if fmt == RdfFormat.RDF_XML:
        return XmlDeclarations()
    return None


def check(data: bytes, fmt: RdfFormat) -> bytes:
    """``data`` checked for syntax ``fmt`` (RefusedInput if refused), without a leading BOM
    where the parser would refuse one."""
    guard = checker(fmt)
    if guard is not None:
        for start in range(0, len(data), CHUNK):
            guard.feed(data[start : start + CHUNK])
        guard.feed(b"", final=True)
    if fmt in _BOM_FREE and data.startswith(BOM):
        return data[len(BOM) :]
    return data


class Checked:
    """A binary stream for a parser to read, checked for syntax ``fmt`` as it is read: a
    refused chunk raises RefusedInput out of the parser before the parser sees it."""

    def __init__(self, raw, fmt: RdfFormat):
        self._raw = raw
        self._guard = checker(fmt)
        self._strip_bom = fmt in _BOM_FREE
        self._done = False

    def read(self, size: int = -1) -> bytes:
        if self._done:
            return b""
        chunk = self._raw.read(CHUNK if size is None or size < 0 else max(size, 1))
        if self._strip_bom:
            self._strip_bom = False
            while len(chunk) < len(BOM) and (more := self._raw.read(len(BOM))):
                chunk += more
            chunk = chunk.removeprefix(BOM)
            if not chunk:
                return self.read(size)
        if self._guard is not None:
            self._guard.feed(chunk, final=not chunk)
        self._done = not chunk
        return chunk
