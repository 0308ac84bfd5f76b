"""``csv``: a table mapped by its CSVW metadata file (``mapping``), then optionally by the
source's CONSTRUCT files. Relative IRIs in the templates resolve against ``base_iri``
(default: the deployment's base IRI, so ``id/municipality/{ags}`` is a thing of this site)."""

from __future__ import annotations

import json

from pyoxigraph import DefaultGraph, Quad, Store

from regiograph import iris
from regiograph.loader.errors import MappingError
from regiograph.loader.fetch import charset
from regiograph.loader.kinds import Context, Harvested, constructs, fetch_one
from regiograph.loader.map import csvw
from regiograph.loader.sources import Source
from regiograph.mediatypes import HTML, XHTML

ACCEPT = "text/csv, text/plain;q=0.5, */*;q=0.1"


def harvest(source: Source, ctx: Context) -> Harvested:
    fetched, where = fetch_one(source, ctx, ACCEPT)
    if fetched.media_type in (HTML.media_type, XHTML.media_type):
        raise MappingError(f"{where}: wrong content type {fetched.media_type} for a CSV table")
    return Harvested(
        bodies=[fetched.body], urls=[where], validators=(fetched.etag, fetched.last_modified)
    )


def to_graph(source: Source, harvested: Harvested, ctx: Context) -> Store:
    table = read_table(source)
    table.encoding, note = charset.believed(harvested.bodies[0], table.encoding, harvested.urls[0])
    ctx.notes += [note] if note else []
    body = harvested.bodies[0]
    return mapped(source, ctx, table, body, harvested.urls[0], len(body.splitlines()) - 1)


def read_table(source: Source) -> csvw.Table:
    """The source's CSVW metadata file (``mapping``), read."""
    path = source.resolve(source.mapping)
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MappingError(f"{source.mapping}: cannot read the CSVW metadata ({exc})") from None
    return csvw.read_metadata(metadata, source.mapping)


def mapped(
    source: Source, ctx: Context, table: csvw.Table, body: bytes, where: str, records: int
) -> Store:
    """The table's rows as triples (the source's ``base_iri`` resolving relative templates),
    counted as ``records`` rows, then the source's CONSTRUCT files."""
    base = iris.source_base(ctx.base_iri, source.base_iri)
    triples = csvw.to_triples(body, table, base_iri=base, where=where)
    store = Store()
    graph = DefaultGraph()
    store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    ctx.progress.counted(source, records=records)
    return constructs(source, store, ctx)
