"""Typed errors of the loader; each message names the source and, where there is one, the
place in the input (URL or file, line and column, CSV row and column)."""

from __future__ import annotations

from regiograph.config import ConfigError


class SourceConfigError(ConfigError):
    """A ``[[sources]]`` table cannot be used (unknown key or kind, duplicate id, …)."""


class UnknownSource(SourceConfigError, LookupError):
    """No ``[[sources]]`` table has this id (the admin API answers 404)."""


class LoaderError(Exception):
    """A step of one source's run failed; the run is recorded and the old graph kept."""

    step = "harvest"


class FetchError(LoaderError):
    """The source could not be fetched (HTTP status, time-out, size cap, address refused)."""


class ParseError(LoaderError):
    """The fetched document is not valid in its syntax; names source, line and column."""

    step = "parse"


class MappingError(LoaderError):
    """The mapping (CSVW metadata, CONSTRUCT query) failed or the table does not fit it."""

    step = "map"


class ValidationFailed(LoaderError):
    """The validator itself could not run (broken shapes file), not: the data has violations."""

    step = "validate"


class SourceBusy(LoaderError):
    """Another harvest of the same source holds its lock."""


class NotModified(Exception):
    """The source answered 304 Not Modified: nothing to do."""
