"""What the catalogue's HTML pages show, built from a page of the catalogue: facet lists with
names, counts and links, and datasets with names for their codes (HTTP only: links are
``url_for`` paths, so they work on whatever host and port the platform is reached at).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import url_for

from regiograph.catalog.facets import NAMES
from regiograph.catalog.names import Names
from regiograph.catalog.view import summarise
from regiograph.resources.labels import pick
from regiograph.resources.values import format_number, format_short_date, safe_href
from regiograph.server.kit.urls import link_for
from regiograph.server.services import config

SHOWN = 8  # values of a facet shown before "more"
MORE = 50  # values behind "more" at most (an area facet can have thousands)


@dataclass(frozen=True)
class Question:
    """What the reader asked the catalogue's list: words, sort, one value per facet and a
    modified-since bound — one value for the template instead of five loose names."""

    text: str
    sort: str
    chosen: dict[str, str]
    since: str

    @property
    def kept(self) -> dict[str, str]:
        """The parameters that ask the same again (empty ones and the default sort left out)."""
        sort = self.sort if self.sort != "relevance" else ""
        asked = {"q": self.text, "sort": sort, **self.chosen, "modified_since": self.since}
        return {k: v for k, v in asked.items() if v}


def facet_lists(counts: dict, chosen: dict, kept: dict, names: Names, language: str) -> list:
    """Per facet: its name and [{value, label, count, href, selected}] by count, the chosen
    value first; each link keeps the other choices and starts again at page 1."""
    out = []
    path = url_for("catalog.negotiated")  # once: hundreds of links, url_for costs 0.1 ms each
    for facet in NAMES:
        top = sorted(counts.get(facet, {}).items(), key=lambda item: -item[1])
        shown = {value for value, _ in top[: SHOWN + MORE]} | {chosen.get(facet)}
        values = sorted(
            (
                {
                    "value": value,
                    "label": names.label(facet, value, language),
                    "count": count,
                    "count_text": format_number(count, language),
                    "selected": chosen.get(facet) == value,
                    "href": _with(path, kept, facet, None if chosen.get(facet) == value else value),
                }
                for value, count in counts.get(facet, {}).items()
                if count and value in shown
            ),
            key=lambda v: (not v["selected"], -v["count"], v["label"].casefold()),
        )
        out.append({"name": facet, "shown": values[:SHOWN], "more": values[SHOWN : SHOWN + MORE]})
    return out


def _with(path: str, kept: dict, facet: str, value: str | None) -> str:
    args = {k: v for k, v in kept.items() if k not in (facet, "page")}
    if value is not None:
        args[facet] = value
    return f"{path}?{urlencode(args)}" if args else path


def listed(entries, names: Names, language: str) -> list[dict]:
    """The list's datasets from their entries alone (no store query): titles and descriptions
    in the reader's language, codes named, each linked to its dataset page."""
    out = []
    for e in entries:
        facets, texts = e.facets, e.texts

        def named(facet: str, facets=facets) -> list[str]:
            return [names.label(facet, v, language) for v in facets.get(facet, ())]

        out.append(
            {
                "iri": e.iri,
                "id": entry_id(e.iri),
                "page": url_for("catalog.dataset", iri=e.iri),
                "title": pick(texts.get("title", {}), language) or "",
                "description": pick(texts.get("description", {}), language) or "",
                "publishers": named("publisher"),
                "themes": named("theme"),
                "format_labels": named("format"),
                "licences": named("licence"),
                "modified_text": _date(e.modified_text or _iso(e.modified), language),
            }
        )
    return out


def _iso(moment) -> str | None:
    return moment.date().isoformat() if moment else None


def datasets(triples, entries, names: Names, language: str) -> list:
    """The page's datasets for the list and the dataset page: codes named, links local."""
    out = []
    for d in summarise(triples, [e.iri for e in entries], language):
        d["page"] = url_for("catalog.dataset", iri=d["iri"])
        d["id"] = entry_id(d["iri"])
        d["themes"] = [names.label("theme", v, language) for v in d["theme"]]
        d["publishers"] = [names.label("publisher", v, language) for v in d["publisher"]]
        d["areas"] = [names.label("area", v, language) for v in d["area"]]
        d["licences"] = [names.label("licence", v, language) for v in d["licence"]]
        d["modified_text"] = _date(d["modified"], language)
        d["format_labels"] = [names.label("format", v, language) for v in d["format"]]
        for dist in d["distributions"]:
            dist["format_label"] = (
                names.label("format", dist["format"], language) if dist["format"] else None
            )
            dist["licence_label"] = (
                names.label("licence", dist["licence"], language) if dist["licence"] else None
            )
            dist["size_text"] = _size(dist["size"], language)
            dist["modified_text"] = _date(dist["modified"], language)
            dist["href"] = local(dist["download"] or dist["access"] or "")
        out.append(d)
    return out


def local(url: str) -> str | None:
    """A link to ``url``: a path on this host when it lies under the site's base IRI (the
    dumps, the own pages), else the URL itself if it is http(s); None otherwise."""
    base = config().base_iri
    if url.startswith(base):
        return url_for("home.index") + url.removeprefix(base)
    return safe_href(url)


def resource_page(iri: str) -> str:
    return link_for(iri)


def catalogue_entry(position: int, page_size: int, iri: str) -> str:
    """The catalogue page that lists the dataset at ``position``, at its entry."""
    page = position // page_size + 1
    return url_for("catalog.negotiated", page=page) + "#" + entry_id(iri)


def entry_id(iri: str) -> str:
    """The id of a dataset's entry on a catalogue page (an IRI is no valid id)."""
    return "d-" + hashlib.sha1(iri.encode(), usedforsecurity=False).hexdigest()[:12]


def _size(size: int | None, language: str) -> str:
    if size is None:
        return ""
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= factor:
            return f"{format_number(round(size / factor, 1), language)} {unit}"
    return f"{format_number(size, language)} B"


def _date(text: str | None, language: str) -> str:
    return format_short_date(text, language) if text else ""
