"""The bundled demo region (the Metropolregion Rhein-Neckar), loaded through the loader.

Its sources are ``demo/sources.toml``: the demo files go through harvest → map → validate →
publish like any operator's source, into ``{base}graph/demo``, with provenance and the
validation report in ``{base}graph/meta``.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from regiograph import bundled as resources
from regiograph.config import Config
from regiograph.loader import vocabulary
from regiograph.store import Store, StoreError

log = logging.getLogger(__name__)


def load(config: Config, store: Store) -> dict[str, int]:
    """Load the ontology and the demo region's sources; graph IRI → triples published."""
    from regiograph.loader import pipeline
    from regiograph.loader.sources import read_sources_file

    path = resources.data_dir("demo") / "sources.toml"
    if not path.is_file():
        raise StoreError("the demo region's files are missing from this installation")
    sources = read_sources_file(path)
    summary = {vocabulary.graph_iri(config): vocabulary.publish(config, store)}
    for source in sources:
        result = pipeline.harvest(config, store, source, force=True)
        if result.outcome == "failed" and result.step == "validate":
            log.warning(
                "demo source '%s': validation could not run (%s); loading it without shapes",
                source.id,
                result.message,
            )
            unchecked = {k: v for k, v in source.options.items() if k != "shapes"}
            result = pipeline.harvest(config, store, replace(source, options=unchecked), force=True)
        if not result.ok:
            raise StoreError(
                f"the demo source '{result.source.id}' was not loaded "
                f"({result.outcome}): {result.message}"
            )
        summary[result.source.graph(config.base_iri)] = result.published or 0
    return summary
