"""Summaries of catalogue datasets for the HTML view: one dict per dataset, its facet values
(the same values :mod:`.facets` filters by) and its distributions with what a download list
shows — format, licence, size, date, address."""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Literal, Triple

from regiograph.namespaces import (
    DCAT,
    DCATDE_LICENCES,
    DCATDE_REGIONAL_KEY,
    DCT,
    EU_AUTHORITY,
    FOAF,
)
from regiograph.resources.labels import pick

_THEME = EU_AUTHORITY + "data-theme/"
_FILE_TYPE = EU_AUTHORITY + "file-type/"


def summarise(triples: list[Triple], order: list[str], language: str = "de") -> list[dict]:
    props: dict = defaultdict(lambda: defaultdict(list))
    for t in triples:
        props[t.subject.value][t.predicate.value].append(t.object)
    out = []
    for iri in order:
        p = props[iri]
        distributions = [_distribution(d.value, props[d.value], language) for d in _nodes(p)]
        publishers = {}
        for agent in p[DCT + "publisher"]:
            names = _texts(props[agent.value][FOAF + "name"])
            if names:
                publishers[publisher_key(names)] = names
        titles = _texts(p[DCT + "title"])
        out.append(
            {
                "iri": iri,
                "title": pick(titles, language) or "",
                "titles": titles,
                "description": pick(_texts(p[DCT + "description"]), language) or "",
                "descriptions": _texts(p[DCT + "description"]),
                "keywords": [k.value for k in p[DCAT + "keyword"] if isinstance(k, Literal)],
                "modified": _last(p[DCT + "modified"]),
                "theme": _codes(p[DCAT + "theme"], _THEME),
                "publisher": sorted(publishers),
                "publisher_names": publishers,
                "format": sorted({d["format"] for d in distributions if d["format"]}),
                "licence": sorted({d["licence"] for d in distributions if d["licence"]}),
                "area": _codes(p[DCT + "spatial"], DCATDE_REGIONAL_KEY),
                "downloads": [d["download"] for d in distributions if d["download"]],
                "distributions": distributions,
            }
        )
    return out


def _distribution(iri: str, p: dict, language: str) -> dict:
    size = _first(p[DCAT + "byteSize"])
    kind = _codes(p[DCT + "format"], _FILE_TYPE)
    licence = _codes(p[DCT + "license"], DCATDE_LICENCES)
    return {
        "iri": iri,
        "title": pick(_texts(p[DCT + "title"]), language) or "",
        "format": kind[-1] if kind else None,
        "media_type": _first(p[DCAT + "mediaType"]),
        "licence": licence[-1] if licence else None,
        "size": int(size) if size and size.isdigit() else None,
        "modified": _last(p[DCT + "modified"]) or _last(p[DCT + "issued"]),
        "download": _first(p[DCAT + "downloadURL"]),
        "access": _first(p[DCAT + "accessURL"]),
    }


def _nodes(p: dict) -> list:
    return sorted(p[DCAT + "distribution"], key=lambda d: d.value)


def _codes(terms: list, namespace: str) -> list[str]:
    return sorted(
        {t.value.removeprefix(namespace) for t in terms if t.value.startswith(namespace)} - {""}
    )


def _first(terms: list) -> str | None:
    return min((t.value for t in terms), default=None)


def _last(terms: list) -> str | None:
    return max((t.value for t in terms), default=None)


def _texts(literals: list) -> dict[str, str]:
    """{language: text} of the literals, the first (in order) per language."""
    out: dict[str, str] = {}
    for o in sorted((o for o in literals if isinstance(o, Literal)), key=lambda o: o.value):
        out.setdefault(o.language or "", o.value)
    return out


def publisher_key(names: dict[str, str]) -> str:
    """The one facet value of an agent with these names (language tag -> name): German, else
    untagged, else the first — an agent named in two languages is one publisher."""
    return names.get("de") or names.get("") or names[min(names)]
