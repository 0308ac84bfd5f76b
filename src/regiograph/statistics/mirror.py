"""A columnar mirror of the cube's observations in DuckDB, kept in step with the store.

Aggregates over hundreds of thousands of observations take seconds on Oxigraph; the same
question over one DuckDB column takes milliseconds (see docs/statistics.md and bench/).
The mirror is a derived file, ``{data_dir}/statistics.duckdb``: whenever the store's content
version (which harvest records alone do not move) differs from the one recorded in the file,
it is rebuilt from one SELECT of each observation component (plus areas and concept labels),
read in pages (:mod:`.export`), into a new file that then replaces the old one in one
``os.replace``; readers see the old or the new file, never a mix. An exclusive file lock
makes sure only one process of a deployment builds at a time; while it does, the others
answer from the previous file (only the very first build is waited for).
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import time
from pathlib import Path

import duckdb
from pyoxigraph import NamedNode

from regiograph.derived import buildlock
from regiograph.namespaces import QB, RG, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE
from regiograph.statistics import fetch as export
from regiograph.store import Store, StoreError
from regiograph.store.binding import bind

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
FILE_NAME = "statistics.duckdb"
RETRY_AFTER_FAILURE_S = 60.0
RECHECK_WHILE_BUILDING_S = 5.0
MEMO_MAX = 64
# Bumped whenever mirror.sql changes what the file holds: a file of another layout is rebuilt.
LAYOUT = "5"
# One thread per query: a question of the explorer scans a few row groups in milliseconds,
# where DuckDB's threads cost more in hand-offs than they gain, and the web processes already
# run as many requests at once as there are cores (bench/explorer.py, bench/README.md).
_READER = {"threads": 1}
_PROJECTION = re.compile(r"^SELECT\s+(.*?)\s+WHERE", re.MULTILINE | re.DOTALL)


class Mirror:
    """The statistics mirror of one store; all reads go through :meth:`sql`.

    One read-only connection per process, used under a lock: statistics queries take
    milliseconds, and one connection keeps DuckDB from ever holding two versions of the
    file open in the same process (its instance cache is keyed by path).
    """

    def __init__(self, store: Store, path: Path):
        self.store = store
        self.path = path
        self._lock = threading.Lock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._version: str | None = None
        self._retry_at = 0.0
        self._memo: dict[tuple[str, str], object] = {}
        # (content version, file identity) when the file was last found to be of another
        # version: not opened again to look until one of the two changes
        self._unbuilt: tuple[str, tuple | None] | None = None

    def sql(self, sql: str, params: dict | list | None = None) -> tuple[list[str], list[tuple]]:
        """(column names, rows) of a SQL query on the current mirror."""
        with self._lock:
            connection = self._current()
            cursor = connection.execute(sql, params or {})
            columns = [d[0] for d in cursor.description]
            return columns, cursor.fetchall()

    def sql_if_current(self, sql: str, params: dict | None = None) -> list[tuple] | None:
        """Rows of a SQL query when the mirror holds the store's content as it is now, else
        None at once: never builds, never answers from a previous file. For callers that
        can ask the store instead (a page's district means)."""
        version = self.store.content_version()
        with self._lock:
            if self._version != version:
                seen = (version, _identity(self.path))
                if self._unbuilt == seen:
                    return None
                if _file_version(self.path) != version:
                    self._unbuilt = seen
                    return None
                self._close()
                self._connection = duckdb.connect(str(self.path), read_only=True, config=_READER)
                self._version = version
            return self._connection.execute(sql, params or {}).fetchall()

    def memo(self, key: str, compute):
        """``compute()``, remembered until the content version moves (forms, cube lists);
        not remembered while the previous mirror file answers for a newer version."""
        version = self.store.content_version()
        entry = (version, key)
        if entry in self._memo:
            return self._memo[entry]
        value = compute()
        if self._version == version:
            if len(self._memo) > MEMO_MAX:
                self._memo.clear()
            self._memo[entry] = value
        return value

    def status(self) -> dict:
        _, rows = self.sql("SELECT key, value FROM meta")
        return dict(rows)

    def _current(self) -> duckdb.DuckDBPyConnection:
        version = self.store.content_version()
        if self._connection is not None and self._version == version:
            return self._connection
        if self._connection is not None and time.monotonic() < self._retry_at:
            return self._connection  # being rebuilt, or the last rebuild failed: serve this
        self._close()
        current = _file_version(self.path) == version or self._refresh(version)
        self._connection = duckdb.connect(str(self.path), read_only=True, config=_READER)
        self._version = version if current else None
        return self._connection

    def _refresh(self, version: str) -> bool:
        """Rebuild for ``version``; False when the previous mirror must answer meanwhile:
        while another process builds (a build at 20M triples takes minutes), or for a
        while after a failure."""
        previous = self.path.is_file()
        try:
            current = rebuild(self.store, self.path, version, wait=not previous)
        except StoreError:
            if not previous:
                raise
            log.warning(
                "statistics mirror rebuild failed; serving the previous data", exc_info=True
            )
            self._retry_at = time.monotonic() + RETRY_AFTER_FAILURE_S
            return False
        if not current:
            self._retry_at = time.monotonic() + RECHECK_WHILE_BUILDING_S
        return current

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` (a rebuild swaps in a new one), None if there is none."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_mtime_ns


def _file_version(path: Path) -> str | None:
    if not path.is_file():
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as connection:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.Error:
        return None  # damaged, or from before the meta table: rebuild it
    return meta.get("data_version") if meta.get("layout") == LAYOUT else None


def rebuild(store: Store, path: Path, version: str, *, wait: bool = True) -> bool:
    """Build the mirror for ``version`` unless another process just did; swap it in.

    True when the file is for ``version`` afterwards; False, without waiting, when
    another process is building and ``wait`` is off."""
    with buildlock.exclusive(path.parent / (path.name + ".lock"), wait=wait) as mine:
        if not mine:
            return False
        if _file_version(path) != version:
            _build_and_swap(store, path, version)
    return True


def _build_and_swap(store: Store, path: Path, version: str) -> None:
    started = time.monotonic()
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(handle)
    os.unlink(temporary)  # DuckDB creates the file itself
    try:
        count = _build(store, Path(temporary), version, started)
        os.replace(temporary, path)
    finally:
        for leftover in (temporary, temporary + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)
    log.info("statistics mirror: %d observations in %.1f s", count, time.monotonic() - started)


# Raw tables: one per observation component (subject, value), plus areas, concepts and
# the municipalities' boundaries (shapes).
_COMPONENTS = {
    "dataset": QB + "dataSet",
    "area": SDMX_DIMENSION + "refArea",
    "indicator": RG + "indicator",
    "period": RG + "refPeriod",
    "value": SDMX_MEASURE + "obsValue",
    "unit": SDMX_ATTRIBUTE + "unitMeasure",
    "status": SDMX_ATTRIBUTE + "obsStatus",
}


def _build(store: Store, target: Path, version: str, started: float) -> int:
    component = (HERE / "component.rq").read_text()
    sources = [
        (f"raw_{name}", component, {"p": NamedNode(iri)}) for name, iri in _COMPONENTS.items()
    ]
    sources += [
        (f"raw_{name}", (HERE / f"{name}.rq").read_text(), {})
        for name in ("areas", "concepts", "shapes")
    ]
    origin = export.Pages(store)
    with tempfile.TemporaryDirectory(dir=target.parent) as work, duckdb.connect(str(target)) as db:
        for table, query, values in sources:
            text = bind(query, values)
            db.execute(f"CREATE TABLE {table} ({', '.join(_columns(text))})")
            step = time.monotonic()
            rows = origin.copy(text, Path(work), _loader(db, table))
            log.info("statistics mirror: %s, %d rows in %.1f s", table, rows, _since(step))
        step = time.monotonic()
        db.execute((HERE / "mirror.sql").read_text())
        log.info("statistics mirror: tables joined and typed in %.1f s", _since(step))
        count = db.execute("SELECT count(*) FROM observations").fetchone()[0]
        db.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("data_version", version),
                ("layout", LAYOUT),
                ("observations", str(count)),
                ("built_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
                ("build_seconds", f"{_since(started):.2f}"),
            ],
        )
        for table, _, _ in sources:
            db.execute(f"DROP TABLE {table}")
        db.execute("CHECKPOINT")
    return count


def _since(started: float) -> float:
    return time.monotonic() - started


def _columns(query: str) -> list[str]:
    """The projected variables of one of our SELECTs, as text columns of its raw table."""
    projection = _PROJECTION.search(query)
    if projection is None:
        raise ValueError("a statistics export query must project plain variables")
    return [f'"{name}" VARCHAR' for name in re.findall(r"\?(\w+)", projection.group(1))]


def _loader(db: duckdb.DuckDBPyConnection, table: str):
    """Append one CSV file of SPARQL results to ``table``, by column name; returns its rows."""
    # ``table`` is one of our own names above; the path goes in as a parameter. The dialect is
    # SPARQL's CSV results (RFC 4180), said rather than sniffed: DuckDB's sniffer reads only the
    # first rows, and a page whose first quoted value ("Zwingenberg, Stadt") came later was read
    # without quotes and failed.
    statement = (
        f"INSERT INTO {table} BY NAME SELECT * FROM read_csv($path, header = true, "  # noqa: S608
        "all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
    )

    def load(path: Path) -> int:
        if path.stat().st_size == 0:
            return 0  # some stores send an empty body, not even a header, for no rows
        return db.execute(statement, {"path": str(path)}).fetchone()[0]

    return load
