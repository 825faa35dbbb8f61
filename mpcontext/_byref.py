"""Whether a function or class can be found again by a child, by reference.

pickle saves functions and classes as ``module`` + ``qualname``; the child
imports the module and looks the name up. Under ``spawn`` and ``forkserver``
the child's ``__main__`` is the parent's main *file* run again, so what was
typed at a prompt (a REPL, ``python -c``, a script read from stdin, Python
3.13's new REPL) is not there.
"""

from __future__ import annotations

import os
import sys

from ._methods import describe_value
from ._problems import INTERACTIVE, LAMBDA, LOCAL, NOT_FOUND, Problem

__all__ = ["interactive_main", "reference_problem"]

# Code objects compiled from these pseudo-files were typed at a prompt: the
# basic REPL (and ``python -`` on a pipe), ``code.interact``, Python 3.13's
# REPL and IPython.
_PROMPT_FILES = ("<stdin>", "<console>")
_PROMPT_PREFIXES = ("<python-input-", "<ipython-input-")

# pickle saves these by reference although ``builtins`` does not name them.
_SINGLETON_TYPES: tuple[object, ...] = (type(None), type(Ellipsis), type(NotImplemented))

_REPL = "which is Python's interactive REPL here, not a file a child could import it from"


def reference_problem(obj: object, label: str, method: str, pool: bool) -> Problem | None:
    """Return why a child could not find `obj` by reference, or ``None``.

    `obj` is a function or a class (anything pickle saves by name).
    Interactive ``__main__`` objects are allowed in pool tasks under ``fork``:
    the workers are forked from this process and have them.
    """
    qualname = getattr(obj, "__qualname__", None)
    module = getattr(obj, "__module__", None)
    if not isinstance(qualname, str) or not isinstance(module, str):
        return None  # pickle falls back on searching sys.modules: let it decide
    if "<lambda>" in qualname:
        return Problem(label, obj, LAMBDA)
    if "<locals>" in qualname:
        return Problem(label, obj, LOCAL)
    if module == "__main__" and not (pool and method == "fork"):
        why = interactive_main(obj)
        if why is not None:
            return Problem(label, obj, INTERACTIVE, why)
    if obj in _SINGLETON_TYPES:
        return None
    return _lookup_problem(obj, module, qualname, label)


def interactive_main(obj: object) -> str | None:
    """Say why a spawn child would not have `obj`, of ``__main__``, or ``None``.

    Mirrors what ``multiprocessing.spawn`` does in the child: it runs the
    main module again by name (``python -m pkg.mod``) or from its file, and
    skips ``__main__.py`` modules and IPython's launcher. Also says whether
    `obj` was typed at an interactive prompt of a main that has a file
    (``code.interact``).
    """
    why = _main_state()
    if why is not None:
        return why
    filename = _source_file(obj)
    if filename in _PROMPT_FILES or filename.startswith(_PROMPT_PREFIXES):
        return f"but was typed at an interactive prompt ({filename}), not read from its file"
    return None


def _source_file(obj: object) -> str:
    """Return the file the code of function `obj`, or of a method of class `obj`, came from."""
    candidates = vars(obj).values() if isinstance(obj, type) else (obj,)
    for candidate in candidates:
        function = getattr(candidate, "__func__", candidate)  # staticmethod, classmethod
        filename = getattr(getattr(function, "__code__", None), "co_filename", None)
        if isinstance(filename, str):
            return filename
    return ""


_main_cache: list[tuple[object, object, object, str | None]] = []


def _main_state() -> str | None:
    # Remembered for the __main__ module, spec and file it was worked out for.
    main = sys.modules.get("__main__")
    spec_name = getattr(getattr(main, "__spec__", None), "name", None)
    path = getattr(main, "__file__", None)
    if _main_cache and _main_cache[0][:3] == (main, spec_name, path):
        return _main_cache[0][3]
    why = _main_by_name(spec_name) if isinstance(spec_name, str) else _main_by_path(path)
    _main_cache[:] = [(main, spec_name, path, why)]
    return why


def _main_by_name(name: str) -> str | None:
    if name == "_pyrepl.__main__":
        return _REPL
    if name == "__main__" or name.endswith(".__main__"):
        return f"which was run as {name!r}, a module a child does not import again"
    return None


def _main_by_path(path: object) -> str | None:
    if not isinstance(path, str) or not path:
        return (
            "which is interactive here (a REPL, python -c or python -i) and has no "
            "file a child could import it from"
        )
    if path.startswith("<"):
        return f"which was read from {path} and has no file a child could import it from"
    directory, filename = os.path.split(path)
    if os.path.basename(directory) == "_pyrepl":
        return _REPL
    if os.path.splitext(filename)[0] == "ipython":
        return "which is IPython's launcher, a file a child does not run again"
    return None


def _lookup_problem(obj: object, module: str, qualname: str, label: str) -> Problem | None:
    # What pickle's save_global does: import the module, walk the qualname,
    # and insist on finding the very same object.
    found: object = sys.modules.get(module)
    if found is None:
        try:
            __import__(module)
            found = sys.modules[module]
        except Exception as error:  # any import failure is the answer
            detail = f"module {module!r} cannot be imported ({type(error).__name__}: {error})"
            return Problem(label, obj, NOT_FOUND, detail)
    for part in qualname.split("."):
        try:
            found = getattr(found, part)
        except Exception:  # a failing descriptor is a failed lookup
            return Problem(label, obj, NOT_FOUND, f"{module}.{qualname} does not exist")
    if found is not obj:
        detail = f"{module}.{qualname} is another object, {describe_value(found)}"
        return Problem(label, obj, NOT_FOUND, detail)
    return None
