"""Bringing the platform up: the configured store (embedded or external) and its client.

The CLI and the tests use :func:`open_store`; nothing else starts processes.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from regiograph.config import Config
from regiograph.ops import datadir
from regiograph.store import OxigraphServer, Store, StoreError, StoreUnavailable
from regiograph.store.supervisor import LOCK_FILE, owner_endpoints

log = logging.getLogger(__name__)


@contextmanager
def open_store(config: Config, *, attach: bool = False) -> Iterator[tuple[Config, Store]]:
    """The store the configuration names, reachable, with the config that points at it.

    With the embedded store, starts its owner process for the data directory and stops it
    on exit. ``attach=True`` (one-shot commands such as ``query``) first looks for a running
    regiograph holding that directory and uses its store instead of failing on the lock.
    """
    server = None
    if config.embedded_store:
        running = _running_store(config.data_path) if attach else None
        if running:
            config = config.with_overrides(**_overrides(owner_endpoints(*running)))
        else:
            datadir.ensure_compatible(config.data_path)  # refuse a store we cannot read safely
            server = OxigraphServer(
                config.data_path / "store",
                timeout_s=config["store.query_timeout_s"],
                port=config["store.port"],
                workers=owner_workers(config),
            ).start()
            config = config.with_overrides(**_overrides(server.endpoints))
    try:
        store = Store.from_config(config)
        check_reachable(store)
        store.server = server
        store.snapshots = server.snapshots if server is not None else None
        yield config, store
    finally:
        if server:
            server.stop()


def owner_workers(config: Config) -> int:
    """The owner's query workers answer the store queries of every web process (pages, and
    /sparql itself with sparql.engine = proxy). One client may run
    sparql.max_concurrent_per_client queries over all processes: with only that many workers
    it held every one, and the others' queries waited for the time limit (then the wait was
    charged to their time budget, and they got 429). So there is always one more."""
    return max(config["sparql.workers"], config["sparql.max_concurrent_per_client"] + 1)


def check_reachable(store: Store) -> None:
    try:
        store.ping()
    except StoreUnavailable as exc:
        raise StoreUnavailable(
            exc.url, "check store.query_url and that the store is running"
        ) from None
    except StoreError as exc:
        raise StoreError(
            f"the store at {store.endpoints.query} does not answer SPARQL: {exc}"
        ) from None


def _running_store(data_path: Path) -> tuple[str, str] | None:
    """The query URL and write credential of a live regiograph store on this data
    directory, if there is one (the lock file is readable by its user only)."""
    try:
        info = json.loads((data_path / LOCK_FILE).read_text())
        os.kill(int(info["pid"]), 0)
        return info["query_url"], info["token"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _overrides(settings: dict[str, str]) -> dict[str, str]:
    return {key.replace(".", "__"): value for key, value in settings.items()}
