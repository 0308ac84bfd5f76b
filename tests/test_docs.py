"""Documentation that is generated from the code must match it."""

from __future__ import annotations

from conftest import ROOT
from regiograph import config as configuration


def test_configuration_reference_is_current():
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert documented == configuration.markdown_reference(), (
        "docs/configuration.md is out of date: run `make docs`"
    )


def test_every_setting_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [s.name for s in configuration.SETTINGS if f"`{s.name}`" not in documented]
    assert not missing


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```")[1].splitlines()[1:]  # after the language tag
    commands = [line.strip() for line in first_block if line.strip()]
    assert commands == ["make demo", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()
