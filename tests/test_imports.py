"""The import structure of ``src/regiograph``: no circles, and the "may not" rules of
docs/architecture.md that an import graph can check.

The graph is read with :mod:`ast` from the source files: every ``import`` and ``from … import``
anywhere in a module counts, also inside functions (a function-local import only hides a
circle until the function runs); only imports under ``if TYPE_CHECKING:`` do not.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


@dataclass
class Module:
    name: str
    internal: set[str] = field(default_factory=set)  # regiograph modules it imports
    external: set[str] = field(default_factory=set)  # top-level names of other packages


@cache
def graph() -> dict[str, Module]:
    paths = {_module_name(p): p for p in (SRC / "regiograph").rglob("*.py")}
    modules = {}
    for name, path in paths.items():
        module = Module(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for imported in _imports(ast.parse(path.read_text(encoding="utf-8")), package):
            if imported.split(".")[0] == "regiograph":
                target = _resolve(imported, paths)
                if target != name:
                    module.internal.add(target)
            else:
                module.external.add(imported.split(".")[0])
        modules[name] = module
    return modules


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, package: str) -> list[str]:
    """Dotted names imported anywhere in ``tree``; ``from a import b`` gives ``a.b``."""
    found = []
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack += child.orelse
            else:
                stack.append(child)


def _resolve(dotted: str, known) -> str:
    """The module a dotted import name lands in: ``a.b.c`` is module ``a.b`` when ``c`` is a
    name defined in it."""
    while dotted not in known:
        dotted = dotted.rpartition(".")[0]
    return dotted


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = stack[stack.index(node) :]
                    del stack[stack.index(node) :]
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in stack:
                low[node] = min(low[node], index[child])
    return found


def importers(library: str) -> set[str]:
    return {m.name for m in graph().values() if library in m.external}


def imports_of(prefix: str) -> dict[str, set[str]]:
    """The regiograph modules each module under ``prefix`` imports."""
    return {
        m.name: m.internal
        for m in graph().values()
        if m.name == prefix or m.name.startswith(prefix + ".")
    }


def within(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


# --- the graph itself -------------------------------------------------------------------


def test_the_graph_sees_top_level_and_function_local_imports():
    modules = graph()
    assert "regiograph.server.services" in modules["regiograph.server"].internal
    # derived imports its builders inside the step functions
    assert "regiograph.catalog.pages" in modules["regiograph.derived"].internal
    assert "flask" in modules["regiograph.server"].external


def test_cycles_finds_a_circle_and_only_circles():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# --- no circles ---------------------------------------------------------------------------


def test_no_module_imports_itself_through_others():
    found = cycles({m.name: m.internal for m in graph().values()})
    assert found == [], f"import circles: {found}"


def test_top_level_packages_form_layers():
    """No circle between top-level units either (``loader`` → ``ops`` → ``loader`` is one even
    when no single module closes it). A module that imports nothing of the platform (such as
    ``derived/buildlock.py``) belongs to no layer: it cannot close a circle."""
    modules = graph()
    leaves = {m.name for m in modules.values() if not m.internal}
    edges: dict[str, set[str]] = {}
    for module in modules.values():
        unit = ".".join(module.name.split(".")[:2])
        targets = {".".join(t.split(".")[:2]) for t in module.internal - leaves}
        edges.setdefault(unit, set()).update(targets - {unit})
    found = cycles(edges)
    assert found == [], f"circles between top-level units: {found}"


# --- "may not" rules --------------------------------------------------------------------


def test_only_the_server_imports_flask():
    for library in ("flask", "flask_babel"):
        outside = {m for m in importers(library) if not within(m, "regiograph.server")}
        assert outside == set(), f"{library} imported outside regiograph.server: {outside}"


def test_only_the_entry_points_import_the_server():
    """The command line, gunicorn's entry point, and the front (the entry point of its own
    process, which builds the app for /sparql)."""
    users = {
        m.name
        for m in graph().values()
        if any(within(t, "regiograph.server") for t in m.internal)
        and not within(m.name, "regiograph.server")
    }
    entry_points = ("regiograph.cli", "regiograph.wsgi", "regiograph.front")
    assert all(any(within(u, e) for e in entry_points) for u in users), users


def test_the_front_relays_without_the_platform():
    """Only front/inprocess.py builds the app; the relay and the entry point do not."""
    for name, targets in imports_of("regiograph.front").items():
        if name != "regiograph.front.inprocess":
            allowed = ("regiograph.front", "regiograph.store.supervisor")
            assert all(within(t, *allowed) for t in targets), (name, targets)


def test_kit_and_services_build_on_no_route():
    for prefix in ("regiograph.server.kit", "regiograph.server.services"):
        for name, targets in imports_of(prefix).items():
            routes = {t for t in targets if within(t, "regiograph.server.routes")}
            assert routes == set(), f"{name} imports {routes}"


def surface(module: str) -> str:
    """``regiograph.server.routes.sparql_describe`` → ``sparql``: a surface is a module or a
    package under routes/; ``{surface}_{part}.py`` beside it is one of its parts."""
    rest = module.removeprefix("regiograph.server.routes.")
    return rest.split(".")[0].split("_")[0]


def test_a_route_imports_no_other_surface():
    for name, targets in imports_of("regiograph.server.routes").items():
        if name == "regiograph.server.routes":
            continue
        others = {
            t
            for t in targets
            if within(t, "regiograph.server.routes")
            and t != "regiograph.server.routes"
            and surface(t) != surface(name)
        }
        assert others == set(), f"{name} imports another surface: {others}"


def test_surface_names_group_a_surfaces_parts():
    assert surface("regiograph.server.routes.sparql_describe") == "sparql"
    assert surface("regiograph.server.routes.pages.deref") == "pages"
    assert surface("regiograph.server.routes.statistics") != surface(
        "regiograph.server.routes.queries"
    )


def test_only_the_store_and_the_loaders_fetching_speak_http():
    """``requests`` is how the store client talks to the store and how the loader fetches
    sources; nothing else may open a connection of its own."""
    outside = {
        m
        for m in importers("requests")
        if not within(m, "regiograph.store", "regiograph.loader.fetch")
    }
    assert outside == set(), outside


def test_one_adapter_imports_pyshacl():
    assert importers("pyshacl") <= {"regiograph.loader.shacl.adapter"}
