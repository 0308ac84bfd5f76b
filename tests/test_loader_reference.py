"""Reference data restricted to what a candidate reaches (loader/referencedata.py): a large
reference graph contributes only the triples about the IRIs a candidate names, followed
transitively, and the SHACL report is the same as with the whole graph.

On the demo region as the loader published it: each source that is validated against the
Gemeindeverzeichnis is validated again from its published graph, once with that graph whole
and once restricted (the size threshold lowered so the demo's graph counts as large)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import BlankNode, RdfFormat
from pyoxigraph import Store as MemoryStore

from regiograph import iris
from regiograph.loader import referencedata
from regiograph.loader.shacl import engine as validate

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["region-gebiet", "grenzen-gemeinden", "zensus-2022", "pendler-kreise"]
REFERENCE = ["ontology", "gemeindeverzeichnis"]


@pytest.fixture(scope="module")
def shapes():
    return validate.load_shapes(sorted((ROOT / "shapes").glob("*.ttl")))


def candidate_of(cfg, store, source_id: str) -> MemoryStore:
    candidate = MemoryStore()
    candidate.load(store.read_graph(iris.graph(cfg.base_iri, source_id)), RdfFormat.N_TRIPLES)
    return candidate


def outcome(report) -> set[tuple]:
    def term(t):
        return "_:b" if isinstance(t, BlankNode) else str(t)

    return {
        (term(r.focus), term(r.path), term(r.value), str(r.component), r.severity_name)
        for r in report.results
    }


@pytest.fixture(scope="module")
def reports(demo_platform, shapes):
    """{source id: (report with the reference graphs whole, restricted, none)}; the
    Gemeindeverzeichnis counts as large (the threshold just above the ontology's size)."""
    cfg, store = demo_platform
    sizes = store.graphs()
    ontology, gv = (sizes[iris.graph(cfg.base_iri, name)] for name in REFERENCE)
    assert gv > ontology
    out = {}
    for source_id in SOURCES:
        candidate = candidate_of(cfg, store, source_id)
        whole = [store.read_graph(iris.graph(cfg.base_iri, name)) for name in REFERENCE]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(referencedata, "WHOLE_UP_TO", ontology)
            restricted = referencedata.graphs(store, cfg, REFERENCE, candidate)
        assert len(restricted[0]) == len(whole[0]), "the ontology whole"
        assert len(restricted[1]) < len(whole[1]) / 2, "far less of the Gemeindeverzeichnis"
        out[source_id] = tuple(
            outcome(validate.validate(candidate_of(cfg, store, source_id), shapes, reference))
            for reference in (whole, restricted, [])
        )
    return out


@pytest.mark.parametrize("source_id", SOURCES)
def test_the_restricted_reference_gives_the_same_report(reports, source_id):
    whole, restricted, _ = reports[source_id]
    assert restricted == whole


def test_without_the_reference_the_reports_differ(reports):
    """The comparison above has teeth: the reference data changes verdicts."""
    assert any(none != whole for whole, _, none in reports.values())
