"""One harvest per source at a time: an fcntl lock file per source in ``{data_dir}/locks``.

The file is ``{data_dir}/locks/{source}.lock``, the same one the scheduler (regiograph.ops)
locks, so a harvest from the command line and a scheduled one exclude each other. The lock
belongs to the open file, so a crashed harvest releases it with its process. A
second harvest of the same source waits up to ``wait_s`` seconds, then is refused with a
message naming the process that holds it.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from regiograph.loader.errors import SourceBusy

POLL_S = 0.1


@contextmanager
def source_lock(data_path: Path, source_id: str, wait_s: float = 0.0) -> Iterator[None]:
    folder = data_path / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{source_id}.lock").open("a+") as handle:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    raise SourceBusy(
                        f"source '{source_id}' is being harvested by another "
                        f"process{_holder(handle.read())}; try again when it "
                        "has finished (or pass --wait SECONDS)"
                    ) from None
                time.sleep(POLL_S)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(
                json.dumps(
                    {"pid": os.getpid(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
                )
            )
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _holder(text: str) -> str:
    try:
        info = json.loads(text)
        return f" (pid {info['pid']}, since {info['since']})"
    except (ValueError, KeyError, TypeError):
        return ""
