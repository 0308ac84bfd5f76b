"""Requests to one store's endpoints: the session (no proxies, the dialect's credentials),
time limits (a query's, or the long one for uploads and dumps), and the store's answers that
are failures turned into typed errors (:mod:`.errors`). Used by :class:`.client.Store`."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from regiograph.store import dialects
from regiograph.store.errors import (
    NotAllowed,
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreUnavailable,
)


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    graph_store: str = ""  # empty: graphs are replaced with SPARQL Update
    username: str = ""
    password: str = ""
    auth: str = "basic"
    dialect: str = "generic"

    @classmethod
    def from_config(cls, config) -> Endpoints:
        query = config["store.query_url"]
        return cls(
            query=query,
            update=config["store.update_url"] or query,
            graph_store=config["store.graph_store_url"],
            username=config["store.username"],
            password=config["store.password"],
            auth=config["store.auth"],
            dialect=dialects.resolve(config["store.dialect"], query),
        )


class Transport:
    """HTTP to the store for :class:`.client.Store`, which sets ``endpoints``, ``session``
    and the three time limits."""

    endpoints: Endpoints
    session: requests.Session
    connect_timeout_s: float
    query_timeout_s: float
    upload_timeout_s: float

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        session.headers["User-Agent"] = "regiograph"
        session.trust_env = False  # the store is ours: no proxies from the environment
        session.auth = dialects.auth(self.endpoints)
        return session

    def forget_connections(self) -> None:
        """In a forked child: new connections, never the parent's keep-alive sockets (two
        processes reading one socket get each other's answers: broken chunks, 400s)."""
        self.session = self._new_session()

    def _request(
        self,
        method: str,
        url: str,
        *,
        stream: bool = False,
        bulk: bool = False,
        session: requests.Session | None = None,
        **kwargs,
    ):
        # Graph uploads and dumps (bulk) may take far longer than a query is allowed to. The
        # body is sent under the *connect* timeout (urllib3), and a store that parses while it
        # reads pauses for seconds now and then, so bulk transfers get the long limit for both.
        if bulk:
            timeout = (self.upload_timeout_s, self.upload_timeout_s)
        else:
            timeout = (self.connect_timeout_s, self.query_timeout_s + 5)
        try:
            response = (session or self.session).request(
                method, url, timeout=timeout, stream=stream, allow_redirects=False, **kwargs
            )
        except requests.ConnectionError as exc:
            raise StoreUnavailable(url, _reason(exc)) from None
        except requests.Timeout:
            raise QueryTimeout(f"the store did not answer within {timeout[1]:.0f} s") from None
        if response.status_code >= 300:
            _raise_for_status(response, url)
        if response.status_code == 206:  # Virtuoso's "anytime" partial result: all or nothing
            response.close()
            raise QueryTimeout("the store returned a partial result at its time limit")
        return response


def _raise_for_status(response: requests.Response, url: str) -> None:
    text = response.text[:4000]
    status = response.status_code
    if status in {401, 403}:
        raise NotAllowed(f"the store refused the operation ({status}): {text.strip()[:200]}")
    if status == 400:
        raise QuerySyntaxError(text)
    if status in {408, 504} or dialects.looks_like_timeout(text):
        raise QueryTimeout(f"the store stopped the query at its time limit: {text.strip()[:200]}")
    if status in {502, 503}:
        raise StoreUnavailable(url, f"HTTP {status}")
    raise StoreError(f"the store answered HTTP {status}: {text.strip()[:500]}")


def _reason(exc: Exception) -> str:
    text = str(exc)
    return "connection refused" if "refused" in text.lower() else text[:200]
