"""Scope-aware name binding for the linter: which imports can reach each name.

Python resolves a name in the scope that binds it: a function's local
import binds in that function only, a class body's names are not seen by
its methods, a comprehension's targets by nothing outside it. Within a
scope, a later binding replaces an earlier one, along every path the code
can take (``if``/``else``, loops, ``try``/``except ImportError``
alternatives, ``del``). This module follows that, for the few names that
matter: those bound by an import of a module the rules look at (the
*tracked* names). Every other name is ignored.

A function body runs after the scope that defines it has finished, so its
free names see the enclosing scope's bindings at its end (and whatever
``global`` or ``nonlocal`` statements bind from elsewhere); a class body or
a comprehension runs at once, and sees them as they are at that point.

What a name can be at a use is the set of bindings that can reach it; the
rules treat a use as an import of a module only when every binding in that
set is one (ambiguity is resolved toward not reporting).

Only the statements whose lines mention a tracked name are walked in full:
a statement that does not cannot bind or use one. Such a statement is
assumed to complete normally (a ``return`` or ``raise`` inside it is not
followed, which can only add paths), but the ``break`` and ``continue``
inside it are followed, since they carry the loop's state elsewhere.
"""

from __future__ import annotations

import ast
import bisect
import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from typing import Any

__all__ = [
    "OTHER",
    "RELEVANT",
    "Binding",
    "CallSite",
    "Function",
    "ImportSite",
    "Names",
    "bind_names",
]

RELEVANT = frozenset(
    {"multiprocessing", "multiprocess", "concurrent", "billiard", "torch", "mpcontext"}
)
"""The top-level modules whose imports the rules look at."""

_TERMINATORS = (ast.Break, ast.Continue, ast.Return, ast.Raise)
# Loops converge in two or three rounds; this bounds a pathological file.
_MAX_ROUNDS = 12


class Binding:
    """One way a name can be bound.

    Attributes
    ----------
    target : str or None
        The dotted name an import binds (``"multiprocessing.Queue"``);
        ``None`` for any other binding (assignment, ``def``, parameter...).
    node : ast.Import or ast.ImportFrom or None
        The import statement.
    alias : ast.alias or None
        The name of the statement that binds it.
    """

    __slots__ = ("alias", "node", "target")

    def __init__(
        self,
        target: str | None,
        node: ast.Import | ast.ImportFrom | None = None,
        alias: ast.alias | None = None,
    ) -> None:
        self.target = target
        self.node = node
        self.alias = alias

    def __repr__(self) -> str:
        return f"Binding({self.target!r})" if self.target else "Binding(other)"


OTHER = Binding(None)
"""Any binding that is not an import of a tracked module."""

_UNBOUND = Binding(None)
_UNSET: frozenset[Binding] = frozenset({_UNBOUND})
_NONE: frozenset[Binding] = frozenset()

_State = dict[str, frozenset[Binding]]  # a name missing: unbound in this scope so far


class ImportSite:
    """An import statement of a tracked module, where it stands.

    Attributes
    ----------
    node : ast.Import or ast.ImportFrom
        The statement.
    body : list of ast.stmt
        The statement list that holds it.
    top : bool
        Whether it is a statement of the module itself (not nested in a
        function, class, ``if``, ``try``...).
    """

    __slots__ = ("body", "node", "top")

    def __init__(self, node: ast.Import | ast.ImportFrom, body: list[ast.stmt], top: bool) -> None:
        self.node = node
        self.body = body
        self.top = top


