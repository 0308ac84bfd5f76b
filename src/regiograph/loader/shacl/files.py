"""What ``regiograph validate`` and the shape tests add to the loader's SHACL engine: RDF files
read as one graph, the bundled shapes folder, the ontology and concept schemes alongside, and
the report's language.

The checking itself is :func:`regiograph.loader.shacl.engine.validate` (constraints compiled to
SPARQL, pyshacl for the rest) and the report its :class:`~regiograph.loader.shacl.report.Report`.
The ontology and the concept schemes join as reference data (the shapes test concepts for
``skos:inScheme`` and follow ``rdfs:subClassOf`` for ``sh:class``), as does whatever the
caller passes (e.g. the municipalities another source published); results are only about
the files' own nodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from regiograph import bundled as resources
from regiograph.loader.errors import ValidationFailed
from regiograph.loader.shacl import engine
from regiograph.loader.shacl.report import Report
from regiograph.namespaces import SH
from regiograph.store.rdffiles import read_graphs

_SCRATCH_GRAPH = "urn:regiograph:validation"
_NODE_SHAPES = f"ASK {{ ?shape a <{SH}NodeShape> }}"
PROFILES = ("dcat-ap-de",)  # folders of shapes/ that hold an external profile


class ShapesError(Exception):
    """The shapes cannot be used (missing folder, no shapes, a file that does not parse, a
    constraint pyshacl refuses)."""


def language(explicit: str | None, locale: str | None) -> str:
    """The report language: ``explicit`` (de/en) if given, else German for a German locale
    (``LANG=de_DE.UTF-8``), else English."""
    if explicit:
        return explicit
    return "de" if (locale or "").lower().startswith("de") else "en"


def validate(
    data: bytes, shapes_dir: Path | None = None, extra_graphs: Iterable[bytes] = ()
) -> Report:
    """Validate ``data`` (N-Triples) with the shapes in ``shapes_dir`` (default: the bundled
    shapes); ``extra_graphs`` (N-Triples) are reference data that references may point at.
    Raises ShapesError when the shapes cannot be read or applied."""
    shapes = load_shapes(shapes_dir)
    candidate = Store()
    candidate.load(data, RdfFormat.N_TRIPLES)
    try:
        return engine.validate(candidate, shapes, [*extra_graphs, vocabulary()])
    except ValidationFailed as exc:
        raise ShapesError(str(exc)) from None


def read_files(paths: Iterable[Path], base_iri: str | None = None) -> bytes:
    """RDF files (any syntax, every graph merged) as N-Triples. Raises ``RdfFileError``
    naming file, line and column when one does not parse."""
    return b"".join(read_graphs(list(paths), _SCRATCH_GRAPH, base_iri).values())


@cache
def vocabulary() -> bytes:
    """The ontology and every concept scheme as N-Triples (read once per process)."""
    return read_files(resources.files("ontology", "*.ttl"))


def load_shapes(shapes_dir: Path | None = None) -> Store:
    """Every ``*.ttl`` below ``shapes_dir`` (default: the bundled shapes) in one store, read
    once per folder."""
    return _shapes(Path(shapes_dir or resources.data_dir("shapes")).resolve())


@cache
def _shapes(shapes_dir: Path) -> Store:
    if not shapes_dir.is_dir():
        raise ShapesError(f"shapes directory not found: {shapes_dir}")
    # The official profiles for harvested catalogues (shapes/dcat-ap-de) are the loader's, for
    # dcat and ckan sources: not shapes of the project's own data.
    files = sorted(
        p
        for p in shapes_dir.rglob("*.ttl")
        if p.is_file() and p.relative_to(shapes_dir).parts[0] not in PROFILES
    )
    try:
        shapes = engine.load_shapes(files)
    except ValidationFailed as exc:
        raise ShapesError(str(exc)) from None
    if not shapes.query(_NODE_SHAPES):
        raise ShapesError(f"no SHACL node shapes in {shapes_dir}")
    return shapes
