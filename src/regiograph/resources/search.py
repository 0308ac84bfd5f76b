"""Full-text search and browsing: an SQLite FTS5 index of the store, kept in the data folder.

What is indexed: every named resource with a type or a label — its labels, descriptions
and official keys (AGS, ARS, notation, identifier) — and its classes, for type filters and
for browsing by class. The index remembers the store's content version (the data version,
unmoved by harvest records alone: an unchanged source's run rebuilds nothing; its record
appears with the next change of content) and is rebuilt from one query when that version
changes (by the process that changed the data, see
:mod:`regiograph.derived`, else on the first search after a load), into a new file that
replaces the old one in one step, so readers never see half an index.

Typo tolerance: the trigram tokenizer matches any part of a word; when the words as typed
match nothing, the trigrams of each word are searched with OR and the candidates are ranked
by their similarity to the query ("Manheim" finds Mannheim).
"""

from __future__ import annotations

import difflib
import json
import os
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from regiograph.derived import buildlock
from regiograph.namespaces import RDF_TYPE
from regiograph.resources.describe import query
from regiograph.resources.labels import pick
from regiograph.resources.ontology import DESCRIPTION_PROPERTIES, KEY_PROPERTIES

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE resources (id INTEGER PRIMARY KEY, iri TEXT UNIQUE, labels TEXT,
                        descriptions TEXT, keys TEXT, sort_label TEXT);
CREATE TABLE types (resource INTEGER, type TEXT);
CREATE VIRTUAL TABLE docs USING fts5(label, keys, body, tokenize='trigram');
"""
_INDEXES = """
CREATE INDEX types_by_type ON types (type, resource);
CREATE INDEX resources_by_label ON resources (sort_label);
"""
FUZZY_CANDIDATES = 300
FUZZY_MIN_RATIO = 0.6


def fold(text: str) -> str:
    """Lower case without accents, so "Ludwigshafen" matches "ludwigshafen" and "Mü" "mu"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Hit:
    iri: str
    labels: dict[str, str]
    descriptions: dict[str, str]
    keys: list[str]
    types: list[str]

    def label(self, language: str) -> str:
        return pick(self.labels, language) or self.iri

    def description(self, language: str) -> str | None:
        return pick(self.descriptions, language)


