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
import types

from .._core.messages import describe_value, short_repr, short_text
from .._families.catalog import LOKY
from .problems import (
    AFTER_FORK,
    INTERACTIVE,
    LAMBDA,
    LOCAL,
    MAIN_GUARDED,
    MAIN_UNREADABLE,
    NOT_FOUND,
    NOT_IMPORTABLE,
    Journey,
    Problem,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast

__all__ = ["interactive_main", "main_problem", "reachable", "reference_problem"]

# Code objects compiled from these pseudo-files were typed at a prompt: the
# basic REPL (and ``python -`` on a pipe), ``code.interact``, Python 3.13's
# REPL and IPython.
_PROMPT_FILES = ("<stdin>", "<console>")
_PROMPT_PREFIXES = ("<python-input-", "<ipython-input-")

# pickle saves these by reference although ``builtins`` does not name them.
_SINGLETON_TYPES: tuple[object, ...] = (type(None), type(Ellipsis), type(NotImplemented))

_REPL = "which is Python's interactive REPL here, not a file a child could import it from"


# How many functions and classes a journey remembers as reachable (a pool
# sends a handful); past that, it starts again.
_REMEMBERED = 256


def reference_problem(obj: object, label: str, journey: Journey) -> Problem | None:
    """Return why a child could not find `obj` by reference, or ``None``.

    `obj` is a function or a class (anything pickle saves by name).
    Interactive ``__main__`` objects are allowed in pool tasks under ``fork``:
    the workers are forked from this process and have them, if they were
    defined before the workers were forked.

    A top-level `obj` found reachable is remembered on `journey` (a pool
    sends the same function with each task) for as long as its name, its
    module and what the module binds to that name stay the same. What else
    the answer depends on is taken to stay as it was for the journey: the
    main script's file (read for its ``__main__`` guard) and ``__file__``,
    and the object's code.
    """
    if reachable(obj, journey):
        return None
    problem = _reference_problem(obj, label, journey)
    if problem is None:
        _remember(obj, journey)
    return problem


def reachable(obj: object, journey: Journey) -> bool:
    """Whether `journey` found `obj` reachable by reference, and nothing it depends on changed.

    See ``reference_problem``; ``False`` says only that `obj` needs a full look.
    """
    known = journey.reachable.get(id(obj))
    return (
        known is not None
        and known[0] is obj
        and getattr(obj, "__module__", None) is known[1]
        and getattr(obj, "__qualname__", None) is known[2]
        and sys.modules.get(known[1]) is known[3]
        and known[4].get(known[2]) is obj
    )


def _remember(obj: object, journey: Journey) -> None:
    """Remember on `journey` that `obj` is reachable, with what that depends on."""
    qualname = getattr(obj, "__qualname__", None)
    name = getattr(obj, "__module__", None)
    if not isinstance(qualname, str) or "." in qualname or not isinstance(name, str):
        return  # a method or a nested class: its whole path would need looking up again
    module = sys.modules.get(name)
    if not isinstance(module, types.ModuleType):
        return
    namespace = vars(module)
    if namespace.get(qualname) is not obj:
        return  # found some other way than by its name in its module's namespace
    known = journey.reachable
    if len(known) >= _REMEMBERED:
        known.clear()
    known[id(obj)] = (obj, name, qualname, module, namespace)


def _reference_problem(obj: object, label: str, journey: Journey) -> Problem | None:
    qualname = getattr(obj, "__qualname__", None)
    module = getattr(obj, "__module__", None)
    if not isinstance(qualname, str) or not isinstance(module, str):
        return None  # pickle falls back on searching sys.modules: let it decide
    if journey.by_value:
        return _by_value_problem(obj, module, qualname, label, journey)
    if "<lambda>" in qualname:
        return Problem(label, obj, LAMBDA)
    if "<locals>" in qualname:
        return Problem(label, obj, LOCAL)
    forked = journey.method == "fork"
    if module == "__main__":
        if not forked:
            why = interactive_main(obj)
            if why is not None:
                return Problem(label, obj, INTERACTIVE, why)
            guard = _under_main_guard(qualname)
            if guard is not None:
                return Problem(label, obj, MAIN_GUARDED, guard)
        elif journey.forked_main is not None:
            problem = _after_fork_problem(obj, qualname, label, journey.forked_main)
            if problem is not None:
                return problem
    if obj in _SINGLETON_TYPES:
        return None
    problem = _lookup_problem(obj, module, qualname, label)
    if problem is None and not forked and module != "__main__":
        problem = _importable_problem(obj, module, label)
    return problem


def _by_value_problem(
    obj: object, module: str, qualname: str, label: str, journey: Journey
) -> Problem | None:
    """Return why a child could not import `obj` that dill or cloudpickle sends by reference.

    They send by value what this process cannot find by name (a lambda, a
    local function, anything of ``__main__``), and by reference the rest,
    which a child started afresh must import by name.
    """
    if module == "__main__" or obj in _SINGLETON_TYPES:
        return None
    if _lookup_problem(obj, module, qualname, label) is not None:
        return None  # not found by name here: sent by value
    if journey.method == "fork" or (journey.family is LOKY and _registered_by_value(module)):
        return None
    return _importable_problem(obj, module, label)


def _registered_by_value(module: str) -> bool:
    """Whether cloudpickle sends `module`'s functions by value (``register_pickle_by_value``)."""
    cloudpickle = sys.modules.get("cloudpickle")
    listed = getattr(cloudpickle, "list_registry_pickle_by_value", None)
    if listed is None:
        return False
    names: set[str] = listed()
    parts = module.split(".")
    return any(".".join(parts[:end]) in names for end in range(1, len(parts) + 1))


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
            detail = (
                f"module {short_repr(module)} cannot be imported "
                f"({type(error).__name__}: {short_text(str(error))})"
            )
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


# -- a main module a spawn child cannot run again ---------------------------------------


def main_problem(label: str = "the main module") -> Problem | None:
    """Return why no spawn or forkserver child could start here, or ``None``.

    Such a child runs the parent's main module again from its file before
    anything else; a main read from standard input (``python - < script``)
    has a ``__file__`` naming no file, and the child dies of it
    (``FileNotFoundError``) whatever it runs.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(getattr(main, "__spec__", None), "name", None) is not None:
        return None  # run by name (python -m): imported by name again
    path = getattr(main, "__file__", None)
    if not isinstance(path, str) or not path:
        return None  # no file: the child does not run it again
    cached = _unreadable_cache.get(path)
    if cached is None:
        cached = (_unreadable(path),)
        _unreadable_cache.clear()
        _unreadable_cache[path] = cached
    why = cached[0]
    return None if why is None else Problem(label, main, MAIN_UNREADABLE, why)


_unreadable_cache: dict[str, tuple[str | None]] = {}


def _unreadable(path: str) -> str | None:
    full = path
    if not os.path.isabs(full):
        from multiprocessing import process

        # Where spawn looks for it: the directory the parent started in.
        start: str | None = getattr(process, "ORIGINAL_DIR", None)
        full = os.path.join(start or os.getcwd(), full)
    if os.path.isfile(full) or os.path.splitext(os.path.basename(path))[0] == "ipython":
        return None
    if path.startswith("<"):
        return f"was read from {path} (python - < script), which names no file"
    return f"was run from {path!r}, a file that does not exist (any more)"


# -- __main__ as a spawn child runs it: without `if __name__ == "__main__":` -----------------


_guarded_cache: dict[tuple[str, float], frozenset[str]] = {}


def _under_main_guard(qualname: str) -> str | None:
    """Say where the main script binds `qualname`'s first name under the main guard only."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return None
    try:
        key = (path, os.stat(path).st_mtime)
    except OSError:
        return None
    guarded = _guarded_cache.get(key)
    if guarded is None:
        guarded = _guarded_names(path)
        _guarded_cache.clear()
        _guarded_cache[key] = guarded
    name = qualname.split(".", 1)[0]
    return path if name in guarded else None


def _guarded_names(path: str) -> frozenset[str]:
    """Return the names the script `path` binds at its top level only under its main guard."""
    import ast  # only for a __main__ object sent to a spawn or forkserver child

    try:
        with open(path, "rb") as file:
            tree = ast.parse(file.read(), path)
    except (OSError, SyntaxError, ValueError):
        return frozenset()
    outside: set[str] = set()
    inside: set[str] = set()

    def visit(statements: list[ast.stmt], into: set[str]) -> None:
        for statement in statements:
            if isinstance(statement, ast.If):
                guard = _main_guard(statement.test)
                if guard is not None:
                    visit(statement.body, inside if guard else outside)
                    visit(statement.orelse, outside if guard else inside)
                    continue
            into.update(_bound_names(statement))
            for block in _blocks_of(statement):
                visit(block, into)

    visit(tree.body, outside)
    return frozenset(inside - outside)


def _main_guard(test: object) -> bool | None:
    """``True`` for ``__name__ == "__main__"``, ``False`` for ``!=``, else ``None``."""
    import ast

    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or len(test.comparators) != 1:
        return None
    sides = (test.left, test.comparators[0])
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    if len(names) != 1 or len(mains) != 1:
        return None
    if isinstance(test.ops[0], ast.Eq):
        return True
    if isinstance(test.ops[0], ast.NotEq):
        return False
    return None


def _bound_names(statement: object) -> set[str]:
    """The names a top-level statement binds in the module, itself (not its blocks)."""
    import ast

    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
        targets = [statement.target]
    elif isinstance(statement, (ast.For, ast.AsyncFor)):
        targets = [statement.target]
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in statement.items if item.optional_vars is not None]
    found: set[str] = set()
    for target in targets:
        found.update(node.id for node in ast.walk(target) if isinstance(node, ast.Name))
    return found


