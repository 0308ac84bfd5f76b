"""Security headers for the pages: a strict Content-Security-Policy (no inline scripts or
styles anywhere in the pages; map tiles from the one configured host)."""

from __future__ import annotations

from urllib.parse import urlsplit

from regiograph.server.services import config


def content_security_policy() -> str:
    images = ["'self'", "data:"]
    tile_host = urlsplit(config()["pages.tile_url"].replace("{s}", "a"))
    if tile_host.scheme in {"http", "https"} and tile_host.netloc:
        images.append(f"{tile_host.scheme}://{tile_host.netloc}")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
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
