"""A plain, non-editable `pip install .` is a complete platform: the wheel carries its data."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = out.glob("regiograph-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize("folder", ["ontology", "shapes", "queries", "demo", "codelists"])
def test_bundled_folders_ship_complete(wheel_names, folder):
    for path in (ROOT / folder).rglob("*"):
        if path.is_file() and path.suffix in {".ttl", ".rq", ".toml", ".csv", ".json"}:
            name = f"regiograph/_data/{folder}/{path.relative_to(ROOT / folder).as_posix()}"
            assert name in wheel_names, f"{name} is missing from the wheel"


def test_templates_and_static_files_ship(wheel_names):
    package = ROOT / "src" / "regiograph"
    for path in [*package.glob("server/templates/**/*.html"), *package.glob("server/static/**/*")]:
        if path.is_file():
            assert path.relative_to(package.parent).as_posix() in wheel_names, path.name
    assert "regiograph/cli/__init__.py" in wheel_names
