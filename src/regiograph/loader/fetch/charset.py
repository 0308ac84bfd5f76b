"""Which character encoding to believe: a server's ``charset`` or a mapping's
``dialect.encoding`` against the bytes themselves.

A declared single-byte encoding (windows-1252, ISO-8859-1/15, …) for bytes that are in fact
UTF-8 turns every multibyte sequence into a pair of characters, silently: "Straße" becomes
"StraÃŸe", "Brühl" "BrÃ¼hl". Text really written in a single-byte encoding is practically never
valid UTF-8 once it holds a letter outside ASCII ("ü" alone, 0xFC, is no UTF-8 at all), so bytes
that are valid UTF-8 with at least one multibyte sequence are read as UTF-8, and the caller
puts the returned note into the run's report. Bytes that are not valid UTF-8 are decoded as
declared, as before.
"""

from __future__ import annotations

import codecs
import re
from functools import cache

UTF8 = "utf-8"
_UTF8_NAMES = {"utf-8", "utf8", "utf-8-sig", "us-ascii", "ascii"}
_NON_ASCII = re.compile(rb"[\x80-\xff]{1,12}")


def believed(data: bytes, declared: str, where: str) -> tuple[str, str]:
    """The encoding to decode ``data`` with, and a note for the run's report ("" when the
    declared encoding is used)."""
    if not declared or declared.lower() in _UTF8_NAMES or not _single_byte(declared.lower()):
        return declared, ""
    if data.isascii() or not _valid_utf8(data):
        return declared, ""
    sample = _NON_ASCII.search(data).group().decode(UTF8, "ignore")  # whole characters
    return UTF8, (
        f"{where}: declared as {declared}, but the content is valid UTF-8 (read as "
        f"{declared}, '{sample}' would become "
        f"'{sample.encode(UTF8).decode(declared, 'replace')}'); read as UTF-8"
    )


def _valid_utf8(data: bytes) -> bool:
    try:
        codecs.decode(data, UTF8)
    except UnicodeDecodeError:
        return False
    return True


@cache
def _single_byte(name: str) -> bool:
    """Whether ``name`` is a codec that reads each byte as one character (cp1252, latin-1 …)."""
    try:
        codecs.lookup(name)
        high = bytes(range(128, 256)).decode(name, errors="replace")
    except LookupError:
        return False
    return len(high) == 128 and bytes(range(128)).decode(name, errors="replace").isascii()
