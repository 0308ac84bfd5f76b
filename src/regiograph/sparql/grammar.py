"""The SPARQL grammar the endpoint parses with, as Oxigraph 0.5 accepts it, and its parser.

The grammar is the W3C SPARQL 1.1 grammar (queries and updates) plus what Oxigraph adds: the
SPARQL 1.2 syntax (``VERSION``, triple terms ``<<( )>>``, reified triples ``<< >>`` with
reifiers ``~`` and annotations ``{| |}``, ``@lang--ltr``, ``!!``, LANGDIR/hasLang/TRIPLE/…),
``LATERAL`` (SEP-0006) and ``ADJUST`` (SEP-0002). It is generated into an LALR(1) parser by
lark, so parsing takes time linear in the text and never recurses in Python (nesting depth
costs nothing).

It is a little *looser* than the engine on purpose, never stricter: arities of built-in calls,
escape sequences, the IRI syntax inside ``<…>``, sign/number spacing and the SELECT scoping
rules are left to the engine, which parses every query again and words the error. What this
parser must get right is the structure — which form, which FROM / FROM NAMED, which SERVICE
targets, which prefixes — and that it never refuses a text the engine accepts
(tests/test_sparql_grammar.py proves both over the W3C syntax suites and a fuzzer).

Oxigraph's parser is a PEG without a separate tokenizer, so where a character can begin two
different tokens it takes whichever lets the parse go on: ``<`` after an operand is "less
than", elsewhere it opens an IRI; ``.5`` after an object is the end of a triple and then a
number. A plain contextual lexer guesses those from LALR states that were merged, so
:class:`ExactLexer` checks each token against the parser's real stack and, when the parser
would refuse it, lexes again among only the terminals the parser can take there.
"""

from __future__ import annotations

from copy import copy
from functools import cache

from lark import Lark
from lark.lexer import BasicLexer
from lark.parsers.lalr_analysis import Shift

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=\/?#@%]"  # "/" escaped: it ends a lark regex
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

# Built-in calls that take a parenthesised argument list (their arities are the engine's).
BUILTINS = (
    "STR",
    "LANG",
    "LANGMATCHES",
    "LANGDIR",
    "DATATYPE",
    "BOUND",
    "IRI",
    "URI",
    "BNODE",
    "RAND",
    "ABS",
    "CEIL",
    "FLOOR",
    "ROUND",
    "CONCAT",
    "STRLEN",
    "UCASE",
    "LCASE",
    "ENCODE_FOR_URI",
    "CONTAINS",
    "STRSTARTS",
    "STRENDS",
    "STRBEFORE",
    "STRAFTER",
    "YEAR",
    "MONTH",
    "DAY",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "TIMEZONE",
    "TZ",
    "NOW",
    "UUID",
    "STRUUID",
    "MD5",
    "SHA1",
    "SHA256",
    "SHA384",
    "SHA512",
    "COALESCE",
    "IF",
    "STRLANG",
    "STRLANGDIR",
    "STRDT",
    "sameTerm",
    "isIRI",
    "isURI",
    "isBLANK",
    "isLITERAL",
    "isNUMERIC",
    "hasLang",
    "hasLangDir",
    "TRIPLE",
    "SUBJECT",
    "PREDICATE",
    "OBJECT",
    "isTRIPLE",
    "ADJUST",
    "REGEX",
    "SUBSTR",
    "REPLACE",
)
_NUMBER = "|".join(  # the longest reading first, as the engine's PEG tries them
    (
        r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+",
        r"\.[0-9]+[eE][+-]?[0-9]+",
        r"[0-9]+[eE][+-]?[0-9]+",
        r"[0-9]*\.[0-9]+",
        r"[0-9]+",
    )
)
_STRING = "|".join(  # long strings first; which escapes are valid is the engine's question
    (
        r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''",
        r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""',
        r"'(?:[^'\\\n\r]|\\.)*'",
        r'"(?:[^"\\\n\r]|\\.)*"',
    )
)
_BUILTIN = "|".join(sorted(BUILTINS, key=len, reverse=True))  # longest first: STRLEN before STR

