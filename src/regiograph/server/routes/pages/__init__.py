"""Resource pages and dereferencing (W3C "Cool URIs for the Semantic Web").

``/id/…`` answers 303 to ``/page/…`` (HTML) or ``/data/….ttl|jsonld|nt|rdf`` (RDF) by
content negotiation; IRIs outside the base have the same at ``/resource?iri=…``. What a
page shows is decided in :mod:`regiograph.resources`; this package only speaks HTTP.
"""

from regiograph.server.routes.pages.deref import blueprint

__all__ = ["blueprint"]
