"""Template filters and globals shared by the pages, search and browse templates."""

from __future__ import annotations

from flask import Flask
from pyoxigraph import Literal

from regiograph.resources import labels, values
from regiograph.server.kit import i18n
from regiograph.server.kit.negotiation import FORMATS
from regiograph.server.kit.urls import link_for


def register(app: Flask) -> None:
    app.add_template_filter(_number, "number")
    app.add_template_filter(_literal, "literal")
    app.add_template_filter(values.safe_href, "safe_href")
    app.add_template_filter(_in_language, "in_language")
    app.add_template_global(link_for, "page_link")
    app.add_template_global(link_for, "prop_link")
    app.add_template_global({ext: fmt.media_type for ext, fmt in FORMATS.items()}, "media_types")
    settings = app.config["REGIOGRAPH"]
    app.add_template_global(settings["pages.tile_url"], "tile_url")
    app.add_template_global(settings["pages.tile_attribution"], "tile_attribution")


def _number(value) -> str:
    return values.format_number(value, i18n.language())


def _in_language(texts) -> str:
    """A text given in several languages (``{"de": …, "en": …}``) in the reader's, the
    other only as fallback; a plain string as it is."""
    if isinstance(texts, dict):
        return labels.pick(texts, i18n.language()) or ""
    return "" if texts is None else str(texts)


def _literal(value) -> str:
    if isinstance(value, Literal):
        return values.format_literal(value, i18n.language())
    return str(value)
