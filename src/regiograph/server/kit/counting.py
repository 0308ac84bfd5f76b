"""A store wrapper that counts the queries a page sends, for the X-Store-Queries header
and the benchmark."""

from __future__ import annotations

from regiograph.store import Store


class CountingStore:
    def __init__(self, store: Store):
        self._store = store
        self.queries = 0

    def select(self, query, bindings=None):
        self.queries += 1
        return self._store.select(query, bindings)

    def construct(self, query, bindings=None):
        self.queries += 1
        return self._store.construct(query, bindings)

    def __getattr__(self, name):
        return getattr(self._store, name)
