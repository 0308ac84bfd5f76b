"""docs/loader.md shows every key a source may have, as the code declares them."""

from __future__ import annotations

from pathlib import Path

from regiograph.loader.sources import keys_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "loader.md"


def test_source_keys_are_documented():
    text = DOC.read_text(encoding="utf-8")
    start = text.index("-->", text.index("<!-- source-keys")) + 4
    end = text.index("<!-- /source-keys -->")
    assert text[start:end] == keys_markdown(), "regenerate the table in docs/loader.md"