GRAMMAR = rf"""
// ---- units -------------------------------------------------------------------------------
query_unit: prologue (select_query | construct_query | describe_query | ask_query) values_clause?
update_unit: prologue (_update1 (";" update_unit)?)?

prologue: (base_decl | prefix_decl | version_decl)*
base_decl: "BASE"i IRIREF
prefix_decl: "PREFIX"i PNAME IRIREF
version_decl: "VERSION"i STRING

// ---- queries -----------------------------------------------------------------------------
select_query: _select_clause dataset_clause* _where_clause _solution_modifier
sub_select: _select_clause _where_clause _solution_modifier values_clause?
_select_clause: "SELECT"i ("DISTINCT"i | "REDUCED"i)? (_select_item+ | "*")
_select_item: var | "(" expression "AS"i var ")"
construct_query: "CONSTRUCT"i (_construct_template dataset_clause* _where_clause _solution_modifier
               | dataset_clause* "WHERE"i "{{" _triples_template? "}}" _solution_modifier)
describe_query: "DESCRIBE"i (_var_or_iri+ | "*") dataset_clause* _where_clause? _solution_modifier
ask_query: "ASK"i dataset_clause* _where_clause _solution_modifier
dataset_clause: "FROM"i (default_graph | named_graph)
default_graph: iri
named_graph: "NAMED"i iri
_where_clause: "WHERE"i? group_graph_pattern
_solution_modifier: group_clause? having_clause? order_clause? _limit_offset?
group_clause: "GROUP"i "BY"i _group_condition+
_group_condition: builtin_call | function_call | "(" expression ("AS"i var)? ")" | var
having_clause: "HAVING"i _constraint+
order_clause: "ORDER"i "BY"i _order_condition+
_order_condition: ("ASC"i | "DESC"i) _bracketted | _constraint | var
_limit_offset: _limit _offset? | _offset _limit?
_limit: "LIMIT"i NUMBER
_offset: "OFFSET"i NUMBER
values_clause: "VALUES"i _data_block

// ---- updates -----------------------------------------------------------------------------
_update1: load | clear | drop | add | move | copy | create | insert_data | delete_data
        | delete_where | modify
load: "LOAD"i SILENT? iri ("INTO"i _graph_ref)?
clear: "CLEAR"i SILENT? _graph_ref_all
drop: "DROP"i SILENT? _graph_ref_all
create: "CREATE"i SILENT? _graph_ref
add: "ADD"i SILENT? _graph_or_default "TO"i _graph_or_default
move: "MOVE"i SILENT? _graph_or_default "TO"i _graph_or_default
copy: "COPY"i SILENT? _graph_or_default "TO"i _graph_or_default
insert_data: "INSERT"i "DATA"i _quads_block
delete_data: "DELETE"i "DATA"i _quads_block
delete_where: "DELETE"i "WHERE"i _quads_block
modify: with_clause? _modify_clauses using_clause* "WHERE"i group_graph_pattern
_modify_clauses: _delete_clause _insert_clause? | _insert_clause
with_clause: "WITH"i iri
_delete_clause: "DELETE"i _quads_block
_insert_clause: "INSERT"i _quads_block
using_clause: "USING"i NAMED? iri
_graph_or_default: "DEFAULT"i | "GRAPH"i? iri
_graph_ref: "GRAPH"i iri
_graph_ref_all: _graph_ref | "DEFAULT"i | NAMED | "ALL"i
_quads_block: "{{" _triples_template? (_quads_not_triples "."? _triples_template?)* "}}"
_quads_not_triples: "GRAPH"i _var_or_iri "{{" _triples_template? "}}"
_triples_template: _triples_same_subject ("." _triples_template?)?

// ---- graph patterns ----------------------------------------------------------------------
group_graph_pattern: "{{" (sub_select | _group_graph_pattern_sub) "}}"
_group_graph_pattern_sub: _triples_block? (_graph_pattern_not_triples "."? _triples_block?)*
_triples_block: _triples_same_subject_path ("." _triples_block?)?
_graph_pattern_not_triples: _group_or_union | optional | lateral | minus | graph | service
                          | filter | bind | values_clause
_group_or_union: group_graph_pattern ("UNION"i group_graph_pattern)*
optional: "OPTIONAL"i group_graph_pattern
lateral: "LATERAL"i group_graph_pattern
minus: "MINUS"i group_graph_pattern
graph: "GRAPH"i _var_or_iri group_graph_pattern
service: "SERVICE"i SILENT? _var_or_iri group_graph_pattern
filter: "FILTER"i _constraint
bind: "BIND"i "(" expression "AS"i var ")"
_data_block: var "{{" _data_value* "}}" | "(" var* ")" "{{" ("(" _data_value* ")")* "}}"
_data_value: iri | _literal | "UNDEF"i | triple_term
_constraint: _bracketted | builtin_call | function_call
function_call: iri _arg_list
_arg_list: "(" ")" | "(" "DISTINCT"i? expression ("," expression)* ")"
_expression_list: "(" ")" | "(" expression ("," expression)* ")"

// ---- triples -----------------------------------------------------------------------------
_construct_template: "{{" _construct_triples? "}}"
_construct_triples: _triples_same_subject ("." _construct_triples?)?
_triples_same_subject: _var_or_term _property_list | _triples_node _property_list?
                     | reified_triple _property_list?
_property_list: _verb _object_list (";" (_verb _object_list)?)*
_verb: _var_or_iri | A
_object_list: _object ("," _object)*
_object: _graph_node _annotation*
_triples_same_subject_path: _var_or_term _property_list_path
                          | _triples_node_path _property_list_path?
                          | reified_triple _property_list_path?
_property_list_path: _verb_or_var _object_list_path (";" (_verb_or_var _object_list_path)?)*
_verb_or_var: _path | var
_object_list_path: _object_path ("," _object_path)*
_object_path: _graph_node_path _annotation_path*
_path: _path_sequence ("|" _path_sequence)*
_path_sequence: _path_elt_or_inverse ("/" _path_elt_or_inverse)*
_path_elt_or_inverse: _path_elt | "^" _path_elt
_path_elt: _path_primary ("?" | "*" | "+")?
_path_primary: iri | A | "!" _path_negated | "(" _path ")"
_path_negated: _path_one | "(" (_path_one ("|" _path_one)*)? ")"
_path_one: iri | A | "^" (iri | A)
_triples_node: "(" _graph_node+ ")" | "[" _property_list "]"
_triples_node_path: "(" _graph_node_path+ ")" | "[" _property_list_path "]"
_graph_node: _var_or_term | _triples_node | reified_triple
_graph_node_path: _var_or_term | _triples_node_path | reified_triple
_var_or_term: var | iri | _literal | blank_node | "(" ")" | triple_term
_var_or_iri: var | iri
reified_triple: "<<" _reified_part _verb _reified_part _reifier? ">>"
_reified_part: var | iri | _literal | blank_node | triple_term | reified_triple
_reifier: "~" (var | iri | blank_node)?
_annotation: _reifier | "{{|" _property_list "|}}"
_annotation_path: _reifier | "{{|" _property_list_path "|}}"
triple_term: "<<(" _triple_term_part _verb _triple_term_part ")>>"
_triple_term_part: var | iri | _literal | blank_node | triple_term

// ---- expressions -------------------------------------------------------------------------
expression: _or
_or: _and ("||" _and)*
_and: _relational ("&&" _relational)*
_relational: _additive (("=" | "!=" | LESS | ">" | LESSEQ | ">=") _additive
           | "IN"i _expression_list | "NOT"i "IN"i _expression_list)?
_additive: _multiplicative (("+" | "-") _multiplicative)*
_multiplicative: _unary (("*" | "/") _unary)*
_unary: ("!" | "+" | "-") _unary | _primary
_primary: _bracketted | builtin_call | iri _arg_list? | STRING (LANGTAG | "^^" iri)? | NUMBER
        | BOOLEAN | var | expr_triple_term
expr_triple_term: "<<(" _expr_tt_part _verb _expr_tt_part ")>>"
_expr_tt_part: var | iri | STRING (LANGTAG | "^^" iri)? | NUMBER | BOOLEAN | expr_triple_term
_bracketted: "(" expression ")"
builtin_call: _aggregate | BUILTIN _expression_list | "EXISTS"i group_graph_pattern
            | "NOT"i "EXISTS"i group_graph_pattern
_aggregate: "COUNT"i "(" "DISTINCT"i? ("*" | expression) ")"
          | ("SUM"i | "MIN"i | "MAX"i | "AVG"i | "SAMPLE"i) "(" "DISTINCT"i? expression ")"
          | "GROUP_CONCAT"i "(" "DISTINCT"i? expression (";" "SEPARATOR"i "=" STRING)? ")"

// ---- terms -------------------------------------------------------------------------------
_literal: STRING (LANGTAG | "^^" iri)? | ("+" | "-")? NUMBER | BOOLEAN
iri: IRIREF | PNAME
var: VAR
blank_node: BLANK_NODE_LABEL | "[" "]"

SILENT: "SILENT"i
NAMED: "NAMED"i
A: "a"
BOOLEAN: "true" | "false"
BUILTIN: /(?i:{_BUILTIN})/
LESS: "<"
LESSEQ: "<="
IRIREF: /<[^<>]*>/
PNAME: /(?:{_PREFIX})?:(?:{_LOCAL})?/
BLANK_NODE_LABEL: /_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?/
VAR: /[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*/
LANGTAG: /@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?/
NUMBER: /{_NUMBER}/
STRING: /{_STRING}/s
WS: /[ \t\r\n]+/
COMMENT: /#[^\r\n]*/
%ignore WS
%ignore COMMENT
"""


