"""The catalogue's key list on disk: the harvested datasets' rows, one file per data version.

Computing them is one SELECT over every dataset (seconds at 50,000). The process that changed
the data computes them right after the change (:mod:`regiograph.derived`); web processes
read ``{data_dir}/catalog/keys-{version}.json`` instead of asking the store. The file is
written under a temporary name and renamed into place, so a reader gets all of it or none;
a lock makes one process compute while the others wait for its file (they need this version's
keys to page correctly, and computing them takes seconds, not minutes).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
from pathlib import Path

from regiograph.catalog.index import COLUMNS, harvested_rows
from regiograph.derived import buildlock
from regiograph.store import Store

log = logging.getLogger(__name__)
# What may not appear in the file name. "." may: the owner's data versions end in
# ".{snapshot sequence}", and the file is named by the version as it is (no "/", and the
# "keys-" prefix keeps the name from ever being "." or "..").
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def folder(config) -> Path:
    return config.data_path / "catalog"


def path_for(config, version: str) -> Path:
    return folder(config) / f"keys-{_UNSAFE.sub('_', version)[:80]}.json"


def lock_path(config) -> Path:
    return folder(config) / ".keys.lock"


def read(config, version: str) -> list[list] | None:
    """The rows for ``version`` if they are on disk."""
    try:
        data = json.loads(path_for(config, version).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("version") != version or data.get("columns") != list(COLUMNS):
        return None  # another layout, or a version whose name was shortened to the same file
    return data["rows"]


def current(config, store: Store, version: str) -> list[list]:
    """The rows for ``version``: from disk, else computed once for all processes."""
    rows = read(config, version)
    if rows is not None:
        return rows
    with buildlock.exclusive(lock_path(config)):
        rows = read(config, version)
        if rows is None:
            rows = compute(config, store, version)
    return rows


def compute(config, store: Store, version: str) -> list[list]:
    """Compute and write the rows; the caller holds the lock."""
    started = time.monotonic()
    rows = harvested_rows(store)
    target = path_for(config, version)
    target.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"version": version, "columns": list(COLUMNS), "rows": rows})
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-keys-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(body)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for old in target.parent.glob("keys-*.json"):
        if old != target:
            old.unlink(missing_ok=True)  # readers that opened it keep reading their copy
    log.info(
        "catalogue key list: %d harvested datasets in %.1f s", len(rows), time.monotonic() - started
    )
    return rows
