"""The linter: rules MPC001-MPC005, findings, ``# noqa`` and walking paths.

Only the command line and the flake8 plugin import this module: it imports
``ast`` and ``tokenize``, which ``import mpcontext`` must not.

A file is parsed once; only a file that mentions ``multiprocessing`` or
``concurrent`` is walked, so linting costs little more than parsing. Names
are resolved through the file's imports (``import multiprocessing as mp``,
``from multiprocessing import Process as P``...); a name that is also
assigned, a parameter, or imported from elsewhere is left alone, since it
may not be what the import made it.
"""

from __future__ import annotations

import ast
import fnmatch
import io
import os
import re
import tokenize
import warnings

from . import _factories

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

__all__ = [
    "RULES",
    "Finding",
    "Hit",
    "Module",
    "analyze",
    "expand_codes",
    "iter_python_files",
    "lint_file",
    "lint_source",
    "walked",
]

RULES = {
    "MPC000": "the file does not parse",
    "MPC001": "multiprocessing.set_start_method() changes the whole application",
    "MPC002": "a process, pool, queue or lock made from multiprocessing's global default",
    "MPC003": "ProcessPoolExecutor(...) without mp_context",
    "MPC004": "a hard-coded get_context('...') in a function that neither takes nor declares it",
    "MPC005": "get_context() or get_start_method() that fixes the global start method",
}
"""Every code the linter reports, with what it means."""

FACTORIES = frozenset({*_factories.__all__, "Process"})
"""The multiprocessing callables that have an mpcontext factory (or class) of the same name."""

_MP = "multiprocessing"
_PPE_NAMES = (
    "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor",
)
# Callables that take a context as an argument: qualified name ->
# (keyword, position or None when keyword-only).
_TAKES_CONTEXT = {
    "multiprocessing.pool.Pool": ("context", 4),
    "multiprocessing.managers.BaseManager": ("ctx", 3),
    "multiprocessing.managers.SyncManager": ("ctx", 3),
    "multiprocessing.managers.SharedMemoryManager": ("ctx", 3),
    "multiprocessing.sharedctypes.Value": ("ctx", None),
    "multiprocessing.sharedctypes.Array": ("ctx", None),
    "multiprocessing.sharedctypes.synchronized": ("ctx", 2),
}
# What ``from multiprocessing import *`` binds that the rules look at.
_STAR_NAMES = {
    _MP: FACTORIES
    | {"RawArray", "RawValue", "get_context", "get_start_method", "set_start_method"},
    "concurrent.futures": frozenset({"ProcessPoolExecutor"}),
}
_ACCEPTS_CONTEXT = "mpcontext.accepts_context"
# Parameter names that count as taking a context for MPC004.
CONTEXT_PARAMS = frozenset({"mp_context", "context", "ctx", "mp_ctx"})
_NEWLINE = re.compile(r"\r\n|\r|\n")
# flake8's own pattern, so that both read a comment the same way.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "__pycache__",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)


