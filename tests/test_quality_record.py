"""How the quality scores are stored (issue 16's speed): one DQV measurement per dataset and
dimension under an IRI fixed by source, dataset and dimension, so that a re-harvest writes only
what changed — a changed score replaced, a dataset gone removed, one scored alike untouched —
and the source's six measurements anew by their run. What is stored is known from a memo in the
data directory while its digest matches the stored one, else read from the store. On the real
store (the owner process)."""

from __future__ import annotations

import itertools

from pyoxigraph import Literal, NamedNode

from conftest import BASE_IRI
from regiograph import iris
from regiograph.loader import quality, qualitymemo, scores

HV = "https://w3id.org/regiograph/harvest#"
_sources = itertools.count()


def scored(**points: float) -> quality.Score:
    score = quality.Score()
    score.points.update(points)
    return score


def publish(
    store, source_id: str, datasets: dict[str, quality.Score], stamp: str, memo=None
) -> str:
    """Record a run of ``source_id`` (its hv:sourceId, as provenance writes it) and its scores."""
    run = iris.run(BASE_IRI, source_id, stamp)
    record = f'<{run}> <{HV}sourceId> "{source_id}"'
    store.update(f"INSERT DATA {{ GRAPH <{store.meta_graph}> {{ {record} }} }}", content=False)
    measured = quality.Quality({NamedNode(d): s for d, s in datasets.items()})
    graph = iris.graph(BASE_IRI, source_id)
    quality.record(store, measured, run, source_id, graph, BASE_IRI, memo)
    return run


def stored(store, source_id: str) -> dict[str, list[str]]:
    """{measurement IRI: its values} of the source's dataset measurements."""
    rows = store.select(
        "SELECT ?m ?v WHERE { GRAPH ?meta { ?m <http://www.w3.org/ns/dqv#value> ?v } "
        "FILTER(STRSTARTS(STR(?m), ?prefix)) }",
        {
            "meta": NamedNode(store.meta_graph),
            "prefix": Literal(iris.quality_measurements(BASE_IRI, source_id)),
        },
    )
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["m"].value, []).append(row["v"].value)
    return out


def test_a_reharvest_writes_the_difference(scratch_store):
    store, source = scratch_store, f"quality-{next(_sources)}"
    a, b, c = (f"https://q.example/dataset/{n}" for n in "abc")
    publish(store, source, {a: scored(findability=50), b: scored(findability=100)}, "1")
    first = stored(store, source)
    assert len(first) == 2 * len(quality.DIMENSIONS), "five measurements per dataset"
    assert scores.of_resource(store, a)["findability"] == 50.0
    assert scores.of_resource(store, b)["findability"] == 100.0

    publish(store, source, {a: scored(findability=80), c: scored(reusability=75)}, "2")
    second = stored(store, source)
    assert len(second) == 2 * len(quality.DIMENSIONS), "b's five gone, c's five new"
    assert all(len(v) == 1 for v in second.values()), "one value per measurement"
    assert scores.of_resource(store, a)["findability"] == 80.0
    assert scores.of_resource(store, b) == {}
    assert scores.of_resource(store, c)["reusability"] == 100.0
    assert abs(scores.of_resource(store, c)[quality.TOTAL] - 100 * 75 / 285) < 0.05
    unchanged = [m for m in second if m in first and "/contextuality" in m]
    assert unchanged and all(second[m] == first[m] for m in unchanged)

    sources = scores.of_sources(store, BASE_IRI)
    assert sources[source]["findability"] == 40.0, "the source's mean, by its latest run only"


def values_of(store, source_id: str) -> dict[str, str]:
    out = stored(store, source_id)
    assert all(len(v) == 1 for v in out.values()), "one value per measurement"
    return {m: v[0] for m, v in out.items()}


def test_a_matching_memo_spares_the_read_of_the_store(scratch_store, tmp_path, monkeypatch):
    store, source = scratch_store, f"quality-{next(_sources)}"
    memo = qualitymemo.path(tmp_path, source)
    a, b = "https://q.example/memo/a", "https://q.example/memo/b"
    publish(store, source, {a: scored(findability=50), b: scored(findability=100)}, "1", memo)
    assert memo.exists()

    def no_read(*args):
        raise AssertionError("the store was read although the memo matches its digest")

    monkeypatch.setattr(quality, "_stored", no_read)
    publish(store, source, {a: scored(findability=80)}, "2", memo)
    after = values_of(store, source)
    assert len(after) == len(quality.DIMENSIONS), "b's five removed by the difference"
    assert scores.of_resource(store, a)["findability"] == 80.0
    assert scores.of_resource(store, b) == {}


def test_a_memo_that_is_not_what_the_store_holds_is_not_trusted(scratch_store, tmp_path):
    """An old memo (as after a restore of the store, or another data directory) and a damaged
    one: the difference is taken from the store, and the result is the same as without."""
    store, source = scratch_store, f"quality-{next(_sources)}"
    memo = qualitymemo.path(tmp_path, source)
    a, b = "https://q.example/stale/a", "https://q.example/stale/b"
    publish(store, source, {a: scored(findability=50)}, "1", memo)
    first_memo = memo.read_bytes()
    publish(store, source, {a: scored(findability=80), b: scored(findability=20)}, "2", memo)
    memo.write_bytes(first_memo)  # says: only a, at 50 — the store holds a at 80 and b

    publish(store, source, {a: scored(findability=50)}, "3", memo)
    after = values_of(store, source)
    assert len(after) == len(quality.DIMENSIONS), "b's five gone though the memo did not know them"
    assert scores.of_resource(store, a)["findability"] == 50.0
    assert scores.of_resource(store, b) == {}

    memo.write_text("{not json", encoding="utf-8")
    publish(store, source, {b: scored(reusability=75)}, "4", memo)
    assert len(values_of(store, source)) == len(quality.DIMENSIONS)
    assert scores.of_resource(store, a) == {}
    assert scores.of_resource(store, b)["reusability"] == 100.0
    meta, prefix = NamedNode(store.meta_graph), iris.quality_measurements(BASE_IRI, source)
    holder = iris.quality_source(BASE_IRI, source)
    remembered = qualitymemo.read(memo, quality._stored_digest(store, meta, holder))
    assert remembered == quality._stored(store, meta, prefix), "rewritten, and current again"
