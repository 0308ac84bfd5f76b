"""A derived artefact's failed build, remembered for the data version it was built for.

A build that fails, or runs into the store's limit (the catalogue's dumps of cubes with a
million observations), would fail again for the same data: without a memory, every web
request would start it anew and block its thread until it fails. The failure is kept in a
small JSON file beside the artefact (all processes share it); a request that finds one for
the current data version serves without the artefact, and the next data version (or an
explicit build, ``regiograph warm``) tries again.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)


class Failures:
    """The failed build of one artefact, if any, in ``path``."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def failed(self, version: str) -> str | None:
        """Why the build for ``version`` failed, if it did (and was not retried since)."""
        record = self._read()
        if record is None or record.get("version") != version:
            return None
        return str(record.get("error", ""))

    def attempts(self, version: str) -> int:
        """How many builds for ``version`` failed (for tests and status)."""
        record = self._read()
        return int(record.get("attempts", 0)) if record and record.get("version") == version else 0

    def remember(self, version: str, error: str) -> None:
        record = {
            "version": version,
            "error": error,
            "attempts": self.attempts(version) + 1,
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-failed-")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(record, out)
            os.replace(temporary, self.path)
        except OSError as exc:  # remembering is a courtesy; the failure itself is logged
            log.warning("could not remember the failed build in %s: %s", self.path, exc)

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)

    def _read(self) -> dict | None:
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None
