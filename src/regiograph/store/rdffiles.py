"""Reading RDF files for loading: any common syntax, optionally gzipped, parsed in full first.

Parsing with pyoxigraph before anything is sent makes a load all-or-nothing and gives
errors with file, line and column. Each file is streamed to the parser (a gzipped one is
inflated as it is read, never whole in memory) through :mod:`regiograph.store.rdfguard`, the checks
harvests make too: RDF/XML with a DOCTYPE or entity declaration anywhere and JSON-LD nested
deeper than ``rdfguard.MAX_JSON_DEPTH`` are refused, a UTF-8 BOM before Turtle is dropped.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Triple, parse, serialize

from regiograph.mediatypes import RDF_READ, rdf_by_extension
from regiograph.store import rdfguard
from regiograph.store.errors import StoreError


class RdfFileError(StoreError):
    """A file that cannot be loaded; the message names the file, line and column."""


def rdf_format(path: Path) -> RdfFormat:
    name = path.name.removesuffix(".gz")
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    found = rdf_by_extension(extension)
    if found is None:
        known = ", ".join(f".{f.extension}" for f in RDF_READ)
        raise RdfFileError(
            f"{path}: unknown RDF file extension '.{extension.lower()}' (use {known}, "
            "optionally with .gz)"
        )
    return found.rdf


def _opened(path: Path):
    """The file's bytes as a stream, inflated as they are read when it is gzipped."""
    try:
        return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")
    except OSError as exc:
        raise RdfFileError(f"{path}: {exc.strerror}") from None


def read_graphs(
    paths: Iterable[Path], graph: str | None, base_iri: str | None = None
) -> dict[str, bytes]:
    """Every file parsed in full, as N-Triples per named graph (the default graph → ``graph``).

    Raises RdfFileError on the first file that does not parse, before anything is loaded.
    """
    target = NamedNode(graph) if graph else None
    triples: dict[str, list[Triple]] = {}
    for path in paths:
        fmt = rdf_format(path)
        with _opened(path) as raw:
            data = rdfguard.Checked(raw, fmt)
            try:
                for quad in parse(data, format=fmt, base_iri=base_iri or path.resolve().as_uri()):
                    name = target if isinstance(quad.graph_name, DefaultGraph) else quad.graph_name
                    if name is None:
                        raise RdfFileError(
                            f"{path}: triples outside a named graph need --graph IRI"
                        )
                    triples.setdefault(name.value, []).append(quad.triple)
            except SyntaxError as exc:
                raise RdfFileError(_location(path, exc)) from None
            except rdfguard.RefusedInput as exc:
                raise RdfFileError(f"{path}: {exc}") from None
            except (OSError, EOFError, zlib.error) as exc:  # also a broken gzip stream
                raise RdfFileError(f"{path}: cannot be read ({exc})") from None
    return {g: serialize(ts, format=RdfFormat.N_TRIPLES) or b"" for g, ts in triples.items()}


def _location(path: Path, exc: SyntaxError) -> str:
    message = exc.msg if hasattr(exc, "msg") else str(exc)
    if exc.lineno:
        return f"{path}:{exc.lineno}:{exc.offset}: {message}"
    return f"{path}: {message}"