def _blocks_of(statement: object) -> list[list[ast.stmt]]:
    """The blocks of a compound top-level statement that run at the top level (not def bodies)."""
    import ast

    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    blocks: list[list[ast.stmt]] = []
    for field in ("body", "orelse", "finalbody"):
        block: list[ast.stmt] | None = getattr(statement, field, None)
        if block is not None:
            blocks.append(block)
    handlers: list[ast.ExceptHandler] = getattr(statement, "handlers", [])
    blocks.extend(handler.body for handler in handlers)
    cases: list[ast.match_case] = getattr(statement, "cases", [])
    blocks.extend(case.body for case in cases)
    return blocks


# -- a fork pool's workers, forked before it was defined -------------------------------


def _after_fork_problem(
    obj: object, qualname: str, label: str, forked_main: dict[str, object]
) -> Problem | None:
    name = qualname.split(".", 1)[0]
    now = getattr(sys.modules.get("__main__"), name, None)
    if name not in forked_main:
        return Problem(label, obj, AFTER_FORK, "was defined")
    if forked_main[name] is not now:
        return Problem(label, obj, AFTER_FORK, "was redefined")
    return None


# -- a module loaded from its file, which a child cannot import by name ----------------------


_importable_cache: dict[str, tuple[object, str | None]] = {}


