"""Downloadable dumps of the platform's data, regenerated when the data version changes.

Files live in ``{data_dir}/dumps``: the whole store and each named graph as gzipped N-Quads and
Turtle, each own dataset as gzipped Turtle, each statistics cube as gzipped Turtle and as a tidy
CSV (one row per observation). ``manifest.json`` records the data version they were made from
and each file's size and SHA-256, which the catalogue publishes as ``dcat:byteSize`` and
``spdx:checksum``. Every file is written to a temporary name and renamed into place, so a
download gets the old or the new file, never half of one; a lock file keeps two processes
from regenerating at once (the second one serves the previous manifest meanwhile).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from regiograph import iris
from regiograph.catalog import cubes
from regiograph.catalog.formats import PREFIXES
from regiograph.catalog.sparql import query
from regiograph.derived import buildlock
from regiograph.derived.failures import Failures
from regiograph.mediatypes import CSV, NQUADS, TURTLE, write
from regiograph.store import QueryTimeout, Store, StoreError

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,120}")


@dataclass(frozen=True)
class Dump:
    name: str
    size: int
    sha256: str
    media_type: str  # IANA type of the content (before compression)
    file_type: str  # EU file-type code
    gzipped: bool


@dataclass(frozen=True)
class Manifest:
    version: str
    generated: str  # xsd:dateTime, UTC
    files: dict[str, Dump]

    def get(self, name: str) -> Dump | None:
        return self.files.get(name)


def folder(config) -> Path:
    return config.data_path / "dumps"


def safe_name(name: str) -> bool:
    """True for names the dumps folder can hold (no paths, no dot files)."""
    return bool(_NAME.fullmatch(name)) and ".." not in name


def read_manifest(config) -> Manifest | None:
    try:
        data = json.loads((folder(config) / MANIFEST).read_text(encoding="utf-8"))
        files = {n: Dump(**d) for n, d in data["files"].items()}
        return Manifest(data["version"], data["generated"], files)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def lock_path(config) -> Path:
    return folder(config) / ".lock"


def failures(config) -> Failures:
    """The dumps' failed build for a data version (beside the data directory's folders, so
    that a dumps folder that cannot be written is remembered too)."""
    return Failures(config.data_path / "derived-failures" / "dumps.json")


def building(config):
    """Hold the dumps lock, waiting for it (for :func:`fresh`)."""
    return buildlock.exclusive(lock_path(config))


def current(
    config, store: Store, own_selections: dict[str, str], *, wait: bool = False
) -> Manifest | None:
    """The manifest for the store's data version, regenerating the dumps when it is stale.

    While another process regenerates them, a caller that has a previous manifest gets that
    one at once (its files stay valid until replaced) unless it asks to ``wait``. A build
    that failed for this data version is not tried again (:mod:`regiograph.derived.failures`):
    the caller gets the previous manifest, or None, and the page goes without this version's
    dumps instead of a web thread waiting for the same failure on every request.
    """
    version = store.data_version()
    manifest = read_manifest(config)
    if manifest and manifest.version == version:
        return manifest
    if failures(config).failed(version) is not None:
        return manifest
    with buildlock.exclusive(lock_path(config), wait=wait or manifest is None) as mine:
        if not mine:
            return manifest  # another process is on it; the old files stay valid meanwhile
        if failures(config).failed(version) is not None:  # it failed while we waited
            return manifest
        try:
            return fresh(config, store, version, own_selections)
        except (StoreError, OSError):
            return manifest  # remembered and logged by fresh


def fresh(config, store: Store, version: str, own_selections: dict[str, str]) -> Manifest:
    """The manifest for ``version``, regenerating unless it is there; the caller holds the lock.
    A failure is remembered for ``version`` and raised."""
    manifest = read_manifest(config)
    if manifest and manifest.version == version:
        return manifest
    try:
        manifest = regenerate(config, store, version, own_selections)
    except (StoreError, OSError) as exc:
        log.error("dumps for data version %s failed: %s", version, exc)
        failures(config).remember(version, f"{type(exc).__name__}: {exc}")
        raise
    failures(config).forget()
    return manifest


def regenerate(config, store: Store, version: str, own_selections: dict[str, str]) -> Manifest:
    target = folder(config)
    target.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    files: dict[str, Dump] = {}
    graphs = [g for g in store.graphs() if g != store.meta_graph]
    files |= _write_rdf(target, "full", lambda: _all_quads(store, graphs))
    for graph in graphs:
        stem = graph_stem(config.base_iri, graph)
        if stem:
            files |= _write_rdf(target, stem, lambda g=graph: _all_quads(store, [g]))
    for slug, selection in own_selections.items():
        triples = store.construct(query(selection))
        files[f"{slug}.ttl.gz"] = _write(
            target, f"{slug}.ttl.gz", _turtle(triples), True, TURTLE.media_type, "RDF_TURTLE"
        )
    for cube in cubes.list_cubes(store):
        files |= _cube_files(target, store, cube["cube"])
    generated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    manifest = Manifest(version, generated, files)
    _atomic(
        target / MANIFEST,
        [
            json.dumps(
                {
                    "version": version,
                    "generated": generated,
                    "files": {n: d.__dict__ for n, d in files.items()},
                },
                indent=1,
            ).encode()
        ],
        False,
    )
    log.info("dumps: %d files in %.1f s", len(files), time.monotonic() - started)
    return manifest


def _cube_files(target: Path, store: Store, cube: NamedNode) -> dict[str, Dump]:
    """A cube's Turtle dump and tidy CSV; none for a cube too large to read within the
    store's time limit (its catalogue entry then lists no files of its own; the whole
    store's dump holds it), rather than no catalogue at all."""
    stem = cubes.stem(cube)
    try:
        observed = cubes.observations(store, cube)
        triples = cubes.structure(store, cube) + observed
    except QueryTimeout as exc:
        log.warning("dumps: %s left out, it could not be read within the time limit: %s", cube, exc)
        return {}
    turtle = _write(
        target, f"{stem}.ttl.gz", _turtle(triples), True, TURTLE.media_type, "RDF_TURTLE"
    )
    del triples
    rows = cubes.csv_rows(observed)
    return {
        f"{stem}.ttl.gz": turtle,
        f"{stem}.csv": _write(target, f"{stem}.csv", rows, False, CSV.media_type, "CSV"),
    }


