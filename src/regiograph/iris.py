"""The deployment's IRI rules: everything the platform names under ``site.base_iri``.

=====================================  =====================================================
``{base}id/{kind}/{key}``              a thing (a municipality, a dataset, a harvest run …)
``{base}page/{kind}/{key}``            its HTML page, ``{base}data/{kind}/{key}.{ext}`` its
                                       RDF; ``/id/…`` answers 303 to either. All three share
                                       the key ``{kind}/{key}`` (:func:`thing_key`); the server
                                       turns a key into a page or data URL with its routes.
``{base}graph/{name}``                 a named graph: one per source (the demo region's is the
                                       source ``demo``), plus ``meta`` and ``ontology``
``{base}id/harvest/{source}/{stamp}``  one harvest run (``hv:HarvestRun``)
``{base}id/catalog-record/{source}``   the catalogue record a run describes its source by
``{base}id/quality/{source}/{d}/{m}`` a dataset's quality measurement in one dimension
``{base}catalog`` …                    the DCAT catalogue, its pages, contact, records, dumps
``{base}sparql``                       the endpoint (also the base of queries sent to it)
=====================================  =====================================================

In a source's ``base_iri`` setting ``{base}`` stands for the deployment's base
(:func:`source_base`).

Every function takes the base IRI first (it ends in ``/``, checked by :mod:`regiograph.config`)
and returns a string. This module may not import anything of the platform but the standard
library: a rule here must not depend on the store, the config object or a request.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlencode

RUN_STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"  # a run's start in UTC, to the microsecond


# --- things ---------------------------------------------------------------------------------


def things(base: str) -> str:
    """The namespace of every thing this deployment names (VoID's ``uriSpace``)."""
    return f"{base}id/"


def thing(base: str, *path: str) -> str:
    """``{base}id/{path[0]}/{path[1]}/…``: ``thing(base, "dataset", slug)``, or a whole key."""
    return things(base) + "/".join(path)


def thing_key(base: str, iri: str) -> str | None:
    """The key of a thing of this deployment (what follows ``id/``); None for any other IRI."""
    prefix = things(base)
    return iri.removeprefix(prefix) if iri.startswith(prefix) else None


def source_base(base: str, configured: str) -> str:
    """The base of a source's relative IRIs: its ``base_iri`` setting, in which ``{base}``
    stands for the deployment's base; the deployment's base when the setting is empty."""
    return configured.replace("{base}", base) if configured else base


# --- named graphs ---------------------------------------------------------------------------


def graph(base: str, name: str) -> str:
    """A platform graph: ``name`` is a source id, ``meta`` or ``ontology``."""
    return f"{base}graph/{name}"


def graph_name(base: str, iri: str) -> str | None:
    """The name of a platform graph; None for a graph outside ``{base}graph/``."""
    prefix = graph(base, "")
    return iri.removeprefix(prefix) if iri.startswith(prefix) else None


def meta_graph(base: str) -> str:
    """Provenance, runs, validation reports and the data version live here."""
    return graph(base, "meta")


def ontology_graph(base: str) -> str:
    """The bundled ontology, shapes and concept schemes, replaced on every start."""
    return graph(base, "ontology")


# --- harvest runs and records ---------------------------------------------------------------


def run_stamp(started: datetime) -> str:
    """The last segment of a run's IRI (and of its page ``/harvests/{source}/{stamp}``)."""
    return started.strftime(RUN_STAMP_FORMAT)


def run(base: str, source_id: str, stamp: str) -> str:
    return thing(base, "harvest", source_id, stamp)


def source_record(base: str, source_id: str) -> str:
    return thing(base, "catalog-record", source_id)


def quality_source(base: str, source_id: str) -> str:
    """``{base}id/quality/{source}``: what a source's per-dataset quality measurements hang
    from (their digest, :mod:`regiograph.loader.qualitymemo`)."""
    return thing(base, "quality", source_id)


def quality_measurements(base: str, source_id: str) -> str:
    """What the IRIs of a source's per-dataset quality measurements begin with."""
    return quality_source(base, source_id) + "/"


def quality_measurement(base: str, source_id: str, dataset: str, dimension: str) -> str:
    """One dataset's measurement in one dimension (``dqv:QualityMeasurement``), fixed by
    source, dataset and dimension: ``{base}id/quality/{source}/{digest of the dataset's IRI}/
    {dimension}`` (a harvested IRI may hold anything; its digest is a path segment)."""
    digest = hashlib.sha256(dataset.encode("utf-8")).hexdigest()[:24]
    return f"{quality_measurements(base, source_id)}{digest}/{dimension}"


# --- the catalogue and the endpoint ---------------------------------------------------------


def catalog(base: str) -> str:
    return f"{base}catalog"


def catalog_page(base: str, params: dict) -> str:
    """One page of the catalogue (Hydra paging), ``params`` in the order given."""
    return f"{catalog(base)}?{urlencode(params)}"


def catalog_contact(base: str) -> str:
    return f"{catalog(base)}#contact"


def catalog_record(base: str, key: str) -> str:
    """The catalogue record of one harvested dataset."""
    return f"{catalog(base)}/record/{key}"


def dump(base: str, name: str) -> str:
    """A download file of the whole data (one of the catalogue's distributions)."""
    return f"{base}dumps/{name}"


def sparql_service(base: str) -> str:
    return f"{base}sparql"


def void(base: str) -> str:
    return f"{base}.well-known/void"