class ExactLexer(BasicLexer):
    """A lexer that only hands the parser tokens its real stack can take.

    It matches like lark's basic lexer (terminals in a fixed order: regular expressions
    before keywords, longer keywords first). When the parser, as it stands, would refuse that
    token, the text is lexed again among only the terminals the parser would take there —
    the longest match among those, which is what Oxigraph's PEG reads. (lark's contextual
    lexer is not enough: its terminal sets come from LALR states that were merged, so ``<``
    after ``?x`` may still open an IRI where only "less than" can follow.)
    """

    def __init__(self, conf, comparator=None):
        super().__init__(conf, comparator)
        self._conf = copy(conf)
        self._conf.skip_validation = True
        self._ignore = set(conf.ignore)
        self._exact: dict[frozenset[str], BasicLexer] = {}

    def lex(self, lexer_state, parser_state):
        while True:
            counter, last = lexer_state.line_ctr, lexer_state.last_token
            position = (counter.char_pos, counter.line, counter.column, counter.line_start_pos)
            try:
                token = self.next_token(lexer_state, parser_state)
                if not takes(parser_state, token.type):
                    (counter.char_pos, counter.line, counter.column, counter.line_start_pos) = (
                        position
                    )
                    lexer_state.last_token = last
                    token = self._lexer_for(parser_state).next_token(lexer_state, parser_state)
            except EOFError:
                return
            yield token

    def _lexer_for(self, parser_state) -> BasicLexer:
        row = parser_state.parse_conf.states[parser_state.position]
        names = frozenset(t for t in row if t.isupper() and takes(parser_state, t))
        lexer = self._exact.get(names)
        if lexer is None:
            conf = copy(self._conf)
            wanted = names | self._ignore
            conf.terminals = [t for t in self._conf.terminals if t.name in wanted]
            lexer = self._exact[names] = BasicLexer(conf)
        return lexer


def takes(parser_state, terminal: str) -> bool:
    """Whether the parser, as it stands, would shift ``terminal`` (after its reductions).

    Simulates the reductions on a view of the state stack instead of a copy: the part of the
    real stack still below, plus the states pushed since.
    """
    states = parser_state.parse_conf.states
    stack = parser_state.state_stack
    below, pushed = len(stack), []
    while True:
        top = pushed[-1] if pushed else stack[below - 1]
        action = states[top].get(terminal)
        if action is None:
            return False
        kind, rule = action
        if kind is Shift:
            return True
        size = len(rule.expansion)
        if size <= len(pushed):
            del pushed[len(pushed) - size :]
        else:
            below -= size - len(pushed)
            pushed.clear()
        top = pushed[-1] if pushed else stack[below - 1]
        pushed.append(states[top][rule.origin.name][1])


@cache
def parser() -> Lark:
    """The LALR parser, built once per process (about 1 s: worker processes build it when
    they start)."""
    return Lark(
        GRAMMAR,
        start=["query_unit", "update_unit"],
        parser="lalr",
        lexer="basic",
        propagate_positions=False,
        maybe_placeholders=False,
        _plugins={"BasicLexer": ExactLexer},
    )
