"""A SPARQL 1.1 tokenizer for the cheap questions the endpoint asks of every request.

It answers: is this a query or an update, which query form (for content negotiation before
anything runs), which prefixes are declared, and which keywords occur (USING/WITH for the
protocol's dataset conflict rule, LOAD). It does not decide validity — the engine's parser
does, and its message goes back to the client — and it is *not* what the SERVICE rule relies
on: ``<`` is ambiguous in SPARQL (an IRI or the less-than operator) and a tokenizer without the
grammar can be led astray, so :mod:`.services` uses a real parser for that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\n\r]*)",
            r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
            r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'(?:[^'\\\n\r]|\\.)*'"
            r'|"(?:[^"\\\n\r]|\\.)*")',
            rf"(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)",
            rf"(?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)",
            rf"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            r"(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)",
            r"(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
            r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
            r"(?P<punct>\^\^|<<|>>|&&|\|\||!=|<=|>=|[{}()\[\].,;*=<>!+\-/|^?$@])",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
}
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


@dataclass
class Inspection:
    """What the tokenizer saw in a request's SPARQL text."""

    operation: str | None = None  # "query", "update" or None (not recognisable)
    form: str | None = None  # SELECT, ASK, CONSTRUCT, DESCRIBE (queries only)
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    keywords: set[str] = field(default_factory=set)
    tokens: list[Token] = field(default_factory=list)


def tokens(text: str) -> list[Token]:
    """Significant tokens (no whitespace, no comments)."""
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in {"ws", "comment"}:
            continue
        out.append(Token(kind, match.group(), match.start()))
    return out


def inspect(text: str) -> Inspection:
    found = Inspection(tokens=tokens(text))
    toks = found.tokens
    i = 0
    while i < len(toks):  # the prologue: BASE <iri> | PREFIX p: <iri>
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "BASE" and i + 1 < len(toks) and toks[i + 1].kind == "iri":
            found.base = toks[i + 1].text[1:-1]
            i += 2
        elif word == "PREFIX" and i + 2 < len(toks) and toks[i + 2].kind == "iri":
            found.prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
            i += 3
        else:
            break
    if i < len(toks) and toks[i].kind == "word":
        first = toks[i].text.upper()
        if first in QUERY_FORMS:
            found.operation, found.form = "query", first
        elif first in UPDATE_KEYWORDS:
            found.operation = "update"
    found.keywords = {t.text.upper() for t in toks if t.kind == "word"}
    return found


def unescape_codepoints(text: str) -> str:
    r"""``\uXXXX`` and ``\UXXXXXXXX`` replaced by their characters (SPARQL 1.1 §19.2)."""

    def replace(match: re.Match) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except (ValueError, OverflowError):
            return match.group()

    return _ESCAPE.sub(replace, text)


def mentions(text: str, word: str) -> bool:
    """Whether ``word`` occurs anywhere, in any case, also spelled with codepoint escapes.

    Over-approximates on purpose: a query that does not mention SERVICE at all, in any
    spelling, cannot contain a SERVICE clause, so the expensive check can be skipped.
    """
    lowered = word.lower()
    return lowered in text.lower() or lowered in unescape_codepoints(text).lower()
