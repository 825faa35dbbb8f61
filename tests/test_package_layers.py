"""Imports inside mpcontext run one way (CONTRIBUTING, "Layout").

Each subpackage is one subsystem and belongs to a layer; a module may import
from its own layer and those before it, never from a later one (lazy imports
inside functions included), the modules import each other without cycles,
and no private name (``_x``) is imported from another subpackage.
"""

from __future__ import annotations

import ast
import functools
import os
from pathlib import Path

import pytest

import mpcontext

PACKAGE = Path(mpcontext.__file__).resolve().parent

# From the bottom up. A subpackage is named by its folder, a top-level module by its name.
LAYERS: list[tuple[str, set[str]]] = [
    # What other multiprocessing libraries are: facts the core resolves names with.
    ("families", {"_families"}),
    ("core", {"_core", "_version"}),
    ("declaring", {"_declare"}),
    ("pre-flight", {"_preflight"}),
    ("starting processes", {"_start"}),
    ("executors", {"_executors"}),
    (
        "tools",
        {
            "_lint", "_testing", "_cli", "_report", "_demo", "_demo_lib", "pytest_plugin",
            "sphinxext", "__main__",
        },
    ),
    ("package", {"__init__"}),
]

UNIT_LAYER = {unit: index for index, (_, units) in enumerate(LAYERS) for unit in units}

# The demo and its library are run as a user would: they import the package.
USERS = {"_demo", "_demo_lib"}


def module_names() -> list[str]:
    """Every module of the package, dotted below it: ``_core.errors``, ``_cli``, ``__init__``."""
    names = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        names.append(".".join(parts))
    return sorted(names)


MODULES = module_names()


def unit_of(module: str) -> str:
    """Return the subsystem `module` belongs to: its subpackage, or itself at the top level."""
    return module.split(".")[0]


def layer_of(module: str) -> int:
    return UNIT_LAYER[unit_of(module)]


def package_of(module: str) -> list[str]:
    """Return the package `module` is in (a package's ``__init__`` is in that package)."""
    return module.split(".")[:-1]


def _target(module: str, node: ast.ImportFrom) -> str | None:
    """Return the module (dotted below mpcontext) that `node` imports from, if in mpcontext."""
    if node.level == 0:
        name = node.module or ""
        if name == "mpcontext":
            return "__init__"
        return name.removeprefix("mpcontext.") if name.startswith("mpcontext.") else None
    base = package_of(module)
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])]) or "__init__"


def _existing(name: str) -> str:
    """Return the module `name` stands for: itself, or its package's ``__init__``."""
    return name if name in MODULES else f"{name}.__init__"


@functools.cache
def imported(module: str) -> tuple[tuple[str, str], ...]:
    """Return ``(module, name)`` for each name `module` imports from mpcontext, anywhere."""
    path = PACKAGE.joinpath(*module.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _target(module, node)
            if target is None:
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}".removeprefix("__init__.")
                if submodule in MODULES or f"{submodule}.__init__" in MODULES:
                    found.append((_existing(submodule), ""))  # `from . import module`
                else:
                    found.append((_existing(target), alias.name))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "mpcontext":
                    found.append(("__init__", ""))
                elif alias.name.startswith("mpcontext."):
                    found.append((_existing(alias.name.removeprefix("mpcontext.")), ""))
    return tuple((target, name) for target, name in found if target != module)


def imports_of(module: str) -> set[str]:
    """Return the mpcontext modules `module` imports."""
    return {target for target, _ in imported(module)}


def test_every_module_has_a_layer() -> None:
    assert {unit_of(module) for module in MODULES} - set(UNIT_LAYER) == set(), "add it to LAYERS"
    assert set(UNIT_LAYER) - {unit_of(module) for module in MODULES} == set(), "gone: remove it"


