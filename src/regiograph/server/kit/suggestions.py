"""The app's search index brought up to date, and the suggestions a 404 page offers."""

from __future__ import annotations

from regiograph.resources.search import Hit, SearchIndex
from regiograph.server import services


def search_index() -> SearchIndex:
    """The app's index, brought up to date with the store's content version."""
    return services.search_index().fresh()


def similar(name: str, limit: int = 5) -> list[Hit]:
    return search_index().suggest(name, limit=limit) if name else []
