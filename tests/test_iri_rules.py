"""One home for IRIs: every namespace IRI is spelled in ``regiograph/namespaces.py`` only, and
IRIs under the deployment's base (``{base}id/…``, ``{base}graph/…``, …) are built in
``regiograph/iris.py`` only.

The source files are read with :mod:`ast`, so comments never count, and a string counts only
where the code could use it: a literal, or a literal part of an f-string.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from regiograph import iris, namespaces

SRC = Path(__file__).resolve().parents[1] / "src" / "regiograph"
NAMESPACES_FILE = SRC / "namespaces.py"
IRIS_FILE = SRC / "iris.py"
# The path segments the deployment names things, graphs and their documents by (iris.py)…
SEGMENTS = ("id/", "graph/", "page/", "data/")
# …and its own resources, which are IRIs when appended to the base, not to the request's URL
# (``request.host_url + "sparql"`` is the endpoint as this client reached it).
BASE_RESOURCES = ("catalog", "dumps/", "sparql", ".well-known/")


def namespace_iris() -> set[str]:
    """Every namespace in namespaces.py (not its terms such as ``RDF_TYPE``)."""
    return {
        value
        for name, value in vars(namespaces).items()
        if name.isupper() and isinstance(value, str) and value.endswith(("#", "/"))
    }


def _literals(tree: ast.AST):
    """(line, text) of every string literal, f-string parts included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def _appends_a_segment(computed: ast.AST, literal: ast.AST) -> bool:
    if not (isinstance(literal, ast.Constant) and isinstance(literal.value, str)):
        return False
    if literal.value.startswith(SEGMENTS):
        return True
    return literal.value.startswith(BASE_RESOURCES) and "base" in ast.unparse(computed)


