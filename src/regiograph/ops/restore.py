"""``regiograph restore DIR``: replace the embedded store with a backup, or change nothing.

The backup is checked file by file first; then it is loaded into a new store directory
beside the current one, every graph's triple count and fingerprint is compared with the
manifest, and only then are the directories swapped. A truncated backup, a full disk or a
failed load leaves the current store exactly as it was. The platform must be stopped:
the data directory's lock is held for the whole restore.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from regiograph.config import Config
from regiograph.ops import backup as backups
from regiograph.ops import datadir
from regiograph.ops.checksum import graph_fingerprint
from regiograph.store import OxigraphServer, Store, StoreError
from regiograph.store.supervisor import LOCK_FILE, SNAPSHOTS

log = logging.getLogger(__name__)


def restore(config: Config, source: Path) -> dict:
    """Restore the backup in ``source`` into the configured embedded store."""
    if not config.embedded_store:
        raise backups.BackupError(
            "restore replaces the embedded store; for an external store load the backup's "
            "graph files with `regiograph load --replace --graph IRI FILE` (docs/operations.md)"
        )
    manifest = backups.read_manifest(source)
    backups.verify_files(source, manifest)
    data_path = config.data_path
    fresh = data_path / "store.restoring"
    fresh_snapshots = data_path / "store.restoring.snapshots"
    for leftover in (fresh, fresh_snapshots):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        _load_and_verify(config, fresh, fresh_snapshots, source, manifest)
        with _data_dir_lock(data_path):
            _swap(data_path / "store", fresh)
            # The owner's snapshots belong to the store they were made of: swapped with it.
            _swap(data_path / SNAPSHOTS, fresh_snapshots)
    except OSError as exc:
        raise backups.BackupError(backups.disk_message(exc, data_path)) from None
    except StoreError as exc:
        if "No space left" not in str(exc):
            raise
        raise backups.BackupError(
            f"no space left on the device holding {data_path} while loading the backup; the "
            "current store is unchanged. A restore needs room for a second copy of the store "
            "beside the current one"
        ) from None
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(fresh_snapshots, ignore_errors=True)
    datadir.write(data_path)
    return manifest


def _load_and_verify(
    config: Config, location: Path, snapshots: Path, source: Path, manifest: dict
) -> None:
    # Starting a server on the new directory takes the data directory's lock, so a running
    # platform makes the restore stop here with StoreLocked, before anything changed.
    with OxigraphServer(
        location, timeout_s=config["store.query_timeout_s"], snapshots=snapshots
    ) as server:
        overrides = {k.replace(".", "__"): v for k, v in server.endpoints.items()}
        store = Store.from_config(config.with_overrides(**overrides))
        for graph, entry in manifest["graphs"].items():
            store.replace_graph(graph, backups.read_graph_file(source, entry))
        _verify(store, manifest)


def _verify(store: Store, manifest: dict) -> None:
    expected = manifest["graphs"]
    found = store.graphs()
    if set(found) != set(expected):
        raise backups.BackupError(
            f"restored graphs differ from the manifest: {sorted(set(found) ^ set(expected))}"
        )
    for graph, entry in expected.items():
        triples, fingerprint = graph_fingerprint(store.read_graph(graph))
        if (triples, fingerprint) != (entry["triples"], entry["sha256_triples"]):
            raise backups.BackupError(
                f"graph <{graph}> restored with {triples} triples and "
                f"fingerprint {fingerprint[:12]}…, the manifest says "
                f"{entry['triples']} and {entry['sha256_triples'][:12]}…"
            )


def _swap(current: Path, fresh: Path) -> None:
    previous = current.with_name(f"{current.name}.previous-{time.strftime('%Y%m%d%H%M%S')}")
    if current.exists():
        current.rename(previous)
    fresh.rename(current)
    # The old store is only removed once the new one is in place.
    shutil.rmtree(previous, ignore_errors=True)


@contextmanager
def _data_dir_lock(data_path: Path):
    """The lock OxigraphServer takes, held across the swap so no server starts meanwhile."""
    with (data_path / LOCK_FILE).open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"a regiograph process started on {data_path} during the "
                "restore; stop it and run the restore again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
