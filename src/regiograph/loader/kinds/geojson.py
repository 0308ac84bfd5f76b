"""``geojson``: a GeoJSON FeatureCollection (boundaries) mapped by a CSVW metadata file.

Each feature is a row whose columns are its properties, plus the column titled ``geometry``
holding its polygon as WKT (``regiograph.loader.map.geojson``); the CSVW mapping then says
what the row means, as for a ``csv`` source (``aboutUrl``, ``valueUrl``, datatypes …). Features
that are not polygons are left out and named in the run's message."""

from __future__ import annotations

import json

from pyoxigraph import DefaultGraph, Quad, Store

from regiograph import iris
from regiograph.loader.errors import MappingError
from regiograph.loader.kinds import Context, Harvested, constructs, fetch_one
from regiograph.loader.map import csvw, geojson
from regiograph.loader.sources import Source

ACCEPT = "application/geo+json, application/json;q=0.9, */*;q=0.1"


def harvest(source: Source, ctx: Context) -> Harvested:
    fetched, where = fetch_one(source, ctx, ACCEPT)
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
    where = harvested.urls[0]
    titles = [c.titles[0] for c in table.columns if not c.virtual]
    body, notes = geojson.to_csv(harvested.bodies[0], titles, where)
    harvested.notes.extend(notes)
    table.delimiter, table.encoding = ",", "utf-8"
    base = iris.source_base(ctx.base_iri, source.base_iri)
    triples = csvw.to_triples(body, table, base_iri=base, where=where)
    store = Store()
    graph = DefaultGraph()
    store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    ctx.progress.counted(source, records=body.count(b"\n") - 1)
    return constructs(source, store, ctx)
