"""``rdf``: one RDF document (any common syntax, optionally gzipped), from a URL or a file,
optionally transformed by the source's CONSTRUCT files."""

from __future__ import annotations

from pyoxigraph import Store

from regiograph.loader import parse
from regiograph.loader.source import Source
from regiograph.loader.sources import Context, Harvested, base_iri, constructs, fetch_one


def harvest(source: Source, ctx: Context) -> Harvested:
    fetched, where = fetch_one(source, ctx, parse.ACCEPT_RDF)
    fmt = parse.rdf_format(fetched.media_type, where, source.format)
    store = Store()
    parse.load(
        store,
        fetched.body,
        fmt,
        where=where,
        charset=fetched.charset,
        base_iri=base_iri(source, ctx, fetched.url),
    )
    return Harvested(store=store, urls=[where], validators=(fetched.etag, fetched.last_modified))


def to_graph(source: Source, harvested: Harvested, ctx: Context) -> Store:
    return constructs(source, harvested.store, ctx)
