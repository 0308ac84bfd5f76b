"""The bundled code lists (``codelists/``): complete, versioned, derived by the committed script
from the tables in ../shared/data, membership for real, and a clear error naming a list that
is missing or corrupt at start-up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_config
from regiograph import bundled, cli
from regiograph.loader import codelists
from regiograph.loader.codelists import CodeListError
from regiograph.namespaces import EU_AUTHORITY

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "codelists"
# what each list holds, as counted in the published tables (SOURCES.md)
EXPECTED = {
    "language": (8179, "20220928-0"),
    "frequency": (31, "20220615-0"),
    "access-right": (7, "20220316-0"),
    "planned-availability": (5, "20211208-0"),
    "dataset-type": (23, "20220316-0"),
    "distribution-status": (5, "20220615-0"),
    "file-type": (143, "20181212-0"),
    "data-theme": (14, "20161225-1"),
}


def test_every_list_the_profile_names_is_there_with_its_version():
    lists = codelists.load()
    per_scheme: dict[str, int] = {}
    for scheme in lists.members.values():
        per_scheme[scheme] = per_scheme.get(scheme, 0) + 1
    for name, (count, version) in EXPECTED.items():
        assert per_scheme[EU_AUTHORITY + name] == count, name
        assert lists.versions[EU_AUTHORITY + name] == version, name
    assert per_scheme["http://dcat-ap.de/def/licenses"] == 34
    assert lists.versions["http://dcat-ap.de/def/licenses"] == "20210721"
    assert per_scheme["http://dcat-ap.de/def/contributors"] == 69
    assert per_scheme["http://dcat-ap.de/def/politicalGeocoding/Level"] == 6
    expected = {*codelists.FILES.values(), *codelists.NAMES.values()}
    assert expected == {p.name for p in FOLDER.glob("*.ttl")}


def test_membership_is_the_list_not_the_namespace():
    lists = codelists.load()
    assert lists.is_member(EU_AUTHORITY + "language/DEU")
    assert not lists.is_member(EU_AUTHORITY + "language/GER")
    assert lists.scheme_of(EU_AUTHORITY + "language/GER") == EU_AUTHORITY + "language"
    assert lists.is_member(EU_AUTHORITY + "frequency/IRREG")
    assert not lists.is_member(EU_AUTHORITY + "frequency/IRREGULAR")
    assert not lists.is_member(EU_AUTHORITY + "file-type/WFS")  # WFS_SRVC is the code
    assert lists.is_member("http://dcat-ap.de/def/licenses/dl-by-de/2.0")
    assert not lists.is_member("http://dcat-ap.de/def/licenses/dl-by-de/9.9")
    assert EU_AUTHORITY + "access-right/NORMAL" in lists.deprecated
    assert lists.label(EU_AUTHORITY + "language/DEU", "de") == "Deutsch"
    assert lists.label(EU_AUTHORITY + "frequency/IRREG", "en") == "irregular"


@pytest.mark.parametrize(
    ("given", "mapped"),
    [
        ("language/GER", "language/DEU"),  # ISO 639-2/B, recorded on DEU by the table
        ("language/de", "language/DEU"),  # ISO 639-1
        ("frequency/IRREGULAR", "frequency/IRREG"),  # exactMatch cld:freq/irregular
        ("file-type/xml", "file-type/XML"),  # the authority code in another case
        ("file-type/WFS", "file-type/WFS_SRVC"),  # the table's English name of WFS_SRVC
        ("file-type/text/csv", "file-type/CSV"),  # the media type the table records
        ("file-type/json", "file-type/JSON"),  # ".json" is JSON's and GEOJSON's: not used
        ("file-type/SHAPEFILE", None),  # no code and no published mapping: not guessed
        ("language/XYZ", None),
    ],
)
def test_published_mappings_only(given, mapped):
    expected = EU_AUTHORITY + mapped if mapped else None
    assert codelists.load().mapped(EU_AUTHORITY + given) == expected


def test_the_committed_script_derives_the_committed_lists(shared_data, tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "scripts/derive_codelists.py"), str(shared_data), tmp_path],
        check=True,
        capture_output=True,
    )
    for path in FOLDER.glob("*.ttl"):
        if path.name in codelists.NAMES.values():
            continue  # authored, not derived (the English names of a German-only list)
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_every_licence_has_an_english_name_and_keeps_its_german_one():
    lists = codelists.load()
    licences = [c for c, s in lists.members.items() if s == "http://dcat-ap.de/def/licenses"]
    assert len(licences) == 34
    assert all(lists.labels.get((c, "en")) for c in licences)
    assert all(lists.labels.get((c, "de")) for c in licences)
    dl = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert lists.label(dl, "en") == "Data licence Germany \u2013 attribution \u2013 version 2.0"
    assert lists.label(dl, "de") == "Datenlizenz Deutschland Namensnennung 2.0"


def test_a_missing_names_file_is_named(tmp_path):
    folder = copy_lists(tmp_path)
    (folder / "dcatde-licenses.en.ttl").unlink()
    with pytest.raises(CodeListError, match=r"code list dcatde-licenses.en.ttl is missing"):
        codelists.load(folder)


def copy_lists(tmp_path: Path) -> Path:
    folder = tmp_path / "codelists"
    shutil.copytree(FOLDER, folder)
    return folder


def test_a_missing_list_is_named(tmp_path):
    folder = copy_lists(tmp_path)
    (folder / "eu-frequency.ttl").unlink()
    with pytest.raises(CodeListError, match=r"code list eu-frequency.ttl is missing"):
        codelists.load(folder)


@pytest.mark.parametrize(
    "damage",
    [
        b"this is not turtle <",
        b"",  # empty: parses, lists nothing
        b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        b"<http://x/a> skos:inScheme <http://x/other> .\n",
    ],
)
def test_a_corrupt_list_is_named(tmp_path, damage):
    folder = copy_lists(tmp_path)
    (folder / "dcatde-licenses.ttl").write_bytes(damage)
    with pytest.raises(CodeListError, match=r"code list dcatde-licenses.ttl is corrupt"):
        codelists.load(folder)


@pytest.fixture
def broken_installation(tmp_path, monkeypatch):
    """The bundled folder of an installation whose language list is damaged."""
    folder = copy_lists(tmp_path)
    (folder / "eu-language.ttl").write_bytes(b"@prefix broken")
    real = bundled.data_dir
    monkeypatch.setattr(
        bundled, "data_dir", lambda kind: folder if kind == "codelists" else real(kind)
    )
    codelists.load.cache_clear()
    yield
    codelists.load.cache_clear()


def test_the_web_app_does_not_start_without_its_lists(broken_installation, tmp_path):
    from regiograph.server import create_app

    with pytest.raises(CodeListError, match=r"eu-language\.ttl is corrupt"):
        create_app(make_config(tmp_path))


def test_harvest_stops_in_one_line_naming_the_list(broken_installation, tmp_path):
    config = tmp_path / "regiograph.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n')
    result = CliRunner().invoke(cli.main, ["--config", str(config), "harvest"])
    assert result.exit_code == 1
    assert "installation error: code list eu-language.ttl is corrupt" in result.output
    assert "Traceback" not in result.output
