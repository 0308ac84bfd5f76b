"""A bounded least-recently-used set of rendered responses, all of one data version.

Only the store of entries: :mod:`.caching` decides what is kept and answers from it. One per
app, built with the other collaborators (:mod:`regiograph.server.services`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """A bounded LRU of rendered responses, all of one data version."""

    def __init__(self, entries: int):
        self.capacity = entries
        self._items: OrderedDict[tuple, Entry] = OrderedDict()
        self._version: str | None = None
        self._lock = threading.Lock()

    def get(self, key: tuple, version: str) -> Entry | None:
        with self._lock:
            if version != self._version:  # the data moved on: everything kept is stale
                self._items.clear()
                self._version = version
                return None
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
            return entry

    def put(self, key: tuple, version: str, entry: Entry) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            if version != self._version:
                return  # rendered from data that is no longer current
            self._items[key] = entry
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
