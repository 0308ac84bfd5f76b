"""Log set-up for the CLI and the server: plain or one JSON object per line (``log.json``),
each record carrying the id of the request it belongs to (``X-Request-Id``).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid

# The request being served by this thread (gunicorn's gthread workers serve one per thread).
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# Ids from clients are echoed into logs and headers: accept only short, harmless ones.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_FIELDS = ("method", "path", "route", "status", "duration_ms", "source", "outcome")


def new_request_id(offered: str | None) -> str:
    """The client's X-Request-Id if it is well-formed (so a proxy's id carries through)."""
    if offered and _ACCEPTABLE_ID.fullmatch(offered):
        return offered
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({key: getattr(record, key) for key in _FIELDS if hasattr(record, key)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners and daemons swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure(config, stream=None) -> logging.Handler:
    """Route all logging through one handler in the configured form; returns the handler."""
    handler = logging.StreamHandler(stream) if stream else _StderrHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if config["log.json"] else logging.Formatter(PLAIN))
    handler.set_name("regiograph")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "regiograph"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(config["log.level"])
    return handler
