"""Typed errors of the store layer. Callers decide what they mean for HTTP or the CLI."""


class StoreError(Exception):
    """The store answered, but not with a result."""


class StoreUnavailable(StoreError):
    """The store cannot be reached (not started, restarting, wrong URL)."""

    def __init__(self, url: str, reason: str = ""):
        self.url = url
        detail = f": {reason}" if reason else ""
        super().__init__(f"the triple store at {url} is not reachable{detail}")


class QuerySyntaxError(StoreError):
    """The store rejected the query or update text; ``message`` is the store's own words."""

    def __init__(self, message: str):
        self.message = message.strip()
        super().__init__(self.message)


class QueryTimeout(StoreError):
    """The query ran into the time limit and its result was discarded."""


class NotAllowed(StoreError):
    """The store refused the operation (credentials missing or wrong, or read-only)."""


class StoreLocked(StoreError):
    """Another process holds the embedded store's data directory."""
