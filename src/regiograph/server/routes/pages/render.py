"""Rendering a resource page: the generic part every page has, plus its type's view."""

from __future__ import annotations

from flask import Response, make_response, render_template, request
from flask_babel import gettext

from regiograph import iris
from regiograph.namespaces import RDF_TYPE, RG
from regiograph.resources import describe, labels, present, provenance, values, views
from regiograph.resources.ontology import ontology
from regiograph.server.kit import i18n, suggestions
from regiograph.server.kit.counting import CountingStore
from regiograph.server.kit.negotiation import FORMATS
from regiograph.server.kit.params import page_number
from regiograph.server.kit.urls import canonical_url, data_links, link_for
from regiograph.server.services import config, page_reads, statistics
from regiograph.statistics import districts

ILLUSTRATIVE = RG + "illustrative"


def resource_page(iri: str) -> Response:
    counted = CountingStore(page_reads())
    language = i18n.language()
    description = describe.describe(counted, iri)
    types = [o.value for o in description.values(RDF_TYPE) if hasattr(o, "value")]
    presenter = present.Presenter(
        ontology(),
        language,
        link_for,
        config().base_iri,
        dict(description.labels),
        current=iri,
        lookup=suggestions.search_index().labels,
        gettext=gettext,
    )
    view = views.view_for(types, ontology())
    extra = (
        view.load(counted, iri, description, presenter, district_means=_district_means)
        if description.exists
        else {}
    )
    page_of, number = _paging()
    incoming = describe.incoming(
        counted, iri, page_of=page_of, page=number, exclude=view.incoming_handled
    )
    if not description.exists and not incoming.counts:
        return not_found(iri)
    context = _context(counted, iri, description, presenter, types, view, incoming)
    context.update(extra, page_of=page_of, page_number=number)
    response = make_response(render_template(view.template, **context))
    response.headers["X-Store-Queries"] = str(counted.queries)
    return response


def _district_means(district: str):
    """A district's means from the statistics mirror, when it holds the store's content as
    it is now (else None: the page asks the store)."""
    return districts.means(statistics(), district)


def _context(counted, iri, description, presenter, types, view, incoming) -> dict:
    language = presenter.language
    type_badges = [presenter.link(t) for t in sorted(types, key=ontology().order)]
    specific = next((t for t in sorted(types, key=ontology().order) if ontology().term(t)), None)
    graphs = provenance.graph_info(counted, iris.meta_graph(config().base_iri))
    return {
        "iri": iri,
        "label": present.shown(
            labels.pick(description.own_labels, language) or _fallback_name(iri)
        )[0],
        "label_lang": _lang_of(description.own_labels, language),
        "description": _shown(labels.pick(description.own_descriptions, language)),
        "description_lang": _lang_of(description.own_descriptions, language),
        "types": type_badges,
        # words for people first; the ontology's modelling note one click away
        "what_is_this": (presenter.reader_description(specific) or presenter.gist(specific))
        if specific
        else None,
        "technical_note": presenter.comment(specific) if specific else None,
        "what_is_this_class": presenter.term_label(specific) if specific else None,
        "keys": present.keys(presenter, description),
        # an invented resource says so in a banner above everything, not in a property row
        "illustrative": _illustrative(description),
        "groups": present.groups(presenter, description, types, view.handled | {ILLUSTRATIVE}),
        "incoming": present.incoming_groups(presenter, incoming),
        "incoming_page_size": describe.PAGE_SIZE,
        "sources": [graphs.get(g) or provenance.GraphInfo(g) for g in description.graphs],
        "validation": describe.validation(counted, iri) if description.exists else [],
        "formats": list(FORMATS),
        "sparql_query": sparql_about(iri),
        "data_links": data_links(iri),
        "page_url": link_for(iri),
        "canonical_url": canonical_url(iri),
        "source_numbers": {g: n for n, g in enumerate(description.graphs, start=1)},
    }


def sparql_about(iri: str) -> str:
    """The query the "open in SPARQL" link pre-fills (the IRI in N-Triples syntax)."""
    from pyoxigraph import NamedNode

    return f"SELECT ?property ?value WHERE {{\n  {NamedNode(iri)} ?property ?value\n}}"


def _paging() -> tuple[str | None, int]:
    return request.args.get("incoming") or None, page_number()


def _lang_of(texts: dict[str, str], language: str) -> str | None:
    chosen = labels.pick(texts, language)
    return next((tag for tag, text in texts.items() if text == chosen and tag), None)


def _shown(text: str | None, longest: int = 3000) -> str | None:
    """A description: a paragraph may be long, cut only what would flood the page."""
    if text is None:
        return None
    return values.isolate_bidi(text if len(text) <= longest else text[:longest] + "…")


def _illustrative(description) -> bool:
    return any(getattr(o, "value", "") in {"true", "1"} for o in description.values(ILLUSTRATIVE))


def _fallback_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


def not_found(iri: str) -> Response:
    """404 that helps: things with similar names from the search index."""
    found = suggestions.similar(_fallback_name(iri))
    response = make_response(
        render_template("page_404.html", iri=iri, suggestions=found, query=_fallback_name(iri)), 404
    )
    return response
