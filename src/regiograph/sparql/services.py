"""The SERVICE rule: federation only to endpoints on the allow-list, checked before execution.

Oxigraph cannot switch SERVICE off, so the SERVICE targets of every query and update are
read with the endpoint's one parser (:mod:`regiograph.sparql.parsed`, the grammar the engine
accepts) and each is checked before the text reaches any engine. The word "service" in a
comment, a string or a variable name is no SERVICE clause, and a text the parser cannot read
does not run.

Rules, each named in the refusal so that the client knows which one applied:

- ``service-variable``: the target must be an IRI, not a variable.
- ``service-scheme``: only ``http:`` and ``https:`` (no ``file:``, ``ftp:``, …).
- ``service-allow-list``: the normalised URL must be on ``sparql.service_allow``.
- ``service-private-address``: a listed *host name* must not resolve to a loopback,
  link-local, private or otherwise non-public address; only entries that name such an address
  literally (``http://127.0.0.1:8080/sparql``) or ``localhost`` may reach one.

Parsing and name resolution run inside the killable query workers, so neither a huge query
nor a slow resolver can hold the web process.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from regiograph.sparql.parsed import Target


class ServiceRefused(Exception):
    """A SERVICE target breaks a rule; ``rule`` names it."""

    def __init__(self, rule: str, message: str):
        self.rule = rule
        super().__init__(f"{message} (rule: {rule})")


def normalise(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = (
        host
        if port is None or (scheme, port) in {("http", 80), ("https", 443)}
        else (f"{host}:{port}")
    )
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def parse_allow_list(setting: str) -> frozenset[str]:
    return frozenset(normalise(u) for u in setting.replace(",", " ").split() if u)


def check(found: Iterable[Target], allowed: frozenset[str], *, resolve=socket.getaddrinfo) -> None:
    """Raise ServiceRefused for the first target that breaks a rule."""
    for target in found:
        if target.iri is None:
            raise ServiceRefused(
                "service-variable", f"SERVICE with a variable target ({target.text}) is refused"
            )
        scheme = urlsplit(target.iri).scheme.lower()
        if scheme not in {"http", "https"}:
            raise ServiceRefused(
                "service-scheme",
                f"SERVICE <{target.iri}> is refused: only "
                "http and https endpoints can be federated",
            )
        url = normalise(target.iri)
        if url not in allowed:
            rule = "service-private-address" if _literal_private(url) else "service-allow-list"
            raise ServiceRefused(
                rule,
                f"SERVICE <{target.iri}> is not on this endpoint's "
                "allow-list (setting sparql.service_allow)",
            )
        _check_resolution(url, resolve)


def _literal_private(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def _check_resolution(url: str, resolve) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host == "localhost":
        return  # named explicitly on the list
    try:
        ipaddress.ip_address(host)
        return  # an address named literally on the list
    except ValueError:
        pass
    try:
        infos = resolve(
            host, parts.port or (443 if parts.scheme == "https" else 80), proto=socket.IPPROTO_TCP
        )
    except OSError as exc:
        raise ServiceRefused(
            "service-allow-list", f"SERVICE <{url}>: its host does not resolve ({exc})"
        ) from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise ServiceRefused(
                "service-private-address",
                f"SERVICE <{url}>: {host} resolves to {address}, a non-public address; list "
                "the address itself in sparql.service_allow to allow it",
            )


__all__ = ["ServiceRefused", "Target", "check", "normalise", "parse_allow_list"]
