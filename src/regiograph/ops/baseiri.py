"""Whether ``site.base_iri`` can be where the platform is served, said loudly at start-up.

Things are named ``{base}id/…`` and their pages, dumps and the service description carry
those IRIs; page links are relative, but an IRI only resolves where ``site.base_iri`` points.
Served on another port, or only on the loopback interface under a public host name, with no
proxy in front (``site.trust_proxy``) to map one onto the other, every such IRI leads
nowhere. That is a configuration mistake nobody notices until a reader follows a link, so
``serve`` and ``demo`` log it as a warning before they listen. A proxy or a persistent-IRI
redirect (w3id.org) in front is the reason to differ, and then the warning names the setting
that says so.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from regiograph.config import Config

log = logging.getLogger(__name__)
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
DEFAULT_PORTS = {"http": 80, "https": 443}


def mismatch(config: Config) -> str | None:
    """Why ``site.base_iri`` cannot be this server's address, or None when it can be."""
    if config["site.trust_proxy"]:
        return None  # the proxy in front maps the public address onto this one
    base = urlsplit(config.base_iri)
    host, port = config["server.host"], config["server.port"]
    served = f"http://{host}:{port}/"
    base_port = base.port or DEFAULT_PORTS.get(base.scheme)
    if base_port != port:
        return (
            f"site.base_iri is {config.base_iri} (port {base_port}) but regiograph is served "
            f"at {served}: the IRIs of its things will not resolve here"
        )
    if host in LOOPBACK and (base.hostname or "") not in LOOPBACK:
        return (
            f"site.base_iri is {config.base_iri} but regiograph listens only on this machine "
            f"({served}): nobody else can follow its IRIs"
        )
    return None


def warn_if_mismatched(config: Config) -> str | None:
    """Log :func:`mismatch` as a warning with what to set; returns it."""
    reason = mismatch(config)
    if reason:
        log.warning(
            "%s. Set site.base_iri (REGIOGRAPH_SITE_BASE_IRI) to the address readers use, or "
            "site.trust_proxy when a reverse proxy in front serves that address.",
            reason,
        )
    return reason
