"""An update's dataset from the SPARQL 1.1 Protocol's ``using-graph-uri`` /
``using-named-graph-uri`` parameters, written into the update as ``USING`` clauses.

pyoxigraph's ``Store.update`` takes no dataset, but an update's text can say one: each
``DELETE``/``INSERT … WHERE`` gets the parameters as ``USING`` / ``USING NAMED`` clauses before
its ``WHERE``, and a ``DELETE WHERE { Q }`` becomes the ``DELETE { Q } USING … WHERE { Q }`` it
abbreviates (SPARQL 1.1 Update 3.1.3.3) — as Oxigraph's own server sets the dataset of every
DELETE/INSERT operation. Other operations (``INSERT DATA``, ``CLEAR``, …) have no dataset.

The positions come from the endpoint's one parser (:mod:`.grammar`): a ``WHERE`` outside every
``{…}`` is an operation's, one inside belongs to a sub-select; braces inside strings, IRIs or
comments are no braces to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from lark.exceptions import UnexpectedInput

from regiograph.sparql.grammar import parser


class DatasetConflict(ValueError):
    """The update names its own dataset (USING or WITH) and the request gave one too."""


def with_dataset(text: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """``text`` with the protocol's dataset as USING clauses (``text`` itself without one).

    Raises :class:`DatasetConflict` when the update has USING or WITH (SPARQL 1.1 Protocol
    2.2.3 forbids both), ``ValueError`` for a dataset IRI that is not an absolute IRI and
    ``SyntaxError`` for a text that is no update (the engine would refuse it anyway)."""
    if not default_graphs and not named_graphs:
        return text
    clauses = " ".join(
        [f"USING <{_iri(g)}>" for g in default_graphs]
        + [f"USING NAMED <{_iri(g)}>" for g in named_graphs]
    )
    out, done = [], 0
    for start, where, end in _where_clauses(_tokens(text)):
        if start is None:  # INSERT/DELETE … WHERE: the clauses go in front of the WHERE
            out += [text[done:where], clauses, " "]
            done = where
        else:  # DELETE WHERE { Q } -> DELETE { Q } USING … WHERE { Q }
            block = text[where:end]
            out += [text[done:start], "DELETE ", block, " ", clauses, " WHERE ", block]
            done = end
    return "".join(out) + text[done:]


def _iri(value: str) -> str:
    return ox.NamedNode(value).value  # ValueError unless an absolute IRI (no '>', no space)


def _tokens(text: str) -> list:
    interactive = parser().parse_interactive(text, start="update_unit")
    try:
        tokens = list(interactive.iter_parse())
        interactive.feed_eof(tokens[-1] if tokens else None)
    except UnexpectedInput as exc:
        raise SyntaxError(f"not a SPARQL update: {exc}") from None
    return tokens


def _where_clauses(tokens: list):
    """(start of ``DELETE WHERE`` or None, offset of the WHERE's block or keyword, end of the
    block) for each operation's WHERE, in order."""
    depth, pending = 0, None
    for index, token in enumerate(tokens):
        if token.type == "LBRACE":
            depth += 1
        elif token.type == "RBRACE":
            depth -= 1
            if pending is not None and depth == 0:
                yield pending[0], pending[1], token.end_pos
                pending = None
        elif depth == 0 and token.type in {"USING", "WITH"}:
            raise DatasetConflict(
                "using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH "
                "in the update (SPARQL 1.1 Protocol 2.2.3)"
            )
        elif depth == 0 and token.type == "WHERE":
            if index and tokens[index - 1].type == "DELETE":
                # the block runs from the next '{' to its matching '}'
                pending = (tokens[index - 1].start_pos, tokens[index + 1].start_pos)
            else:
                yield None, token.start_pos, None
