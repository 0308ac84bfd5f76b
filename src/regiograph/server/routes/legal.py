"""The legal notices every page's footer links: Impressum, Datenschutzerklärung and
Erklärung zur Barrierefreiheit (German public sites must have all three).

Each is either an address elsewhere (``legal.{key}_url``: the footer links it) or a text of
the operator's (``legal.{key}_text``: served here at ``/legal/{key}``); with neither, the page
says that the operator has not provided it yet rather than answering 404.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template, url_for
from flask_babel import lazy_gettext

from regiograph.server.services import config

blueprint = Blueprint("legal", __name__)

NOTICES = {
    "imprint": lazy_gettext("Imprint"),
    "privacy": lazy_gettext("Privacy policy"),
    "accessibility": lazy_gettext("Accessibility statement"),
}


def links() -> list[tuple[str, str]]:
    """(title, address) of the three notices, for the footer."""
    return [
        (str(title), config()[f"legal.{key}_url"] or url_for("legal.notice", key=key))
        for key, title in NOTICES.items()
    ]


@blueprint.record_once
def _footer(state) -> None:
    app: Flask = state.app
    app.jinja_env.globals["legal_links"] = links


@blueprint.get("/legal/<key>")
def notice(key: str):
    if key not in NOTICES:
        abort(404)
    text = config()[f"legal.{key}_text"]
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return render_template("legal.html", title=str(NOTICES[key]), paragraphs=paragraphs, key=key)
