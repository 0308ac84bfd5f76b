"""Cube discovery: every ``qb:DataSet`` in the store with its structure.

Structures are small, so they are read live from the store; counts, periods and units come
from the mirror, where they cost nothing. Titles, component and unit labels are in the
reader's language, the other language only where a thing has none in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from regiograph.statistics.mirror import Mirror
from regiograph.store import Store

_QUERY = (Path(__file__).resolve().parent / "cubes.rq").read_text()
# {unit}: the unit's label in the reader's language, else the other's, else its IRI
_FACTS = """
SELECT o.dataset, count(*) AS observations, min(o.period) AS first, max(o.period) AS last,
       count(DISTINCT o.area) AS areas,
       list(DISTINCT {unit} ORDER BY {unit}) FILTER (WHERE o.unit IS NOT NULL) AS units
FROM observations o LEFT JOIN concepts u ON u.concept = o.unit
GROUP BY o.dataset
"""
_UNIT = {
    "de": "coalesce(u.label_de, u.label_en, o.unit)",
    "en": "coalesce(u.label_en, u.label_de, o.unit)",
}


@dataclass
class Cube:
    iri: str
    title: str
    structure: str | None = None
    # kind (dimension, measure, attribute) -> [(iri, label, the label's language or "")]
    components: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    observations: int = 0
    first: int | None = None
    last: int | None = None
    areas: int = 0
    units: list[str] = field(default_factory=list)


def cubes(store: Store, mirror: Mirror, language: str = "de") -> list[Cube]:
    """Every cube, titled and labelled in ``language`` ("de" or "en")."""
    found: dict[str, Cube] = {}
    for row in store.select(_QUERY):
        iri = row["dataset"].value
        title = _in(row, language, "title", "titleEn")
        cube = found.setdefault(iri, Cube(iri, title.value if title else iri))
        if "structure" in row:
            cube.structure = row["structure"].value
        if "component" in row:
            label = _in(row, language, "componentLabel", "componentLabelEn")
            entry = (row["component"].value, label.value if label else "", _lang(label))
            kind = cube.components.setdefault(row["kind"].value, [])
            if entry not in kind:
                kind.append(entry)
    columns, rows = mirror.sql(_FACTS.format(unit=_UNIT[language]))
    for row in rows:
        facts = dict(zip(columns, row, strict=True))
        cube = found.get(facts.pop("dataset"))
        if cube:
            for key, value in facts.items():
                setattr(cube, key, value)
            cube.units = cube.units or []  # DuckDB's list() of no rows is NULL
    return sorted(found.values(), key=lambda c: c.title)


def _in(row: dict, language: str, german: str, english: str):
    """The literal of ``row`` in ``language`` (German includes untagged), else the other."""
    first, other = (english, german) if language == "en" else (german, english)
    return row.get(first) or row.get(other)


def _lang(literal) -> str:
    """The language of a label as ``lang=`` wants it: untagged counts as German."""
    if literal is None:
        return ""
    return getattr(literal, "language", None) or "de"
