"""The data directory's version file: written on first use, and a store from an
incompatible release is refused before anything is opened, with migration steps."""

from __future__ import annotations

import json

import pyoxigraph
import pytest
from click.testing import CliRunner

from conftest import BASE_IRI, make_config
from regiograph.cli import main
from regiograph.ops import datadir
from regiograph.runtime import open_store


def test_first_start_writes_the_version_file(tmp_path):
    with open_store(make_config(tmp_path)):
        pass
    written = json.loads((tmp_path / datadir.VERSION_FILE).read_text())
    assert written == datadir.current()
    assert written["oxigraph"] == pyoxigraph.__version__


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"layout": datadir.LAYOUT + 1}, "newer regiograph"),
        ({"layout": 0}, "older data layout"),
        ({"oxigraph": "0.3.22"}, "Oxigraph 0.3.22 store"),
    ],
)
def test_incompatible_directory_is_refused_untouched(tmp_path, change, words):
    with open_store(make_config(tmp_path)) as (_, store):
        store.replace_graph(
            BASE_IRI + "graph/x", b"<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n"
        )
    version_file = tmp_path / datadir.VERSION_FILE
    version_file.write_text(json.dumps({**datadir.current(), **change, "regiograph": "9.9.9"}))
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "store").iterdir()}

    result = CliRunner().invoke(
        main, ["demo", "--no-serve"], env={"REGIOGRAPH_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert words in result.output
    assert "regiograph 9.9.9 run `regiograph export -o all.nq.gz`" in result.output
    assert "regiograph load all.nq.gz" in result.output
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "store").iterdir()} == before
    assert json.loads(version_file.read_text())["regiograph"] == "9.9.9"


def test_damaged_version_file_is_refused(tmp_path):
    (tmp_path / datadir.VERSION_FILE).write_text("{not json")
    with pytest.raises(datadir.DataDirError, match="damaged"), open_store(make_config(tmp_path)):
        pass


def test_a_patch_release_is_compatible_and_recorded(tmp_path):
    major, minor, _ = pyoxigraph.__version__.split(".")
    (tmp_path / datadir.VERSION_FILE).write_text(
        json.dumps(
            {"layout": datadir.LAYOUT, "oxigraph": f"{major}.{minor}.0", "regiograph": "0.0.1"}
        )
    )
    with open_store(make_config(tmp_path)):
        pass
    assert json.loads((tmp_path / datadir.VERSION_FILE).read_text()) == datadir.current()
