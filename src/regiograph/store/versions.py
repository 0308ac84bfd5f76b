"""The data version part of :class:`.client.Store`: a value every process sees move when a
graph is written through the platform (and the content version, which writes to the metadata
graph alone leave unmoved). The embedded store's owner keeps them itself; other stores keep
them in the metadata graph."""

from __future__ import annotations

import time
import uuid

from pyoxigraph import Literal, NamedNode

from regiograph.namespaces import RG
from regiograph.store import dialects


class DataVersions:
    """Data and content versions; a part of :class:`.client.Store` (it sets ``meta_graph``,
    ``_version``, ``_writes`` and ``_version_ttl_s`` and lends ``select`` and ``_request``)."""

    def data_version(self) -> str:
        """A value that changes whenever a graph is replaced or updated through the platform.

        Read from the store's metadata graph, so every process and every app instance sees
        the same value; cached for ``version_ttl_s`` because pages ask for it on every request.
        """
        return self._versions()[0]

    def content_version(self) -> str:
        """Like :meth:`data_version`, but unmoved by writes to the metadata graph alone.

        A harvest that finds its source unchanged still records its run; what is derived
        from the published graphs only (the statistics mirror, the search index) keys on
        this and is not rebuilt for it. Stores written before it existed answer the data
        version."""
        return self._versions()[1]

    def _versions(self) -> tuple[str, str]:
        now = time.monotonic()
        if self._version and now - self._version[0] < self._version_ttl_s:
            return self._version[1]
        if dialects.keeps_versions(self.endpoints):
            return self._owner_says()[0]
        writes = self._writes
        meta = NamedNode(self.meta_graph)
        rows = self.select(
            f"SELECT ?v ?c WHERE {{ GRAPH {meta} {{ {meta} <{RG}dataVersion> ?v "
            f"OPTIONAL {{ {meta} <{RG}contentVersion> ?c }} }} }}"
        )
        data = rows[0]["v"].value if rows else "0"
        content = rows[0]["c"].value if rows and "c" in rows[0] else data
        self._keep_version(writes, (data, content))
        return data, content

    def _keep_version(self, writes: int, versions: tuple[str, str]) -> None:
        """Cache what was read, unless a write through this client ended while it was read
        (another thread's read of the old version would hide that write for the TTL)."""
        if self._writes == writes:
            self._version = (time.monotonic(), versions)

    def _forget_version(self) -> None:
        """After a write through this client: the next reader asks again."""
        self._writes += 1
        self._version = None

    def owner_problems(self) -> list[str]:
        """What the embedded store's owner says is wrong right now (a full disk: a write that
        failed, writes not readable yet), read fresh; empty for any other store. The owner
        keeps serving reads through such problems, so they make the platform degraded."""
        if not dialects.keeps_versions(self.endpoints):
            return []
        return self._owner_says()[1]

    def _owner_says(self) -> tuple[tuple[str, str], list[str]]:
        """The owner's ``/version``: its versions (cached) and its problems. The versions are
        its newest snapshot's sequences, made in one step with the data they describe, so
        they cannot lie (also after a crash)."""
        writes = self._writes
        answer = self._request("GET", dialects.owner_url(self.endpoints, "/version")).json()
        versions = (answer["data"], answer["content"])
        self._keep_version(writes, versions)
        return versions, list(answer.get("problems") or [])

    def bump_version(self, *, content: bool = True, written: bool = False) -> None:
        """Move the data version after a write outside :meth:`update`. The owner of the
        embedded store moved it with the write already (``written``), or moves it now if
        bulk parts are waiting for it (``/commit``)."""
        try:
            if dialects.keeps_versions(self.endpoints):
                if not written:
                    self._request(
                        "POST",
                        dialects.owner_url(self.endpoints, "/commit"),
                        params=self._content_parameter(content),
                        bulk=True,
                    )
                return
            self._request(
                "POST",
                self.endpoints.update,
                data=self._version_update(content).encode("utf-8"),
                headers={"Content-Type": "application/sparql-update"},
            )
        finally:
            self._forget_version()

    def _content_parameter(self, content: bool) -> dict[str, str]:
        """Tells the owner that a write touches the metadata graph only."""
        return {} if content or not dialects.keeps_versions(self.endpoints) else {"content": "0"}

    def _version_update(self, content: bool = True) -> str:
        meta = NamedNode(self.meta_graph)
        version = Literal(f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}")
        names = ["dataVersion", "contentVersion"] if content else ["dataVersion"]
        return " ;\n".join(
            f"DELETE WHERE {{ GRAPH {meta} {{ {meta} <{RG}{name}> ?{name} }} }} ;\n"
            f"INSERT DATA {{ GRAPH {meta} {{ {meta} <{RG}{name}> {version} }} }}"
            for name in names
        )