def test_a_subpackage_is_a_folder_of_modules() -> None:
    """Top-level modules are the tools and the package; the work lives in subpackages."""
    subpackages = {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert subpackages == {
        "_families", "_core", "_declare", "_preflight", "_start", "_executors", "_lint",
        "_testing",
    }


@pytest.mark.parametrize("module", MODULES)
def test_imports_run_one_way(module: str) -> None:
    own = layer_of(module)
    upward = {
        name: LAYERS[layer_of(name)][0] for name in imports_of(module) if layer_of(name) > own
    }
    if unit_of(module) in USERS:
        upward.pop("__init__", None)
    assert upward == {}, f"{module} ({LAYERS[own][0]}) imports from later layers"


@pytest.mark.parametrize("module", MODULES)
def test_no_private_name_crosses_a_subpackage(module: str) -> None:
    crossing = sorted(
        f"{target}.{name}"
        for target, name in imported(module)
        if unit_of(target) != unit_of(module)
        and (name.startswith("_") or any(part.startswith("_") for part in target.split(".")[1:]))
        and not name.startswith("__")
    )
    assert crossing == [], f"{module} imports private names of another subsystem"


def test_no_cycles() -> None:
    graph = {module: imports_of(module) for module in MODULES}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            cycle = path[path.index(module) :] + (module,)
            raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
        if module in done:
            return
        for name in sorted(graph[module]):
            if unit_of(module) in USERS and name == "__init__":
                continue
            visit(name, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_the_checks_see_the_imports() -> None:
    """The helpers above resolve relative imports as Python does."""
    assert "_core.errors" in imports_of("_preflight.check")
    assert "_core.mp_default" in imports_of("_testing.global_watch")
    assert "_start.factories" in imports_of("_lint.rules")
    assert "_start.processes" in imports_of("__init__") | imports_of("_executors.executor")


# multiprocessing's DefaultContext internals (CONTRIBUTING, "Never touch the global
# start method"): read and written by _core.mp_default alone, version-aware.
DEFAULT_INTERNALS = ("_actual_context", "_default_context", "context._default_context")


# _families.contexts reads the same attributes of multiprocess's and billiard's
# DefaultContext (copies of CPython's), never the stdlib's.
@pytest.mark.parametrize("module", sorted(set(MODULES) - {"_core.mp_default", "_families.contexts"}))
def test_only_mp_default_touches_the_default_context(module: str) -> None:
    path = PACKAGE.joinpath(*module.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    touched = sorted(
        {
            node.attr if isinstance(node, ast.Attribute) else node.value
            for node in ast.walk(tree)
            if (isinstance(node, ast.Attribute) and node.attr in DEFAULT_INTERNALS)
            or (isinstance(node, ast.Constant) and node.value in DEFAULT_INTERNALS)
        }
    )
    assert touched == [], f"{module} reads multiprocessing's default context; use mp_default"


# CONTRIBUTING's layout table is made from the code: the layers above and
# each module's docstring. MPCONTEXT_REGENERATE_LAYOUT=1 rewrites it.
CONTRIBUTING = PACKAGE.parent / "CONTRIBUTING.md"
TABLE_START = "<!-- layout table: made by tests/test_package_layers.py -->"
TABLE_END = "<!-- end of layout table -->"


def summary_of(module: str) -> str:
    """Return the first line of `module`'s docstring."""
    path = PACKAGE.joinpath(*module.split(".")).with_suffix(".py")
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return doc.split("\n", 1)[0].replace("|", "\\|")


def layout_table() -> str:
    rows = ["| layer | module | what it holds |", "| --- | --- | --- |"]
    for name, units in LAYERS:
        for module in MODULES:
            if unit_of(module) not in units or module.endswith("__main__"):
                continue
            shown = module.replace(".", "/").removesuffix("/__init__")
            shown += "/" if module.endswith("__init__") and "." in module else ".py"
            rows.append(f"| {name} | `{shown}` | {summary_of(module)} |")
    return "\n".join(rows)


def test_every_module_says_what_it_holds() -> None:
    missing = [module for module in MODULES if not summary_of(module)]
    assert missing == [], "give these modules a docstring"


def test_contributing_shows_the_layout_of_the_code() -> None:
    text = CONTRIBUTING.read_text(encoding="utf-8")
    head, start, rest = text.partition(TABLE_START)
    shown, end, tail = rest.partition(TABLE_END)
    assert start and end, f"CONTRIBUTING.md lacks the markers {TABLE_START!r} and {TABLE_END!r}"
    made = layout_table()
    if os.environ.get("MPCONTEXT_REGENERATE_LAYOUT") == "1" and shown.strip() != made:
        CONTRIBUTING.write_text(f"{head}{start}\n{made}\n{end}{tail}", encoding="utf-8")
        return
    assert shown.strip() == made, "run MPCONTEXT_REGENERATE_LAYOUT=1 python -m pytest tests/test_package_layers.py"
