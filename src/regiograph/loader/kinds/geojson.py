"""``geojson``: a GeoJSON FeatureCollection (boundaries) mapped by a CSVW metadata file.

Each feature is a row whose columns are its properties, plus the column titled ``geometry``
holding its polygon as WKT (``regiograph.loader.map.geojson``); the CSVW mapping then says
what the row means, as for a ``csv`` source (``aboutUrl``, ``valueUrl``, datatypes …). Features
that are not polygons are left out and named in the run's message."""

from __future__ import annotations

from pyoxigraph import Store

from regiograph.loader.kinds import Context, Harvested, fetch_one
from regiograph.loader.kinds import csv as csv_kind
from regiograph.loader.map import geojson
from regiograph.loader.sources import Source

ACCEPT = "application/geo+json, application/json;q=0.9, */*;q=0.1"


def harvest(source: Source, ctx: Context) -> Harvested:
    fetched, where = fetch_one(source, ctx, ACCEPT)
    return Harvested(
        bodies=[fetched.body], urls=[where], validators=(fetched.etag, fetched.last_modified)
    )


def to_graph(source: Source, harvested: Harvested, ctx: Context) -> Store:
    table = csv_kind.read_table(source)
    where = harvested.urls[0]
    titles = [c.titles[0] for c in table.columns if not c.virtual]
    body, notes = geojson.to_csv(harvested.bodies[0], titles, where)
    harvested.notes.extend(notes)
    table.delimiter, table.encoding = ",", "utf-8"
    return csv_kind.mapped(source, ctx, table, body, where, body.count(b"\n") - 1)
