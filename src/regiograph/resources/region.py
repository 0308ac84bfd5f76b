"""The region at a glance, for the home page: its municipalities for a map (their polygons
where they have one, else their points) and the most recently started projects. Two queries
(``queries/home_*.rq``); labels of what they find come from the presenter (the search
index), as on the resource pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Literal

from regiograph.resources import geo
from regiograph.resources import values as fmt
from regiograph.resources.describe import query
from regiograph.resources.present import Presenter, Value

MAX_PLACES = 5000  # an overview map; more points make the page heavy, not more useful
LATEST_PROJECTS = 8


@dataclass
class Project:
    link: Value
    start: str
    leads: list[Value] = field(default_factory=list)


def places(store, presenter: Presenter, limit: int = MAX_PLACES) -> list[dict]:
    """Municipalities with a geometry: {lat, lon, label, url, kind[, shape]} as static/map.js
    draws them (``limit`` municipalities, not rows: a point and a polygon are two rows)."""
    rows = store.select(query("home_places").replace("{limit}", str(int(limit))))
    for row in rows:
        label = row.get("label")
        if isinstance(label, Literal):
            presenter.labels.setdefault(row["m"].value, {}).setdefault(
                label.language or "", label.value
            )
    wkts: dict[str, list[str]] = {}
    for row in rows:
        wkts.setdefault(row["m"].value, []).append(row["wkt"].value)
    points: dict[str, dict] = {}
    for iri, found in wkts.items():
        located = geo.locate(found)
        if located:
            (lat, lon), shape = located
            points[iri] = {
                "lat": lat,
                "lon": lon,
                "label": presenter.label(iri) or iri,
                "url": presenter.link_for(iri),
                "kind": "member",
                **({"shape": shape} if shape else {}),
            }
    return sorted(points.values(), key=lambda p: p["label"].casefold())


def latest_projects(store, presenter: Presenter, limit: int = LATEST_PROJECTS) -> list[Project]:
    """The ``limit`` projects with the latest start date, newest first, with their leads."""
    rows = store.select(query("home_projects").replace("{limit}", str(int(limit))))
    presenter.learn([r[k].value for r in rows for k in ("project", "lead") if k in r])
    projects: dict[str, Project] = {}
    for row in rows:
        iri = row["project"].value
        entry = projects.setdefault(
            iri,
            Project(presenter.link(iri), fmt.format_literal(row["start"], presenter.language)),
        )
        if "lead" in row:
            entry.leads.append(presenter.link(row["lead"].value))
    return list(projects.values())
