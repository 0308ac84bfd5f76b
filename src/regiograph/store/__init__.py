"""The only code that speaks to the triple store.

Everything else reaches the store through :class:`Store` (SPARQL 1.1 Query and Update,
Graph Store Protocol) and never builds HTTP requests to it, nor splices values into query
text: values are bound as RDF terms (:mod:`regiograph.store.binding`). The embedded default
store is Oxigraph's server, supervised by :class:`OxigraphServer`; any other SPARQL 1.1
store works by configuration alone (quirks in :mod:`regiograph.store.dialects`).

This package may not know the ontology, nor hand its callers an HTTP response or a store's
quirk to interpret: answers come back typed (:mod:`regiograph.store.results`), failures and
a query the store cut short at its time limit as typed errors (:mod:`regiograph.store.errors`).
"""

from regiograph.store.client import Endpoints, Store
from regiograph.store.errors import (
    NotAllowed,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreLocked,
    StoreUnavailable,
)
from regiograph.store.results import RawResult, Solutions, StreamedResult
from regiograph.store.supervisor import OxigraphServer

__all__ = [
    "Endpoints",
    "NotAllowed",
    "OxigraphServer",
    "QuerySyntaxError",
    "QueryTimeout",
    "RawResult",
    "Solutions",
    "Store",
    "StoreError",
    "StoreLocked",
    "StoreUnavailable",
    "StreamedResult",
]
