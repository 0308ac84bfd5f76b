"""Cube discovery: every ``qb:DataSet`` in the store with its structure.

Structures are small, so they are read live from the store; counts, periods and units come
from the mirror, where they cost nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from regiograph.statistics.mirror import Mirror
from regiograph.store import Store

_QUERY = (Path(__file__).resolve().parent / "cubes.rq").read_text()
_FACTS = """
SELECT o.dataset, count(*) AS observations, min(o.period) AS first, max(o.period) AS last,
       count(DISTINCT o.area) AS areas,
       list(DISTINCT coalesce(u.label_de, o.unit) ORDER BY coalesce(u.label_de, o.unit))
         FILTER (WHERE o.unit IS NOT NULL) AS units
FROM observations o LEFT JOIN concepts u ON u.concept = o.unit
GROUP BY o.dataset
"""


@dataclass
class Cube:
    iri: str
    title: str
    structure: str | None = None
    # kind (dimension, measure, attribute) -> [(iri, label)]
    components: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    observations: int = 0
    first: int | None = None
    last: int | None = None
    areas: int = 0
    units: list[str] = field(default_factory=list)


def cubes(store: Store, mirror: Mirror) -> list[Cube]:
    found: dict[str, Cube] = {}
    for row in store.select(_QUERY):
        iri = row["dataset"].value
        cube = found.setdefault(iri, Cube(iri, row["title"].value if "title" in row else iri))
        if "structure" in row:
            cube.structure = row["structure"].value
        if "component" in row:
            label = row["componentLabel"].value if "componentLabel" in row else ""
            entry = (row["component"].value, label)
            kind = cube.components.setdefault(row["kind"].value, [])
            if entry not in kind:
                kind.append(entry)
    columns, rows = mirror.sql(_FACTS)
    for row in rows:
        facts = dict(zip(columns, row, strict=True))
        cube = found.get(facts.pop("dataset"))
        if cube:
            for key, value in facts.items():
                setattr(cube, key, value)
            cube.units = cube.units or []  # DuckDB's list() of no rows is NULL
    return sorted(found.values(), key=lambda c: c.title)
