"""Harvest validation checks code-list membership for real (issue 16): a code outside its list
holds its dataset back, a member passes — on Destatis' real export, served over loopback."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
_fresh = pytest.fixture(autouse=True, name="fresh_graphs")(httpfixtures.dropping_new_graphs)

DESTATIS = "dcat-ap-de-shacl/testcases/dashboard/destatis-catalog-original-input.rdf"
WIRTSCHAFT = "https://www.destatis.de/DE/Themen/Wirtschaft/Konjunkturindikatoren/"
EU = "http://publications.europa.eu/resource/authority/"


def replace_after(body: bytes, anchor: str, old: str, new: str) -> bytes:
    """``body`` with the first ``old`` after ``anchor`` replaced by ``new``."""
    start = body.index(anchor.encode())
    at = body.index(old.encode(), start)
    return body[:at] + new.encode() + body[at + len(old) :]


def test_codes_outside_their_list_hold_the_dataset_back(scratch_platform, http_server, shared_data):
    body = (shared_data / DESTATIS).read_bytes()
    wrong_theme = WIRTSCHAFT + "Arbeitsmarkt/arb110"
    wrong_language = WIRTSCHAFT + "Preise/kpre540"
    body = replace_after(body, f'rdf:about="{wrong_theme}"', "data-theme/ECON", "data-theme/FOO")
    body = replace_after(
        body, f'rdf:about="{wrong_language}#distribution"', "language/DEU", "language/XYZ"
    )
    url = http_server.route("/destatis.rdf", Reply(body, content_type="application/rdf+xml"))
    config, store = scratch_platform
    result = pipeline.harvest(config, store, make_source(kind="dcat", location=url))
    assert result.outcome == "published", result.message
    held = {v.dataset.value: v for v in result.datasets.held_back}
    assert set(held) == {wrong_theme, wrong_language}, "every other code (DEU, ECON) is a member"
    assert any(f"{EU}data-theme/FOO" in en for _, en in held[wrong_theme].reasons)
    assert any("dcat:theme" in de for de, _ in held[wrong_theme].reasons)
    assert any(f"{EU}language/XYZ" in en for _, en in held[wrong_language].reasons)
    assert len(result.datasets.accepted) == 133
    assert NamedNode(wrong_theme) not in {v.dataset for v in result.datasets.accepted}
