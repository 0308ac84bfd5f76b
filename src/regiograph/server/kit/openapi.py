"""The OpenAPI 3 document ``/api`` publishes: the saved queries' operations (generated from
their headers by :mod:`regiograph.savedqueries.openapi`) and the admin API's, described here
so that the API surface does not import the admin surface."""

from __future__ import annotations

from regiograph.savedqueries import Catalog
from regiograph.savedqueries.openapi import document

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
        "get": {
            "summary": "State and last report of a source's harvest",
            "security": [{"bearer": []}],
            "responses": {
                "200": {"description": "Status"},
                "401": {"description": "No token"},
                "403": {"description": "Wrong token or API off"},
                "404": {"description": "Unknown source"},
            },
        },
        "post": {
            "summary": "Start a harvest of the source now",
            "security": [{"bearer": []}],
            "responses": {
                "202": {"description": "Started"},
                "401": {"description": "No token"},
                "403": {"description": "Wrong token or API off"},
                "404": {"description": "Unknown source"},
                "409": {"description": "A harvest of the source is running"},
            },
        },
    },
}
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer"}}


def api_document(catalog: Catalog, max_limit: int, server_url: str) -> dict:
    """The saved queries' API and the admin API in one OpenAPI document."""
    found = document(catalog, max_limit, server_url)
    found["paths"].update(ADMIN_PATHS)
    found["components"]["securitySchemes"] = SECURITY_SCHEMES
    return found
