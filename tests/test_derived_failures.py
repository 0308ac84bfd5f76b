"""A derived artefact whose build fails is remembered as failed for its data version (issue
15): the catalogue degrades (no dumps listed) instead of every request — in every process —
starting the same failing build; the next data version tries again. Real owner, real app.

The failure here is a real one of the file system (a folder where the first dump file goes,
so it cannot be renamed into place); a build that runs into the store's limit takes the same
path (``StoreError`` instead of ``OSError``).
"""

from __future__ import annotations

from conftest import BASE_IRI, built_app, make_config
from regiograph.catalog import cubes, dumps
from regiograph.runtime import open_store
from regiograph.store import QueryTimeout

GRAPH = BASE_IRI + "graph/derived-failures"


def data(label: str) -> bytes:
    label_of = "http://www.w3.org/2000/01/rdf-schema#label"
    return f'<http://example.org/thing> <{label_of}> "{label}" .\n'.encode()


def catalogue(app) -> str:
    answer = app.test_client().get("/catalog", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return answer.get_data(as_text=True)


def test_a_failed_dumps_build_is_remembered_for_the_version_and_the_catalogue_degrades(tmp_path):
    cfg = make_config(tmp_path)
    with open_store(cfg) as (running, store):
        store.replace_graph(GRAPH, data("one"))
        blocked = running.data_path / "dumps" / "full.nq.gz"
        (blocked / "in the way").mkdir(parents=True)
        failures = dumps.failures(running)
        for _ in range(2):  # two processes' worth: each app has its own catalogue
            with built_app(running, store) as app:
                for _ in range(2):
                    catalogue(app)  # the page, without dumps
                    assert dumps.read_manifest(running) is None
        store._version = None
        version = store.data_version()  # (the app's start records itself in the metadata)
        assert failures.attempts(version) == 1, "built once for this data version, not per request"
        assert "IsADirectoryError" in failures.failed(version)

        # the next data version tries again, and the dumps are back once they can be written
        (blocked / "in the way").rmdir()
        blocked.rmdir()
        store.replace_graph(GRAPH, data("two"))
        with built_app(running, store) as app:
            catalogue(app)
        store._version = None
        version = store.data_version()
        assert dumps.read_manifest(running).version == version
        assert failures.failed(version) is None
        assert not failures.path.exists()


CUBE = """
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/cube/large> a qb:DataSet ; rdfs:label "large"@en .
<http://example.org/cube/small> a qb:DataSet ; rdfs:label "small"@en .
<http://example.org/obs/1> a qb:Observation ; qb:dataSet <http://example.org/cube/large> ;
    rdfs:comment "one" .
<http://example.org/obs/2> a qb:Observation ; qb:dataSet <http://example.org/cube/small> ;
    rdfs:comment "two" .
"""


def test_a_cube_too_large_for_the_time_limit_is_left_out_not_the_catalogue(tmp_path, monkeypatch):
    """A cube whose observations cannot be read within the store's limit (825,000 of them did
    not: bench/README.md) loses its own files; the other cubes, the whole store's dumps and
    the catalogue are built. The store's timeout for that one cube is injected here."""
    cfg = make_config(tmp_path)
    real = cubes.observations

    def observations(store, cube):
        if cube.value.endswith("/large"):
            raise QueryTimeout("the store stopped the query at its time limit")
        return real(store, cube)

    monkeypatch.setattr(cubes, "observations", observations)
    with open_store(cfg) as (running, store):
        store.replace_graph(GRAPH, CUBE.encode(), content_type="text/turtle")
        with built_app(running, store) as app:
            turtle = catalogue(app)
        manifest = dumps.read_manifest(running)
        assert manifest is not None and manifest.version == store.data_version()
        assert "cube-small.csv" in manifest.files and "cube-small.ttl.gz" in manifest.files
        assert not any(name.startswith("cube-large") for name in manifest.files)
        assert "full.nq.gz" in manifest.files
        assert "cube-small.csv" in turtle and "cube-large" not in turtle
        assert "http://example.org/cube/large" in turtle, "still listed, without files"
