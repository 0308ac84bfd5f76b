"""Mapping a candidate graph to the ontology: SPARQL files run on the in-memory candidate.

The queries are files beside this module (``sparql/*.rq`` for queries, ``*.ru`` for updates)
or the source's own CONSTRUCT files; values are bound as RDF terms, never spliced. No I/O
here beyond reading those files: the candidate is a pyoxigraph in-memory store whose default
graph holds the source's triples.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Store

from regiograph.loader.errors import MappingError
from regiograph.loader.sources import Source
from regiograph.store import rdfguard
from regiograph.store.binding import bind

SPARQL = Path(__file__).resolve().parents[1] / "sparql"
# Byte strings whose presence makes the namespace normalisation worth a pass over the data.
OLD_DCATDE = (b"dcat-ap.de/def/dcatde/1", b"www.dcat-ap.de/def/dcatde/", b"/def/licenses/")


@cache
def text(name: str) -> str:
    return (SPARQL / name).read_text(encoding="utf-8")


def new_store() -> Store:
    return Store()


def triple_count(store: Store) -> int:
    return len(store)


def next_pages(store: Store, page_url: str) -> list[str]:
    """The hydra:nextPage / hydra:next targets of a page, resolved against its URL. CKAN
    writes them as literals, others as IRIs; both count."""
    found = set()
    for row in store.query(text("next-page.rq")):
        term = row["next"]
        if isinstance(term, NamedNode | Literal) and term.value.strip():
            found.add(urljoin(page_url, term.value.strip()))
    return sorted(found)


def drop_paging(store: Store) -> None:
    store.update(text("drop-paging.ru"))


def legacy_dcatde(raw: bytes) -> bool:
    """Whether fetched bytes show old DCAT-AP.de namespaces or licence IRIs."""
    return any(marker in raw for marker in OLD_DCATDE)


def normalise_dcatde(store: Store, raw: bytes | None = None) -> None:
    """Old DCAT-AP.de namespaces and licence IRIs to current ones; skipped when ``raw`` (the
    fetched bytes) shows none of them."""
    if raw is not None and not legacy_dcatde(raw):
        return
    store.update(text("normalise-dcatde.ru"))


def complete_dcat(store: Store, source: Source, graph: str) -> None:
    """The one place a source's defaults are applied (the catalogue publishes what it finds):
    datasets without a named publisher get ``default_publisher``, an agent with a name,
    distributions without a licence ``default_licence``. ``graph`` is the source's graph."""
    if source.default_publisher:
        agent, name = default_publisher(source, graph)
        values = {"publisher": NamedNode(agent), "name": Literal(name)}
        store.update(bind(text("default-publisher.ru"), values))
    if source.default_licence:
        values = {"licence": NamedNode(source.default_licence)}
        store.update(bind(text("default-licence.ru"), values))


def default_publisher(source: Source, graph: str) -> tuple[str, str]:
    """The agent a source's ``default_publisher`` names and its name: an IRI names itself,
    called by the source's title (or id); a plain name is the agent ``{graph}#publisher``."""
    value = source.default_publisher
    if value.startswith(("http://", "https://")):
        return value, source.title or source.id or value
    return f"{graph}#publisher", value


def construct(
    store: Store,
    query: str,
    *,
    where: str,
    substitutions: dict[str, NamedNode | Literal] | None = None,
    base_iri: str | None = None,
) -> Store:
    """A new store holding the results of a CONSTRUCT query over ``store``."""
    try:
        results = store.query(bind(query, substitutions or {}), base_iri=base_iri)
    except (SyntaxError, ValueError) as exc:
        raise MappingError(f"{where}: not a valid SPARQL query: {exc}") from None
    except OSError as exc:
        raise MappingError(f"{where}: the query failed: {exc}") from None
    if (
        isinstance(results, bool)
        or not hasattr(results, "__next__")
        or hasattr(results, "variables")
    ):
        raise MappingError(f"{where}: a mapping query must be a CONSTRUCT query")
    out = Store()
    graph = DefaultGraph()
    out.extend(Quad(t.subject, t.predicate, t.object, graph) for t in results)
    return out


def construct_all(store: Store, queries: list[tuple[str, str]], base_iri: str) -> Store:
    """The union of several CONSTRUCT queries' results (``queries``: (where, text) pairs);
    relative IRIs in the queries resolve against ``base_iri``."""
    out = Store()
    for where, query in queries:
        out.extend(construct(store, query, where=where, base_iri=base_iri))
    return out


def ckan_to_dcat(pages: list[bytes], portal: str, catalog: str) -> Store:
    """package_search responses (JSON) as DCAT-AP.de, by a JSON-LD context and a CONSTRUCT."""
    raw = Store()
    context = json.loads(text("ckan-context.jsonld"))
    for number, body in enumerate(pages, 1):
        try:
            rdfguard.check(body, RdfFormat.JSON_LD)  # read as JSON-LD below: bound its depth
            document = json.loads(body)
        except rdfguard.RefusedInput as exc:
            raise MappingError(f"CKAN page {number}: {exc}") from None
        except ValueError as exc:
            raise MappingError(f"CKAN page {number}: not JSON ({exc})") from None
        if not isinstance(document, dict) or not isinstance(document.get("result"), dict):
            raise MappingError(f"CKAN page {number}: not a package_search response")
        document["@context"] = context
        raw.load(json.dumps(document).encode("utf-8"), RdfFormat.JSON_LD)
    return construct(
        raw,
        text("ckan-to-dcat.rq"),
        where="ckan-to-dcat.rq",
        substitutions={"portal": NamedNode(portal), "catalog": NamedNode(catalog)},
    )