class Finding:
    """One finding, as reported: where, which rule, and what to do.

    Attributes
    ----------
    path : str
        The file, as walked from the paths given.
    line, column : int
        1-based line and column (in characters, like ruff and flake8).
    code : str
        ``"MPC000"`` to ``"MPC005"``.
    message : str
        What is wrong.
    hint : str
        How to fix it.
    fixable : bool
        Whether ``--fix`` fixes it.
    fixed : bool
        Whether ``--fix`` (or ``--diff``) fixed it in this run.
    """

    __slots__ = ("code", "column", "fixable", "fixed", "hint", "line", "message", "path")

    def __init__(
        self,
        path: str,
        line: int,
        column: int,
        code: str,
        message: str,
        hint: str,
        *,
        fixable: bool = False,
        fixed: bool = False,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.code = code
        self.message = message
        self.hint = hint
        self.fixable = fixable
        self.fixed = fixed

    @property
    def text(self) -> str:
        """``CODE message; hint``: the text after ``path:line:col:``."""
        return (
            f"{self.code} {self.message}; {self.hint}"
            if self.hint
            else f"{self.code} {self.message}"
        )

    def to_json(self) -> dict[str, object]:
        """Return the finding as one object of the ``--format json`` list."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "fixable": self.fixable,
            "fixed": self.fixed,
        }

    def __repr__(self) -> str:
        return f"Finding({self.path}:{self.line}:{self.column}: {self.text})"


class Hit:
    """A rule's match on one call, with what ``--fix`` needs to fix it.

    Attributes
    ----------
    factory : str or None
        The mpcontext factory that replaces the callee, ``None`` when there
        is no safe fix.
    root : str
        The local name the callee starts from (``mp`` in ``mp.Queue``).
    param : str or None
        For ``MPC003``: the enclosing function's context parameter to pass.
    none_arg : ast.expr or None
        For ``MPC003``: a literal ``None`` passed as ``mp_context``.
    """

    __slots__ = ("code", "factory", "hint", "message", "node", "none_arg", "param", "root")

    def __init__(self, code: str, node: ast.Call, message: str, hint: str, root: str) -> None:
        self.code = code
        self.node = node
        self.message = message
        self.hint = hint
        self.root = root
        self.factory: str | None = None
        self.param: str | None = None
        self.none_arg: ast.expr | None = None


class _Function:
    """An enclosing function, as the rules see it.

    `context_param` is the parameter ``--fix`` passes on as ``mp_context``;
    `declared` is true for a function decorated with ``accepts_context``.
    """

    __slots__ = ("context_param", "declared", "name", "params", "stores")

    def __init__(
        self, name: str, params: frozenset[str], context_param: str | None, declared: bool
    ) -> None:
        self.name = name
        self.params = params
        self.context_param = context_param
        self.declared = declared
        self.stores: set[str] = set()

    @property
    def takes_context(self) -> bool:
        """Whether the function takes a context or declares its requirement (MPC004)."""
        return (
            self.declared or self.context_param is not None or bool(self.params & CONTEXT_PARAMS)
        )


class Module:
    """What one walk of a parsed file learnt: imports, names, calls.

    Parameters
    ----------
    tree : ast.Module
        The parsed file.
    """

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.imports: list[tuple[ast.Import | ast.ImportFrom, list[ast.stmt]]] = []
        self.bindings: dict[str, str] = {}
        self.names: dict[str, int] = {}
        self.strings: set[str] = set()
        self.calls: list[tuple[ast.Call, tuple[_Function, ...]]] = []
        self._module_stores: set[str] = set()
        self._collect_imports(tree.body)
        self.bindings = self._resolvable()

    @property
    def relevant(self) -> bool:
        """Whether any import reaches multiprocessing or concurrent.futures."""
        return any(t.startswith((_MP, "concurrent")) for t in self.bindings.values())

    def _collect_imports(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.imports.append((stmt, body))
                continue
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                    self._collect_imports(inner)  # pyright: ignore[reportUnknownArgumentType]
            for handler in getattr(stmt, "handlers", ()):
                self._collect_imports(handler.body)
            for case in getattr(stmt, "cases", ()):
                self._collect_imports(case.body)

    def _resolvable(self) -> dict[str, str]:
        targets: dict[str, set[str]] = {}
        star: dict[str, str] = {}
        for stmt, _ in self.imports:
            for name, target in _bound(stmt):
                if name == "*":
                    star.update((n, f"{target}.{n}") for n in _STAR_NAMES.get(target, ()))
                else:
                    targets.setdefault(name, set()).add(target)
        for name, target in star.items():
            targets.setdefault(name, {target})
        return {name: next(iter(t)) for name, t in targets.items() if len(t) == 1}

    def walk(self) -> None:
        """Walk every node once: calls with their enclosing functions, names, strings."""
        self._visit(self.tree, ())

    def _visit(self, node: ast.AST, stack: tuple[_Function, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            self._visit_node(child, stack)

    def _visit_node(self, node: ast.AST, stack: tuple[_Function, ...]) -> None:
        if isinstance(node, ast.Name):
            self.names[node.id] = self.names.get(node.id, 0) + 1
            if not isinstance(node.ctx, ast.Load):
                self._store(node.id, stack)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            self._visit_function(node, stack)
            return
        if isinstance(node, ast.Call):
            self.calls.append((node, stack))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.strings.add(node.value)
        elif isinstance(node, (ast.ClassDef, ast.ExceptHandler)) and node.name:
            self._store(node.name, stack)
        self._visit(node, stack)

    def _store(self, name: str, stack: tuple[_Function, ...]) -> None:
        (stack[-1].stores if stack else self._module_stores).add(name)

    def _visit_function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        stack: tuple[_Function, ...],
    ) -> None:
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        function = self._function(node, frozenset(a.arg for a in params))
        function.stores.update(function.params)
        inner = (*stack, function)
        # Defaults, annotations and decorators run in the enclosing scope.
        self._visit(args, stack)
        if isinstance(node, ast.Lambda):
            self._visit_node(node.body, inner)
            return
        self._store(node.name, stack)
        for outer in (*node.decorator_list, *([node.returns] if node.returns else [])):
            self._visit_node(outer, stack)
        for stmt in node.body:
            self._visit_node(stmt, inner)

    def _function(
        self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, params: frozenset[str]
    ) -> _Function:
        name = "<lambda>" if isinstance(node, ast.Lambda) else node.name
        decorators = [] if isinstance(node, ast.Lambda) else node.decorator_list
        param, decorated = "mp_context", False
        for decorator in decorators:
            call = decorator if isinstance(decorator, ast.Call) else None
            if self.qualname(call.func if call else decorator) == _ACCEPTS_CONTEXT:
                decorated = True
                if call is not None:
                    param = _param_option(call, param)
        return _Function(name, params, param if param in params else None, decorated)

    def qualname(self, node: ast.expr) -> str | None:
        """Return the dotted name `node` stands for through the imports, if any."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = self.bindings.get(node.id)
        if base is None:
            return None
        parts.append(base)
        return ".".join(reversed(parts))

    def shadowed(self, name: str, stack: tuple[_Function, ...]) -> bool:
        """Whether `name` may be something else than its import where `stack` runs."""
        return name in self._module_stores or any(name in f.stores for f in stack)


def _bound(stmt: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    """Yield ``(local name, what it is bound to)`` for each name `stmt` binds."""
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                yield alias.asname, alias.name
            else:
                root = alias.name.partition(".")[0]
                yield root, root
        return
    module = "." * stmt.level + (stmt.module or "")
    for alias in stmt.names:
        yield alias.asname or alias.name, f"{module}.{alias.name}" if alias.name != "*" else module
        if alias.name == "*":
            return


def _param_option(call: ast.Call, param: str) -> str:
    """Return the ``param=`` of an ``accepts_context(...)`` call, else `param`."""
    for keyword in call.keywords:
        value = keyword.value
        if (
            keyword.arg == "param"
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            param = value.value
    return param


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def dotted(node: ast.expr) -> str:
    """Return the source of a dotted name (``mp.Process``); ``...`` for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return "..."


def _root(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _argument(call: ast.Call, keyword: str, position: int | None) -> ast.expr | None | bool:
    """Return what `call` passes as `keyword`.

    The node; ``None`` when nothing is passed; ``True`` when it cannot be known
    (``*args``, ``**kwargs``).
    """
    for kw in call.keywords:
        if kw.arg is None:
            return True
        if kw.arg == keyword:
            return kw.value
    if position is None:
        return None
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return True
    return call.args[position] if position < len(call.args) else None


def _passes(value: ast.expr | bool | None) -> bool:
    """Whether an argument found by ``_argument`` passes something other than ``None``."""
    return value is True or (isinstance(value, ast.expr) and not _is_none(value))


def analyze(module: Module) -> list[Hit]:
    """Return the rules' hits in `module`, noqa comments not applied yet."""
    hits: list[Hit] = []
    for call, stack in module.calls:
        root = _root(call.func)
        if not root or root not in module.bindings or module.shadowed(root, stack):
            continue
        name = module.qualname(call.func)
        if name is not None and name.startswith((_MP, "concurrent")):
            hit = _check(call, name, root, stack)
            if hit is not None:
                hits.append(hit)
    return hits


def _check(call: ast.Call, name: str, root: str, stack: tuple[_Function, ...]) -> Hit | None:
    shown = dotted(call.func)
    if name in _PPE_NAMES:
        return _check_executor(call, shown, root, stack)
    head, _, last = name.rpartition(".")
    if head == _MP and last in FACTORIES or name == "multiprocessing.context.Process":
        hit = _default_hit(
            call,
            shown,
            root,
            f"use mpcontext.{last}(...), which follows it",
        )
        hit.factory = last
        return hit
    if head == _MP and last in ("RawValue", "RawArray"):
        return _default_hit(
            call, shown, root, f"make it from the caller's context: ctx.{last}(...)"
        )
    if name in _TAKES_CONTEXT:
        keyword, position = _TAKES_CONTEXT[name]
        if _passes(_argument(call, keyword, position)):
            return None
        return _default_hit(call, shown, root, f"pass the caller's context: {keyword}=ctx")
    if name == "multiprocessing.set_start_method":
        return Hit(
            "MPC001",
            call,
            f"{shown}() changes the start method of the whole application, "
            "not just this library's",
            "let the caller choose: take `*, mp_context: ContextParam = None` with "
            "@mpcontext.accepts_context (an application's entry point may keep it: "
            "`# noqa: MPC001`)",
            root,
        )
    if name == "multiprocessing.get_context":
        return _check_get_context(call, shown, root, stack)
    if name == "multiprocessing.get_start_method":
        return _check_get_start_method(call, shown, root)
    return None


def _default_hit(call: ast.Call, shown: str, root: str, hint: str) -> Hit:
    return Hit(
        "MPC002",
        call,
        f"{shown}() uses multiprocessing's global default context, not the caller's",
        hint,
        root,
    )


def _check_executor(
    call: ast.Call, shown: str, root: str, stack: tuple[_Function, ...]
) -> Hit | None:
    value = _argument(call, "mp_context", 1)
    if _passes(value):
        return None
    hit = Hit(
        "MPC003",
        call,
        f"{shown}() without mp_context uses the global default context, not the caller's",
        "pass mp_context=, or use mpcontext.ProcessPoolExecutor(...), which follows it",
        root,
    )
    hit.factory = "ProcessPoolExecutor"
    hit.none_arg = value if isinstance(value, ast.expr) else None
    hit.param = stack[-1].context_param if stack else None
    return hit


def _check_get_context(
    call: ast.Call, shown: str, root: str, stack: tuple[_Function, ...]
) -> Hit | None:
    value = _argument(call, "method", 0)
    if value is None or (isinstance(value, ast.expr) and _is_none(value)):
        return Hit(
            "MPC005",
            call,
            f"{shown}() without a method fixes the global start method of the whole application",
            "use mpcontext.current_context(), which fixes nothing",
            root,
        )
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return None
    if not stack or any(f.takes_context for f in stack):
        return None
    method = value.value
    return Hit(
        "MPC004",
        call,
        f"{shown}({method!r}) hard-codes a start method in {stack[-1].name}(), which "
        "neither takes a context nor declares a requirement",
        f"take `*, mp_context: ContextParam = None`, or declare "
        f"@mpcontext.accepts_context(requires=[{method!r}], reason=...)",
        root,
    )


def _check_get_start_method(call: ast.Call, shown: str, root: str) -> Hit | None:
    value = _argument(call, "allow_none", 0)
    if value is None or (isinstance(value, ast.Constant) and not value.value):
        return Hit(
            "MPC005",
            call,
            f"{shown}() fixes the global start method of the whole application",
            "use get_start_method(allow_none=True) (None while unset) or "
            "mpcontext.current_context(), which fix nothing",
            root,
        )
    return None


def parse(source: bytes | str, path: str = "<unknown>") -> ast.Module:
    """Parse `source` as Python, silencing the warnings parsing may emit.

    Raises
    ------
    SyntaxError, ValueError
        The source does not parse (``ValueError`` for a null byte on 3.10
        and 3.11).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, path)


def decode(data: bytes) -> tuple[str, str]:
    """Return the text of a source file and its encoding (cookie, BOM, else UTF-8)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def split_lines(text: str) -> list[str]:
    """Split `text` into lines the way Python's parser counts them (no line ends kept)."""
    return _NEWLINE.split(text)


def noqa_codes(line: str) -> frozenset[str] | None:
    """Return the codes a ``# noqa`` comment on `line` silences.

    ``None`` when there is none; an empty set for a bare ``# noqa`` (all).
    """
    match = _NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return frozenset(re.split(r"[,\s]+", codes.strip().upper())) - {""} if codes else frozenset()


def silenced(code: str, line: str) -> bool:
    """Whether a ``# noqa`` comment on `line` silences `code` (prefixes count, as in flake8)."""
    codes = noqa_codes(line)
    return codes is not None and (not codes or code.startswith(tuple(codes)))


def char_column(line: str, col_offset: int) -> int:
    """Return the 1-based character column of the UTF-8 byte offset `col_offset` in `line`."""
    if line.isascii():
        return col_offset + 1
    return len(line.encode("utf-8")[:col_offset].decode("utf-8", "replace")) + 1


def expand_codes(spec: Iterable[str]) -> frozenset[str]:
    """Return the codes that comma-separated code lists or prefixes name.

    Raises
    ------
    ValueError
        A code that is neither a rule's code nor a prefix of one.
    """
    codes: set[str] = set()
    for item in (c.strip().upper() for part in spec for c in part.split(",")):
        if not item:
            continue
        matched = {code for code in RULES if code.startswith(item)}
        if not matched:
            raise ValueError(
                f"unknown code {item!r}: expected codes among {', '.join(RULES)} "
                "(comma-separated; a prefix such as 'MPC00' selects several)"
            )
        codes |= matched
    return frozenset(codes)


FIX_MARK = " (--fix)"
"""What ends the hint of a finding that ``lint --fix`` fixes."""


def findings(
    module: Module,
    lines: Sequence[str],
    path: str,
    enabled: Iterable[str] = RULES,
    *,
    noqa: bool = True,
    fix_mark: str = FIX_MARK,
) -> list[tuple[Finding, Hit]]:
    """Return the findings of a walked `module`, with their hits.

    Only the `enabled` codes, and, when `noqa` is true, not those a
    ``# noqa`` comment silences. The hint of a fixable finding ends with
    `fix_mark`.
    """
    enabled = frozenset(enabled)
    found: list[tuple[Finding, Hit]] = []
    for hit in analyze(module):
        line = lines[hit.node.lineno - 1]
        if hit.code not in enabled or (noqa and silenced(hit.code, line)):
            continue
        column = char_column(line, hit.node.col_offset)
        fixable = hit.factory is not None
        finding = Finding(
            path,
            hit.node.lineno,
            column,
            hit.code,
            hit.message,
            hit.hint + fix_mark if fixable else hit.hint,
            fixable=fixable,
        )
        found.append((finding, hit))
    found.sort(key=lambda pair: (pair[0].line, pair[0].column, pair[0].code))
    return found


def syntax_finding(path: str, error: Exception) -> Finding:
    """Return the ``MPC000`` finding for a file that does not parse."""
    line = getattr(error, "lineno", None) or 1
    column = getattr(error, "offset", None) or 1
    message = getattr(error, "msg", None) or str(error)
    return Finding(
        path,
        line,
        column,
        "MPC000",
        f"the file does not parse: {message}",
        "fix the syntax error (the file was not checked)",
    )


def walked(tree: ast.Module) -> Module | None:
    """Return the walked `tree`, or ``None`` when no import reaches the modules linted."""
    module = Module(tree)
    if not module.relevant:
        return None
    module.walk()
    return module


def lint_source(data: bytes, path: str, enabled: Iterable[str] = RULES) -> list[Finding]:
    """Return the findings in the source `data` of the file `path`.

    Parameters
    ----------
    data : bytes
        The file's content, as read.
    path : str
        The name used in the findings.
    enabled : iterable of str
        The codes to report; ``MPC000`` included when a syntax error should
        be reported.
    """
    enabled = frozenset(enabled)
    try:
        tree = parse(data, path)
    except (SyntaxError, ValueError) as error:
        return [syntax_finding(path, error)] if "MPC000" in enabled else []
    if b"multiprocessing" not in data and b"concurrent" not in data:
        return []
    module = walked(tree)
    if module is None:
        return []
    text, _ = decode(data)
    return [finding for finding, _ in findings(module, split_lines(text), path, enabled)]


def lint_file(path: str, enabled: Iterable[str] = RULES) -> list[Finding]:
    """Read and lint the file `path`; a file that cannot be read is an ``MPC000``."""
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        return [Finding(path, 1, 1, "MPC000", f"the file cannot be read: {error.strerror}", "")]
    return lint_source(data, path, enabled)


def excluded(path: str, patterns: Sequence[str]) -> bool:
    """Whether `path` matches one of the ``--exclude`` globs (its name, or the whole path)."""
    if not patterns:
        return False
    candidates = (
        os.path.basename(os.path.normpath(path)),
        os.path.normpath(path),
        os.path.abspath(path),
    )
    return any(fnmatch.fnmatch(c, p) for p in patterns for c in candidates)


def iter_python_files(paths: Iterable[str], exclude: Sequence[str] = ()) -> Iterator[str]:
    """Yield the files to lint under `paths`, in a stable order.

    A file given by name is linted whatever its suffix. Directories are
    walked for ``*.py`` files, skipping version control directories, caches,
    ``node_modules`` and virtual environments (any directory holding a
    ``pyvenv.cfg``), and whatever matches an ``--exclude`` glob.
    """
    for path in paths:
        if excluded(path, exclude):
            continue
        if os.path.isdir(path):
            yield from _walk(path, exclude)
        else:
            yield path


def _walk(directory: str, exclude: Sequence[str]) -> Iterator[str]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if excluded(entry.path, exclude):
            continue
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in _SKIP_DIRS and not os.path.exists(
                os.path.join(entry.path, "pyvenv.cfg")
            ):
                yield from _walk(entry.path, exclude)
        elif entry.name.endswith(".py") and entry.is_file():
            yield entry.path
