"""``import mpcontext`` imports only what resolution needs (CONTRIBUTING, "Import cost")."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import mpcontext

ROOT = Path(mpcontext.__file__).resolve().parent.parent

# Imported on first use only: each would add a large share to the import time
# of every library that imports mpcontext.
LAZY = [
    "typing",
    "typing_extensions",
    "inspect",
    "dataclasses",
    "concurrent.futures",
    "concurrent.futures.process",
    "multiprocessing.pool",
    "multiprocessing.managers",
    "logging",
    "difflib",
    "ast",
    "tokenize",
]


def modules_imported_by(code: str) -> set[str]:
    """Return the modules that `code` adds to a bare interpreter's ``sys.modules``."""
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    # -I -S: no site, no user paths, so nothing but the probe imports modules.
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_bare_import_stays_light() -> None:
    imported = modules_imported_by("import mpcontext")
    assert "mpcontext" in imported
    assert sorted(imported & set(LAZY)) == []


def test_bare_import_loads_the_environment_alone() -> None:
    # The environment is read at import (README); every other module on first access.
    imported = modules_imported_by("import mpcontext")
    assert sorted(name for name in imported if name.split(".")[0] == "mpcontext") == [
        "mpcontext",
        "mpcontext._core",
        "mpcontext._core.env",
        "mpcontext._version",
    ]


def type_checking_imports() -> dict[str, str]:
    """Return what ``__init__.py`` imports for type checkers: name -> module below mpcontext."""
    tree = ast.parse(Path(mpcontext.__file__).read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )
    return {
        alias.name: node.module or ""
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_type_checkers_see_what_is_imported_on_first_access() -> None:
    lazy = mpcontext._LAZY
    assert type_checking_imports() == lazy
    eager = {"__version__", "refresh_environment"}
    assert sorted(mpcontext.__all__) == sorted({*lazy, *eager})
    for name, module in lazy.items():
        assert name in dir(mpcontext)
        expected = getattr(importlib.import_module(f"mpcontext.{module}"), name)
        assert getattr(mpcontext, name) is expected, name


def test_every_public_name_imports_on_first_access() -> None:
    imported = modules_imported_by(
        "from mpcontext import *\n"
        "import mpcontext\n"
        "assert all(name in globals() for name in mpcontext.__all__)\n"
    )
    assert "mpcontext._start.process_pool_executor" in imported


def test_resolution_stays_light() -> None:
    imported = modules_imported_by(
        "import mpcontext\n"
        "with mpcontext.using('spawn'):\n"
        "    mpcontext.resolve_context()\n"
        "mpcontext.explain_context()\n"
    )
    assert sorted(imported & set(LAZY)) == []


@pytest.mark.parametrize(
    ("code", "module"),
    [
        ("mpcontext.StartMethod", "typing"),
        ("mpcontext.resolve_context('spwan')", "difflib"),
    ],
)
def test_lazy_modules_come_on_first_use(code: str, module: str) -> None:
    imported = modules_imported_by(f"import mpcontext\ntry:\n    {code}\nexcept Exception:\n    pass")
    assert module in imported


def test_decorating_at_import_time_stays_light() -> None:
    # What a library does when it is imported: decorate its functions (with
    # docstring notes and requirements) and declare its fields.
    imported = modules_imported_by(
        "import mpcontext\n"
        "@mpcontext.accepts_context(requires=('spawn',), reason='why')\n"
        "def run(*, mp_context=None):\n"
        "    '''Run.\n\n    Parameters\n    ----------\n    x : int\n        X.\n    '''\n"
        "@mpcontext.accepts_context\n"
        "def steps(*, mp_context=None):\n"
        "    yield mp_context\n"
        "class Service:\n"
        "    '''A service.'''\n"
        "    mp_context: mpcontext.ContextField = mpcontext.ContextField(requires=('spawn',))\n"
        "run()\n"
        "list(steps())\n"
        "mpcontext.registry.entries('__main__')\n"
    )
    assert sorted(imported & set(LAZY)) == []
