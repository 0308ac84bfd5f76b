"""Names for people of the catalogue's facet values, in the reader's language.

Themes, file types and licences are named by the bundled code lists
(:mod:`regiograph.loader.codelists`,
the German name where a list has no other), publishers by their own names in the data (kept
with the key list), areas by the names the store gives the regional key (ARS: a municipality's
12 digits, an association's 9, a district's 5, a state's 2; a 12-digit key ending in zeros
names the larger area). A value nobody names is shown as it is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from regiograph.catalog.facets import PREFIXES
from regiograph.catalog.sparql import query
from regiograph.loader import codelists
from regiograph.resources.labels import pick
from regiograph.store import Store


@dataclass
class Names:
    publishers: dict[str, dict[str, str]] = field(default_factory=dict)  # value -> names
    areas: dict[str, dict[str, str]] = field(default_factory=dict)  # ARS -> names

    def label(self, facet: str, value: str, language: str) -> str:
        if facet == "publisher":
            return pick(self.publishers.get(value, {}), language) or value
        if facet == "area":
            return pick(self._area(value), language) or value
        lists = codelists.load()
        iri = PREFIXES[facet] + value
        return lists.label(iri, language) or lists.label(iri, "de") or value

    def _area(self, ars: str) -> dict[str, str]:
        for length in (12, 9, 5, 2):
            if ars[length:].strip("0") == "" and ars[:length] in self.areas:
                return self.areas[ars[:length]]
        return {}


def areas(store: Store) -> dict[str, dict[str, str]]:
    """ARS -> {language: name} of every area the store names."""
    found: dict = defaultdict(dict)
    for row in store.select(query("area-names")):
        found[row["ars"].value].setdefault(row["lang"].value, row["name"].value)
    return dict(found)
