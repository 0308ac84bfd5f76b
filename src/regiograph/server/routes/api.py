"""``/api``: saved queries as a web API (JSON rows, CSV, SPARQL results) and its OpenAPI 3.

``/api/queries/<name>?param=…`` validates the parameters against the query's header, runs
it (on the statistics mirror when the query has a SQL twin) and answers in the negotiated
format; ``limit``/``offset`` page through the rows with RFC 8288 ``Link`` headers. The
OpenAPI document is generated from the headers, so it cannot drift from the queries.
"""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from regiograph import mediatypes
from regiograph.savedqueries import ParameterError, Result
from regiograph.server.kit import negotiation
from regiograph.server.kit.openapi import api_document
from regiograph.server.kit.saved import execute
from regiograph.server.services import config, saved_queries

blueprint = Blueprint("api", __name__)
# format= names; "excel" is CSV as German Excel reads it (BOM, semicolons, decimal commas)
FORMATS = {
    "json": mediatypes.JSON,
    "csv": mediatypes.CSV,
    "sparql": mediatypes.SPARQL_JSON,
    "excel": mediatypes.CSV,
}
_OFFER = negotiation.Offer(
    ((mediatypes.JSON, mediatypes.CSV, mediatypes.SPARQL_JSON), negotiation.OWN),
    names=lambda fmt: [name for name, sent in FORMATS.items() if sent is fmt],
)


@blueprint.get("/api/openapi.json")
def openapi():
    return jsonify(_spec())


@blueprint.get("/api")
def api_page():
    spec = _spec()
    return render_template(
        "api.html", spec=spec, operations=_operations(spec), errors=saved_queries().errors
    )


def _operations(spec: dict) -> list[dict]:
    """Every operation of the document (method, path, summary, description, tags) with its
    parameters, shared ones (``$ref``) resolved, for the page's list without JavaScript."""
    shared = spec.get("components", {}).get("parameters", {})

    def resolve(parameter: dict) -> dict:
        ref = parameter.get("$ref", "")
        return shared.get(ref.rsplit("/", 1)[-1], {}) if ref else parameter

    out = []
    for path, item in spec["paths"].items():
        for method in ("get", "post", "put", "delete"):
            if method in item:
                operation = item[method]
                parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
                out.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "op": operation,
                        "parameters": [resolve(p) for p in parameters],
                    }
                )
    return out


def _spec() -> dict:
    return api_document(saved_queries(), config()["queries.max_limit"], request.host_url)


@blueprint.get("/api/queries")
def list_queries():
    return jsonify(
        [
            {
                "name": q.name,
                "title": q.title,
                "description": q.description,
                "tags": list(q.tags),
                "engine": q.engine,
                "url": url_for("api.run_query", name=q.name, _external=True),
                "parameters": {
                    p.name: {"type": p.type, "required": p.required, "default": p.default}
                    for p in q.parameters
                },
            }
            for q in saved_queries().queries.values()
        ]
    )


@blueprint.get("/api/queries/<name>")
def run_query(name: str):
    query = saved_queries().get(name)
    limit, offset = _page_arguments()
    fmt = _format()
    result = execute(query, request.args)
    response = _render(fmt, result, offset, offset + limit, query.name)
    response.headers["X-Total-Count"] = str(len(result))
    response.headers["X-Engine"] = result.engine
    links = _links(name, limit, offset, len(result))
    if links:
        response.headers["Link"] = links
    response.headers["Vary"] = "Accept"
    return response


def _page_arguments() -> tuple[int, int]:
    maximum = config()["queries.max_limit"]
    limit = _integer("limit", request.args.get("limit"), maximum, 1, maximum)
    offset = _integer("offset", request.args.get("offset"), 0, 0, 10**12)
    return limit, offset


def _integer(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw in (None, ""):
        return default
    if not re.fullmatch(r"-?[0-9]{1,15}", raw):
        raise ParameterError(name, "expected an integer")
    value = int(raw)
    if not low <= value <= high:
        raise ParameterError(name, f"must be between {low} and {high}")
    return value


def _format() -> str:
    """The name (a key of FORMATS) to answer in: ``format=``, else by Accept."""
    requested = (request.args.get("format") or "").strip().lower()
    try:
        chosen = negotiation.choose(_OFFER, requested, format_decides=True)
    except negotiation.UnknownFormat:
        raise ParameterError("format", f"one of {', '.join(FORMATS)}") from None
    if FORMATS.get(requested) is chosen:
        return requested
    return next(name for name, sent in FORMATS.items() if sent is chosen)


def _links(name: str, limit: int, offset: int, total: int) -> str:
    args = {k: v for k, v in request.args.items() if k not in ("limit", "offset")}

    def link(rel: str, start: int) -> str:
        query = urlencode({**args, "limit": limit, "offset": start})
        return f'<{url_for("api.run_query", name=name, _external=True)}?{query}>; rel="{rel}"'

    links = []
    if offset + limit < total:
        links.append(link("next", offset + limit))
    if offset > 0:
        links += [link("first", 0), link("prev", max(0, offset - limit))]
    return ", ".join(links)


# --- Output formats -----------------------------------------------------------------------


def _render(fmt: str, result: Result, start: int, stop: int, name: str) -> Response:
    if fmt == "json":  # json.dumps keeps the query's column order (jsonify sorts keys)
        body = json.dumps(result.records(start, stop), ensure_ascii=False)
        return Response(body, mimetype=FORMATS[fmt].media_type)
    if fmt == "sparql":
        bindings = [sparql_json(row) for row in result.rows[start:stop]]
        body = json.dumps({"head": {"vars": result.columns}, "results": {"bindings": bindings}})
        return Response(body, mimetype=FORMATS[fmt].media_type)
    excel = fmt == "excel"
    body = csv_text(result.columns, result.records(start, stop), excel=excel)
    response = Response(body, mimetype=FORMATS[fmt].media_type)
    suffix = "-excel" if excel else ""
    response.headers["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    return response


def sparql_json(row: dict) -> dict:
    cells = {}
    for name, term in row.items():
        if not hasattr(term, "datatype"):
            cells[name] = {"type": "uri", "value": term.value}
        elif term.language:
            cells[name] = {"type": "literal", "value": term.value, "xml:lang": term.language}
        else:
            cells[name] = {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    return cells


def csv_text(columns: list[str], records: list[dict], *, excel: bool = False) -> str:
    """RFC 4180 CSV; ``excel``: a BOM, semicolons and decimal commas, as German Excel reads."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        cells = [record.get(c) for c in columns]
        if excel:
            cells = [str(v).replace(".", ",") if isinstance(v, float) else v for v in cells]
        writer.writerow(["" if v is None else v for v in cells])
    return ("\ufeff" if excel else "") + out.getvalue()
