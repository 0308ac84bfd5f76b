"""The catalogue's serialisations — Turtle, RDF/XML, JSON-LD, N-Triples — and its prefixes.

JSON-LD is compacted with the prefixes as its ``@context`` (see :func:`mediatypes.write`).
"""

from __future__ import annotations

from pyoxigraph import Triple

from regiograph import mediatypes
from regiograph.namespaces import prefixes

# The prefixes the catalogue is written with (Turtle, RDF/XML) and its JSON-LD context.
PREFIXES = prefixes(
    "dcat",
    "dct",
    "dcatde",
    "dcatap",
    "foaf",
    "vcard",
    "spdx",
    "hydra",
    "xsd",
    "rdfs",
    "skos",
    "qb",
    "rg",
)


FORMATS = (mediatypes.TURTLE, mediatypes.RDFXML, mediatypes.JSONLD, mediatypes.NTRIPLES)
BY_EXTENSION = {f.extension: f for f in FORMATS}


def render(triples: list[Triple], fmt: mediatypes.MediaType) -> bytes:
    return mediatypes.write(triples, fmt, PREFIXES, compact=True)
