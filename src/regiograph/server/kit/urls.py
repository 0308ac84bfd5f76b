"""The local URLs of IRIs, for every surface that links to a resource page or its data.

A thing of this deployment (``{base}id/{key}``, :mod:`regiograph.iris`) has its page at
``/page/{key}`` and its data at ``/data/{key}.{ext}``; any other IRI has both at
``/resource?iri=…``. Only this module knows those routes' names.
"""

from __future__ import annotations

from flask import url_for

from regiograph import iris
from regiograph.server.kit.negotiation import FORMATS
from regiograph.server.services import config


def thing_iri(key: str) -> str:
    """The IRI a ``/id/``, ``/page/`` or ``/data/`` key names."""
    return iris.thing(config().base_iri, key)


def thing_key(iri: str) -> str | None:
    """The key of a thing of this deployment; None for any other IRI."""
    return iris.thing_key(config().base_iri, iri)


def link_for(iri: str) -> str:
    """The local page of any IRI: /page/… for things under the base, /resource otherwise."""
    key = thing_key(iri)
    if key is not None and "?" not in iri and "#" not in iri:
        return url_for("pages.page", key=key)
    return url_for("pages.resource", iri=iri)


def canonical_url(iri: str) -> str:
    """The absolute URL of the page of ``iri``, as ``rel="canonical"`` names it."""
    key = thing_key(iri)
    if key is not None:
        return url_for("pages.page", key=key, _external=True)
    return url_for("pages.resource", iri=iri, _external=True)


def data_links(iri: str) -> list[tuple[str, str]]:
    """(extension, URL) of every RDF serialisation of what is known about ``iri``."""
    key = thing_key(iri)
    if key is not None:
        return [(ext, url_for("pages.data", key=f"{key}.{ext}")) for ext in FORMATS]
    return [(ext, url_for("pages.resource", iri=iri, format=ext)) for ext in FORMATS]
