"""What a query through :class:`regiograph.store.Store` gives back, typed.

No caller sees an HTTP response of the store: a status other than success is a typed error
(:mod:`.errors`), and an answer that the store cut short at its time limit is a
:class:`~regiograph.store.errors.QueryTimeout`, never data. Oxigraph marks such an answer
only by a note at the end of a 200 body (:mod:`.dialects`), so whole answers are checked
before they are returned and streamed ones hold back their last bytes until the end.

- :class:`Solutions`: a SELECT's columns in the query's order and its rows as pyoxigraph terms.
- :class:`RawResult`: an answer in a format the caller asked for, read whole.
- :class:`StreamedResult`: the same, as chunks, for answers too large to hold (the
  statistics mirror) or read under a byte limit (the ``/sparql`` proxy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pyoxigraph import QuerySolutions

from regiograph.store import dialects
from regiograph.store.binding import Term
from regiograph.store.errors import QueryTimeout, StoreError

# Oxigraph's note plus room for trailing whitespace: what a stream holds back until its end.
_TAIL = 64


@dataclass(frozen=True)
class Solutions:
    columns: tuple[str, ...]  # the SELECT's variables, in the query's order
    rows: list[dict[str, Term]]  # unbound variables are absent from a row


def solutions_of(results, read: Iterable | None = None) -> Solutions:
    """pyoxigraph's answer to a SELECT as :class:`Solutions` (unbound names left out of a
    row); ``read``: its rows as the caller reads them (all of them by default)."""
    if not isinstance(results, QuerySolutions):
        raise StoreError("expected a SELECT query")
    names = tuple(v.value for v in results.variables)
    rows = results if read is None else read
    return Solutions(names, [{n: row[n] for n in names if row[n] is not None} for row in rows])


@dataclass(frozen=True)
class RawResult:
    media_type: str  # the store's Content-Type without parameters ("" if it sent none)
    body: bytes


@dataclass(frozen=True)
class StreamedResult:
    """Use as a context manager (or call ``close``): it holds a connection to the store.

    Iterating ``chunks`` raises :class:`QueryTimeout` at the end if the store cancelled the
    query, and :class:`StoreError` if the answer broke off; the caller has then received
    only part of it and must discard what it kept."""

    media_type: str  # as in RawResult
    chunks: Iterator[bytes]
    close: Callable[[], None]

    def __enter__(self) -> StreamedResult:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def check_complete(body: bytes) -> bytes:
    """``body``, unless it ends in the note of a query cancelled at its time limit."""
    if dialects.was_cancelled(body):
        raise QueryTimeout("the store stopped the query at its time limit")
    return body


def checked_chunks(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """``pieces`` passed on, the last bytes held back until the end to look for the note."""
    tail = b""
    try:
        for piece in pieces:
            window = tail + piece if tail else piece
            cut = len(window) - _TAIL
            if cut > 0:
                yield window[:cut]
                tail = window[cut:]
            else:
                tail = window
    except OSError as exc:  # requests' ChunkedEncodingError, ConnectionError, … are OSErrors
        raise StoreError(f"the store's response broke off: {exc}") from None
    if tail:
        yield check_complete(tail)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip()