class Function:
    """A function or lambda, as the rules see it.

    Attributes
    ----------
    node : ast.FunctionDef or ast.AsyncFunctionDef or ast.Lambda
        Its definition.
    name : str
        Its name (``"<lambda>"`` for a lambda).
    params : frozenset of str
        The names of its parameters.
    """

    __slots__ = ("name", "node", "params")

    def __init__(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        self.node = node
        self.name = "<lambda>" if isinstance(node, ast.Lambda) else node.name
        self.params = frozenset(a.arg for a in every)

    @property
    def decorators(self) -> list[ast.expr]:
        """Its decorators, outermost first."""
        return [] if isinstance(self.node, ast.Lambda) else self.node.decorator_list


class _Scope:
    """A scope: module, class, function (or lambda) or comprehension."""

    __slots__ = (
        "app",
        "bound",
        "declared",
        "end",
        "exits",
        "external",
        "function",
        "kind",
        "live",
        "nonlocals",
        "parent",
        "state",
        "tries",
    )

    def __init__(self, kind: str, parent: _Scope | None, app: bool = False) -> None:
        self.kind = kind
        self.parent = parent
        self.app = app
        self.bound: set[str] = set()
        self.declared: set[str] = set()  # names declared global
        self.nonlocals: set[str] = set()
        self.external: dict[str, set[Binding]] = {}
        self.state: _State | None = {}
        self.end: _State = {}
        self.live = False
        self.function: Function | None = None
        self.tries: list[list[_State | None]] = []
        self.exits: list[_State] = []  # the states at its return and raise statements

    def finish(self) -> None:
        """Keep what a closure can see of this scope once it has run: any way out of it."""
        self.end = _join(self.state, *self.exits) or {}
        self.live = False

    def outer(self) -> _Scope | None:
        """The scope a free name of this one is looked up in (class bodies are skipped)."""
        scope = self.parent
        while scope is not None and scope.kind == "class":
            scope = scope.parent
        return scope


class CallSite:
    """A call whose callee starts from a tracked name.

    Attributes
    ----------
    node : ast.Call
        The call.
    root : ast.Name
        The name the callee starts from (``mp`` in ``mp.Queue``).
    functions : tuple of Function
        The functions (and lambdas) it is in, outermost first.
    app : bool
        Whether it is the application's code (under ``if __name__ == "__main__":``).
    """

    __slots__ = ("app", "functions", "node", "root")

    def __init__(
        self, node: ast.Call, root: ast.Name, functions: tuple[Function, ...], app: bool
    ) -> None:
        self.node = node
        self.root = root
        self.functions = functions
        self.app = app


class Names:
    """What binding the names of one file learnt.

    Attributes
    ----------
    tree : ast.Module
        The file.
    imports : list of ImportSite
        Its imports of tracked modules, in source order.
    calls : list of CallSite
        The calls whose callee starts from a tracked name, in walking order.
    strings : list of str
        The string constants of the statements that mention a tracked name
        (those that can name one).
    """

    def __init__(
        self,
        tree: ast.Module,
        imports: list[ImportSite],
        calls: list[CallSite],
        strings: list[str],
    ) -> None:
        self.tree = tree
        self.imports = imports
        self.calls = calls
        self.strings = strings
        self._resolved: dict[ast.Name, frozenset[Binding]] = {}
        self._uses: dict[Binding, list[ast.Name]] | None = None

    def bindings(self, name: ast.Name) -> frozenset[Binding]:
        """Return the bindings that can reach the use `name` (empty when none is known)."""
        return self._resolved.get(name, _NONE)

    def qualnames(self, node: ast.expr) -> frozenset[str] | None:
        """Return the dotted names `node` stands for, one per import that can reach it.

        ``None`` unless `node` is a dotted name (``mp.Queue``) whose first
        name only imports can reach.
        """
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        reaching = self._resolved.get(node)
        if not reaching or any(b.target is None for b in reaching):
            return None
        suffix = "".join(f".{part}" for part in reversed(parts))
        return frozenset(f"{b.target}{suffix}" for b in reaching)

    def uses(self, binding: Binding) -> list[ast.Name]:
        """Return the uses (loads and ``del``) that `binding` can reach."""
        if self._uses is None:
            self._uses = {}
            for name, reaching in self._resolved.items():
                for each in reaching:
                    self._uses.setdefault(each, []).append(name)
        return self._uses.get(binding, [])


def _import_targets(node: ast.Import | ast.ImportFrom) -> Iterator[tuple[ast.alias, str, str]]:
    """Yield ``(alias, local name, dotted target)`` for each name `node` binds."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                yield alias, alias.asname, alias.name
            else:
                root = alias.name.partition(".")[0]
                yield alias, root, root
        return
    module = "." * node.level + (node.module or "")
    for alias in node.names:
        yield alias, alias.asname or alias.name, f"{module}.{alias.name}"


def _relevant(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and (node.module or "").partition(".")[0] in RELEVANT
    return any(alias.name.partition(".")[0] in RELEVANT for alias in node.names)


def _collect_imports(body: list[ast.stmt], top: bool, found: list[ImportSite]) -> None:
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if _relevant(stmt):
                found.append(ImportSite(stmt, body, top))
            continue
        for inner in _bodies(stmt):
            _collect_imports(inner, False, found)


def _bodies(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """Yield the statement lists nested directly in `stmt`."""
    for field in ("body", "orelse", "finalbody"):
        inner = getattr(stmt, field, None)
        if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
            yield inner  # pyright: ignore[reportUnknownArgumentType]
    for handler in getattr(stmt, "handlers", ()):
        yield handler.body
    for case in getattr(stmt, "cases", ()):
        yield case.body


def _join(*states: _State | None) -> _State | None:
    """Join the states of paths that meet: every binding of each is possible."""
    live = [s for s in states if s is not None]
    if not live:
        return None
    if len(live) == 1:
        return dict(live[0])
    joined: _State = {}
    for name in {name for state in live for name in state}:
        values: frozenset[Binding] = _NONE
        for state in live:
            values = values | state.get(name, _UNSET)
        joined[name] = values
    return joined


def _is_main_guard(test: ast.expr) -> bool:
    """Whether `test` is ``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = (test.left, test.comparators[0])
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(mains) == 1


class _Loop:
    __slots__ = ("breaks", "continues")

    def __init__(self) -> None:
        self.breaks: list[_State | None] = []
        self.continues: list[_State | None] = []


class _Lines:
    """Which lines mention a tracked name (every line when it cannot be told)."""

    def __init__(self, text: str | None, tracked: Iterable[str], also: Iterable[int]) -> None:
        self.every = text is None or not text.isascii()
        self.lines: list[int] = []
        if text is None or self.every:
            return
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(tracked))) + r")\b")
        starts = [m.start() for m in pattern.finditer(text)]
        line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        found = {bisect.bisect_right(line_starts, start) for start in starts}
        self.lines = sorted(found.union(also))

    def mention(self, node: ast.stmt | ast.expr) -> bool:
        if self.every:
            return True
        end = node.end_lineno or node.lineno
        index = bisect.bisect_left(self.lines, node.lineno)
        return index < len(self.lines) and self.lines[index] <= end


