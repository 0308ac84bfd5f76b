"""What a client may read of a failure: messages without the platform's internals.

The store's address, where a SERVICE call was redirected to and what an upstream answered
are for the operator: they go to the log. A public message names no URL the client did not
write itself, and a store that cannot be reached is said to be so without its address.
"""

from __future__ import annotations

import logging
import re

from flask import has_request_context, request

from regiograph.loader.disclosure import URL as _URL
from regiograph.loader.disclosure import WITHHELD
from regiograph.store import StoreError, StoreUnavailable

log = logging.getLogger(__name__)

STORE_DOWN = "the triple store is not reachable at the moment; try again shortly"
# pyoxigraph's SERVICE client appends the remote body ("… returned by <url> with payload:
# <body>"): what an internal host answered, a redirect's target, a file's start.
_PAYLOAD = re.compile(r"\s*with payload:.*", re.DOTALL)


def scrub(message: str) -> str:
    """``message`` without any URL the client did not send in this request and without an
    upstream's answer; the full message is logged when anything was withheld."""
    written = _client_text()
    cleaned = _PAYLOAD.sub(" (its answer is in the platform's log)", message)

    def withhold(match: re.Match) -> str:
        url = match.group(0).rstrip(".,;:)]")
        kept = url in written
        return match.group(0) if kept else WITHHELD + match.group(0)[len(url) :]

    cleaned = _URL.sub(withhold, cleaned)
    if cleaned != message:
        log.warning("public message shortened; in full: %s", message)
    return cleaned


def store_message(exc: StoreError) -> str:
    """The public words for a store failure: never the store's address or its client's
    reason (which names host and port)."""
    if isinstance(exc, StoreUnavailable):
        log.warning("store unavailable: %s", exc)
        return STORE_DOWN
    return scrub(str(exc))


def _client_text() -> str:
    """The query or update this request sent (URLs in it are the client's own)."""
    if not has_request_context():
        return ""
    parts = [request.args.get("query", ""), request.args.get("update", "")]
    if request.mimetype == "application/x-www-form-urlencoded":
        parts += [request.form.get("query", ""), request.form.get("update", "")]
    elif request.mimetype.startswith("application/sparql-"):
        parts.append(request.get_data(cache=True, as_text=True))
    return "\n".join(parts)
