"""Rendered pages kept per data version, and HTTP validators derived from it.

A page only changes when the data does, so what was rendered for a URL, a language and a
negotiated format is served again until the store's data version moves on
(``Store.data_version()``: one tiny query a second per process). Each process keeps its own
least-recently-used set of ``pages.cache_entries`` responses; a new data version empties it.
Responses carry ``ETag`` (data version, language, format) and ``Last-Modified`` (the time of
the data version), so browsers and proxies revalidate with a ``304``; ``Cache-Control``
says for how long they may reuse a copy without asking (``pages.cache_max_age_s``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Response, request

from regiograph.server.kit import i18n
from regiograph.server.kit.negotiation import HTML
from regiograph.server.kit.pagecache import Entry
from regiograph.server.services import config, page_cache, store

# headers of the rendered response worth keeping; the after-request hooks add the rest
_KEPT = ("Content-Type", "Link", "Vary", "X-Store-Queries")


def cached(fmt: str, build: Callable[[], Response]) -> Response:
    """The response for this request in ``fmt``: 304 when the client's copy is current,
    else from the cache, else ``build()`` (kept when it is a 200)."""
    version = store().data_version()
    language = i18n.language() if fmt == HTML else ""
    tag = f"{version}-{language}-{fmt}"
    if _not_modified(tag, version):
        return _finish(Response(status=304), tag, version)
    cache = page_cache()
    key = (request.url, language, fmt)
    entry = cache.get(key, version)
    if entry is not None:
        response = Response(entry.body, headers=list(entry.headers))
        response.headers["X-Store-Queries"] = "0"
        response.headers["X-Cache"] = "hit"
        return _finish(response, tag, version)
    response = build()
    if response.status_code != 200 or response.is_streamed:
        return response  # errors and redirects are neither kept nor validated
    kept = tuple((k, v) for k, v in response.headers.items() if k in _KEPT)
    cache.put(key, version, Entry(response.get_data(), kept))
    response.headers["X-Cache"] = "miss"
    return _finish(response, tag, version)


def _finish(response: Response, tag: str, version: str) -> Response:
    response.set_etag(tag, weak=True)
    modified = version_time(version)
    if modified:
        response.last_modified = modified
    response.headers["Cache-Control"] = f"public, max-age={config()['pages.cache_max_age_s']}"
    response.vary.add("Accept")
    return response


def _not_modified(tag: str, version: str) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(tag)
    since, modified = request.if_modified_since, version_time(version)
    return bool(since and modified and modified.replace(microsecond=0) <= since)


def version_time(version: str) -> datetime | None:
    """Data versions start with the time of the change in hex nanoseconds."""
    try:
        nanoseconds = int(version.split("-", 1)[0], 16)
        return datetime.fromtimestamp(nanoseconds / 1e9, tz=UTC) if nanoseconds else None
    except (ValueError, OverflowError, OSError):
        return None
