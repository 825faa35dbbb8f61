"""The linter's rules (MPC000-MPC006): which calls they find, and what they say.

A file's names are bound scope by scope (``binding``); every call whose
callee only imports of the modules linted can reach is checked here, and
gives a ``Hit`` (the node, the code, the message, whether ``--fix`` can
rewrite it). ``findings`` turns hits into what is reported.
"""

from __future__ import annotations

import ast

from .._start import factories
from .binding import Binding, CallSite, Function, Names, bind_names

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "CONTEXT_PARAMS",
    "FACTORIES",
    "FIX_MARK",
    "RULES",
    "RULE_HELP",
    "STAR_NAMES",
    "Hit",
    "analyze",
    "expand_codes",
    "walked",
]

RULES = {
    "MPC000": "the file does not parse (it could not be checked)",
    "MPC001": "multiprocessing.set_start_method() changes the whole application",
    "MPC002": "a process, pool, queue, lock or manager made from multiprocessing's global default",
    "MPC003": "ProcessPoolExecutor(...) without mp_context",
    "MPC004": "a hard-coded get_context('...') in a function that neither takes nor declares it",
    "MPC005": "get_context() or get_start_method() that fixes the global start method",
    "MPC006": "library code changing another process-wide multiprocessing setting",
}
"""Every code the linter reports, with what it means in one line."""

RULE_HELP = {
    "MPC000": "The file does not parse (or cannot be read), so it was not checked: a file "
    "named on the command line, or one found in a folder that imports a module the rules "
    "look at. Fix the syntax error; the other files are linted.",
    "MPC001": "multiprocessing.set_start_method() sets the start method of every process "
    "the application starts, not just the library's, and fails when the application has "
    "set it already. Let the caller choose: take `*, mp_context: ContextParam = None` "
    "decorated with @mpcontext.accepts_context and start processes from that context. An "
    "application's entry point may keep the call (`# noqa: MPC001`); code under "
    '`if __name__ == "__main__":` is not flagged.',
    "MPC002": "multiprocessing.Process(), Queue(), Lock(), Pool(), Manager() and the "
    "managers and shared objects made without a context use multiprocessing's global "
    "default context, not the one the caller chose: a lock made by a fork context cannot "
    "go to a spawn child. Use the mpcontext factory of the same name, which follows the "
    "context in force, or pass a context (`ctx=`, `context=`). `--fix` does either.",
    "MPC003": "concurrent.futures.ProcessPoolExecutor() without mp_context starts its "
    "workers with the global default context. Pass mp_context=, or use "
    "mpcontext.ProcessPoolExecutor(), which follows the context in force. `--fix` does it, "
    "passing the enclosing function's context parameter on.",
    "MPC004": "get_context('spawn') in a library function hard-codes a start method the "
    "caller cannot change or even learn. Take `*, mp_context: ContextParam = None`, or "
    "declare the requirement: @mpcontext.accepts_context(requires=['spawn'], reason=...). "
    "Module-level calls (capability probes) are not flagged.",
    "MPC005": "Argument-less multiprocessing.get_context() and get_start_method() fix the "
    "global start method of the whole application as a side effect. Use "
    "get_start_method(allow_none=True) or mpcontext.current_context(), which fix nothing.",
    "MPC006": "set_executable(), set_forkserver_preload(), and set_start_method() of "
    "torch.multiprocessing, multiprocess or billiard change process-wide settings of the "
    "whole application. Leave them to the application's entry point (`# noqa: MPC006`, or "
    'under `if __name__ == "__main__":`).',
}
"""Every code with a paragraph on what it finds and how to fix it (SARIF's help text)."""

FACTORIES = frozenset({*factories.__all__, "Pool", "Process"})
"""The multiprocessing callables that have an mpcontext factory (or class) of the same name."""

FIX_MARK = " (--fix)"
"""What ends the hint of a finding that ``lint --fix`` fixes."""

