"""A derived artefact whose build fails is remembered as failed for its data version (issue
15): the catalogue degrades (no dumps listed) instead of every request — in every process —
starting the same failing build; the next data version tries again. Real owner, real app.

The failure here is a real one of the file system (a folder where the first dump file goes,
so it cannot be renamed into place); a build that runs into the store's limit takes the same
path (``StoreError`` instead of ``OSError``).
"""

from __future__ import annotations

from conftest import BASE_IRI, built_app, make_config
from regiograph.catalog import dumps
from regiograph.runtime import open_store

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
