"""Running a saved query with the values of this request, as ``/queries`` and ``/api`` do."""

from __future__ import annotations

from regiograph import savedqueries
from regiograph.savedqueries import Result, SavedQuery
from regiograph.server.services import config, statistics, store


def execute(query: SavedQuery, args) -> Result:
    """Validate the request's values for ``query`` and run it (on the statistics mirror when
    it has a SQL twin); ParameterError names a bad value."""
    values = savedqueries.bindings(query, args, store(), config().base_iri)
    return savedqueries.run(query, store(), values, statistics())
