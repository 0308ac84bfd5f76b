"""``dcat``: a DCAT / DCAT-AP / DCAT-AP.de catalogue in any RDF syntax, following Hydra paging
(``hydra:nextPage`` of the old ``hydra:PagedCollection``, ``hydra:next`` of a
``hydra:PartialCollectionView``) to the end. Dataset IRIs stay the publisher's. A next page
that points back to a page already read is a paging loop and stops the run. A page that cannot
be fetched or read (after the fetcher's retries) stops it too, naming the page, its URL and
why: half a catalogue is not published by accident. With ``policy = { partial_pages = true }``
the pages read before it go on through the pipeline instead, and the run's notes say which page
was missing.

Mapping: the Hydra paging nodes are dropped, what is unambiguous is repaired (old DCAT-AP.de
namespaces and licence IRIs, literal access URLs, wrong codes with a published mapping, e-mail
addresses resolved against the page's URL: :mod:`regiograph.loader.map.repair`, each repair in
``harvested.repairs``), datasets and distributions without publisher or licence get the
source's defaults, then the source's own CONSTRUCT files run, if any.
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Store

from regiograph.loader.errors import FetchError, LoaderError, MappingError, ParseError
from regiograph.loader.fetch import parse
from regiograph.loader.kinds import (
    Context,
    Harvested,
    base_iri,
    constructs,
    fetch_one,
    load_fetched,
)
from regiograph.loader.map import construct as mapping
from regiograph.loader.map.repair import old_namespaces, repair
from regiograph.loader.sources import Source
from regiograph.namespaces import DCAT


def harvest(source: Source, ctx: Context) -> Harvested:
    fetched, where = fetch_one(source, ctx, parse.ACCEPT_RDF)
    store = Store()
    load_fetched(store, fetched, where, source, ctx)
    harvested = Harvested(
        store=store,
        urls=[where],
        validators=(fetched.etag, fetched.last_modified),
        legacy_dcatde=old_namespaces(fetched.body),
    )
    if not source.is_url:
        return harvested  # an operator's file: its paging links are not followed
    _follow_pages(source, ctx, harvested, mapping.next_pages(store, fetched.url))
    if len(harvested.urls) > 1:
        harvested.validators = None  # a paged source is fetched in full every time
    return harvested


def _follow_pages(source: Source, ctx: Context, harvested: Harvested, nexts: list[str]) -> None:
    while nexts:
        url = nexts[0]
        if url in harvested.urls:
            raise FetchError(
                f"{source.location}: paging loop: page {len(harvested.urls)} "
                f"({harvested.urls[-1]}) points back to page {harvested.urls.index(url) + 1} "
                f"({url})"
            )
        if len(harvested.urls) >= source.max_pages:
            raise FetchError(
                f"{source.location}: more than max_pages = {source.max_pages} "
                "pages; raise it if the catalogue is that large"
            )
        number = len(harvested.urls) + 1
        try:
            fetched = ctx.fetcher.get(url, accept=parse.ACCEPT_RDF)
            # Parsed once, by the loader's one parse path; each load gives the page's blank
            # nodes fresh ids, so pages never share one. A page of its own: its next links only.
            page = Store()
            load_fetched(page, fetched, url, source, ctx)
        except (FetchError, ParseError) as exc:
            _missing_page(source, harvested, number, exc)
            return
        harvested.urls.append(url)
        ctx.progress.page(source, number, url)
        nexts = mapping.next_pages(page, fetched.url)
        harvested.store.extend(page)
        harvested.legacy_dcatde |= old_namespaces(fetched.body)


def _missing_page(source: Source, harvested: Harvested, number: int, exc: LoaderError) -> None:
    """Page ``number`` could not be had: the run fails, or (partial_pages) goes on without it."""
    said = f"page {number} of the paged catalogue failed: {exc}"
    if not source.policy.partial_pages:
        error = type(exc)(
            f"{said}; nothing published, as the {number - 1} page(s) before it are only part "
            "of the catalogue (policy partial_pages = true would publish them)"
        )
        raise error from None
    harvested.stopped = (
        f"{said}; the {number - 1} page(s) before it are published (policy partial_pages = true)"
    )


def to_graph(source: Source, harvested: Harvested, ctx: Context) -> Store:
    store = harvested.store
    try:
        mapping.drop_paging(store)
        documents = harvested.urls if source.is_url else [_file_url(u) for u in harvested.urls]
        bases = [base_iri(source, ctx, url) for url in documents]
        harvested.repairs += repair(store, bases, legacy=harvested.legacy_dcatde)
        mapping.complete_dcat(store, source, source.graph(ctx.base_iri))
    except (SyntaxError, ValueError) as exc:
        raise MappingError(f"{source.id}: mapping the catalogue failed: {exc}") from None
    ctx.progress.counted(source, records=datasets(store))
    return constructs(source, store, ctx)


def _file_url(path: str) -> str:
    """The base an operator's file was parsed with (``fetch_one``)."""
    return Path(path).resolve().as_uri()


def datasets(store: Store) -> int:
    rows = store.query(f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a <{DCAT}Dataset> }}")
    return int(next(iter(rows))["n"].value)
