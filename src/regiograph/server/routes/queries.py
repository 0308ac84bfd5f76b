"""``/queries``: the gallery of saved queries and one page per query.

A query page shows the description, a parameter form (GET, so every result has a URL),
the results as a table with links to resource pages, a server-drawn SVG chart, the query
text with a link into the SPARQL editor, and download links into ``/api``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from pyoxigraph import NamedNode

from regiograph.namespaces import RDFS, SKOS
from regiograph.savedqueries import ParameterError, SavedQuery, display
from regiograph.savedqueries.charts import chart
from regiograph.server.kit import i18n
from regiograph.server.kit.saved import execute
from regiograph.server.kit.suggestions import search_index
from regiograph.server.kit.urls import link_for
from regiograph.server.services import saved_queries, store

blueprint = Blueprint("queries", __name__)
_CHOICES = {
    # labels in every language: display.choices picks the reader's, one option per value
    "concept": f"SELECT ?value ?label WHERE {{ ?value <{SKOS}inScheme> ?of "
    f"OPTIONAL {{ ?value <{SKOS}prefLabel> ?label }} }} LIMIT 2000",
    "iri": f"SELECT ?value ?label WHERE {{ ?value a ?of "
    f"OPTIONAL {{ ?value <{RDFS}label> ?label }} }} LIMIT 2000",
}


@blueprint.get("/queries")
def gallery():
    catalog = saved_queries()
    return render_template("queries.html", tags=catalog.by_tag(), errors=catalog.errors)


@blueprint.get("/queries/<name>")
def page(name: str):
    query = saved_queries().get(name)
    lang = i18n.language()
    result, error, status = None, None, 200
    waiting = not request.args and any(p.required and p.default is None for p in query.parameters)
    try:
        result = None if waiting else execute(query, request.args)
    except ParameterError as exc:
        error, status = exc, 400
    table = drawing = None
    if result is not None:
        names = search_index().labels(display.iris_of(result.rows))
        table = display.table(result.columns, result.rows, lang, names, link_for)
        records = result.records()
        if query.chart["type"] != "map":  # a map links its points by IRI
            records = display.chart_records(result.columns, result.rows, records, lang, names)
        drawing = chart(query.chart["type"], result.columns, records, query.chart)
    args = {k: v for k, v in request.args.items() if v}
    return render_template(
        "queries_page.html",
        query=query,
        lang=lang,
        error=error,
        table=table,
        chart=drawing,
        form=_form(query, args),
        download=lambda fmt: _download_url(query, args, fmt),
        editor_url="/sparql?" + urlencode({"query": query.text}),
        engine=result.engine if result is not None else None,
    ), status


def _form(query: SavedQuery, args: dict) -> list[dict]:
    fields = []
    for parameter in query.parameters:
        choices = []
        of = parameter.scheme if parameter.type == "concept" else parameter.cls
        value = args.get(parameter.name, parameter.default or "")
        if of and parameter.type in _CHOICES:
            rows = store().select(_CHOICES[parameter.type], {"of": NamedNode(of)})
            choices = display.choices(rows, i18n.language(), value)
        fields.append(
            {
                "parameter": parameter,
                "value": value,
                "choices": choices,
                "input": _INPUT_TYPES.get(parameter.type, "text"),
            }
        )
    return fields


_INPUT_TYPES = {"integer": "number", "number": "number", "date": "text", "year": "number"}


def _download_url(query: SavedQuery, args: dict, fmt: str) -> str:
    return f"/api/queries/{query.name}?" + urlencode({**args, "format": fmt})