_MP = "multiprocessing"
_PPE_NAMES = frozenset(
    {
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.process.ProcessPoolExecutor",
    }
)
# Callables that take a context as an argument: qualified name ->
# (keyword, position or None when keyword-only, the mpcontext factory that replaces it).
_TAKES_CONTEXT: dict[str, tuple[str, int | None, str | None]] = {
    "multiprocessing.pool.Pool": ("context", 4, "Pool"),
    "multiprocessing.managers.BaseManager": ("ctx", 3, None),
    "multiprocessing.managers.SyncManager": ("ctx", 3, None),
    "multiprocessing.managers.SharedMemoryManager": ("ctx", 3, None),
    "multiprocessing.sharedctypes.Value": ("ctx", None, "Value"),
    "multiprocessing.sharedctypes.Array": ("ctx", None, "Array"),
    "multiprocessing.sharedctypes.synchronized": ("ctx", 2, None),
}
# Process-wide settings other than multiprocessing's start method (MPC006):
# qualified name -> what it changes.
_PROCESS_WIDE = {
    "multiprocessing.set_executable": "the Python executable of spawn and forkserver children",
    "multiprocessing.spawn.set_executable": "the Python executable of spawn and forkserver "
    "children",
    "multiprocessing.set_forkserver_preload": "the modules the fork server preloads",
    "multiprocessing.forkserver.set_forkserver_preload": "the modules the fork server preloads",
}
_FAMILIES = ("multiprocess", "billiard", "torch.multiprocessing")
for _family in _FAMILIES:
    _PROCESS_WIDE[f"{_family}.set_start_method"] = "the start method"
    _PROCESS_WIDE[f"{_family}.set_executable"] = "the Python executable of spawn children"
    _PROCESS_WIDE[f"{_family}.set_forkserver_preload"] = "the modules the fork server preloads"
_SETTERS = frozenset({"set_start_method", "set_executable", "set_forkserver_preload"})
# What ``from MODULE import *`` binds that the rules look at.
STAR_NAMES: dict[str, frozenset[str]] = {
    _MP: FACTORIES | {"RawArray", "RawValue", "get_context", "get_start_method"} | _SETTERS,
    "multiprocessing.managers": frozenset({"BaseManager", "SyncManager", "SharedMemoryManager"}),
    "concurrent.futures": frozenset({"ProcessPoolExecutor"}),
    "mpcontext": frozenset({"accepts_context"}),
    **{family: _SETTERS for family in _FAMILIES},
}
_ACCEPTS_CONTEXT = "mpcontext.accepts_context"
# Parameter names that count as taking a context for MPC004.
CONTEXT_PARAMS = frozenset({"mp_context", "context", "ctx", "mp_ctx"})


class Hit:
    """A rule's match on one call, with what ``--fix`` needs to fix it.

    Attributes
    ----------
    code, message, hint : str
        The rule and what the finding says.
    node : ast.Call
        The call.
    root : ast.Name
        The name the callee starts from (``mp`` in ``mp.Queue``).
    bindings : frozenset of Binding
        The imports that can reach `root`.
    factory : str or None
        The mpcontext factory (or class) that replaces the callee.
    keyword : str or None
        The context argument the fix passes (``mp_context``, ``ctx``, ``context``).
    param : str or None
        The enclosing function's context parameter, passed on.
    wrap : bool
        Whether `keyword` takes a context (``ctx=mpcontext.current_context()``)
        rather than what ``mp_context`` takes (``mp_context=param``).
    none_arg : ast.expr or None
        A literal ``None`` passed as the context, which the fix replaces.
    """

    __slots__ = (
        "bindings",
        "code",
        "factory",
        "hint",
        "keyword",
        "message",
        "node",
        "none_arg",
        "param",
        "root",
        "wrap",
    )

    def __init__(self, code: str, node: ast.Call, message: str, hint: str, root: ast.Name) -> None:
        self.code = code
        self.node = node
        self.message = message
        self.hint = hint
        self.root = root
        self.bindings: frozenset[Binding] = frozenset()
        self.factory: str | None = None
        self.keyword: str | None = None
        self.param: str | None = None
        self.wrap = False
        self.none_arg: ast.expr | None = None

    @property
    def fixable(self) -> bool:
        """Whether ``--fix`` has a safe fix for it."""
        if self.factory is not None:
            return True
        return self.keyword is not None and (self.wrap or self.param is not None)

    def drop_fix(self) -> None:
        """Forget the fix (the call's meaning is not certain enough to rewrite it)."""
        self.factory = self.keyword = self.param = None
        self.wrap = False


