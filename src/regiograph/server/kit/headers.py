"""Headers for every response the app sends: a strict Content-Security-Policy on HTML (no
inline scripts or styles anywhere in the pages; map tiles from the one configured host), and
``Cache-Control: no-store`` on HTML error pages, ``Retry-After`` on every 503."""

from __future__ import annotations

from urllib.parse import urlsplit

from regiograph.server.services import config

RETRY_AFTER_S = "5"
# The column resizer bundled in YASGUI (static/vendor/yasgui) adds two fixed <style> elements
# (its grip rules; the cursor while dragging). Their hashes allow exactly these texts, no other
# inline style; tests/test_hostile_links.py fails in Chromium when an upgrade changes them.
_EDITOR_STYLES = (
    "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",
    "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='",
)


def content_security_policy() -> str:
    images = ["'self'", "data:"]
    tile_host = urlsplit(config()["pages.tile_url"].replace("{s}", "a"))
    if tile_host.scheme in {"http", "https"} and tile_host.netloc:
        images.append(f"{tile_host.scheme}://{tile_host.netloc}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' {' '.join(_EDITOR_STYLES)}",
            f"img-src {' '.join(images)}",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


def secure(response):
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def error_headers(response):
    """An HTML error page (a 404, a 500, a 503) is never kept by browsers or proxies: the
    next request may well succeed. Every 503 (the store down, a query stopped at the time
    limit, all workers busy) says when to come back."""
    if response.status_code >= 400 and response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    if response.status_code == 503:
        response.headers.setdefault("Retry-After", RETRY_AFTER_S)
    return response
