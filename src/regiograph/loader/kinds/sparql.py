"""``sparql``: a CONSTRUCT query (the source's ``query`` file) sent to a remote endpoint.

Sent with the SPARQL 1.1 Protocol (GET ``?query=``) through the loader's own fetcher rather
than SPARQLWrapper: that one uses urllib, which follows redirects to any address and has no
size cap, and the same guards must hold for every source.
"""

from __future__ import annotations

from pyoxigraph import Store

from regiograph.loader.errors import FetchError, MappingError
from regiograph.loader.fetch import parse
from regiograph.loader.kinds import Context, Harvested, constructs
from regiograph.loader.sources import Source
from regiograph.mediatypes import NTRIPLES, RDFXML, TURTLE, accept_header, rdf_by_media_type
from regiograph.store import QueryTimeout
from regiograph.store.results import check_complete

ACCEPT = accept_header(NTRIPLES, (TURTLE, 0.9))


def harvest(source: Source, ctx: Context) -> Harvested:
    path = source.resolve(source.query)
    try:
        query = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingError(f"{source.query}: cannot read the query ({exc.strerror})") from None
    fetched = ctx.fetcher.get(source.location, accept=ACCEPT, params={"query": query})
    ctx.progress.page(source, 1, source.location)
    try:
        check_complete(fetched.body)  # an Oxigraph endpoint marks a stopped query only so
    except QueryTimeout:
        raise FetchError(
            f"{source.location}: the endpoint cancelled the query (time limit)"
        ) from None
    fmt = rdf_by_media_type(fetched.media_type)
    if fmt not in (NTRIPLES, TURTLE, RDFXML):
        raise FetchError(
            f"{source.location}: wrong content type "
            f"'{fetched.media_type or 'none'}' for a CONSTRUCT result"
        )
    store = Store()
    parse.load(store, fetched.body, fmt.rdf, where=source.location, base_iri=None)
    return Harvested(store=store, urls=[source.location])


def to_graph(source: Source, harvested: Harvested, ctx: Context) -> Store:
    return constructs(source, harvested.store, ctx)
