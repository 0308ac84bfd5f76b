"""The OpenAPI 3.1 document of ``/api``, generated from the saved queries' headers."""

from __future__ import annotations

from regiograph import __version__
from regiograph.mediatypes import SPARQL_JSON
from regiograph.savedqueries import Catalog, Parameter, SavedQuery

_SCHEMAS = {
    "iri": {"type": "string", "format": "uri"},
    "concept": {"type": "string", "format": "uri"},
    "ags": {"type": "string", "pattern": "^[0-9]{8}$"},
    "year": {"type": "string", "pattern": "^[0-9]{4}$"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "string": {"type": "string", "maxLength": 500},
    "date": {"type": "string", "description": "YYYY-MM-DD or 'today'"},
}
_ERROR = {
    "type": "object",
    "required": ["error", "status", "message"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "parameter": {"type": "string"},
    },
}


def document(catalog: Catalog, max_limit: int, server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "regiograph saved queries",
            "version": __version__,
            "description": "Saved SPARQL queries of this platform as a web API. Rows come "
            "as JSON objects, CSV or SPARQL results (Accept or ?format=).",
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": {
            f"/api/queries/{q.name}": {"get": _operation(q, max_limit)}
            for q in catalog.queries.values()
        },
        "components": {
            "schemas": {"Error": _ERROR},
            "parameters": _paging(max_limit),
            "responses": _errors(),
        },
    }


def _operation(query: SavedQuery, max_limit: int) -> dict:
    return {
        "operationId": query.name,
        "summary": query.title.get("en") or next(iter(query.title.values())),
        "description": query.description.get("en", ""),
        "tags": list(query.tags) or ["untagged"],
        "parameters": [_parameter(p) for p in query.parameters]
        + [{"$ref": f"#/components/parameters/{name}"} for name in ("limit", "offset", "format")],
        "responses": {
            "200": {
                "description": "The rows of the result",
                "headers": {
                    "Link": {
                        "description": "RFC 8288 next/prev/first pages",
                        "schema": {"type": "string"},
                    },
                    "X-Total-Count": {
                        "description": "Rows in all pages",
                        "schema": {"type": "integer"},
                    },
                },
                "content": {
                    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                    "text/csv": {"schema": {"type": "string"}},
                    SPARQL_JSON.media_type: {"schema": {"type": "object"}},
                },
            },
            "400": {"$ref": "#/components/responses/BadRequest"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }


def _parameter(parameter: Parameter) -> dict:
    schema = dict(_SCHEMAS[parameter.type])
    if parameter.default is not None:
        schema["default"] = _typed(parameter.default, schema.get("type"))
    description = parameter.label.get("en") or parameter.name
    if parameter.cls:
        description += f" (an instance of <{parameter.cls}>)"
    if parameter.scheme:
        description += f" (a concept of <{parameter.scheme}>)"
    return {
        "name": parameter.name,
        "in": "query",
        "required": parameter.required,
        "description": description,
        "schema": schema,
    }


def _typed(default: str, json_type: str | None):
    """Defaults are kept as text; the document states them in the schema's own type."""
    if json_type == "integer":
        return int(default)
    if json_type == "number":
        return float(default)
    return default


def _paging(max_limit: int) -> dict:
    return {
        "limit": {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "Rows per page",
            "schema": {"type": "integer", "minimum": 1, "maximum": max_limit},
        },
        "offset": {
            "name": "offset",
            "in": "query",
            "required": False,
            "description": "Rows to skip",
            "schema": {"type": "integer", "minimum": 0},
        },
        "format": {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "Overrides the Accept header; excel: CSV with BOM and ';'",
            "schema": {"type": "string", "enum": ["json", "csv", "sparql", "excel"]},
        },
    }


def _errors() -> dict:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "BadRequest": {
            "description": "A parameter is missing or of the wrong type; 'parameter' names it",
            "content": error,
        },
        "Unavailable": {
            "description": "The store is unavailable or the query ran into its time limit",
            "content": error,
        },
    }
