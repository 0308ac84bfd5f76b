"""What a SPARQL text is, read with the one parser the endpoint has (:mod:`.grammar`).

:func:`parse` answers every question the endpoint asks before a query runs: query or update,
the query form (for content negotiation), the query's own dataset (FROM / FROM NAMED: with
one, the default graph is not the union of the named graphs), the SERVICE targets (for the
allow-list), the prefixes it declares and the ones it takes from the platform's defaults, and
for updates whether they name USING/WITH or LOAD. There is no second parser and no regular
expression over the text: a FROM inside an IRI, a string or a comment is not a FROM.
:func:`quick_form` reads only up to the form, with the same parser, a text in which the words
``from`` and ``service`` appear nowhere (so neither can be a keyword there).

A text the parser refuses raises :class:`SparqlSyntaxError` with a one-line message in the
engine's manner (``error at LINE:COLUMN: …``). The engine parses the text again when it runs
it and is the judge of everything the grammar leaves to it (see :mod:`.grammar`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from regiograph.sparql.grammar import parser

FORMS = {
    "select_query": "SELECT",
    "construct_query": "CONSTRUCT",
    "describe_query": "DESCRIBE",
    "ask_query": "ASK",
}
_IRI_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.|$))", re.DOTALL)
# How a refusal names what the parser expected instead (the terminals' own names otherwise).
_NAMES = {
    "IRIREF": "an IRI",
    "PNAME": "a prefixed name",
    "VAR": "a variable",
    "STRING": "a string",
    "NUMBER": "a number",
    "BUILTIN": "a built-in function",
    "$END": "the end of the text",
}


class SparqlSyntaxError(ValueError):
    """The text is not SPARQL this endpoint can run; the message says where and why."""

    def __init__(self, message: str, line: int = 0, column: int = 0):
        self.line, self.column = line, column
        super().__init__(message)


@dataclass(frozen=True)
class Target:
    """A SERVICE target: an absolute IRI, or None for a variable; ``text`` as written."""

    iri: str | None
    text: str


@dataclass(frozen=True)
class Parsed:
    operation: str  # "query" or "update"
    form: str | None = None  # SELECT, CONSTRUCT, DESCRIBE, ASK (queries)
    base: str | None = None  # the text's own BASE (the last one)
    prefixes: Mapping[str, str] = field(default_factory=dict)  # declared in the text
    defaulted: Mapping[str, str] = field(default_factory=dict)  # used, taken from the defaults
    default_graphs: tuple[str, ...] = ()  # FROM
    named_graphs: tuple[str, ...] = ()  # FROM NAMED
    services: tuple[Target, ...] = ()
    using: bool = False  # an update names USING or WITH
    loads: bool = False  # an update has a LOAD
    trailing_semicolon: int | None = None  # offset of an update's closing ";"

    @property
    def has_dataset(self) -> bool:
        """The query says its own dataset (FROM or FROM NAMED)."""
        return bool(self.default_graphs or self.named_graphs)


def parse(
    text: str,
    *,
    base: str | None = None,
    defaults: Mapping[str, str] | None = None,
    operation: str | None = None,
) -> Parsed:
    """``text`` read as a query (``operation="query"``), an update, or whichever it is (None:
    a query if it parses as one, else an update). ``base`` resolves relative IRIs where the
    text has no BASE; ``defaults`` are the prefixes usable without a PREFIX line."""
    reader = _Reader(base, defaults or {})
    if operation == "update":
        return reader.update(*_tree(text, "update_unit"))
    try:
        tree, _last = _tree(text, "query_unit")
    except SparqlSyntaxError as as_query:
        if operation == "query":
            raise
        try:
            return reader.update(*_tree(text, "update_unit"))
        except SparqlSyntaxError as as_update:  # the reading that got further is the one meant
            further = (as_update.line, as_update.column) > (as_query.line, as_query.column)
            raise as_update if further else as_query from None
    return reader.query(tree)


# Words without which a text has no FROM / FROM NAMED, no SERVICE, and no codepoint escape
# (``\u0046ROM`` is FROM to the engine, which unescapes the whole text before parsing).
_WHOLE_READ_WORDS = ("from", "service", "\\u")
_FORM_TOKENS = {"SELECT": "SELECT", "CONSTRUCT": "CONSTRUCT", "DESCRIBE": "DESCRIBE", "ASK": "ASK"}


def quick_form(text: str) -> str | None:
    """The form of a query whose whole reading (:func:`parse`) could tell nothing more than
    its form, read by the same parser up to the form's keyword; None when it could.

    Reading a whole text costs ~0.3 ms for a one-line lookup and several ms for a page's
    query of 1,000 characters (the parser is pure Python), the engine's run of a lookup
    ~0.1 ms. A text without the letters ``from`` and ``service`` in any case has no FROM,
    FROM NAMED or SERVICE — a keyword is never split, and without a codepoint escape none is
    spelt otherwise — so its dataset and SERVICE targets are known without reading on.
    Whatever else the whole reading catches the engine refuses too (the grammar is never
    stricter than the engine), and the caller reads a refused text whole for the message.
    An update (or anything but a query's prologue and form) gives None."""
    lowered = text.lower()
    if any(word in lowered for word in _WHOLE_READ_WORDS):
        return None
    interactive = parser().parse_interactive(text, start="query_unit")
    try:
        for token in interactive.iter_parse():  # the prologue's tokens, then the form's
            form = _FORM_TOKENS.get(token.type)
            if form is not None:
                return form
    except UnexpectedInput:
        return None
    return None


def _tree(text: str, start: str) -> tuple[Tree, Token | None]:
    interactive = parser().parse_interactive(text, start=start)
    try:
        interactive.exhaust_lexer()
        last = interactive.lexer_thread.state.last_token
        return interactive.feed_eof(last), last
    except UnexpectedInput as exc:
        raise _refusal(text, exc) from None


def _refusal(text: str, exc: UnexpectedInput) -> SparqlSyntaxError:
    line, column = getattr(exc, "line", 0) or 0, getattr(exc, "column", 0) or 0
    if isinstance(exc, UnexpectedToken | UnexpectedEOF) and exc.token.type == "$END":
        line, column = _end_position(text)
        found = "the end of the text"
    elif isinstance(exc, UnexpectedToken):
        found = repr(str(exc.token)[:40])
    elif isinstance(exc, UnexpectedCharacters):
        found = repr(text[exc.pos_in_stream : exc.pos_in_stream + 1])
    else:
        found = "this"
    expected = sorted(_NAMES.get(name, name) for name in (getattr(exc, "expected", None) or ()))
    hint = f"; expected {_listed(expected)}" if expected else ""
    return SparqlSyntaxError(f"error at {line}:{column}: unexpected {found}{hint}", line, column)


def _listed(expected: list[str]) -> str:
    shown = [name if " " in name else name.lower().replace("_", " ") for name in expected[:8]]
    more = f" (and {len(expected) - 8} more)" if len(expected) > 8 else ""
    return ("one of " if len(expected) > 1 else "") + ", ".join(shown) + more


def _end_position(text: str) -> tuple[int, int]:
    line = text.count("\n") + 1
    return line, len(text) - (text.rfind("\n") + 1) + 1


class _Reader:
    """Reads the parse tree: prologue first (BASE and PREFIX apply in order), then the rest."""

    def __init__(self, base: str | None, defaults: Mapping[str, str]):
        self.base = base
        self.own_base: str | None = None
        self.defaults = defaults
        self.prefixes: dict[str, str] = {}
        self.defaulted: dict[str, str] = {}

    def query(self, tree: Tree) -> Parsed:
        prologue, form = tree.children[0], tree.children[1]
        self._prologue(prologue)
        found = _Found.of(tree, self)
        default_graphs, named_graphs = [], []
        for clause in (c for c in form.children if _is(c, "dataset_clause")):
            kind = clause.children[0]
            target = named_graphs if kind.data == "named_graph" else default_graphs
            target.append(self.iri(kind.children[0]))
        return Parsed(
            "query",
            form=FORMS[form.data],
            base=self.own_base,
            prefixes=dict(self.prefixes),
            defaulted=dict(self.defaulted),
            default_graphs=tuple(default_graphs),
            named_graphs=tuple(named_graphs),
            services=found.services,
        )

    def update(self, tree: Tree, last: Token | None) -> Parsed:
        units, unit = [], tree
        while unit is not None:  # update_unit: prologue (operation (";" update_unit)?)?
            units.append(unit)
            unit = next((c for c in unit.children[1:] if _is(c, "update_unit")), None)
        for unit in units:
            self._prologue(unit.children[0])
        found = _Found.of(tree, self)
        return Parsed(
            "update",
            base=self.own_base,
            prefixes=dict(self.prefixes),
            defaulted=dict(self.defaulted),
            services=found.services,
            using=found.using,
            loads=found.loads,
            trailing_semicolon=last.start_pos
            if last is not None and last.type == "SEMICOLON"
            else None,
        )

    def _prologue(self, prologue: Tree) -> None:
        for declaration in prologue.children:
            if declaration.data == "base_decl":
                self.own_base = self.base = self._iriref(declaration.children[0])
            elif declaration.data == "prefix_decl":
                name, iri = declaration.children
                prefix, _, local = str(name).partition(":")
                if local:
                    raise _at(name, f"PREFIX {name}: a prefix name ends with ':'")
                self.prefixes[prefix] = self._iriref(iri)

    def iri(self, node: Tree) -> str:
        token = node.children[0]
        if token.type == "IRIREF":
            return self._iriref(token)
        prefix, _, local = str(token).partition(":")
        namespace = self.prefixes.get(prefix)
        if namespace is None:
            namespace = self.defaults.get(prefix)
            if namespace is None:
                raise _at(
                    token,
                    f"the prefix '{prefix}:' is not declared; add a line "
                    f"PREFIX {prefix}: <…> before the query",
                )
            self.defaulted[prefix] = namespace
        return namespace + local.replace("\\", "")

    def _iriref(self, token: Token) -> str:
        def unescape(match: re.Match) -> str:
            if match.group(3) is not None:
                raise _at(token, "an IRI may only hold the escapes \\uXXXX and \\UXXXXXXXX")
            try:
                return chr(int(match.group(1) or match.group(2), 16))
            except (ValueError, OverflowError):
                raise _at(token, "an escape in this IRI names no character") from None

        iri = _IRI_ESCAPE.sub(unescape, str(token)[1:-1])
        return urljoin(self.base, iri) if self.base else iri


@dataclass
class _Found:
    """What a walk over the whole tree finds (iteratively: nesting depth is unbounded)."""

    services: tuple[Target, ...] = ()
    using: bool = False
    loads: bool = False

    @classmethod
    def of(cls, tree: Tree, reader: _Reader) -> _Found:
        found = cls()
        services: list[Target] = []
        stack: list = [tree]
        while stack:
            node = stack.pop()
            if not isinstance(node, Tree):
                continue
            if node.data == "iri":
                reader.iri(node)  # every prefixed name must resolve, as the engine demands
                continue
            if node.data == "service":
                services.append(_target(node, reader))
            elif node.data in {"using_clause", "with_clause"}:
                found.using = True
            elif node.data == "load":
                found.loads = True
            stack.extend(reversed(node.children))
        found.services = tuple(services)
        return found


def _target(node: Tree, reader: _Reader) -> Target:
    target = next(c for c in node.children if isinstance(c, Tree))
    if target.data == "var":
        return Target(None, str(target.children[0]))
    return Target(reader.iri(target), str(target.children[0]))


def _is(node, name: str) -> bool:
    return isinstance(node, Tree) and node.data == name


def _at(token: Token, message: str) -> SparqlSyntaxError:
    line, column = token.line or 0, token.column or 0
    return SparqlSyntaxError(f"error at {line}:{column}: {message}", line, column)
