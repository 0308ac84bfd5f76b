"""The OpenAPI 3 document ``/api`` publishes: the saved queries' operations (generated from
their headers by :mod:`regiograph.savedqueries.openapi`) and the admin API's, described here
so that the API surface does not import the admin surface."""

from __future__ import annotations

from regiograph.savedqueries import Catalog
from regiograph.savedqueries.openapi import document


def _admin(summary: str, answers: dict[str, str]) -> dict:
    """One admin operation: behind the bearer token, so every one can also answer 401 (no
    token), 403 (wrong token or the API off) and 404 (a source the platform does not know)."""
    refused = {"401": "No token", "403": "Wrong token or API off", "404": "Unknown source"}
    codes = dict(sorted({**answers, **refused}.items()))
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {code: {"description": text} for code, text in codes.items()},
    }


ADMIN_PATHS = {
    "/api/admin/harvests/{source}": {
        "parameters": [
            {
                "name": "source",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
                "description": "The source's id.",
            }
        ],
        "get": _admin("State and last report of a source's harvest", {"200": "Status"}),
        "post": _admin(
            "Start a harvest of the source now",
            {"202": "Started", "409": "A harvest of the source is running"},
        ),
    },
}
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer"}}


def api_document(catalog: Catalog, max_limit: int, server_url: str) -> dict:
    """The saved queries' API and the admin API in one OpenAPI document."""
    found = document(catalog, max_limit, server_url)
    found["paths"].update(ADMIN_PATHS)
    found["components"]["securitySchemes"] = SECURITY_SCHEMES
    return found
