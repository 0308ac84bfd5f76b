"""What the embedded store's owner says is wrong right now (a full disk: a write that failed,
writes not readable yet), for the platform's ``/healthz``; other stores report nothing here.

The owner keeps serving reads through such problems (readers keep its last good snapshot),
so they make the platform degraded, not unavailable.
"""

from __future__ import annotations

import logging

import requests

from regiograph.store import dialects

log = logging.getLogger(__name__)


def owner_problems(store, timeout_s: float = 5.0) -> list[str]:
    """The owner's current problems, in words; empty for an external store. An owner that
    does not say is a problem too — named without its address (the log has that)."""
    if not dialects.keeps_versions(store.endpoints):
        return []
    try:
        answer = requests.get(dialects.owner_url(store.endpoints, "/version"), timeout=timeout_s)
        answer.raise_for_status()
        return list(answer.json().get("problems") or [])
    except (requests.RequestException, ValueError) as exc:
        log.warning("the store's owner did not say how it is: %s", exc)
        return ["the store's owner did not say how it is"]
