"""Routes: /id/… (303), /page/… (HTML), /data/… (RDF), /resource?iri=… (any IRI)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, redirect, request, url_for
from pyoxigraph import NamedNode

from regiograph import mediatypes
from regiograph.resources import describe
from regiograph.resources.ontology import ontology
from regiograph.server.kit import headers
from regiograph.server.kit.caching import cached
from regiograph.server.kit.counting import CountingStore
from regiograph.server.kit.negotiation import (
    FORMATS,
    HTML,
    UnknownFormat,
    negotiate,
    split_extension,
)
from regiograph.server.kit.urls import thing_iri, thing_key
from regiograph.server.routes.pages import render
from regiograph.server.services import page_reads

blueprint = Blueprint("pages", __name__)
blueprint.after_request(headers.secure)
MAX_IRI_LENGTH = 4096


@blueprint.get("/id/<path:key>")
def identifier(key: str):
    """The thing itself has no representation: 303 to the document that describes it."""
    _thing(key)
    chosen = negotiate()
    if chosen == HTML:
        target = url_for("pages.page", key=key)
    else:
        target = url_for("pages.data", key=f"{key}.{chosen}")
    response = redirect(target, code=303)
    return _alternates(response, key=key)


@blueprint.get("/page/<path:key>")
def page(key: str):
    iri = _thing(key)
    return cached(HTML, lambda: _alternates(render.resource_page(iri), key=key))


@blueprint.get("/data/<path:key>")
def data(key: str):
    stem, extension = split_extension(key)
    extension = extension or negotiate(default="ttl")
    if extension == HTML:
        return redirect(url_for("pages.page", key=stem), code=303)
    iri = _thing(stem)
    return cached(extension, lambda: _alternates(rdf_response(iri, extension), key=stem))


@blueprint.get("/resource")
def resource():
    iri = checked_iri(request.args.get("iri", ""))
    key = thing_key(iri)
    if key is not None:
        return redirect(url_for("pages.identifier", key=key), code=303)
    requested = request.args.get("format")
    try:
        extension = negotiate(requested=requested)
    except UnknownFormat:
        abort(400, description=f"unknown format {requested!r}; use one of {', '.join(FORMATS)}")

    def build():
        response = render.resource_page(iri) if extension == HTML else rdf_response(iri, extension)
        return _alternates(response, iri=iri)

    return cached(extension, build)


def _thing(key: str) -> str:
    """The IRI of the thing ``key`` names, or a 404: a key with a character no IRI may hold
    (``"``, ``>``, a space, a control character, a backslash) names nothing here."""
    iri = thing_iri(key)
    try:
        NamedNode(iri)
    except ValueError:
        abort(404, description="no resource has this name: it holds a character no IRI may hold")
    return iri


def checked_iri(text: str) -> str:
    """An absolute IRI the store accepts, or a 400 that says what is wrong."""
    if not text:
        abort(400, description="the parameter iri is missing")
    if len(text) > MAX_IRI_LENGTH:
        abort(400, description=f"the IRI is longer than {MAX_IRI_LENGTH} characters")
    try:
        NamedNode(text)
    except ValueError as exc:
        abort(400, description=f"not a valid IRI: {exc}")
    if not urlsplit(text).scheme:
        abort(400, description="not an absolute IRI (it has no scheme)")
    return text


def rdf_response(iri: str, extension: str) -> Response:
    counted = CountingStore(page_reads())
    triples = describe.data(counted, iri)
    if not triples:
        abort(404, description=f"nothing is known about <{iri}>")
    fmt = FORMATS[extension]
    body = mediatypes.write(triples, fmt, ontology().prefixes)
    response = Response(body, mimetype=fmt.media_type)
    response.headers["X-Store-Queries"] = str(counted.queries)
    return response


def _alternates(response: Response, *, key: str | None = None, iri: str | None = None):
    """Vary and Link headers: every representation of the resource, by public URL."""
    links = []
    for extension, fmt in FORMATS.items():
        if key is not None:
            url = url_for("pages.data", key=f"{key}.{extension}", _external=True)
        else:
            url = url_for("pages.resource", iri=iri, format=extension, _external=True)
        links.append(f'<{url}>; rel="alternate"; type="{fmt.media_type}"')
    html = (
        url_for("pages.page", key=key, _external=True)
        if key is not None
        else url_for("pages.resource", iri=iri, _external=True)
    )
    links.append(f'<{html}>; rel="alternate"; type="text/html"')
    if response.status_code < 300 and response.mimetype == "text/html":
        links.append(f'<{html}>; rel="canonical"')
    response.headers["Link"] = ", ".join(links)
    response.vary.add("Accept")
    return response
