"""What of an address or an error message may be shown to anyone (``/harvests``, ``/sparql``
over the metadata graph, error pages): the one rule the loader and the server share.

A location is kept only when it is a public http(s) URL: a loopback, private, link-local or
reserved address, ``localhost`` or a single-label host (``store``, ``intranet``) is internal
and withheld; of a file path only the file name is kept. A parser's own words quote the input
(``The prefix root: has not been declared``), so a public message keeps where, line and
column and drops them. Our own messages quote what they read (a CSV cell or header, a
coordinate, a byte) with :func:`quoted`, and a public message says ``VALUE_WITHHELD`` there.
The full text is for the operator's log, never for the record.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

WITHHELD = "<address withheld>"
VALUE_WITHHELD = "<value withheld>"
QUOTE_LIMIT = 200  # characters of the input a message quotes
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s<>\"'`]+", re.IGNORECASE)
# an absolute file path (POSIX) or one with a drive letter, not inside a URL
_PATH = re.compile(r"(?<![\w/:.~-])(?:[A-Za-z]:)?[/\\](?:[^\s/\\:;,'\"]+[/\\])+[^\s/\\:;,'\"]*")
# the parser's words after where:line:column (see loader.fetch.parse.located), to the end
_PARSER_WORDS = re.compile(r"(: syntax error): .*", re.DOTALL)
_QUOTED = re.compile(r"«[^»]*»")


def quoted(value: object) -> str:
    """``value`` (input the loader read: a cell, a header, a coordinate) as a message quotes
    it, «so», which :func:`public_text` withholds. Guillemets in it become single ones, so
    the quote cannot end early; a long value is cut."""
    text = str(value).replace("«", "\u2039").replace("»", "\u203a")
    if len(text) > QUOTE_LIMIT:
        text = text[:QUOTE_LIMIT] + "…"
    return f"«{text}»"


def is_public_url(url: str) -> bool:
    """An http(s) URL whose host is a public name or address (no DNS lookup: a name with a
    dot counts as public, as the fetcher's SSRF guard decides on the resolved address)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host and not host.endswith((".localhost", ".local", ".internal"))
    return address.is_global


def public_location(location: str) -> str:
    """``location`` when it is a public URL; a file's name for a path; else WITHHELD."""
    if URL.match(location):
        return location if is_public_url(location) else WITHHELD
    name = re.split(r"[/\\]", location.rstrip("/\\"))[-1]
    return name or WITHHELD


def public_text(message: str) -> str:
    """``message`` without internal URLs, file paths' folders, a parser's words or what
    :func:`quoted` quoted of the input."""
    cleaned = _PARSER_WORDS.sub(r"\1 (details in the platform's log)", message)
    cleaned = _QUOTED.sub(VALUE_WITHHELD, cleaned)

    def url(match: re.Match) -> str:
        found = match.group(0).rstrip(".,;:)]")
        kept = found if is_public_url(found) else WITHHELD
        return kept + match.group(0)[len(found) :]

    cleaned = URL.sub(url, cleaned)
    return _PATH.sub(lambda match: public_location(match.group(0)), cleaned)
