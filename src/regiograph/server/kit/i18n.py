"""The reader's language: ``?lang=`` (remembered in a cookie), then Accept-Language, then
the site default. UI strings come from the message catalogues in ``server/translations``."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import Babel, get_locale

from regiograph.server.services import config

LANGUAGES = ("de", "en")
COOKIE = "lang"


def select_language() -> str:
    asked = request.args.get("lang", "") or request.cookies.get(COOKIE, "")
    if asked in LANGUAGES:
        return asked
    best = request.accept_languages.best_match(LANGUAGES)
    return best or config()["site.default_language"]


def language() -> str:
    return str(get_locale() or "de")


def init_app(app: Flask) -> None:
    """Flask-Babel for the whole app (once), and ``lang`` in every template."""
    if "babel" in app.extensions:
        return
    Babel(app, locale_selector=select_language)
    from regiograph.server.kit import templating

    templating.register(app)
    app.context_processor(
        lambda: {"lang": language(), "languages": LANGUAGES, "lang_url": lang_url}
    )


def lang_url(code: str) -> str:
    """The current page in another language."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return url_for(request.endpoint or "home.index", **(request.view_args or {}), **args)


def remember(response):
    """Keep an explicit ``?lang=`` choice for the next pages."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response