class _View:
    """What the rules need to know of an enclosing function."""

    __slots__ = ("context_param", "declared", "name", "takes_context")

    def __init__(self, function: Function, names: Names) -> None:
        param, declared = "mp_context", False
        for decorator in function.decorators:
            call = decorator if isinstance(decorator, ast.Call) else None
            if names.qualnames(call.func if call else decorator) == frozenset({_ACCEPTS_CONTEXT}):
                declared = True
                if call is not None:
                    param = _param_option(call, param)
        self.name = function.name
        self.declared = declared
        self.context_param = param if param in function.params else None
        self.takes_context = (
            declared or self.context_param is not None or bool(function.params & CONTEXT_PARAMS)
        )


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


class _Rules:
    """The rules, applied to the calls of one file."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self._views: dict[Function, _View] = {}

    def views(self, site: CallSite) -> list[_View]:
        found: list[_View] = []
        for function in site.functions:
            view = self._views.get(function)
            if view is None:
                view = self._views[function] = _View(function, self.names)
            found.append(view)
        return found

    def hit(self, site: CallSite) -> Hit | None:
        """Return the hit on the call of `site`, if every import that can reach it gives one."""
        if site.app:
            return None
        targets = self.names.qualnames(site.node.func)
        if not targets:
            return None
        hits = [self.check(site, target) for target in sorted(targets)]
        first = hits[0]
        if first is None or any(h is None or h.code != first.code for h in hits):
            return None
        if len(hits) > 1:
            first.drop_fix()
        first.bindings = self.names.bindings(site.root)
        return first

    def check(self, site: CallSite, name: str) -> Hit | None:
        if not name.startswith(("multiprocess", "concurrent", "billiard", "torch")):
            return None
        call, root = site.node, site.root
        shown = dotted(call.func)
        head, _, last = name.rpartition(".")
        if name in _PPE_NAMES:
            return self.executor(site, shown)
        if head == _MP and last in FACTORIES or name == "multiprocessing.context.Process":
            hit = _default_hit(call, shown, root, f"use mpcontext.{last}(...), which follows it")
            hit.factory = last
            self.pass_on(hit, site, "mp_context")
            return hit
        if head == _MP and last in ("RawValue", "RawArray"):
            return _default_hit(
                call, shown, root, f"make it from the caller's context: ctx.{last}(...)"
            )
        if name in _TAKES_CONTEXT:
            return self.takes_context(site, shown, name)
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
        if name in _PROCESS_WIDE:
            return _process_wide(call, shown, root, name)
        if name == "multiprocessing.get_context":
            return self.get_context(site, shown)
        if name == "multiprocessing.get_start_method":
            return _check_get_start_method(call, shown, root)
        return None

    def pass_on(self, hit: Hit, site: CallSite, keyword: str, *, wrap: bool = False) -> None:
        """Let the fix pass the innermost function's context parameter as `keyword`."""
        views = self.views(site)
        hit.keyword = keyword
        hit.wrap = wrap
        hit.param = views[-1].context_param if views else None

    def takes_context(self, site: CallSite, shown: str, name: str) -> Hit | None:
        keyword, position, factory = _TAKES_CONTEXT[name]
        call = site.node
        value = _argument(call, keyword, position)
        if _passes(value):
            return None
        hit = _default_hit(
            call,
            shown,
            site.root,
            f"pass a context: {keyword}=mpcontext.current_context() (the context in force) "
            "or the caller's",
        )
        hit.none_arg = value if isinstance(value, ast.expr) else None
        simple = not any(isinstance(arg, ast.Starred) for arg in call.args)
        fits = position is None or len(call.args) <= position
        if factory is not None and hit.none_arg is None and simple and fits:
            hit.factory = factory
            hit.hint = f"use mpcontext.{factory}(...), which follows it"
            self.pass_on(hit, site, "mp_context")
        else:
            self.pass_on(hit, site, keyword, wrap=True)
        return hit

    def executor(self, site: CallSite, shown: str) -> Hit | None:
        value = _argument(site.node, "mp_context", 1)
        if _passes(value):
            return None
        hit = Hit(
            "MPC003",
            site.node,
            f"{shown}() without mp_context uses the global default context, not the caller's",
            "pass mp_context=, or use mpcontext.ProcessPoolExecutor(...), which follows it",
            site.root,
        )
        hit.factory = "ProcessPoolExecutor"
        hit.none_arg = value if isinstance(value, ast.expr) else None
        self.pass_on(hit, site, "mp_context")
        return hit

    def get_context(self, site: CallSite, shown: str) -> Hit | None:
        call = site.node
        value = _argument(call, "method", 0)
        if value is None or (isinstance(value, ast.expr) and _is_none(value)):
            return Hit(
                "MPC005",
                call,
                f"{shown}() without a method fixes the global start method of the whole "
                "application",
                "use mpcontext.current_context(), which fixes nothing",
                site.root,
            )
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return None
        views = self.views(site)
        if not views or any(view.takes_context for view in views):
            return None
        method = value.value
        return Hit(
            "MPC004",
            call,
            f"{shown}({method!r}) hard-codes a start method in {views[-1].name}(), which "
            "neither takes a context nor declares a requirement",
            f"take `*, mp_context: ContextParam = None`, or declare "
            f"@mpcontext.accepts_context(requires=[{method!r}], reason=...)",
            site.root,
        )


