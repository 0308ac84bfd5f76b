"""The explorer's long repeated HTML (table rows, district options), built in one pass.

At 20M triples one district's table has 375 rows and the form 440 districts; drawn by Jinja
cell by cell (an escape, a filter and a dict lookup by exception per cell) they cost more
than the query. The markup is the template's, cell for cell; every value is escaped here.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from markupsafe import Markup, escape


def table_body(records: list[dict]) -> Markup:
    """``<tr>`` per tidy record: AGS, linked name, year, value, unit."""
    return Markup(  # noqa: S704 (every value in it went through escape())
        "".join(
            f"<tr><td>{escape(r['ags'] or '')}</td>"
            f'<td><a href="/resource?iri={escape(_quoted(r["area"]))}">'
            f"{escape(r['name'] or r['area'])}</a></td><td>{escape(r['period'])}</td>"
            f'<td class="num">{escape(number(r["value"]))}</td><td>{escape(r["unit_label"])}</td>'
            "</tr>"
            for r in records
        )
    )


def pivot_body(rows: list[tuple]) -> Markup:
    """``<tr>`` per municipality of a pivot: AGS, name, then one cell per column; a cell is a
    value, or (value, year) where the column's values come from different years."""

    def cell(entry) -> str:
        if isinstance(entry, tuple):
            value, year = entry
            return f'<td class="num">{escape(number(value))} <small>({escape(year)})</small></td>'
        return f'<td class="num">{escape(number(entry))}</td>'

    return Markup(  # noqa: S704 (every value in it went through escape())
        "".join(
            f'<tr><td>{escape(ags or "")}</td><th scope="row">{escape(name or "")}</th>'
            + "".join(cell(entry) for entry in cells)
            + "</tr>"
            for ags, name, cells in rows
        )
    )


def class_lists(classes: list[dict], areas: list[dict], heading: str) -> Markup:
    """The choropleth's stand-in without JavaScript: per class (then ``heading``: no value) a
    heading and the linked municipalities with their value and year."""
    groups = [(f"{number(c['low'])} \u2013 {number(c['high'])}", c["index"]) for c in classes]
    if any(a["cls"] is None for a in areas):
        groups.append((heading, None))
    return Markup(  # noqa: S704 (every value in it went through escape())
        "".join(
            f'<h3>{escape(title)}</h3><ul class="inline-list">'
            + "".join(
                f'<li><a href="/resource?iri={escape(_quoted(a["area"]))}" '
                f'data-area="{escape(a["area"])}">{escape(a["name"] or a["ags"] or "")}'
                + (
                    f" {escape(number(a['value']))}</a> ({escape(a['period'])})</li>"
                    if index is not None
                    else "</a></li>"
                )
                for a in areas
                if a["cls"] == index
            )
            + "</ul>"
            for title, index in groups
        )
    )


def number(value) -> str:
    """Digits grouped by a space, up to ten significant ones (same in German and English)."""
    return "" if value is None else f"{value:,.10g}".replace(",", " ")


class Options:
    """The ``<option>`` elements of a list of (value, label), escaped once and kept (the
    national layer's 400 districts, escaped on every request, cost a millisecond)."""

    def __init__(self, choices: list[tuple[str, str]]):
        starts = [f'<option value="{escape(value)}"' for value, _ in choices]
        ends = [f">{escape(label)}</option>" for _, label in choices]
        self.html = "".join(start + end for start, end in zip(starts, ends, strict=True))
        # where " selected" goes for each value: just after its option's start tag name
        self.marks: dict[str, int] = {}
        position = 0
        for (value, _), start, end in zip(choices, starts, ends, strict=True):
            self.marks.setdefault(value, position + len(start))
            position += len(start) + len(end)

    def choose(self, selected: str | None) -> Markup:
        """The options, the one whose value is ``selected`` marked."""
        mark = self.marks.get(selected) if selected is not None else None
        if mark is None:
            return Markup(self.html)  # noqa: S704 (every value in it went through escape())
        return Markup(self.html[:mark] + " selected" + self.html[mark:])  # noqa: S704


@lru_cache(maxsize=65536)
def _quoted(iri: str) -> str:
    """As Jinja's ``urlencode`` filter quotes a string (``/`` kept)."""
    return quote(iri.encode("utf-8"), safe=b"/")
