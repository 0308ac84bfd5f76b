"""Per-client concurrency: at most N queries of one client run at once in one web process."""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager


class TooManyRequests(Exception):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(
            f"at most {limit} concurrent queries per client (setting "
            "sparql.max_concurrent_per_client); wait for one to finish"
        )


class ClientLimiter:
    def __init__(self, limit: int):
        self.limit = limit
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, client: str):
        if self.limit <= 0:
            yield
            return
        with self._lock:
            if self._running[client] >= self.limit:
                raise TooManyRequests(self.limit)
            self._running[client] += 1
        try:
            yield
        finally:
            with self._lock:
                self._running[client] -= 1
                if self._running[client] <= 0:
                    del self._running[client]
