"""What third-party libraries say during a run, kept for the run's report instead of the output.

rdflib logs a warning with a whole traceback for every literal it cannot convert (Bremen's
export has ``"2021-01-28 GMT 01:51:03.34919300"^^xsd:dateTime``), and pyshacl and owlrl log
and warn too; on the command line that landed between the progress bars and the summary.
While :func:`third_party` is active, the running thread's records of those loggers, and the
Python warnings raised meanwhile, become one line each (the message, and the exception's last
line), counted when repeated. Other threads' records go where they went before (the root
logger's handlers).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections import Counter
from collections.abc import Iterator

LOGGERS = ("rdflib", "pyshacl", "owlrl")
_lock = threading.Lock()
_sinks: dict[int, Counter] = {}  # thread id -> lines caught in that thread
_saved: dict[str, bool] = {}  # logger name -> its propagate flag before the first capture


class _Handler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        sink = _sinks.get(record.thread or 0)
        if sink is None:  # another thread's record: pass it on as if nothing were here
            root = logging.getLogger()
            if root.handlers:
                root.handle(record)
            elif logging.lastResort and record.levelno >= logging.lastResort.level:
                logging.lastResort.handle(record)
            return
        sink[_line(record)] += 1


_HANDLER = _Handler(logging.DEBUG)


def _line(record: logging.LogRecord) -> str:
    text = f"{record.name}: {record.getMessage().splitlines()[0] if record.msg else ''}"
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        text += f" ({type(error).__name__}: {error})"
    return text


@contextlib.contextmanager
def third_party(notes: list[str]) -> Iterator[None]:
    """Capture the running thread's third-party log records and warnings into ``notes``."""
    sink: Counter = Counter()
    me = threading.get_ident()
    with _lock:
        if not _sinks:
            for name in LOGGERS:
                logger = logging.getLogger(name)
                _saved[name] = logger.propagate
                logger.propagate = False
                logger.addHandler(_HANDLER)
        _sinks[me] = sink
    try:
        with warnings.catch_warnings(record=True) as raised:
            warnings.simplefilter("always")
            yield
        for warning in raised:
            sink[f"{warning.category.__name__}: {warning.message}"] += 1
    finally:
        with _lock:
            del _sinks[me]
            if not _sinks:
                for name in LOGGERS:
                    logger = logging.getLogger(name)
                    logger.removeHandler(_HANDLER)
                    logger.propagate = _saved.pop(name, True)
        notes += [line if n == 1 else f"{line} ({n} times)" for line, n in sink.items()]
