"""``regiograph backup DIR``: a consistent online backup of every named graph.

Works on a live platform and on any SPARQL 1.1 store: each graph is written as gzipped
N-Triples with a manifest (triple count, fingerprint and file checksum per graph).

The embedded store is read from its owner's newest snapshot (:mod:`regiograph.store.snapshots`),
held for the whole backup: one committed state, whatever is written meanwhile, and never a
second handle on the live directory. Any other store is read through the store client, and
consistency comes from the data version: if a write lands while the backup runs, the backup
is taken again. (Oxigraph's own ``oxigraph backup`` on a directory held by a running server
returned success but left out writes still in the write-ahead log, measured with 0.5.13.)

The backup is written to ``DIR.partial`` and renamed to ``DIR`` only when complete, so a
``DIR`` with a manifest is always a whole backup.
"""

from __future__ import annotations

import errno
import gzip
import json
import logging
import shutil
import time
from pathlib import Path

import pyoxigraph as ox

from regiograph import __version__
from regiograph.ops import datadir
from regiograph.ops.checksum import file_sha256, graph_fingerprint
from regiograph.store import Store, StoreError
from regiograph.store.snapshots import Reader

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = 1  # of the backup directory; restore refuses newer formats
ATTEMPTS = 3


class BackupError(StoreError):
    """The backup could not be written or read; nothing was changed."""


def backup(store: Store, target: Path, snapshot_dir: Path | None = None) -> dict:
    """Write every named graph of ``store`` to ``target`` and return the manifest; with
    ``snapshot_dir`` (the embedded store's), from its owner's newest snapshot."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} exists and is not empty; choose a new directory")
    partial = target.with_name(target.name + ".partial")
    # A fresh client with no version cache, so a write during the backup is always noticed.
    fresh = Store(
        store.endpoints,
        meta_graph=store.meta_graph,
        version_ttl_s=0,
        query_timeout_s=store.query_timeout_s,
    )
    if snapshot_dir is not None:
        # Asked for its version, the owner puts writes committed since its newest snapshot
        # into a new one (it makes them lazily, when a reader needs them).
        fresh.data_version()
        reader = Reader(snapshot_dir)
        try:
            source = _SnapshotSource(reader)
        except OSError as exc:
            raise BackupError(f"the store's snapshot cannot be read: {exc}") from None
        try:
            return _write_all(source, target, partial)
        finally:
            reader.close()
    return _write_all(fresh, target, partial)


class _SnapshotSource:
    """One snapshot, read like a store: it never changes, so one pass is always enough."""

    def __init__(self, reader: Reader):
        self.store = reader.current()
        self.version = f"{reader.snapshot.sequence}"

    def data_version(self) -> str:
        return self.version

    def graphs(self) -> list[str]:
        names = [g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)]
        # An emptied graph keeps its name in Oxigraph; a backup holds graphs with triples.
        return [
            g
            for g in names
            if next(self.store.quads_for_pattern(None, None, None, ox.NamedNode(g)), None)
        ]

    def read_graph(self, graph: str) -> bytes:
        return self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))


def _write_all(source, target: Path, partial: Path) -> dict:
    try:
        for attempt in range(1, ATTEMPTS + 1):
            manifest = _attempt(source, partial)
            if manifest:
                break
            log.warning("the data changed during backup attempt %d; starting again", attempt)
        else:
            raise BackupError(
                f"the data kept changing during {ATTEMPTS} backup attempts; "
                "try again when no harvest is running"
            )
        if target.exists():
            target.rmdir()
        partial.rename(target)
    except OSError as exc:
        raise BackupError(disk_message(exc, target)) from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return manifest


def _attempt(store, partial: Path) -> dict | None:
    """One pass over all graphs; None when the data version moved meanwhile."""
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "graphs").mkdir(parents=True)
    version = store.data_version()
    graphs = {}
    for number, graph in enumerate(sorted(store.graphs()), start=1):
        graphs[graph] = _write_graph(store, graph, partial / "graphs" / f"{number:05d}.nt.gz")
        graphs[graph]["file"] = f"graphs/{number:05d}.nt.gz"
    if store.data_version() != version:
        return None
    manifest = {
        "format": FORMAT,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "regiograph": __version__,
        "data_dir": datadir.current(),
        "data_version": version,
        "graphs": graphs,
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _write_graph(store, graph: str, path: Path) -> dict:
    data = store.read_graph(graph)
    triples, fingerprint = graph_fingerprint(data)
    with gzip.open(path, "wb", compresslevel=6) as handle:
        handle.write(data)
    return {
        "triples": triples,
        "sha256_triples": fingerprint,
        "sha256_file": file_sha256(path),
        "bytes": path.stat().st_size,
    }


def disk_message(exc: OSError, target: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return (
            f"no space left on the device holding {target}; nothing was kept. "
            "Free space or choose another directory"
        )
    return f"cannot write the backup to {target}: {exc.strerror or exc}"


def read_manifest(source: Path) -> dict:
    """The manifest of a complete backup of a format this release reads, or BackupError."""
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        fmt, graphs = int(manifest["format"]), manifest["graphs"]
    except FileNotFoundError:
        raise BackupError(f"{source} is not a complete regiograph backup (no {MANIFEST})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path} is damaged: {exc}") from None
    if fmt > FORMAT:
        raise BackupError(
            f"{source} was written by a newer regiograph (backup format {fmt}, "
            f"this release reads {FORMAT}); restore it with that release"
        )
    if not isinstance(graphs, dict):
        raise BackupError(f"{path} is damaged: 'graphs' is not a table")
    return manifest


def verify_files(source: Path, manifest: dict) -> None:
    """Every graph file present, whole and unchanged; otherwise BackupError naming it."""
    for graph, entry in manifest["graphs"].items():
        path = Path(source) / entry["file"]
        if not path.is_file():
            raise BackupError(f"{path} (graph <{graph}>) is missing from the backup")
        if file_sha256(path) != entry["sha256_file"]:
            raise BackupError(
                f"{path} (graph <{graph}>) is truncated or altered: its checksum "
                "does not match the manifest"
            )


def read_graph_file(source: Path, entry: dict) -> bytes:
    try:
        return gzip.decompress((Path(source) / entry["file"]).read_bytes())
    except (OSError, EOFError) as exc:
        raise BackupError(f"{entry['file']} cannot be read: {exc}") from None
