"""/search (full text with type filters) and /search/suggest (JSON for the search box)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from regiograph.resources.ontology import ontology
from regiograph.resources.present import Presenter
from regiograph.server.kit import headers, i18n
from regiograph.server.kit.params import page_number
from regiograph.server.kit.suggestions import search_index
from regiograph.server.kit.urls import link_for
from regiograph.server.services import config

blueprint = Blueprint("search", __name__)
blueprint.after_request(headers.secure)
PAGE_SIZE = 20
MAX_QUERY = 200


@blueprint.get("/search")
def search():
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    type_iri = request.args.get("type") or None
    page = page_number(10_000)
    language = i18n.language()
    total, hits, facets = (0, [], {})
    if text:
        total, hits, facets = search_index().search(
            text, type_iri=type_iri, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    presenter = Presenter(ontology(), language, link_for, config().base_iri)
    results = [_result(hit, language, presenter) for hit in hits]
    facet_list = sorted(
        ((presenter.term_label(t), t, n) for t, n in facets.items()), key=lambda f: (-f[2], f[0])
    )
    return render_template(
        "search.html",
        q=text,
        type_iri=type_iri,
        results=results,
        total=total,
        page=page,
        page_size=PAGE_SIZE,
        facets=facet_list,
        type_label=presenter.term_label(type_iri) if type_iri else None,
    )


@blueprint.get("/search/suggest")
def suggest():
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    language = i18n.language()
    presenter = Presenter(ontology(), language, link_for, config().base_iri)
    hits = search_index().suggest(text) if text else []
    return jsonify(
        query=text,
        suggestions=[
            {
                "label": hit.label(language),
                "iri": hit.iri,
                "url": link_for(hit.iri),
                "types": [presenter.term_label(t) for t in hit.types],
            }
            for hit in hits
        ],
    )


def _result(hit, language: str, presenter: Presenter) -> dict:
    description = hit.description(language) or ""
    return {
        "label": hit.label(language),
        "url": link_for(hit.iri),
        "iri": hit.iri,
        "description": description[:280] + ("…" if len(description) > 280 else ""),
        "keys": hit.keys,
        "types": [presenter.link(t) for t in hit.types],
    }
