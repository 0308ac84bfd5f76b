"""Text search, facet counts and sort orders for the catalogue's HTML view, in memory.

The key list (:mod:`.keys`) carries each harvested dataset's titles and one folded search
text (title, description, keywords; lower case without accents, computed by the process that
changed the data), besides its facet values; the own datasets' come from their triples. A
:class:`Finder` is built once per data version and process from the index's entries: per
facet value the positions that have it, and the orders by date and (on first use, per
language) by title. A question is then set operations, one substring scan over the search
texts and counting over the matches; the store is asked only for the descriptions of the one
page shown.

Words match anywhere in a word ("verkehr" finds "Radverkehr"), every word must match.
Relevance: a word in the title counts three, elsewhere one; ties keep the catalogue's order.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from pyoxigraph import NamedNode

from regiograph.catalog.entry import Entry
from regiograph.catalog.facets import NAMES
from regiograph.catalog.sparql import query
from regiograph.resources.labels import pick
from regiograph.resources.search import fold
from regiograph.store import Store

SORTS = ("relevance", "title", "modified")
DESCRIPTION_CHARS = 2000  # what of a description is searched; the rest is rarely the point
MAX_WORDS = 8
SHOWN_CHARS = 300  # of a description, for the HTML list


@dataclass(frozen=True)
class Found:
    positions: list[int]  # the matching entries' positions, in the order asked for
    counts: dict[str, dict[str, int]]  # facet -> value -> matching entries that have it


def texts(titles: dict[str, str], descriptions: dict[str, str], keywords: list[str]) -> dict:
    """What the key list keeps of a dataset's texts: its titles and the start of its
    descriptions (what the HTML list shows, without asking the store), and the folded search
    text (titles first, then a line break, then the rest)."""
    rest = [d[:DESCRIPTION_CHARS] for d in descriptions.values()] + list(keywords)
    return {
        "title": titles,
        "description": {lang: text[:SHOWN_CHARS] for lang, text in descriptions.items()},
        "search": fold(" ".join(titles.values())) + "\n" + fold(" ".join(rest)),
    }


def harvested_texts(store: Store) -> dict[tuple[str, str], dict]:
    """(dataset, graph) -> :func:`texts`, for every harvested dataset at once."""
    found: dict = defaultdict(lambda: ({}, {}, []))
    for row in store.select(query("harvested-texts"), {"meta": NamedNode(store.meta_graph)}):
        titles, descriptions, keywords = found[(row["ds"].value, row["g"].value)]
        field, text, language = row["field"].value, row["text"].value, row["lang"].value
        if field == "keyword":
            keywords.append(text)
        else:
            (titles if field == "title" else descriptions).setdefault(language, text)
    return {key: texts(t, d, sorted(k)) for key, (t, d, k) in found.items()}


class Finder:
    """The questions the HTML view asks of one data version's entries."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.search = [e.texts.get("search", "") for e in entries]
        # every text joined once, so that a word is found by str.find at C speed (a loop over
        # 50,000 texts took twice as long); titles apart, for the score
        self._all = _Joined(self.search)
        self._title = _Joined([text[: text.find("\n")] for text in self.search])
        self.values = {name: [e.facets.get(name, ()) for e in entries] for name in NAMES}
        self.postings: dict[str, dict[str, list[int]]] = {}
        for name in NAMES:
            postings: dict[str, list[int]] = defaultdict(list)
            for position, values in enumerate(self.values[name]):
                for value in values:
                    postings[value].append(position)
            self.postings[name] = dict(postings)
        self.totals = {
            name: {value: len(ps) for value, ps in postings.items()}
            for name, postings in self.postings.items()
        }
        self._positions = {e.iri: i for i, e in enumerate(entries)}
        self._titles: dict[str, tuple[list[int], list[int]]] = {}
        self._newest = sorted(range(len(entries)), key=lambda i: _newest_first(entries[i]))

    def find(
        self,
        text: str = "",
        chosen: dict[str, str] | None = None,
        since: datetime | None = None,
        sort: str = "relevance",
        language: str = "de",
    ) -> Found:
        """The entries that have every ``chosen`` facet value, were modified since ``since``
        and contain every word of ``text``, ordered by ``sort``; and the facet counts among
        them."""
        selected = self._selected(chosen or {}, since)
        words = fold(text).replace("\x00", " ").split()[:MAX_WORDS]
        scores: dict[int, int] = {}
        if words:
            selected = self._matching(words, selected)
            scores = self._scores(selected, words)
        everything = selected is None
        positions = list(range(len(self.entries))) if everything else selected
        counts = self.totals if everything else self._counts(positions)
        return Found(self._ordered(positions, everything, sort, scores, language), counts)

    def position(self, iri: str) -> int | None:
        """The place of dataset ``iri`` in the catalogue's order, None if it is not listed."""
        return self._positions.get(iri)

    # --- selection ---------------------------------------------------------------------

    def _selected(self, chosen: dict[str, str], since: datetime | None) -> list[int] | None:
        """Positions with every chosen value (ascending), or None for all of them."""
        sets = [self.postings[name].get(value, []) for name, value in chosen.items() if value]
        if since is not None:
            sets.append(
                [i for i, e in enumerate(self.entries) if e.modified and e.modified >= since]
            )
        if not sets:
            return None
        sets.sort(key=len)
        kept = set(sets[0])
        for other in sets[1:]:
            kept.intersection_update(other)
        return sorted(kept)

    def _matching(self, words: list[str], selected: list[int] | None) -> list[int]:
        found = self._all.having(max(words, key=len))  # the longest word is the rarest, usually
        for word in words:
            found &= self._all.having(word)
        if selected is not None:
            found.intersection_update(selected)
        return sorted(found)

    def _scores(self, found: list[int], words: list[str]) -> dict[int, int]:
        in_title = [self._title.having(word) for word in words]
        return {i: sum(3 if i in titled else 1 for titled in in_title) for i in found}

    def _counts(self, positions: list[int]) -> dict[str, dict[str, int]]:
        return {
            name: dict(
                Counter(
                    itertools.chain.from_iterable(map(self.values[name].__getitem__, positions))
                )
            )
            for name in NAMES
        }

    # --- order -------------------------------------------------------------------------

    def _ordered(
        self, positions: list[int], everything: bool, sort: str, scores: dict, language: str
    ) -> list[int]:
        if sort == "relevance":
            if scores:
                return sorted(positions, key=lambda i: -scores[i])  # stable: catalogue order
            return positions
        order, rank = self._title_order(language) if sort == "title" else (self._newest, None)
        if everything:
            return order
        if rank is not None and len(positions) * 16 < len(order):
            return sorted(positions, key=rank.__getitem__)
        wanted = bytearray(len(self.entries))
        for i in positions:
            wanted[i] = 1
        return [i for i in order if wanted[i]]

    def _title_order(self, language: str) -> tuple[list[int], list[int]]:
        """(positions by title in ``language``, each position's rank in that order)."""
        if language not in self._titles:
            titles = [fold(pick(e.texts.get("title", {}), language) or "") for e in self.entries]
            order = sorted(range(len(titles)), key=lambda i: (titles[i] == "", titles[i], i))
            rank = [0] * len(order)
            for place, position in enumerate(order):
                rank[position] = place
            self._titles[language] = (order, rank)
        return self._titles[language]


def _newest_first(entry: Entry) -> tuple[bool, float]:
    """Sort key: the most recently modified first, undated last (stable: catalogue order)."""
    return (entry.modified is None, -entry.modified.timestamp() if entry.modified else 0.0)


class _Joined:
    """Texts joined into one string, and the positions of those that contain a word."""

    def __init__(self, texts: list[str]):
        self.starts = list(itertools.accumulate((len(t) + 1 for t in texts), initial=0))
        self.text = "\x00".join(texts)  # folded texts hold no NUL: no match spans two

    def having(self, word: str) -> set[int]:
        found, text, starts = set(), self.text, self.starts
        at = text.find(word)
        while at != -1:
            position = bisect.bisect_right(starts, at) - 1
            found.add(position)
            at = text.find(word, starts[position + 1])  # on with the next text
        return found
