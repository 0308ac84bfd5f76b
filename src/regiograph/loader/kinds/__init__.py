"""One module per kind of source. Each has ``harvest(source, ctx) -> Harvested`` (fetch and
parse: the raw triples, or the raw pages) and ``to_graph(source, harvested, ctx) -> Store`` (the
candidate graph in the ontology's terms, in an in-memory store's default graph)."""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from pyoxigraph import Store

from regiograph import iris
from regiograph.loader.errors import FetchError, MappingError
from regiograph.loader.fetch import http, parse
from regiograph.loader.map import construct as mapping
from regiograph.loader.sources import Source


class Progress:
    """Callbacks for progress display; this one does nothing (the CLI has a real one)."""

    def page(self, source: Source, number: int, url: str) -> None:
        pass

    def step(self, source: Source, step: str) -> None:
        pass

    def counted(self, source: Source, *, records: int = 0, triples: int = 0) -> None:
        pass

    def uploaded(self, source: Source, nbytes: int) -> None:
        pass

    def done(self, source: Source, outcome: str) -> None:
        pass


@dataclass
class Context:
    base_iri: str  # the deployment's base IRI (site.base_iri)
    fetcher: http.Fetcher
    validators: tuple[str, str] | None = None  # ETag, Last-Modified of the last published run
    progress: Progress = field(default_factory=Progress)
    notes: list[str] = field(default_factory=list)  # for the run report: a charset not believed


@dataclass
class Harvested:
    store: Store | None = None  # parsed triples (dcat, rdf, sparql)
    bodies: list[bytes] = field(default_factory=list)  # raw documents (csv, ckan)
    urls: list[str] = field(default_factory=list)
    validators: tuple[str, str] | None = None  # to remember, for single-document sources
    records: int = 0
    legacy_dcatde: bool = False  # old DCAT-AP.de namespaces (or, ckan, any dcat-ap.de IRI) seen
    notes: list[str] = field(default_factory=list)  # what the mapping left out, for the record
    # What the mapping repaired, per node (acceptance.Repair): the run report lists each under
    # the dataset the node belongs to.
    repairs: list = field(default_factory=list)
    stopped: str = ""  # why paging stopped before the last page (policy partial_pages)


def module(kind: str):
    return import_module(f"regiograph.loader.kinds.{kind}")


def base_iri(source: Source, ctx: Context, document_url: str) -> str:
    """The base for relative IRIs: configured (``{base}`` = site base IRI) or the document's."""
    return iris.source_base(ctx.base_iri, source.base_iri) if source.base_iri else document_url


def load_fetched(
    store: Store, fetched: http.Fetched, where: str, source: Source, ctx: Context
) -> None:
    """Parse one fetched RDF document into ``store`` (syntax from its media type or the source)."""
    ctx.notes += parse.load(
        store,
        fetched.body,
        parse.rdf_format(fetched.media_type, where, source.format),
        where=where,
        charset=fetched.charset,
        base_iri=base_iri(source, ctx, fetched.url),
    )


def fetch_one(source: Source, ctx: Context, accept: str) -> tuple[http.Fetched, str]:
    """The source's single document, from its URL or (operator's file) its path."""
    if source.is_url:
        fetched = ctx.fetcher.get(source.location, accept=accept, validators=ctx.validators)
        ctx.progress.page(source, 1, fetched.url)
        return fetched, fetched.url
    path = source.path
    body = http.read_file(path, source.max_bytes)
    ctx.progress.page(source, 1, str(path))
    return http.Fetched(url=path.resolve().as_uri(), body=body, media_type=""), str(path)


def file_paths(source: Source) -> list[Path]:
    """The files of an operator's file source; ``location`` may be a glob (``*.ttl``)."""
    if not any(char in source.location for char in "*?["):
        return [source.path]
    pattern = str(source.folder / source.location)  # an absolute location stays as it is
    paths = sorted(Path(p) for p in glob.glob(pattern) if Path(p).is_file())
    if not paths:
        raise FetchError(f"{source.location}: no file matches in {source.folder}")
    return paths


def constructs(source: Source, store: Store, ctx: Context) -> Store:
    """The source's own CONSTRUCT files applied, when it has any; relative IRIs in them
    resolve against the source's base IRI (default: the deployment's)."""
    if not source.construct:
        return store
    queries = []
    for name in source.construct:
        path: Path = source.resolve(name)
        try:
            queries.append((name, path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise MappingError(f"{name}: cannot read the CONSTRUCT file ({exc.strerror})") from None
    return mapping.construct_all(store, queries, iris.source_base(ctx.base_iri, source.base_iri))
