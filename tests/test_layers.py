"""Imports inside mpcontext run one way (DESIGN.md, Layout).

Each module belongs to a layer; it may import from its own layer and those
before it, never from a later one (lazy imports inside functions included),
and the modules of a layer import each other without cycles.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mpcontext

PACKAGE = Path(mpcontext.__file__).resolve().parent

LAYERS: list[tuple[str, set[str]]] = [
    ("types & errors", {"_errors", "_types", "_mp_default", "_methods", "_env", "_version"}),
    ("scope", {"_scope"}),
    ("resolution", {"_resolve"}),
    ("registry & notes", {"_registry", "_notes"}),
    ("pre-flight", {"_problems", "_byref", "_primitives", "_cheap", "_full", "_preflight"}),
    ("factories", {"_process", "_startup", "_pools", "_process_pool", "_factories"}),
    ("executors", {"_lent", "_executors"}),
    ("decorator & field", {"_decorate", "_field"}),
    (
        "tools",
        {
            "_cli",
            "_lintcli",
            "_lint",
            "_lintnames",
            "_lintfiles",
            "_lintformats",
            "_fix",
            "_flake8",
            "_report",
            "_demo",
            "_demo_lib",
            "_watch",
            "pytest_plugin",
            "__main__",
        },
    ),
    ("package", {"__init__"}),
]

LAYER_OF = {module: index for index, (_, modules) in enumerate(LAYERS) for module in modules}

# The demo and its library are run as a user would: they import the package.
USERS = {"_demo", "_demo_lib"}


def imports_of(module: str) -> set[str]:
    """Return the mpcontext modules `module` imports, anywhere in its code."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            name = "mpcontext" if node.level == 1 and not node.module else node.module or ""
            if node.level == 1 and node.module:
                found.add(node.module)
            elif name == "mpcontext":
                # `from . import _x` imports a module; `from . import name` the package.
                modules = {alias.name for alias in node.names} & set(LAYER_OF)
                found |= modules or {"__init__"}
            elif name.startswith("mpcontext."):
                found.add(name.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "mpcontext":
                    found.add("__init__")
                elif alias.name.startswith("mpcontext."):
                    found.add(alias.name.split(".")[1])
    found.discard(module)
    return found


def test_every_module_has_a_layer() -> None:
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    assert modules - set(LAYER_OF) == set(), "add new modules to LAYERS"
    assert set(LAYER_OF) - modules == set(), "remove modules that are gone from LAYERS"


@pytest.mark.parametrize("module", sorted(LAYER_OF))
def test_imports_run_one_way(module: str) -> None:
    own = LAYER_OF[module]
    upward = {
        name: LAYERS[LAYER_OF[name]][0]
        for name in imports_of(module)
        if name in LAYER_OF and LAYER_OF[name] > own
    }
    if module in USERS:
        upward.pop("__init__", None)
    assert upward == {}, f"{module} ({LAYERS[own][0]}) imports from later layers"


def test_no_cycles() -> None:
    graph = {module: imports_of(module) & set(LAYER_OF) for module in LAYER_OF}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            cycle = path[path.index(module) :] + (module,)
            raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
        if module in done:
            return
        for name in sorted(graph[module]):
            if module in USERS and name == "__init__":
                continue
            visit(name, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


# multiprocessing's DefaultContext internals (CONTRIBUTING, "Never touch the global
# start method"): read and written by _mp_default alone, version-aware.
DEFAULT_INTERNALS = ("_actual_context", "_default_context", "context._default_context")


@pytest.mark.parametrize("module", sorted(set(LAYER_OF) - {"_mp_default"}))
def test_only_mp_default_touches_the_default_context(module: str) -> None:
    code = (PACKAGE / f"{module}.py").read_text(encoding="utf-8")
    tree = ast.parse(code)
    touched = sorted(
        {
            node.attr if isinstance(node, ast.Attribute) else node.value
            for node in ast.walk(tree)
            if (isinstance(node, ast.Attribute) and node.attr in DEFAULT_INTERNALS)
            or (isinstance(node, ast.Constant) and node.value in DEFAULT_INTERNALS)
        }
    )
    assert touched == [], f"{module} reads multiprocessing's default context itself; use _mp_default"