def _default_hit(call: ast.Call, shown: str, root: ast.Name, hint: str) -> Hit:
    return Hit(
        "MPC002",
        call,
        f"{shown}() uses multiprocessing's global default context, not the caller's",
        hint,
        root,
    )


def _process_wide(call: ast.Call, shown: str, root: ast.Name, name: str) -> Hit:
    what = _PROCESS_WIDE[name]
    if name.endswith(".set_start_method"):
        shared = (
            " (torch.multiprocessing's is multiprocessing's own)"
            if name.startswith("torch.")
            else ""
        )
        hint = (
            "let the caller choose: take `*, mp_context: ContextParam = None` with "
            "@mpcontext.accepts_context and start processes from it"
        )
        return Hit(
            "MPC006",
            call,
            f"{shown}() changes {what} of the whole application{shared}, not just this library's",
            f"{hint} (an application's entry point may keep it: `# noqa: MPC006`)",
            root,
        )
    return Hit(
        "MPC006",
        call,
        f"{shown}() changes {what} for the whole application, not just this library's",
        "leave process-wide settings to the application (its entry point may keep it: "
        "`# noqa: MPC006`)",
        root,
    )


def _check_get_start_method(call: ast.Call, shown: str, root: ast.Name) -> Hit | None:
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


def analyze(names: Names) -> list[Hit]:
    """Return the rules' hits on the calls of `names`, noqa comments not applied yet."""
    rules = _Rules(names)
    return [hit for hit in map(rules.hit, names.calls) if hit is not None]


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


def walked(tree: ast.Module, text: str | None = None) -> Names | None:
    """Return the names of `tree` bound, ``None`` when no import reaches the modules linted.

    `text`, the source, lets binding skip the statements that mention no
    imported name.
    """
    return bind_names(tree, text, STAR_NAMES)
