"""``ckan``: the CKAN action API, ``package_search`` paged with ``rows``/``start`` until
``count`` is reached, filtered by organisations and tags, mapped to DCAT-AP.de by a JSON-LD
context and a CONSTRUCT query (``sparql/ckan-to-dcat.rq``), then repaired as a ``dcat`` source is
(:mod:`regiograph.loader.map.repair`: a format in another case, a wrong code)."""

from __future__ import annotations

import json

from pyoxigraph import Store

from regiograph.loader.disclosure import quoted
from regiograph.loader.errors import FetchError, ParseError
from regiograph.loader.kinds import Context, Harvested, constructs
from regiograph.loader.map import construct as mapping
from regiograph.loader.map.repair import repair
from regiograph.loader.sources import Source

ACCEPT = "application/json"


def search_url(source: Source) -> str:
    return source.location.rstrip("/") + "/api/3/action/package_search"


def filter_query(source: Source) -> str:
    """Solr ``fq``: any of the organisations, and any of the tags."""
    parts = []
    for field, values in (("organization", source.organisations), ("tags", source.tags)):
        if values:
            clean = [v.replace('"', "").replace("\\", "") for v in values]
            parts.append("(" + " OR ".join(f'{field}:"{v}"' for v in clean) + ")")
    return " AND ".join(parts)


def harvest(source: Source, ctx: Context) -> Harvested:
    harvested = Harvested()
    start, count = 0, None
    fq = filter_query(source)
    while count is None or start < count:
        if len(harvested.bodies) >= source.max_pages:
            raise FetchError(
                f"{source.location}: more than max_pages = {source.max_pages} "
                "pages of package_search"
            )
        params = {"rows": str(source.rows), "start": str(start)}
        if fq:
            params["fq"] = fq
        fetched = ctx.fetcher.get(search_url(source), accept=ACCEPT, params=params)
        count, results = _page(fetched.body, fetched.url)
        harvested.bodies.append(fetched.body)
        harvested.urls.append(fetched.url)
        ctx.progress.page(source, len(harvested.bodies), fetched.url)
        if not results:
            break
        start += results
        harvested.records = start
        ctx.progress.counted(source, records=start)
    harvested.legacy_dcatde = any(b"dcat-ap.de/def/" in body for body in harvested.bodies)
    return harvested


def _page(body: bytes, url: str) -> tuple[int, int]:
    if b"<html" in body[:512].lower():
        raise FetchError(f"{url}: wrong content type: an HTML page, not the CKAN API")
    try:
        document = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{url}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except ValueError as exc:
        # json.loads of bytes: neither UTF-8, -16 nor -32; the decoder names the byte
        raise ParseError(f"{url}: not valid JSON: not UTF-8 text ({quoted(exc)})") from None
    try:
        result = document["result"]
        return int(result["count"]), len(result["results"])
    except (KeyError, TypeError, ValueError):
        raise FetchError(f"{url}: not a CKAN package_search response") from None


def to_graph(source: Source, harvested: Harvested, ctx: Context) -> Store:
    portal = source.location.rstrip("/") + "/"
    store = mapping.ckan_to_dcat(harvested.bodies, portal, portal)
    harvested.repairs += repair(store, [portal], legacy=harvested.legacy_dcatde)
    mapping.complete_dcat(store, source, source.graph(ctx.base_iri))
    return constructs(source, store, ctx)
