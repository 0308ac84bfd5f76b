"""The reader's language, chosen the same way on every surface: ``?lang=`` (remembered in a
cookie), then that cookie, then Accept-Language, then the site default
(``site.default_language``). UI strings come from the message catalogues in
``server/translations``.

Flask-Babel asks :func:`select_language` once per request, the first time anything needs the
language (a template, a number format, the page cache's key); :func:`remember` then marks
the response as varying with the language, and only then.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request, url_for
from flask_babel import Babel, get_locale, get_translations

from regiograph.server.services import config

LANGUAGES = ("de", "en")
COOKIE = "lang"
_CHOSEN = "regiograph_language_chosen"  # set on flask.g when this request's language was asked
_TRANSLATIONS = "regiograph_translations"  # this request's catalogue, on flask.g


def select_language() -> str:
    setattr(g, _CHOSEN, True)
    asked = request.args.get("lang", "") or request.cookies.get(COOKIE, "")
    if asked in LANGUAGES:
        return asked
    best = request.accept_languages.best_match(LANGUAGES)
    return best or config()["site.default_language"]


def language() -> str:
    return str(get_locale() or "de")


def init_app(app: Flask) -> None:
    """Flask-Babel for the whole app, ``lang`` in every template, :func:`remember` on every
    response."""
    Babel(app, locale_selector=select_language)
    # Flask-Babel looks the catalogue up again for every string (some 10 µs each, and a page
    # such as /statistics translates dozens); the language does not change within a request
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.context_processor(
        lambda: {"lang": language(), "languages": LANGUAGES, "lang_url": lang_url}
    )
    app.after_request(remember)


def _translations():
    """The catalogue of this request's language, looked up once per request."""
    if not has_request_context():
        return get_translations()
    found = g.get(_TRANSLATIONS)
    if found is None:
        found = get_translations()
        setattr(g, _TRANSLATIONS, found)
    return found


def lang_url(code: str) -> str:
    """The current page in another language."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return url_for(request.endpoint or "home.index", **(request.view_args or {}), **args)


def remember(response):
    """Keep an explicit ``?lang=`` choice for the next pages; say that a response whose
    content depended on the language varies with what chose it."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    if g.get(_CHOSEN):
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response
