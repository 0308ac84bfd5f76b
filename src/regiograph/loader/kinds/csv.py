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
    path = source.resolve(source.mapping)
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MappingError(f"{source.mapping}: cannot read the CSVW metadata ({exc})") from None
    table = csvw.read_metadata(metadata, source.mapping)
    base = iris.source_base(ctx.base_iri, source.base_iri)
    table.encoding, note = charset.believed(harvested.bodies[0], table.encoding, harvested.urls[0])
    ctx.notes += [note] if note else []
    triples = csvw.to_triples(harvested.bodies[0], table, base_iri=base, where=harvested.urls[0])
    store = Store()
    graph = DefaultGraph()
    store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    ctx.progress.counted(source, records=len(harvested.bodies[0].splitlines()) - 1)
    return constructs(source, store, ctx)