class _Walker:
    """Walks one file: the module, then each function body once its scope has finished."""

    def __init__(
        self,
        tree: ast.Module,
        tracked: set[str],
        bindings: dict[ast.alias, list[tuple[str, Binding]]],
        lines: _Lines,
    ) -> None:
        self.tracked = tracked
        self.by_alias = bindings
        self.lines = lines
        self.module = _Scope("module", None)
        self.scope = self.module
        self.app = False
        self.loops: list[_Loop] = []
        self.pending: list[tuple[_Scope, Function, Callable[[], None]]] = []
        self.uses: list[
            tuple[ast.Name, _Scope, tuple[tuple[_Scope, frozenset[Binding]], ...]]
        ] = []
        self.calls: dict[ast.Call, CallSite] = {}
        self.queued: set[ast.AST] = set()
        self.strings: list[str] = []
        self.tree = tree
        self._statements: dict[type[ast.AST], Callable[[Any], None]] = {
            ast.FunctionDef: self._function_def,
            ast.AsyncFunctionDef: self._function_def,
            ast.ClassDef: self._class_def,
            ast.Return: self._return,
            ast.Delete: self._delete,
            ast.Assign: self._assign,
            ast.AugAssign: self._aug_assign,
            ast.AnnAssign: self._ann_assign,
            ast.For: self._for,
            ast.AsyncFor: self._for,
            ast.While: self._while,
            ast.If: self._if,
            ast.With: self._with,
            ast.AsyncWith: self._with,
            ast.Raise: self._raise,
            ast.Try: self._try,
            ast.Import: self._import,
            ast.ImportFrom: self._import,
            ast.Global: self._global,
            ast.Nonlocal: self._nonlocal,
            ast.Break: self._break,
            ast.Continue: self._continue,
        }
        for name in ("TryStar", "Match", "TypeAlias"):
            kind = getattr(ast, name, None)
            if kind is not None:
                self._statements[kind] = getattr(self, f"_{name.lower()}")

    # -- driving ---------------------------------------------------------

    def run(self) -> None:
        self.module.live = True
        self._block(self.tree.body)
        self.module.finish()
        index = 0
        while index < len(self.pending):
            scope, function, walk = self.pending[index]
            index += 1
            self._run_function(scope, function, walk)

    def _run_function(self, scope: _Scope, function: Function, walk: Callable[[], None]) -> None:
        saved, saved_app, saved_loops = self.scope, self.app, self.loops
        self.scope, self.app, self.loops = scope, scope.app, []
        scope.live = True
        scope.state = {}
        for param in function.params & self.tracked:
            scope.bound.add(param)
            scope.state[param] = frozenset({OTHER})
        walk()
        scope.finish()
        self.scope, self.app, self.loops = saved, saved_app, saved_loops

    # -- statements ------------------------------------------------------

    def _block(self, body: Sequence[ast.stmt]) -> None:
        for stmt in body:
            # Code that cannot run is still walked (its uses keep imports
            # alive), with nothing bound: its state stays None.
            handler = self._statements.get(type(stmt))
            if not self.lines.mention(stmt):
                if isinstance(stmt, _TERMINATORS) and handler is not None:
                    handler(stmt)
                elif self.loops and not isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
                    self._exits(stmt)
                continue
            if handler is None:
                self._visit_children(stmt)
            else:
                handler(stmt)
            state = self.scope.state
            if state is not None:
                for seen in self.scope.tries:
                    seen.append(dict(state))

    def _exits(self, stmt: ast.stmt) -> None:
        """Follow the ``break`` and ``continue`` of a statement that mentions no tracked name."""
        for inner in _bodies(stmt):
            for each in inner:
                state = self.scope.state
                if isinstance(each, ast.Break):
                    self.loops[-1].breaks.append(None if state is None else dict(state))
                elif isinstance(each, ast.Continue):
                    self.loops[-1].continues.append(None if state is None else dict(state))
                elif not isinstance(
                    each,
                    (
                        ast.For,
                        ast.AsyncFor,
                        ast.While,
                        ast.FunctionDef,
                        ast.AsyncFunctionDef,
                        ast.ClassDef,
                    ),
                ):
                    self._exits(each)

    def _function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self._expr(decorator)
        self._arguments(node.args)
        if node.returns is not None:
            self._expr(node.returns)
        function = Function(node)
        self._defer(node, function, lambda: self._block(node.body))
        self._bind(node.name, OTHER)

    def _arguments(self, args: ast.arguments) -> None:
        """Defaults and annotations run (or are read) in the enclosing scope."""
        for default in (*args.defaults, *args.kw_defaults):
            if default is not None:
                self._expr(default)
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None and arg.annotation is not None:
                self._expr(arg.annotation)

    def _defer(self, node: ast.AST, function: Function, walk: Callable[[], None]) -> None:
        if node in self.queued:  # walked again by a loop's next round
            return
        self.queued.add(node)
        scope = _Scope("function", self.scope, self.app)
        scope.function = function
        self.pending.append((scope, function, walk))

    def _class_def(self, node: ast.ClassDef) -> None:
        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self._expr(expr)
        self._inline(_Scope("class", self.scope, self.app), lambda: self._block(node.body))
        self._bind(node.name, OTHER)

    def _inline(self, scope: _Scope, walk: Callable[[], None]) -> None:
        """Run a class body or a comprehension at once, in a scope of its own."""
        saved, saved_loops = self.scope, self.loops
        self.scope, self.loops = scope, []
        scope.live = True
        walk()
        scope.finish()
        self.scope, self.loops = saved, saved_loops

    def _return(self, node: ast.Return) -> None:
        if node.value is not None and self.lines.mention(node):
            self._expr(node.value)
        self._leave()

    def _raise(self, node: ast.Raise) -> None:
        if self.lines.mention(node):
            self._visit_children(node)
        self._leave()

    def _leave(self) -> None:
        if self.scope.state is not None:
            self.scope.exits.append(self.scope.state)
        self.scope.state = None

    def _break(self, node: ast.Break) -> None:
        if self.loops:
            self.loops[-1].breaks.append(self.scope.state)
        self.scope.state = None

    def _continue(self, node: ast.Continue) -> None:
        if self.loops:
            self.loops[-1].continues.append(self.scope.state)
        self.scope.state = None

    def _delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._expr(target)
            if isinstance(target, ast.Name):
                self._unbind(target.id)

    def _assign(self, node: ast.Assign) -> None:
        self._expr(node.value)
        for target in node.targets:
            self._target(target)

    def _aug_assign(self, node: ast.AugAssign) -> None:
        self._expr(node.value)
        if isinstance(node.target, ast.Name):
            self._load(node.target)
        self._target(node.target)

    def _ann_assign(self, node: ast.AnnAssign) -> None:
        self._expr(node.annotation)
        if node.value is None:
            if isinstance(node.target, ast.Name) and node.target.id in self.tracked:
                self._local(node.target.id)  # local, though unbound
            else:
                self._expr(node.target)
            return
        self._expr(node.value)
        self._target(node.target)

    def _target(self, target: ast.expr) -> None:
        """Bind the names an assignment target binds; evaluate the rest of it."""
        if isinstance(target, ast.Name):
            self._bind(target.id, OTHER)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._target(element)
        elif isinstance(target, ast.Starred):
            self._target(target.value)
        else:
            self._expr(target)

    def _loop(
        self,
        head: Callable[[], None],
        body: list[ast.stmt],
        orelse: list[ast.stmt],
        *,
        exit_head: bool,
    ) -> None:
        entry = self.scope.state
        loop = _Loop()
        self.loops.append(loop)
        state = None if entry is None else dict(entry)
        for _ in range(_MAX_ROUNDS):
            loop.breaks, loop.continues = [], []
            self.scope.state = None if state is None else dict(state)
            head()
            self._block(body)
            again = _join(entry, self.scope.state, *loop.continues)
            if again == state:
                break
            state = again
        self.loops.pop()
        self.scope.state = state
        if exit_head:  # a while loop's test runs once more; a for loop binds nothing more
            head()
        self._block(orelse)
        self.scope.state = _join(self.scope.state, *loop.breaks)

    def _for(self, node: ast.For | ast.AsyncFor) -> None:
        self._expr(node.iter)
        self._loop(lambda: self._target(node.target), node.body, node.orelse, exit_head=False)

    def _while(self, node: ast.While) -> None:
        self._loop(lambda: self._expr(node.test), node.body, node.orelse, exit_head=True)

    def _if(self, node: ast.If) -> None:
        self._expr(node.test)
        entry = self.scope.state
        app = self.app
        self.app = app or (self.scope is self.module and _is_main_guard(node.test))
        self.scope.state = None if entry is None else dict(entry)
        self._block(node.body)
        after_body = self.scope.state
        self.app = app
        self.scope.state = None if entry is None else dict(entry)
        self._block(node.orelse)
        self.scope.state = _join(after_body, self.scope.state)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self._expr(item.context_expr)
            if item.optional_vars is not None:
                self._target(item.optional_vars)
        self._block(node.body)

    def _try(self, node: ast.Try) -> None:
        entry = self.scope.state
        seen: list[_State | None] = [None if entry is None else dict(entry)]
        self.scope.tries.append(seen)
        self._block(node.body)
        self.scope.tries.pop()
        caught = _join(*seen)
        self._block(node.orelse)
        exits = [self.scope.state]
        for handler in node.handlers:
            self.scope.state = None if caught is None else dict(caught)
            if handler.type is not None:
                self._expr(handler.type)
            if handler.name:
                self._bind(handler.name, OTHER)
            self._block(handler.body)
            if handler.name and self.scope.state is not None:
                self._unbind(handler.name)
            exits.append(self.scope.state)
        if node.finalbody:
            # The finally block also runs on the way out of an exception not caught.
            self.scope.state = _join(*exits, caught)
            self._block(node.finalbody)
            if all(state is None for state in exits):
                self.scope.state = None
            return
        self.scope.state = _join(*exits)

    def _trystar(self, node: ast.Try) -> None:
        self._try(node)

    def _match(self, node: Any) -> None:
        self._expr(node.subject)
        entry = self.scope.state
        exits: list[_State | None] = [entry]  # no case matched
        for case in node.cases:
            self.scope.state = None if entry is None else dict(entry)
            for sub in ast.walk(case.pattern):
                for field in ("value", "cls"):
                    expr = getattr(sub, field, None)
                    if isinstance(expr, ast.expr) and not isinstance(sub, ast.expr):
                        self._expr(expr)
                for key in getattr(sub, "keys", ()):
                    self._expr(key)
                for field in ("name", "rest"):
                    name = getattr(sub, field, None)
                    if isinstance(name, str):
                        self._bind(name, OTHER)
            if case.guard is not None:
                self._expr(case.guard)
            self._block(case.body)
            exits.append(self.scope.state)
        self.scope.state = _join(*exits)

    def _typealias(self, node: ast.AST) -> None:
        name = getattr(node, "name", None)
        if isinstance(name, ast.Name):
            self._bind(name.id, OTHER)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias, name, _ in _import_targets(node):
            for bound, binding in self.by_alias.get(alias, [(name, OTHER)]):
                self._bind(bound, binding)

    def _global(self, node: ast.Global) -> None:
        self.scope.declared.update(node.names)

    def _nonlocal(self, node: ast.Nonlocal) -> None:
        self.scope.nonlocals.update(node.names)

    # -- binding ---------------------------------------------------------

    def _home(self, name: str) -> _Scope | None:
        """The scope a binding of `name` made here binds in (``None``: none known)."""
        scope = self.scope
        while (
            scope.kind == "comprehension" and scope.parent is not None and name not in scope.bound
        ):
            scope = scope.parent  # only a walrus binds here, in the enclosing scope
        if name in scope.declared:
            return self.module
        if name in scope.nonlocals:
            outer = scope.outer()
            while outer is not None and outer.kind != "module":
                if name in outer.bound and name not in outer.declared:
                    return outer
                outer = outer.outer()
            return None
        return scope

    def _bind(self, name: str, binding: Binding) -> None:
        if name not in self.tracked:
            return
        home = self._home(name)
        if home is None:
            return
        if not home.live:
            # A global or nonlocal bound by a function that runs at any time.
            home.external.setdefault(name, set()).add(binding)
            return
        home.bound.add(name)
        if home.state is not None:
            home.state[name] = frozenset({binding})

    def _local(self, name: str) -> None:
        home = self._home(name)
        if home is not None and home.live:
            home.bound.add(name)

    def _unbind(self, name: str) -> None:
        if name not in self.tracked:
            return
        home = self._home(name)
        if home is not None and home.live and home.state is not None:
            home.bound.add(name)
            home.state[name] = _UNSET

    # -- expressions -----------------------------------------------------

    def _expr(self, node: ast.expr) -> None:
        kind = type(node)
        if kind is ast.Name:
            self._load(node)  # type: ignore[arg-type]
        elif kind is ast.Call:
            self._call(node)  # type: ignore[arg-type]
        elif kind is ast.Constant:
            if isinstance(node.value, str):  # type: ignore[attr-defined]
                self.strings.append(node.value)  # type: ignore[attr-defined]
        elif kind is ast.Lambda:
            self._lambda(node)  # type: ignore[arg-type]
        elif kind in (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp):
            self._comprehension(node)  # type: ignore[arg-type]
        elif kind is ast.NamedExpr:
            self._expr(node.value)  # type: ignore[attr-defined]
            self._target(node.target)  # type: ignore[attr-defined]
        else:
            self._visit_children(node)

    def _visit_children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self._expr(child)
            elif not isinstance(
                child, (ast.expr_context, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)
            ):
                self._visit_children(child)

    def _load(self, node: ast.Name) -> None:
        name = node.id
        if name not in self.tracked:
            return
        chain: list[tuple[_Scope, frozenset[Binding]]] = []
        scope: _Scope | None = self.scope
        while scope is not None and scope.live:
            state = scope.state
            chain.append((scope, _UNSET if state is None else state.get(name, _UNSET)))
            scope = scope.parent
        self.uses.append((node, self.scope, tuple(chain)))

    def _call(self, node: ast.Call) -> None:
        root = node.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in self.tracked and node not in self.calls:
            functions = self._functions()
            self.calls[node] = CallSite(node, root, functions, self.app or self.scope.app)
        self._expr(node.func)
        for arg in node.args:
            self._expr(arg)
        for keyword in node.keywords:
            self._expr(keyword.value)

    def _functions(self) -> tuple[Function, ...]:
        found: list[Function] = []
        scope: _Scope | None = self.scope
        while scope is not None:
            if scope.function is not None:
                found.append(scope.function)
            scope = scope.parent
        return tuple(reversed(found))

    def _lambda(self, node: ast.Lambda) -> None:
        self._arguments(node.args)
        if self.lines.mention(node.body):
            self._defer(node, Function(node), lambda: self._expr(node.body))

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        generators = node.generators
        self._expr(generators[0].iter)  # runs in the enclosing scope
        scope = _Scope("comprehension", self.scope, self.app)
        for generator in generators:
            for sub in ast.walk(generator.target):
                if isinstance(sub, ast.Name) and sub.id in self.tracked:
                    scope.bound.add(sub.id)

        def walk() -> None:
            for index, generator in enumerate(generators):
                if index:
                    self._expr(generator.iter)
                self._target(generator.target)
                for condition in generator.ifs:
                    self._expr(condition)
            if isinstance(node, ast.DictComp):
                self._expr(node.key)
                value: ast.expr | None = node.value  # None for {**d for d in ds} (3.15)
                if value is not None:
                    self._expr(value)
            else:
                self._expr(node.elt)

        self._inline(scope, walk)

    # -- resolving -------------------------------------------------------

    def resolve(self) -> dict[ast.Name, frozenset[Binding]]:
        resolved: dict[ast.Name, frozenset[Binding]] = {}
        for node, scope, chain in self.uses:
            found = self._lookup(scope, node.id, dict(chain))
            previous = resolved.get(node)
            resolved[node] = found if previous is None else previous | found
        return resolved

    def _lookup(
        self, scope: _Scope | None, name: str, seen: dict[_Scope, frozenset[Binding]]
    ) -> frozenset[Binding]:
        while scope is not None:
            if name in scope.declared:
                scope = self.module
            elif name in scope.nonlocals:
                scope = scope.outer()
                continue
            if name in scope.bound or scope is self.module:
                values = seen[scope] if scope in seen else scope.end.get(name, _UNSET)
                found = (values - _UNSET) | scope.external.get(name, set())
                if _UNBOUND in values and scope.kind == "class":
                    found |= self._lookup(self.module, name, seen)
                return frozenset(found)
            scope = scope.outer()
        return _NONE