def _expands_base_placeholder(node: ast.AST) -> bool:
    """``text.replace("{base}", …)``: a source setting's placeholder for the base."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "replace"
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value == "{base}"
    )


def _iri_building(tree: ast.AST):
    """Lines that append a segment to a computed value: ``x + "id/…"``, ``f"{x}graph/…"``,
    ``base + "sparql"``. Literals that merely mention a segment (route patterns such as
    ``"/id/<path:key>"``, help texts such as ``"{base}id/…"``) are not building anything."""
    for node in ast.walk(tree):
        if _expands_base_placeholder(node):
            yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            if not isinstance(node.left, ast.Constant) and _appends_a_segment(
                node.left, node.right
            ):
                yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.JoinedStr):
            for before, after in pairwise(node.values):
                if isinstance(before, ast.FormattedValue) and _appends_a_segment(
                    before.value, after
                ):
                    yield node.lineno, ast.unparse(node)


def scan(root: Path) -> tuple[list[str], list[str]]:
    """(namespace IRIs spelled outside namespaces.py, IRI building outside iris.py) under
    ``root``, as ``path:line: text``."""
    wanted = namespace_iris()
    spelled, built = [], []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(root.parent)
        if path.name != "namespaces.py" or path.parent != root:
            for line, text in _literals(tree):
                found = sorted(iri for iri in wanted if iri in text)
                if found:
                    spelled.append(f"{where}:{line}: {found[0]}")
        if path.name != "iris.py" or path.parent != root:
            found = sorted(_iri_building(tree))
            built += [f"{where}:{line}: {text}" for line, text in found]
    return spelled, built


# --- the rules ------------------------------------------------------------------------------


def test_namespace_iris_are_spelled_in_namespaces_py_only():
    spelled, _ = scan(SRC)
    assert spelled == [], "namespace IRIs outside namespaces.py:\n" + "\n".join(spelled)


def test_base_iris_are_built_in_iris_py_only():
    _, built = scan(SRC)
    assert built == [], "IRIs under the base built outside iris.py:\n" + "\n".join(built)


def test_each_namespace_is_spelled_once_in_namespaces_py():
    """No IRI literal there repeats another or contains it (a namespace inside another, such
    as a regional key under political geocoding, is built from it)."""
    text = NAMESPACES_FILE.read_text(encoding="utf-8")
    spelled = [t for _, t in _literals(ast.parse(text)) if "://" in t]
    for iri in spelled:
        assert [t for t in spelled if iri in t] == [iri], iri
    assert namespace_iris() - set(spelled) == {namespaces.DCATDE_REGIONAL_KEY}


def test_the_scan_sees_what_it_must_and_nothing_else(tmp_path):
    package = tmp_path / "regiograph"
    package.mkdir()
    (package / "namespaces.py").write_text(f'RDFS = "{namespaces.RDFS}"\n')
    (package / "iris.py").write_text('def graph(base, name):\n    return f"{base}graph/{name}"\n')
    (package / "bad.py").write_text(
        f'LABEL = "{namespaces.RDFS}label"\n'
        'def thing(config, key):\n    return config.base_iri + "id/" + key\n'
        'def graph(base, name):\n    return f"{base}graph/{name}"\n'
        'SERVICE = config().base_iri + "sparql"\n'
        'BASE = source.base_iri.replace("{base}", ctx.base_iri)\n'
    )
    (package / "fine.py").write_text(
        "# see http://www.w3.org/2000/01/rdf-schema# (a comment)\n"
        'ROUTE = "/id/<path:key>"\n'
        'HELP = "things are {base}id/…, graphs {base}graph/{source}"\n'
        'STORE = base + "/update"\n'
        'LABEL = RDFS + "label"\n'
        'ENDPOINT = request.host_url + "sparql"\n'
        'SERVICE = SH + "sparql"\n'
    )
    spelled, built = scan(package)
    assert spelled == [f"regiograph/bad.py:1: {namespaces.RDFS}"]
    assert [b.split(": ")[0] for b in built] == [f"regiograph/bad.py:{n}" for n in (3, 5, 6, 7)]


# --- the two modules ------------------------------------------------------------------------


def test_prefix_table_rows_are_the_namespace_constants():
    assert set(namespaces.PREFIXES.values()) <= namespace_iris()
    assert namespaces.prefixes("rdf", "dct") == {"rdf": namespaces.RDF, "dct": namespaces.DCT}
    assert list(namespaces.prefixes("qb", "rg")) == ["qb", "rg"]  # the order asked for
    assert namespaces.sparql_prefixes("rdfs", "xsd") == (
        f"PREFIX rdfs: <{namespaces.RDFS}>\nPREFIX xsd: <{namespaces.XSD}>\n"
    )


def test_iri_rules_and_their_inverses():
    base = "https://region.example/"
    assert iris.thing(base, "municipality", "08222000") == f"{base}id/municipality/08222000"
    assert iris.thing(base, "municipality/08222000") == f"{base}id/municipality/08222000"
    assert iris.thing_key(base, f"{base}id/municipality/08222000") == "municipality/08222000"
    assert iris.thing_key(base, "https://elsewhere.example/id/x") is None
    assert iris.thing_key(base, f"{base}graph/demo") is None
    assert iris.graph(base, "demo") == f"{base}graph/demo"
    assert iris.graph_name(base, iris.meta_graph(base)) == "meta"
    assert iris.graph_name(base, f"{base}id/x") is None
    assert iris.ontology_graph(base) == f"{base}graph/ontology"
    started = datetime(2024, 5, 1, 6, 30, 0, 123456, tzinfo=UTC)
    assert iris.run(base, "demo", iris.run_stamp(started)) == (
        f"{base}id/harvest/demo/20240501T063000123456Z"
    )
    assert iris.source_record(base, "demo") == f"{base}id/catalog-record/demo"
    assert iris.catalog_page(base, {"page": 2, "modified_since": "2024-01-01"}) == (
        f"{base}catalog?page=2&modified_since=2024-01-01"
    )
    assert iris.catalog_record(base, "k1") == f"{base}catalog/record/k1"
    assert iris.catalog_contact(base) == f"{base}catalog#contact"
    assert iris.source_base(base, "{base}id/place/") == f"{base}id/place/"
    assert iris.source_base(base, "https://other.example/") == "https://other.example/"
    assert iris.source_base(base, "") == base
