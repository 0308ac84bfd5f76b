"""The bundled demo region (the Metropolregion Rhein-Neckar), loaded through the loader.

Its sources are ``demo/sources.toml``: the demo files go through harvest → map → validate →
publish like any operator's source, into ``{base}graph/demo``, with provenance in
``{base}graph/meta``.
"""

from __future__ import annotations

from regiograph import resources, vocabulary
from regiograph.config import Config
from regiograph.store import Store, StoreError


def load(config: Config, store: Store) -> dict[str, int]:
    """Load the ontology and the demo region's sources; graph IRI → triples published."""
    from regiograph.loader import pipeline
    from regiograph.loader.source import read_sources_file

    try:
        sources = read_sources_file(resources.data_dir("demo") / "sources.toml")
    except FileNotFoundError:
        raise StoreError("the demo region's files are missing from this installation") from None
    summary = {vocabulary.graph_iri(config): vocabulary.publish(config, store)}
    for result in pipeline.harvest_all(config, store, all_sources=sources, force=True):
        if not result.ok:
            raise StoreError(
                f"the demo source '{result.source.id}' was not loaded "
                f"({result.outcome}): {result.message}"
            )
        summary[result.source.graph(config.base_iri)] = result.published or 0
    return summary
