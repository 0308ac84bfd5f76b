"""Summaries of a catalogue page for the HTML view: one dict per dataset (its facets are
read the same way, :mod:`.facets`)."""

from __future__ import annotations

from collections import defaultdict

from pyoxigraph import Literal, Triple

from regiograph.namespaces import DCAT, DCATDE_REGIONAL_KEY, DCT, FOAF


def summarise(triples: list[Triple], order: list[str]) -> list[dict]:
    props: dict = defaultdict(lambda: defaultdict(list))
    for t in triples:
        props[t.subject.value][t.predicate.value].append(t.object)
    out = []
    for iri in order:
        p = props[iri]
        formats = {
            f.value.rsplit("/", 1)[-1]
            for d in p[DCAT + "distribution"]
            for f in props[d.value][DCT + "format"]
        }
        publishers = {n.value for a in p[DCT + "publisher"] for n in props[a.value][FOAF + "name"]}
        out.append(
            {
                "iri": iri,
                "title": _text(p[DCT + "title"]),
                "description": _text(p[DCT + "description"]),
                "theme": sorted(t.value.rsplit("/", 1)[-1] for t in p[DCAT + "theme"]),
                "publisher": sorted(publishers),
                "format": sorted(formats),
                "municipality": sorted(
                    s.value.removeprefix(DCATDE_REGIONAL_KEY)
                    for s in p[DCT + "spatial"]
                    if s.value.startswith(DCATDE_REGIONAL_KEY)
                ),
                "downloads": [
                    u.value
                    for d in p[DCAT + "distribution"]
                    for u in props[d.value][DCAT + "downloadURL"]
                ],
            }
        )
    return out


def _text(literals: list) -> str:
    by_language = {o.language: o.value for o in literals if isinstance(o, Literal)}
    return by_language.get("de") or by_language.get("en") or next(iter(by_language.values()), "")
