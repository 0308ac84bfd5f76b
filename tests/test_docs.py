"""Documentation that is generated from the code must match it."""

from __future__ import annotations

import re

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


def _modules_by_doc_name() -> set[str]:
    """Every module of the package as docs/architecture.md names it: its path in the package
    (`loader/acceptance.py`), a package by its folder (`loader/kinds/`); the package's own
    `__init__.py` is what the whole document is about."""
    package = ROOT / "src" / "regiograph"
    names = set()
    for path in package.rglob("*.py"):
        relative = path.relative_to(package)
        if relative.name == "__init__.py":
            if relative.parent.parts:
                names.add(relative.parent.as_posix() + "/")
        else:
            names.add(relative.as_posix())
    return names


def _architecture_rows() -> set[str]:
    """The first cells of docs/architecture.md's table rows, without their backticks."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE))


def test_architecture_names_every_module():
    missing = sorted(_modules_by_doc_name() - _architecture_rows())
    assert not missing, f"docs/architecture.md, 'Every module': add a line for {missing}"


def test_architecture_names_no_module_that_is_gone():
    rows = {row for row in _architecture_rows() if row.endswith((".py", "/"))}
    gone = sorted(rows - _modules_by_doc_name())
    assert not gone, f"docs/architecture.md names modules that do not exist: {gone}"
