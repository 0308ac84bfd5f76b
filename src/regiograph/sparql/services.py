"""The SERVICE rule: federation only to endpoints on the allow-list, checked before execution.

Oxigraph cannot switch SERVICE off, so every query and update that mentions the word
``service`` in any spelling (:func:`regiograph.sparql.lexer.mentions`) is parsed with
rdflib's SPARQL parser and each SERVICE target is checked; a query that does not mention it
cannot contain a SERVICE clause and skips the parse. As a second opinion, SERVICE keywords
seen by the tokenizer are checked too (the union is what counts).

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
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from regiograph.sparql import lexer


class ServiceRefused(Exception):
    """A SERVICE target breaks a rule; ``rule`` names it."""

    def __init__(self, rule: str, message: str):
        self.rule = rule
        super().__init__(f"{message} (rule: {rule})")


class UncheckableQuery(Exception):
    """The text mentions SERVICE but could not be parsed to check its targets."""


@dataclass(frozen=True)
class Target:
    iri: str | None  # None: a variable
    text: str  # as written, for messages


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


def targets(text: str, operation: str, base_iri: str) -> list[Target]:
    """SERVICE targets of a query or update; [] when the text cannot contain any."""
    if not lexer.mentions(text, "service"):
        return []
    found = _parsed_targets(text, operation, base_iri)
    found += _token_targets(text, base_iri)
    return found


def check(found: list[Target], allowed: frozenset[str], *, resolve=socket.getaddrinfo) -> None:
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


def _parsed_targets(text: str, operation: str, base_iri: str) -> list[Target]:
    from rdflib.plugins.sparql import algebra, parser

    try:
        if operation == "update":
            tree = algebra.translateUpdate(parser.parseUpdate(text), base=base_iri).algebra
        else:
            tree = algebra.translateQuery(parser.parseQuery(text), base=base_iri).algebra
    except Exception as exc:  # rdflib raises many kinds; all mean "not checkable"
        raise UncheckableQuery(
            f"this {operation} mentions SERVICE, and its SERVICE targets could not be checked "
            f"because the checking parser rejected it: {str(exc)[:300]}"
        ) from None
    found: list[Target] = []
    _walk(tree, found)
    return found


def _walk(node, found: list[Target]) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import URIRef

    stack = [node]
    seen = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, CompValue):
            if current.name == "ServiceGraphPattern":
                term = current.get("term")
                iri = str(term) if isinstance(term, URIRef) else None
                found.append(Target(iri, str(term)))
            stack.extend(current.values())
        elif isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list | tuple):
            stack.extend(current)


def _token_targets(text: str, base_iri: str) -> list[Target]:
    inspection = lexer.inspect(text)
    toks = inspection.tokens
    base = inspection.base or base_iri
    found = []
    for i, token in enumerate(toks):
        if token.kind != "word" or token.text.upper() != "SERVICE":
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        if j >= len(toks):
            continue
        target = toks[j]
        if target.kind == "var":
            found.append(Target(None, target.text))
        elif target.kind == "iri":
            found.append(Target(urljoin(base, target.text[1:-1]), target.text))
        elif target.kind == "pname":
            prefix, _, local = target.text.partition(":")
            namespace = inspection.prefixes.get(prefix)
            iri = namespace + local if namespace is not None else target.text
            found.append(Target(iri, target.text))
    return found
