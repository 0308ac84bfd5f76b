"""One builder per derived file across processes: an exclusive ``flock`` on a lock file.

The writing process (``regiograph.derived``) waits for the lock; a web request that still
has the previous version to serve asks without waiting and, when someone else is building,
serves that previous version instead of starting a second build. The kernel drops the lock
with its process, so a crashed build never blocks the next one.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """True inside when this caller holds the lock; False when ``wait`` is off and it is taken."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_held(path: Path) -> bool:
    """Whether some process holds the lock right now (for tests and status)."""
    with exclusive(path, wait=False) as mine:
        return not mine