def _importable_problem(obj: object, module: str, label: str) -> Problem | None:
    """Return why a fresh interpreter could not import `module` by name, or ``None``.

    The parent finds it in ``sys.modules``; a spawn child, which gets the
    parent's ``sys.path``, imports it. A module loaded from its file
    (``importlib.util.spec_from_file_location``) and put in ``sys.modules``
    by hand is found by the parent only.
    """
    loaded = sys.modules.get(module)
    cached = _importable_cache.get(module)
    if cached is None or cached[0] is not loaded:
        cached = (loaded, _not_importable(module, loaded))
        _importable_cache[module] = cached
    why = cached[1]
    return None if why is None else Problem(label, obj, NOT_IMPORTABLE, why)


def _not_importable(name: str, loaded: object) -> str | None:
    spec = getattr(loaded, "__spec__", None)
    origin = getattr(spec, "origin", None)
    if spec is None or not getattr(spec, "has_location", False) or not isinstance(origin, str):
        return None  # builtin, frozen, namespace, made by hand: let pickle decide
    from importlib.machinery import PathFinder

    parent, _, _ = name.rpartition(".")
    path = None
    if parent:
        path = getattr(sys.modules.get(parent), "__path__", None)
        if path is None:
            return None
    # The finders a fresh interpreter has, without sys.modules: what the child would find.
    found = None
    for finder in (*sys.meta_path, PathFinder):
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            found = find_spec(name, path, None)
        except Exception:  # a finder that fails finds nothing
            found = None
        if found is not None:
            break
    if found is None:
        return (
            f"module {name!r} was loaded from {origin} but is not importable by that name "
            f"from sys.path"
        )
    other = getattr(found, "origin", None)
    if (
        isinstance(other, str)
        and getattr(found, "has_location", False)
        and os.path.realpath(other) != os.path.realpath(origin)
    ):
        return (
            f"module {name!r} was loaded from {origin}, but importing {name!r} from sys.path "
            f"finds {other}"
        )
    return None