def graph_stem(base_iri: str, graph: str) -> str | None:
    """``graph-{id}`` for the platform's graphs ``{base}graph/{id}``; None for other graphs."""
    name = iris.graph_name(base_iri, graph)
    if name is None:
        return None
    stem = "graph-" + name
    return stem if safe_name(stem) else None


def _all_quads(store: Store, graphs: list[str]) -> Iterator[tuple[str, Triple]]:
    for graph in graphs:
        for triple in parse(store.read_graph(graph), format=RdfFormat.N_TRIPLES):
            yield graph, triple


def _write_rdf(target: Path, stem: str, quads) -> dict[str, Dump]:
    nquads = (
        f"{t.subject} {t.predicate} {t.object} {NamedNode(g)} .\n".encode() for g, t in quads()
    )
    turtle = _turtle(t for _, t in quads())
    return {
        f"{stem}.nq.gz": _write(
            target, f"{stem}.nq.gz", nquads, True, NQUADS.media_type, "RDF_N_QUADS"
        ),
        f"{stem}.ttl.gz": _write(
            target, f"{stem}.ttl.gz", turtle, True, TURTLE.media_type, "RDF_TURTLE"
        ),
    }


def _turtle(triples: Iterable[Triple]) -> Iterator[bytes]:
    # Streamed in slices so a big graph never sits in memory as one Turtle document.
    batch: list[Triple] = []
    for triple in triples:
        batch.append(triple)
        if len(batch) >= 50_000:
            yield write(batch, TURTLE, PREFIXES)
            batch = []
    if batch:
        yield write(batch, TURTLE, PREFIXES)


def _write(
    target: Path, name: str, chunks: Iterable[bytes], gzipped: bool, media_type: str, file_type: str
) -> Dump:
    size, digest = _atomic(target / name, chunks, gzipped)
    return Dump(name, size, digest, media_type, file_type, gzipped)


def _atomic(path: Path, chunks: Iterable[bytes], gzipped: bool) -> tuple[int, str]:
    """Write ``chunks`` to a temporary file and rename it over ``path``: (bytes, sha256)."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as raw:
            # mtime=0: the same content gives the same bytes, hence the same checksum
            out = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if gzipped else raw
            for chunk in chunks:
                out.write(chunk)
            if gzipped:
                out.close()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    digest = hashlib.sha256()
    with path.open("rb") as written:
        for block in iter(lambda: written.read(1 << 20), b""):
            digest.update(block)
    return path.stat().st_size, digest.hexdigest()
