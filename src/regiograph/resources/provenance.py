"""Where statements come from: what the platform's metadata graph says about each source
graph (harvest time, source, validation outcome). Read once per data version.

The loader writes the records; this module shows whatever of them exists and nothing when
there are none, so pages work on a store without a metadata graph.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode

from regiograph.namespaces import DCAT, DCT, PROV
from regiograph.resources.describe import query

_TIME = (
    PROV + "endedAtTime",
    PROV + "generatedAtTime",
    DCT + "modified",
    DCT + "issued",
    PROV + "startedAtTime",
    DCT + "created",
)
_SOURCE = (
    DCT + "source",
    PROV + "used",
    PROV + "hadPrimarySource",
    DCAT + "accessURL",
)
_STATUS_WORDS = ("conforms", "outcome", "status", "accepted")


@dataclass
class GraphInfo:
    graph: str
    title: str | None = None  # the source's name, as its catalogue record gives it
    time: Literal | None = None
    source: str | None = None
    status: str | None = None
    details: list[tuple[str, object]] = field(default_factory=list)


_cache: dict[str, tuple[str, dict[str, GraphInfo]]] = {}
_lock = threading.Lock()


def graph_info(store, meta_graph: str) -> dict[str, GraphInfo]:
    """Graph IRI → what the metadata graph says about it, cached per data version."""
    version = store.data_version()
    cached = _cache.get(meta_graph)
    if cached and cached[0] == version:
        return cached[1]
    with _lock:
        info: dict[str, GraphInfo] = {}
        for row in store.select(query("provenance"), {"meta": NamedNode(meta_graph)}):
            graph = row["g"].value
            _absorb(info.setdefault(graph, GraphInfo(graph)), row["p"].value, row["o"])
        _cache[meta_graph] = (version, info)
    return info


def _absorb(info: GraphInfo, predicate: str, obj) -> None:
    info.details.append((predicate, obj))
    if predicate == DCT + "title" and isinstance(obj, Literal):
        info.title = info.title or obj.value
    elif predicate in _TIME and isinstance(obj, Literal):
        if info.time is None or _TIME.index(predicate) == 0:
            info.time = obj
    elif predicate in _SOURCE and info.source is None:
        info.source = obj.value
    elif isinstance(obj, Literal | NamedNode) and any(
        word in predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1].lower() for word in _STATUS_WORDS
    ):
        info.status = obj.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
