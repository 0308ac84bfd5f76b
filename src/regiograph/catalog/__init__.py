"""The region's DCAT-AP.de catalogue, built as RDF from the store; no HTTP here.

- :mod:`.pages`: :class:`Catalogue` — pages of the catalogue with Hydra paging links.
- :mod:`.index`: the ordered dataset keys behind stable, equally fast pages.
- :mod:`.own`: the platform's own datasets and the catalogue's description (Turtle templates).
- :mod:`.harvested`: harvested datasets re-published, completed or left out.
- :mod:`.dumps`: gzipped N-Quads/Turtle dumps and cube CSVs with size and checksum.
- :mod:`.formats`: Turtle, RDF/XML, JSON-LD, N-Triples.

SPARQL lives in ``queries/*.rq`` beside this package; templates are the ``*.ttl`` files.

May not: speak HTTP, read ``[[sources]]`` other than through :mod:`regiograph.loader.sources`,
or write to the store (it only reads; dumps and the key list are files in the data folder).
"""

from regiograph.catalog.pages import Catalogue, Page, PageNotFound

__all__ = ["Catalogue", "Page", "PageNotFound"]
