"""Views by type: what a page shows on top of the generic description.

A view names its template, the properties and incoming links it shows itself (so the
generic lists do not repeat them) and loads its extra data with its own ``.rq`` files.
The first class in a resource's lineage (the class, then its superclasses) that has a view
chooses it; everything else gets the generic view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regiograph.namespaces import DCAT, GEO, RG, SCHEMA, SDMX_DIMENSION
from regiograph.resources.ontology import Ontology


@dataclass(frozen=True)
class View:
    name: str
    template: str = "page.html"
    handled: frozenset[str] = field(default_factory=frozenset)
    incoming_handled: frozenset[str] = field(default_factory=frozenset)
    # what else its loader takes, by keyword, from what the page has (``district_means``: a
    # faster source of a district's means than the store, see typed._values_and_means)
    wants: tuple[str, ...] = ()

    def load(self, store, iri, description, presenter, **available) -> dict:
        from regiograph.resources import typed

        loader = getattr(typed, f"load_{self.name}", None)
        extra = {name: available.get(name) for name in self.wants}
        return loader(store, iri, description, presenter, **extra) if loader else {}


GENERIC = View("generic")
_REGISTRY: dict[str, View] = {}


def register(classes: list[str], view: View) -> None:
    for iri in classes:
        _REGISTRY[iri] = view


def view_for(types: list[str], ontology: Ontology) -> View:
    for type_iri in sorted(types, key=ontology.order):
        for ancestor in ontology.ancestors(type_iri):
            if ancestor in _REGISTRY:
                return _REGISTRY[ancestor]
    return GENERIC


_HAS_GEOMETRY = GEO + "hasGeometry"
_REF_AREA = SDMX_DIMENSION + "refArea"

register(
    [RG + "Municipality"],
    View(
        "municipality",
        "page_municipality.html",
        handled=frozenset({_HAS_GEOMETRY}),
        incoming_handled=frozenset({_REF_AREA}),
        wants=("district_means",),
    ),
)
register(
    [RG + "Project"],
    View("project", "page_project.html", incoming_handled=frozenset({SCHEMA + "fundedItem"})),
)
register(
    [RG + "FundingProgramme"],
    View(
        "programme",
        "page_programme.html",
        handled=frozenset({RG + "applicationWindow"}),
        incoming_handled=frozenset({RG + "programme"}),
    ),
)
register(
    [RG + "District", RG + "Region"],
    View(
        "area",
        "page_area.html",
        # the totals above show the area's own population, area and their date
        handled=frozenset({_HAS_GEOMETRY, RG + "population", RG + "area", RG + "statisticsDate"}),
        incoming_handled=frozenset({RG + "district", RG + "region", _REF_AREA}),
    ),
)
register(
    [DCAT + "Dataset"],
    View(
        "dataset",
        "page_dataset.html",
        handled=frozenset({DCAT + "distribution"}),
    ),
)
