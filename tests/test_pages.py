"""Resource pages on the demo region: what a reader sees, in German and English."""

from __future__ import annotations

import re

import pytest

MANNHEIM = "/page/municipality/08222000"


def text_of(response) -> str:
    """The page's visible text, roughly: tags removed, whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_municipality_page_shows_label_and_keys_in_german(client):
    response = client.get(MANNHEIM, headers={"Accept-Language": "de"})
    assert response.status_code == 200
    text = text_of(response)
    assert '<h1 dir="auto" lang="de">Mannheim</h1>' in response.get_data(as_text=True)
    assert "Gemeinde" in text
    assert "08222000" in text
    assert "310.658" in text  # population with German grouping


@pytest.mark.parametrize("lang, expected", [("de", "Einwohnerzahl"), ("en", "population")])
def test_property_labels_follow_the_language(client, lang, expected):
    text = text_of(client.get(MANNHEIM, headers={"Accept-Language": lang}))
    assert expected in text
