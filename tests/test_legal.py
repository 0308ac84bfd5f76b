"""The footer's legal notices: Impressum, Datenschutzerklärung, Erklärung zur
Barrierefreiheit — addresses or texts from the settings, in both languages."""

from __future__ import annotations

import pytest

from conftest import make_config
from regiograph.runtime import open_store
from regiograph.server import create_app

IMPRINT = "Stadt Musterstadt, Rathausplatz 1\n\nVertreten durch die Oberbürgermeisterin"
PRIVACY = "https://musterstadt.example/datenschutz"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = {"legal__imprint_text": IMPRINT, "legal__privacy_url": PRIVACY}
    cfg = make_config(tmp_path_factory.mktemp("legal"), **settings)
    with open_store(cfg) as (cfg, store):
        app = create_app(cfg, store)
        app.testing = True
        yield app.test_client()


@pytest.mark.parametrize(
    ("lang", "titles"),
    [
        ("de", ["Impressum", "Datenschutzerklärung", "Erklärung zur Barrierefreiheit"]),
        ("en", ["Imprint", "Privacy policy", "Accessibility statement"]),
    ],
)
def test_every_page_footer_links_the_three_notices(client, lang, titles):
    for path in ("/", "/search?q=x", "/legal/imprint"):
        html = client.get(path, headers={"Accept-Language": lang}).get_data(as_text=True)
        footer = html.split('<footer class="site">', 1)[1].split("</footer>", 1)[0]
        hrefs = ["/legal/imprint", PRIVACY, "/legal/accessibility"]
        for title, href in zip(titles, hrefs, strict=True):
            assert f'<a href="{href}">{title}</a>' in footer, (path, title)


def test_a_configured_text_is_shown_and_a_missing_one_names_its_setting(client):
    html = client.get("/legal/imprint", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "<h1>Impressum</h1>" in html
    assert "<p>Stadt Musterstadt, Rathausplatz 1</p>" in html
    assert "<p>Vertreten durch die Oberbürgermeisterin</p>" in html
    response = client.get("/legal/accessibility", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "legal.accessibility_text" in response.get_data(as_text=True)
    assert client.get("/legal/other").status_code == 404