def bind_names(
    tree: ast.Module, text: str | None = None, star: Mapping[str, Iterable[str]] | None = None
) -> Names | None:
    """Return the names of `tree` bound and resolved, ``None`` when nothing is tracked.

    Parameters
    ----------
    tree : ast.Module
        The parsed file.
    text : str, optional
        Its source, to walk only the statements that mention a tracked name;
        without it, every statement is walked.
    star : mapping of str to iterable of str, optional
        What ``from MODULE import *`` binds, for the modules whose names
        matter (names not listed are not followed).
    """
    imports: list[ImportSite] = []
    _collect_imports(tree.body, True, imports)
    if not imports:
        return None
    bindings: dict[ast.alias, list[tuple[str, Binding]]] = {}
    for site in imports:
        for alias, name, target in _import_targets(site.node):
            if alias.name == "*":
                module = target.rpartition(".")[0]
                starred = (star or {}).get(module, ())
                bindings[alias] = [
                    (n, Binding(f"{module}.{n}", site.node, alias)) for n in starred
                ]
            else:
                bindings[alias] = [(name, Binding(target, site.node, alias))]
    tracked = {name for pairs in bindings.values() for name, _ in pairs}
    if not tracked:
        return None
    # A star import binds names it does not mention.
    stars = [site.node.lineno for site in imports if site.node.names[0].name == "*"]
    walker = _Walker(tree, tracked, bindings, _Lines(text, tracked, stars))
    walker.run()
    names = Names(tree, imports, list(walker.calls.values()), walker.strings)
    names._resolved = walker.resolve()  # noqa: SLF001
    return names
