"""Where the platform's data files are: the ontology, shapes, saved queries, demo region and
code lists.

In an installed wheel they ship inside the package (``regiograph/_data``); in a source
checkout they are the folders at the repository root. Nothing else in the code base needs
to know which of the two it is running from.
"""

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_KINDS = ("ontology", "shapes", "queries", "demo", "codelists")


@cache
def data_dir(kind: str) -> Path:
    """The folder holding one kind of bundled data file."""
    if kind not in _KINDS:
        raise ValueError(f"unknown kind of bundled data: {kind!r}")
    for candidate in (_PACKAGE / "_data" / kind, _PACKAGE.parents[1] / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder {kind!r} is missing from this installation")


def files(kind: str, pattern: str = "*") -> list[Path]:
    """Bundled files of one kind, sorted so that every run sees them in the same order."""
    return sorted(p for p in data_dir(kind).rglob(pattern) if p.is_file())
