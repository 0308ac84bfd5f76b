"""The app's search index (one per app, in the data folder) and 404 suggestions."""

from __future__ import annotations

from flask import current_app

from regiograph.resources.search import Hit, SearchIndex
from regiograph.server.services import config, store


def search_index() -> SearchIndex:
    """The app's index, brought up to date with the store's data version."""
    index = current_app.extensions.get("regiograph.resources.search")
    if index is None:
        # setdefault: two threads of a fresh worker must share one index (and its lock),
        # or both rebuild into the same temporary file at once
        index = current_app.extensions.setdefault(
            "regiograph.resources.search", SearchIndex(config().data_path / "search", store())
        )
    return index.fresh()


def similar(name: str, limit: int = 5) -> list[Hit]:
    return search_index().suggest(name, limit=limit) if name else []
