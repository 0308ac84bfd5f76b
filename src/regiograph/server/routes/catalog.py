"""/catalog (DCAT-AP.de catalogue, paged, by negotiation or extension) and /dumps/{name}.

HTTP only: parameters are checked here, the catalogue is built by :mod:`regiograph.catalog`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request, send_file

from regiograph import mediatypes
from regiograph.catalog import PageNotFound, dumps, preview
from regiograph.catalog.facets import NAMES
from regiograph.catalog.formats import BY_EXTENSION, FORMATS, render
from regiograph.catalog.index import parse_time
from regiograph.catalog.search import SORTS
from regiograph.loader import scores
from regiograph.server.kit import i18n, negotiation
from regiograph.server.routes import catalog_html as html
from regiograph.server.services import catalogue, config, store

blueprint = Blueprint("catalog", __name__)
_OFFER = negotiation.Offer(((mediatypes.HTML, *FORMATS), negotiation.OWN))


@blueprint.get("/catalog")
def negotiated():
    chosen = negotiation.choose(_OFFER)
    if chosen is mediatypes.HTML:
        return html_view()
    return _rdf(chosen.extension, vary=True)


@blueprint.get("/catalog.<extension>")
def by_extension(extension: str):
    if extension == "html":
        return html_view()
    if extension not in BY_EXTENSION:
        known = ", ".join(f".{e}" for e in (*BY_EXTENSION, "html"))
        abort(404, description=f"unknown catalogue format '.{extension}' (known: {known})")
    return _rdf(extension)


def _rdf(extension: str, vary: bool = False) -> Response:
    fmt = BY_EXTENSION[extension]
    page = _page()
    response = Response(render(page.triples, fmt), mimetype=fmt.media_type)
    if vary:
        response.headers["Vary"] = "Accept"
    return response


def html_view():
    # search, filters and sort select across the whole catalogue; paging and counts are of
    # what they select
    chosen = {k: request.args.get(k, "")[:200] for k in NAMES}
    chosen["area"] = chosen["area"] or request.args.get("municipality", "")[:200]  # old links
    text = request.args.get("q", "")[:200].strip()
    sort = request.args.get("sort", "") or "relevance"
    if sort not in SORTS:
        abort(400, description=f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
    question = html.Question(text, sort, chosen, request.args.get("modified_since", ""))
    language = i18n.language()
    page = _page(chosen, text, sort, language, rdf=False)
    state = catalogue().state()
    return render_template(
        "catalog.html",
        page=page,
        question=question,
        datasets=html.listed(page.entries, state.names, language),
        facets=html.facet_lists(page.counts, chosen, question.kept, state.names, language),
        sorts=SORTS,
        excluded=state.index.excluded,
        formats=[f.extension for f in FORMATS],
    )


@blueprint.get("/catalog/dataset")
def dataset():
    """One dataset as the catalogue publishes it: names for its codes, each distribution's
    format, licence, size and date, a preview of CSV and GeoJSON, and the way back to its
    entry in the catalogue."""
    iri = request.args.get("iri", "")[:2000]
    found = catalogue().dataset(iri) if iri else None
    if found is None:
        abort(404, description=f"the catalogue lists no dataset {iri[:200]!r}")
    entry, position, triples = found
    language = i18n.language()
    state = catalogue().state()
    (shown,) = html.datasets(triples, [entry], state.names, language)
    return render_template(
        "catalog_dataset.html",
        d=shown,
        back=html.catalogue_entry(position, catalogue().html_page_size(), iri),
        resource=html.resource_page(iri),
        previews=preview.for_distributions(shown["distributions"], config()),
        quality=scores.of_resource(store(), iri),
    )


def _page(
    chosen: dict[str, str] | None = None,
    text: str = "",
    sort: str = "relevance",
    language: str = "de",
    rdf: bool = True,
):
    number = _page_number(request.args.get("page", "1"))
    since = _since(request.args.get("modified_since"))
    try:
        return catalogue().page(
            number, since, chosen, text=text, sort=sort, language=language, rdf=rdf
        )
    except PageNotFound as exc:
        abort(404, description=str(exc))


def _page_number(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        abort(400, description=f"page must be a whole number from 1, not {raw!r}")
    return int(raw)


def _since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    value = parse_time(raw.strip()) if len(raw) <= 40 else None
    if value is None or not raw[:4].isdigit():
        abort(
            400,
            description="modified_since must be an ISO 8601 date or date-time "
            f"(e.g. 2024-05-01 or 2024-05-01T12:00:00Z), not {raw[:40]!r}",
        )
    return value.astimezone(UTC)


@blueprint.get("/dumps/<name>")
def dump(name: str):
    catalogue().state()  # regenerates the dumps if the data moved on
    manifest = dumps.read_manifest(config())
    if not dumps.safe_name(name) or manifest is None or manifest.get(name) is None:
        abort(404, description=f"no dump named {name!r}")
    entry = manifest.get(name)
    path = dumps.folder(config()) / name
    response = send_file(
        path,
        mimetype="application/gzip" if entry.gzipped else entry.media_type,
        as_attachment=True,
        download_name=name,
        conditional=True,
        etag=True,
    )
    response.headers["Digest"] = f"sha-256={entry.sha256}"
    return response