class SearchIndex:
    def __init__(self, folder: Path, store):
        self.folder = folder
        self.store = store
        self.path = folder / "search.sqlite"
        self.lock_path = folder / "search.lock"
        self._lock = threading.Lock()
        self.rebuilds = 0

    # --- freshness ------------------------------------------------------------------

    def fresh(self, *, wait: bool = False) -> SearchIndex:
        """Rebuild when the store's content version differs from the indexed one.

        One process rebuilds at a time (a lock file beside the index); while it does, the
        others answer from the previous index unless there is none yet or they ``wait``.
        """
        version = self.store.content_version()
        if self._indexed_version() == version:
            return self
        with self._lock:
            waiting = wait or not self.path.exists()
            with buildlock.exclusive(self.lock_path, wait=waiting) as mine:
                if mine and self._indexed_version() != version:
                    self.rebuild(version)
        return self

    def _indexed_version(self) -> str | None:
        if not self.path.exists():
            return None
        try:
            with self._connect() as db:
                row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def rebuild(self, version: str) -> int:
        """Index the whole store into a new file, then swap it in; returns resources indexed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        temporary.unlink(missing_ok=True)
        resources = _collect(self.store.select(query("search_index")))
        db = sqlite3.connect(temporary)
        try:
            db.executescript(SCHEMA)
            _fill(db, resources)
            db.executescript(_INDEXES)
            db.execute("INSERT INTO meta VALUES ('version', ?)", (version,))
            db.commit()
        finally:
            db.close()
        os.replace(temporary, self.path)
        self.rebuilds += 1
        return len(resources)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    # --- questions ------------------------------------------------------------------

    def search(
        self, text: str, *, type_iri: str | None = None, limit: int = 20, offset: int = 0
    ) -> tuple[int, list[Hit], dict[str, int]]:
        """(number of matches, one page of hits best first, matches per class)."""
        ids = self._matching_ids(fold(text).strip())
        with self._connect() as db:
            facets = _facets(db, ids)
            if type_iri:
                allowed = {
                    r
                    for (r,) in db.execute("SELECT resource FROM types WHERE type = ?", (type_iri,))
                }
                ids = [i for i in ids if i in allowed]
            return len(ids), _hits(db, ids[offset : offset + limit]), facets

    def _matching_ids(self, folded: str) -> list[int]:
        if not folded:
            return []
        with self._connect() as db:
            if len(folded) < 3:  # shorter than a trigram: label prefix
                return [
                    r
                    for (r,) in db.execute(
                        "SELECT id FROM resources WHERE sort_label LIKE ? ESCAPE '\\' "
                        "ORDER BY length(sort_label) LIMIT 1000",
                        (_like_prefix(folded),),
                    )
                ]
            ids = _ranked(db, _phrase_query(folded), folded)
            if not ids:
                ids = _fuzzy(db, folded)
        return ids

    def labels(self, iris: list[str]) -> dict[str, dict[str, str]]:
        """Labels by language of the given IRIs that the index knows."""
        found: dict[str, dict[str, str]] = {}
        with self._connect() as db:
            for chunk in range(0, len(iris), 500):
                part = iris[chunk : chunk + 500]
                marks = ",".join("?" * len(part))
                for iri, labels in db.execute(
                    f"SELECT iri, labels FROM resources WHERE iri IN ({marks})",  # noqa: S608
                    part,
                ):
                    found[iri] = json.loads(labels)
        return found

    def suggest(self, text: str, limit: int = 8) -> list[Hit]:
        return self.search(text, limit=limit)[1]

    def classes(self) -> list[tuple[str, int]]:
        with self._connect() as db:
            return db.execute(
                "SELECT type, COUNT(*) FROM types GROUP BY type ORDER BY COUNT(*) DESC, type"
            ).fetchall()

    def browse(
        self, type_iri: str, *, order: str = "label", limit: int = 50, offset: int = 0
    ) -> tuple[int, list[Hit]]:
        sort = {
            "label": "r.sort_label, r.iri",
            "-label": "r.sort_label DESC, r.iri",
            "iri": "r.iri",
        }[order]
        with self._connect() as db:
            total = db.execute("SELECT COUNT(*) FROM types WHERE type = ?", (type_iri,)).fetchone()[
                0
            ]
            ids = [
                r
                for (r,) in db.execute(
                    f"SELECT r.id FROM types t JOIN resources r ON r.id = t.resource "  # noqa: S608 (fixed sort)
                    f"WHERE t.type = ? ORDER BY {sort} LIMIT ? OFFSET ?",
                    (type_iri, limit, offset),
                )
            ]
            return total, _hits(db, ids)


def _collect(rows: list[dict]) -> dict[str, dict]:
    resources: dict[str, dict] = {}
    for row in rows:
        entry = resources.setdefault(
            row["s"].value, {"labels": {}, "descriptions": {}, "keys": [], "types": []}
        )
        predicate, obj = row["p"].value, row["o"]
        if predicate == RDF_TYPE:
            entry["types"].append(obj.value)
        elif predicate in KEY_PROPERTIES:
            entry["keys"].append(obj.value)
        elif predicate in DESCRIPTION_PROPERTIES:
            entry["descriptions"].setdefault(getattr(obj, "language", None) or "", obj.value)
        else:
            entry["labels"].setdefault(getattr(obj, "language", None) or "", obj.value)
    return resources


def _fill(db: sqlite3.Connection, resources: dict[str, dict]) -> None:
    for number, (iri, entry) in enumerate(resources.items(), start=1):
        label = pick(entry["labels"], "de") or ""
        db.execute(
            "INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?)",
            (
                number,
                iri,
                json.dumps(entry["labels"]),
                json.dumps(entry["descriptions"]),
                json.dumps(entry["keys"]),
                fold(label),
            ),
        )
        db.executemany(
            "INSERT INTO types VALUES (?, ?)", [(number, t) for t in dict.fromkeys(entry["types"])]
        )
        db.execute(
            "INSERT INTO docs (rowid, label, keys, body) VALUES (?, ?, ?, ?)",
            (
                number,
                fold(" · ".join(entry["labels"].values())),
                " ".join(entry["keys"]),
                fold(" · ".join(entry["descriptions"].values())),
            ),
        )


def _phrase_query(folded: str) -> str:
    """Every word must occur (as part of a word); words are quoted, so no FTS syntax leaks."""
    words = [w for w in folded.split() if w]
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _like_prefix(folded: str) -> str:
    return folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _ranked(db: sqlite3.Connection, match: str, folded: str) -> list[int]:
    """Best first: exact label, label starting with the query, then BM25 (label > keys > text)."""
    if any(len(w) < 3 for w in folded.split()):
        words = [w for w in folded.split() if len(w) >= 3]
        if not words:
            return []
        match = _phrase_query(" ".join(words))
    rows = db.execute(
        "SELECT d.rowid FROM docs d JOIN resources r ON r.id = d.rowid WHERE docs MATCH ? "
        "ORDER BY (r.sort_label = ?) DESC, (r.sort_label LIKE ? ESCAPE '\\') DESC, "
        "bm25(docs, 10.0, 8.0, 1.0) LIMIT 1000",
        (match, folded, _like_prefix(folded)),
    )
    return [r for (r,) in rows]


def _fuzzy(db: sqlite3.Connection, folded: str) -> list[int]:
    grams = {w[i : i + 3] for w in folded.split() for i in range(max(len(w) - 2, 0))}
    if not grams:
        return []
    match = " OR ".join('"' + g.replace('"', '""') + '"' for g in sorted(grams))
    rows = db.execute(
        "SELECT d.rowid, r.sort_label, d.keys FROM docs d JOIN resources r ON r.id = d.rowid "
        "WHERE docs MATCH ? ORDER BY bm25(docs, 10.0, 8.0, 1.0) LIMIT ?",
        (match, FUZZY_CANDIDATES),
    ).fetchall()
    scored = []
    for rowid, label, keys in rows:
        ratio = max(_similarity(folded, label), _similarity(folded, keys))
        if ratio >= FUZZY_MIN_RATIO:
            # ties (Mannheim, Stadtkreis Mannheim) go to the label closest as a whole
            whole = difflib.SequenceMatcher(None, folded, label or "").ratio()
            scored.append((-round(ratio, 2), -whole, rowid))
    return [rowid for *_, rowid in sorted(scored)]


def _similarity(query_text: str, candidate: str) -> float:
    """How well the query matches the candidate or its best-matching word(s)."""
    candidate = candidate or ""
    best = difflib.SequenceMatcher(None, query_text, candidate).ratio()
    width = len(query_text.split())
    words = candidate.split()
    for i in range(len(words)):
        piece = " ".join(words[i : i + width])
        best = max(best, difflib.SequenceMatcher(None, query_text, piece).ratio())
    return best


def _facets(db: sqlite3.Connection, ids: list[int]) -> dict[str, int]:
    if not ids:
        return {}
    counts: dict[str, int] = {}
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        marks = ",".join("?" * len(part))
        for type_iri, count in db.execute(
            f"SELECT type, COUNT(*) FROM types WHERE resource IN ({marks}) GROUP BY type",  # noqa: S608 (placeholders only)
            part,
        ):
            counts[type_iri] = counts.get(type_iri, 0) + count
    return counts


def _hits(db: sqlite3.Connection, ids: list[int]) -> list[Hit]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = {
        r[0]: r
        for r in db.execute(
            f"SELECT id, iri, labels, descriptions, keys FROM resources WHERE id IN ({marks})",  # noqa: S608 (placeholders only)
            ids,
        )
    }
    types: dict[int, list[str]] = {}
    for resource, type_iri in db.execute(
        f"SELECT resource, type FROM types WHERE resource IN ({marks})",  # noqa: S608
        ids,
    ):
        types.setdefault(resource, []).append(type_iri)
    return [
        Hit(
            rows[i][1],
            json.loads(rows[i][2]),
            json.loads(rows[i][3]),
            json.loads(rows[i][4]),
            types.get(i, []),
        )
        for i in ids
        if i in rows
    ]
