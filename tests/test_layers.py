"""The shape of the house, checked from the source (docs/code-style.md, «Imports»):

- no import cycle between the product's modules at module level (an import inside a function that
  only hides a cycle is allowed by Python, not by us — see the list of known ones below, which may only
  shrink);
- a service or a selector never imports a view, a form or the API (writes and reads know nothing of HTTP);
- the organisation modules of `cur` (models, scoping, rights, services, selectors, calendars…) never
  import `appeals`, `rollups`, `ratings` or `heatmap`: organisation → territory is the direction, apps build on it.

Like tests/test_product_contract.py it reads the files with `ast`, so it needs no database.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("api", "cur", "municipalities", "appeals", "rollups", "ratings", "heatmap", "structuring", "reports")
# cur is also the project package: these of its modules wire the apps together and may import them.
CUR_PROJECT_MODULES = ("cur.urls", "cur.views", "cur.celery", "cur.tasks", "cur.health", "cur.wsgi", "cur.asgi",
                       "cur.settings", "cur.context_processors", "cur.bench", "cur.management", "cur.testing")
APPS_ABOVE_CUR = ("api", "appeals", "rollups", "ratings", "heatmap", "reports")
HTTP_LAYER = ("views", "api", "forms", "urls", "api_urls")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_files() -> dict[str, Path]:
    files = {}
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            files[module_name(path)] = path
    return files


MODULES = product_files()


def _resolve(name: str) -> str | None:
    """The product module an imported name lands in (a module, or the package that defines the name)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = package if is_package else package[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, *, module_level_only: bool) -> set[str]:
    """Product modules imported by `module` — at module level only, or anywhere in it."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    nodes = _module_level(tree.body) if module_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
        else:
            continue
        for target in targets:
            resolved = _resolve(target)
            if resolved and resolved != module:
                found.add(resolved)
    return found


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements run when the module is imported: the body and its if/try blocks, not functions or
    classes' methods, and not `if TYPE_CHECKING:` (those imports never run)."""
    out: list[ast.stmt] = []
    for node in body:
        if isinstance(node, ast.If):
            test = node.test
            if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
                out += _module_level(node.orelse)
                continue
            out += _module_level(node.body) + _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            out += _module_level(node.body) + _module_level(node.orelse) + _module_level(node.finalbody)
            for handler in node.handlers:
                out += _module_level(handler.body)
        elif isinstance(node, ast.ClassDef):
            out += [n for n in node.body if isinstance(n, ast.Import | ast.ImportFrom)]
        else:
            out.append(node)
    return out


def module_graph() -> dict[str, set[str]]:
    return {module: imports_of(module, module_level_only=True) for module in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_level_import_cycle_in_the_product():
    assert cycles(module_graph()) == []


def test_no_cycle_hidden_behind_an_import_inside_a_function():
    """Counting imports inside functions too — except in task bodies, which import the services they run
    by the Celery rule (docs/code-style.md): a cycle there is a cycle dodged, not removed."""
    graph = {module: imports_of(module, module_level_only=module.endswith(".tasks")) for module in MODULES}
    assert cycles(graph) == []


def _is_layer(module: str, names: tuple[str, ...]) -> bool:
    last = module.rpartition(".")[2]
    return last in names or any(last.endswith("_" + name) for name in names) or any(
        part in names for part in module.split(".")[1:-1])


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _is_layer(m, ("services", "selectors"))))
def test_services_and_selectors_know_nothing_of_http(module):
    http = sorted(m for m in imports_of(module, module_level_only=False) if _is_layer(m, HTTP_LAYER))
    assert http == [], f"{module} imports {http}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("cur.")
                                          and not m.startswith(CUR_PROJECT_MODULES)))
def test_the_organisation_does_not_import_the_apps_built_on_it(module):
    above = sorted(m for m in imports_of(module, module_level_only=False) if m.startswith(APPS_ABOVE_CUR))
    assert above == [], f"{module} imports {above}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith(("appeals", "rollups", "ratings",
                                                                             "heatmap", "structuring"))))
def test_the_documents_are_built_on_the_apps_never_under_them(module):
    """`reports` reads the selectors of ratings and the heat map (DESIGN.md §4): none of them reads it back."""
    reports = sorted(m for m in imports_of(module, module_level_only=False) if m.startswith("reports"))
    assert reports == [], f"{module} imports {reports}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.startswith("api") and m != "cur.urls"))
def test_the_api_is_the_top_of_the_house(module):
    """`api` calls the services and selectors of every app (DESIGN.md §4: api → reports → …); nothing but the
    project's URL map imports it back (the settings name its classes as strings)."""
    api = sorted(m for m in imports_of(module, module_level_only=False) if m == "api" or m.startswith("api."))
    assert api == [], f"{module} imports {api}"
