"""Where SPARQL 1.1 stores differ, in one place.

- Oxigraph: ``/query``, ``/update``, ``/store?graph=``; no authentication at all (it only
  ever listens on loopback behind the platform); a cancelled query is HTTP 200 with a note
  appended to the body.
- Virtuoso 7: ``/sparql`` reads anonymously; writes go to ``/sparql-auth`` and
  ``/sparql-graph-crud-auth`` with HTTP *digest* authentication; the Graph Store parameter is
  ``graph-uri``; time limits come back as HTTP 206 partial results or a ``SQL-State`` error;
  the store keeps system graphs (``http://www.openlinksw.com/…``) that are not ours.
- regiograph: the embedded store's owner (:mod:`regiograph.owner`): Oxigraph's paths; writes need a
  bearer token (the password); it keeps the data version itself, with every write, and
  answers it at ``/version``; bulk parts become visible with ``POST /commit``.
- Anything else ("generic": Fuseki, GraphDB, QLever, …): the standard protocol as written.
"""

from __future__ import annotations

from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

_SYSTEM_GRAPH_PREFIXES = {
    "virtuoso": (
        "http://www.openlinksw.com/",
        "http://www.w3.org/2002/07/owl",
        "http://localhost:8890/",
        "http://www.w3.org/ns/ldp",
        "urn:activitystreams-owl:map",
        "urn:core:services:sparql",
    ),
}
_TIMEOUT_MARKERS = ("SR171", "S1T00", "timeout", "time limit", "cancelled")


def resolve(dialect: str, query_url: str) -> str:
    """The dialect to use; 'auto' guesses from the query URL."""
    if dialect != "auto":
        return dialect
    if query_url.rstrip("/").endswith(("/sparql", "/sparql-auth")) and ":8890" in query_url:
        return "virtuoso"
    if query_url.rstrip("/").endswith("/query"):
        return "oxigraph"
    return "generic"


class BearerAuth(AuthBase):
    def __init__(self, token: str):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def auth(endpoints):
    if endpoints.dialect == "regiograph" and endpoints.password:
        return BearerAuth(endpoints.password)
    if not endpoints.username:
        return None
    if endpoints.auth == "digest":
        return HTTPDigestAuth(endpoints.username, endpoints.password)
    return HTTPBasicAuth(endpoints.username, endpoints.password)


def graph_parameter(endpoints, graph: str) -> dict[str, str]:
    if endpoints.dialect == "virtuoso":
        return {"graph-uri": graph}
    return {"graph": graph}


def bulk_parameters(endpoints) -> dict[str, str]:
    """Graph Store parameters for a fast, non-transactional load, where the store has one."""
    if endpoints.dialect in {"oxigraph", "regiograph"}:
        return {"no_transaction": ""}
    return {}


def keeps_versions(endpoints) -> bool:
    """Whether the store moves the data version itself, with each write (our owner)."""
    return endpoints.dialect == "regiograph"


def owner_url(endpoints, path: str) -> str:
    """One of the owner's own paths (``/version``, ``/commit``) beside its query URL."""
    return endpoints.query.removesuffix("/query") + path


def query_parameters(endpoints, timeout_s: float) -> list[tuple[str, str]]:
    if endpoints.dialect == "virtuoso":
        return [("timeout", str(int(timeout_s * 1000)))]
    return []


def is_system_graph(endpoints, graph: str) -> bool:
    return graph.startswith(_SYSTEM_GRAPH_PREFIXES.get(endpoints.dialect, ()))


# Oxigraph answers a cancelled query with HTTP 200 and this text appended to the body.
_CANCELLED = b"The SPARQL operation has been cancelled"


def was_cancelled(body: bytes) -> bool:
    """Whether a 200 answer ends in Oxigraph's note that the query was stopped at its limit."""
    return body.rstrip().endswith(_CANCELLED)


def looks_like_timeout(text: str) -> bool:
    lowered = text.lower()
    return any(marker.lower() in lowered for marker in _TIMEOUT_MARKERS)
