"""Views by type: what a page shows on top of the generic description.

A view names its template, the properties and incoming links it shows itself (so the
generic lists do not repeat them) and loads its extra data with its own ``.rq`` files.
The first class in a resource's lineage (the class, then its superclasses) that has a view
chooses it; everything else gets the generic view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regiograph.resources.ontology import Ontology


@dataclass(frozen=True)
class View:
    name: str
    template: str = "page.html"
    handled: frozenset[str] = field(default_factory=frozenset)
    incoming_handled: frozenset[str] = field(default_factory=frozenset)

    def load(self, store, iri, description, presenter) -> dict:
        from regiograph.resources import typed

        loader = getattr(typed, f"load_{self.name}", None)
        return loader(store, iri, description, presenter) if loader else {}


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


_RG = "https://w3id.org/regiograph/ontology#"
_GEO = "http://www.opengis.net/ont/geosparql#hasGeometry"
_REF_AREA = "http://purl.org/linked-data/sdmx/2009/dimension#refArea"
_SCHEMA = "https://schema.org/"

register(
    [_RG + "Municipality"],
    View(
        "municipality",
        "page_municipality.html",
        handled=frozenset({_GEO}),
        incoming_handled=frozenset({_REF_AREA}),
    ),
)
register(
    [_RG + "Project"],
    View("project", "page_project.html", incoming_handled=frozenset({_SCHEMA + "fundedItem"})),
)
register(
    [_RG + "FundingProgramme"],
    View(
        "programme",
        "page_programme.html",
        handled=frozenset({_RG + "applicationWindow"}),
        incoming_handled=frozenset({_RG + "programme"}),
    ),
)
register(
    [_RG + "District", _RG + "Region"],
    View(
        "area",
        "page_area.html",
        handled=frozenset({_GEO}),
        incoming_handled=frozenset({_RG + "district", _RG + "region", _REF_AREA}),
    ),
)
register(
    ["http://www.w3.org/ns/dcat#Dataset"],
    View(
        "dataset",
        "page_dataset.html",
        handled=frozenset({"http://www.w3.org/ns/dcat#distribution"}),
    ),
)
