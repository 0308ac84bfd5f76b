"""Reading RDF files for loading: any common syntax, optionally gzipped, parsed in full first.

Parsing with pyoxigraph before anything is sent makes a load all-or-nothing and gives
errors with file, line and column. RDF/XML is refused when it declares a DTD (entity
expansion, external entities).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Triple, parse, serialize

from regiograph.mediatypes import RDF_READ, rdf_by_extension
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


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RdfFileError(f"{path}: {exc.strerror}") from None
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise RdfFileError(f"{path}: not a valid gzip file ({exc})") from None
    return data


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
        data = read_bytes(path)
        if fmt == RdfFormat.RDF_XML and b"<!DOCTYPE" in data[:4096].upper():
            raise RdfFileError(f"{path}: RDF/XML with a DOCTYPE is refused (entity expansion)")
        try:
            for quad in parse(data, format=fmt, base_iri=base_iri or path.resolve().as_uri()):
                name = target if isinstance(quad.graph_name, DefaultGraph) else quad.graph_name
                if name is None:
                    raise RdfFileError(f"{path}: triples outside a named graph need --graph IRI")
                triples.setdefault(name.value, []).append(quad.triple)
        except SyntaxError as exc:
            raise RdfFileError(_location(path, exc)) from None
    return {g: serialize(ts, format=RdfFormat.N_TRIPLES) or b"" for g, ts in triples.items()}


def _location(path: Path, exc: SyntaxError) -> str:
    message = exc.msg if hasattr(exc, "msg") else str(exc)
    if exc.lineno:
        return f"{path}:{exc.lineno}:{exc.offset}: {message}"
    return f"{path}: {message}"
