"""The data directory's version file: a release refuses a store it cannot read safely.

RocksDB files written by another Oxigraph minor version, or a directory layout from another
regiograph release, are not opened (opening can rewrite them irreversibly); the error says
how to move the data across: dump with the release that wrote it, reload with this one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph

from regiograph import __version__
from regiograph.store import StoreError

VERSION_FILE = "regiograph-data.json"
# Bump when the layout of the data directory changes in a way older releases cannot read.
LAYOUT = 1


class DataDirError(StoreError):
    """The data directory was written by an incompatible release."""


def current() -> dict:
    return {"layout": LAYOUT, "oxigraph": pyoxigraph.__version__, "regiograph": __version__}


def ensure_compatible(data_path: Path) -> dict:
    """Check the version file (writing it on first use); raise DataDirError when incompatible."""
    path = Path(data_path) / VERSION_FILE
    if not path.exists():
        write(data_path)
        return current()
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        layout, engine = int(found["layout"]), str(found["oxigraph"])
    except (ValueError, KeyError, TypeError) as exc:
        raise DataDirError(
            f"{path} is damaged ({exc}); restore the data directory from a "
            "backup (`regiograph restore DIR`)"
        ) from None
    problem = _incompatibility(layout, engine)
    if problem:
        raise DataDirError(f"the data directory {data_path} {problem}. {_how_to_migrate(found)}")
    if found != current():
        write(data_path)  # compatible upgrade (e.g. a patch release): record who wrote it last
    return found


def _incompatibility(layout: int, engine: str) -> str:
    if layout > LAYOUT:
        return (
            f"was written by a newer regiograph (data layout {layout}, this release reads {LAYOUT})"
        )
    if layout < LAYOUT:
        return f"has the older data layout {layout} (this release needs {LAYOUT})"
    if _minor(engine) != _minor(pyoxigraph.__version__):
        return (
            f"holds an Oxigraph {engine} store; this release runs Oxigraph "
            f"{pyoxigraph.__version__}, whose storage format may differ"
        )
    return ""


def _how_to_migrate(found: dict) -> str:
    release = found.get("regiograph", "the release that wrote it")
    return (
        f"Nothing was opened or changed. To migrate: with regiograph {release} run "
        "`regiograph export -o all.nq.gz`; move the data directory aside; with this release "
        "run `regiograph load all.nq.gz` (see docs/operations.md, 'Upgrades')."
    )


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


def write(data_path: Path) -> None:
    """Record this release as the writer, atomically (a crash leaves the old file or the new)."""
    data_path = Path(data_path)
    data_path.mkdir(parents=True, exist_ok=True)
    temporary = data_path / f".{VERSION_FILE}.{os.getpid()}"
    temporary.write_text(json.dumps(current(), indent=2) + "\n", encoding="utf-8")
    temporary.replace(data_path / VERSION_FILE)
