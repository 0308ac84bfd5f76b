"""Resource pages and dereferencing (W3C "Cool URIs for the Semantic Web").

``/id/…`` answers 303 to ``/page/…`` (HTML) or ``/data/….ttl|jsonld|nt|rdf`` (RDF) by
content negotiation; IRIs outside the base have the same at ``/resource?iri=…``. What a
page shows is decided in :mod:`regiograph.resources`; this package only speaks HTTP.
"""

from flask import Blueprint

from regiograph.server.kit import headers, i18n

blueprint = Blueprint("pages", __name__)
blueprint.record_once(lambda state: i18n.init_app(state.app))
blueprint.after_request(headers.secure)
blueprint.after_request(i18n.remember)

from regiograph.server.routes.pages import deref  # noqa: E402,F401  (routes register on import)
