"""Saved queries: ``queries/*.rq`` files with a YAML header, validated parameters, safe binding.

A saved query is a SPARQL file whose first lines are ``#+ `` comments holding YAML: title and
description (de/en), tags, a chart hint, parameters with a type, and optionally
``engine: cube`` with a SQL twin (``name.sql`` beside it) that answers from the statistics
mirror instead of the store. The format is documented in ``docs/queries.md``.

Values from users are validated against the declared type, turned into pyoxigraph terms and
bound as a VALUES block (:func:`regiograph.store.binding.bind`); they are never spliced into
query text. A file with a malformed header is reported by :func:`load_catalog`, not raised,
so one bad file never keeps the platform from starting.

- :mod:`.library`: the files and their headers; :mod:`.parameters`: checking and binding values;
  :mod:`.run`: running on the store or the mirror; :mod:`.display`: result cells and form
  choices in the reader's language; :mod:`.charts`: chart geometry; :mod:`.openapi`: the
  OpenAPI document generated from the headers.

May not: import Flask, splice a value into query text, or write to the store.
"""

from regiograph.namespaces import XSD
from regiograph.savedqueries.library import (
    CHARTS,
    ENGINES,
    TYPES,
    Catalog,
    HeaderError,
    Parameter,
    SavedQuery,
    UnknownQuery,
    load_catalog,
    parse,
    split_header,
)
from regiograph.savedqueries.parameters import MAX_STRING, ParameterError, bindings, convert
from regiograph.savedqueries.run import Result, plain, run, run_sparql, sql_value

__all__ = [
    "CHARTS",
    "ENGINES",
    "MAX_STRING",
    "TYPES",
    "XSD",
    "Catalog",
    "HeaderError",
    "Parameter",
    "ParameterError",
    "Result",
    "SavedQuery",
    "UnknownQuery",
    "bindings",
    "convert",
    "load_catalog",
    "parse",
    "plain",
    "run",
    "run_sparql",
    "split_header",
    "sql_value",
]
