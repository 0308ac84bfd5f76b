"""The web front end: a Flask app factory and one blueprint per web surface.

Only this package imports Flask. It turns HTTP into calls on the store, the loader and the
saved queries, and their typed errors into HTTP responses (:mod:`.errors`); it holds no
knowledge of the ontology of its own and sends no SPARQL it did not get from ``queries/``
or from the module that owns the question.

May not: hold ontology knowledge or SPARQL of its own beyond its ``.rq`` files, nor be
imported by anything but the entry points (:mod:`regiograph.cli`, :mod:`regiograph.wsgi`,
:mod:`regiograph.front`).
"""

from __future__ import annotations

import logging
from importlib import import_module

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from regiograph import __version__
from regiograph.config import Config
from regiograph.loader import codelists
from regiograph.server import services
from regiograph.server.kit import errors, headers, i18n, templating
from regiograph.store import Store

log = logging.getLogger(__name__)

# (module, attribute) of each blueprint, registered in this order.
BLUEPRINTS = [
    ("regiograph.server.routes.observability", "blueprint"),  # first: request ids for all others
    ("regiograph.server.routes.home", "blueprint"),
    ("regiograph.server.routes.sparql", "blueprint"),
    ("regiograph.server.routes.pages", "blueprint"),
    ("regiograph.server.routes.search", "blueprint"),
    ("regiograph.server.routes.browse", "blueprint"),
    ("regiograph.server.routes.admin", "blueprint"),
    ("regiograph.server.routes.api", "blueprint"),
    ("regiograph.server.routes.queries", "blueprint"),
    ("regiograph.server.routes.statistics", "blueprint"),
    ("regiograph.server.routes.catalog", "blueprint"),
    ("regiograph.server.routes.harvests", "blueprint"),
    ("regiograph.server.routes.legal", "blueprint"),
]


def create_app(config: Config, store: Store | None = None) -> Flask:
    """The web app for ``config``, with every collaborator built (:mod:`.services`); the
    store's URLs must already be known."""
    codelists.load()  # a missing or corrupt code list stops the start, naming the file
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    services.install(app, config, store or Store.from_config(config))
    app.jinja_env.globals.update(site_title=config["site.title"], version=__version__)
    if config["site.trust_proxy"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
    i18n.init_app(app)
    templating.register(app)
    errors.register(app)
    # every HTML page, error pages and the query editor included, gets the strict policy
    app.after_request(headers.secure)
    app.after_request(headers.error_headers)
    for module, attribute in BLUEPRINTS:
        app.register_blueprint(getattr(import_module(module), attribute))
    return app
