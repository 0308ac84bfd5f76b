"""``rdf``: one RDF document (any common syntax, optionally gzipped), from a URL or a file,
optionally transformed by the source's CONSTRUCT files."""

from __future__ import annotations

from pyoxigraph import Store

from regiograph.loader.fetch import http, parse
from regiograph.loader.kinds import (
    Context,
    Harvested,
    base_iri,
    constructs,
    fetch_one,
    file_paths,
    load_fetched,
)
from regiograph.loader.sources import Source


def harvest(source: Source, ctx: Context) -> Harvested:
    if not source.is_url:
        return _files(source, ctx)
    fetched, where = fetch_one(source, ctx, parse.ACCEPT_RDF)
    store = Store()
    load_fetched(store, fetched, where, source, ctx)
    return Harvested(store=store, urls=[where], validators=(fetched.etag, fetched.last_modified))


def _files(source: Source, ctx: Context) -> Harvested:
    """An operator's files (a glob such as ``*.ttl`` names several), parsed into one graph."""
    store = Store()
    harvested = Harvested(store=store)
    for number, path in enumerate(file_paths(source), 1):
        body = http.read_file(path, source.max_bytes)
        ctx.progress.page(source, number, str(path))
        parse.load(
            store,
            body,
            parse.rdf_format("", path.name, source.format),
            where=str(path),
            base_iri=base_iri(source, ctx, path.resolve().as_uri()),
        )
        harvested.urls.append(str(path))
    return harvested


def to_graph(source: Source, harvested: Harvested, ctx: Context) -> Store:
    return constructs(source, harvested.store, ctx)
