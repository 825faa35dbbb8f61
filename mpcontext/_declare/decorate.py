"""``accepts_context``: a library function takes its caller's context in one line.

The decorator validates the declaration once, at decoration, from the code
object (``inspect`` is not imported), and generates the function's wrapper
(``generated``). Each call resolves the context argument and hands the body
the resolved ``BaseContext`` in its place, in force for the call.

The common call, with the argument left out (or handing on the context in
force) and a requirement that takes that context, changes nothing in force:
the wrapper only fills the argument in. A call that chooses a context (its
argument, or a requirement's fallback) makes it the context in force for the
call, as a new ``Scope`` in ``SCOPE``. What a call that sets no scope would
have carried, its requirement and the fact that it runs, is read off the
stack when needed (``calls``). Generators, coroutines and async generators
get the scope of their call pinned around each of their steps, so that it
holds across ``yield`` and ``await`` without leaking to the caller in
between.
"""

from __future__ import annotations

import functools
from multiprocessing.context import BaseContext

from .._core.env import ENV
from .._core.messages import MAX_REPR, describe_value, short_repr
from .._core.resolve import context_in_force, passed_on
from .._core.scope import EMPTY, SCOPE, Scope
from .._core.start_methods import context_from_value
from .._core.types import Requirement
from .generated import generate_wrapper
from .notes import add_note, function_note
from .registry import MARK, registry
from .requirements import Rules, check_note, check_options
from .signatures import signature_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import CodeType
    from typing import Any, Protocol, TypeVar, overload

    from typing_extensions import ParamSpec

    from .._core.types import StartMethod

    P = ParamSpec("P")
    R = TypeVar("R")
    T = TypeVar("T")

    class _Decorator(Protocol):
        """What ``accepts_context(...)`` with options returns."""

        @overload
        def __call__(self, func: classmethod[T, P, R], /) -> classmethod[T, P, R]: ...

        @overload
        def __call__(self, func: staticmethod[P, R], /) -> staticmethod[P, R]: ...

        @overload
        def __call__(self, func: Callable[P, R], /) -> Callable[P, R]: ...


__all__ = ["accepts_context"]

# Code flags, as in ``inspect`` (not imported: it is heavy).
_CO_GENERATOR = 0x20
_CO_COROUTINE = 0x80
_CO_ASYNC_GENERATOR = 0x200


class _Options:
    """The options of one ``accepts_context(...)``, validated."""

    __slots__ = ("methods", "note", "param", "reason")

    def __init__(self, param: object, requires: object, reason: object, note: object) -> None:
        self.param, self.methods, self.reason = check_options(
            param, requires, reason, "accepts_context()"
        )
        self.note = check_note(note, "accepts_context()")


_DEFAULTS = _Options("mp_context", None, None, True)


class Plan:
    """What one decorated function does at each call, computed at decoration."""

    __slots__ = (
        "_top",
        "allowed",
        "chosen",
        "origin",
        "param",
        "requirement",
        "rules",
        "source",
    )

    def __init__(self, param: str, name: str, rules: Rules | None, requirement: Requirement) -> None:
        self.param = param
        self.rules = rules
        self.requirement = requirement
        # The contexts the requirement takes as they are: the wrapper's check.
        self.allowed = None if rules is None else frozenset(rules.contexts())
        self.origin = f"chosen by the {param} argument of {name}()"
        self.source = f"the {param} argument of {name}()"
        self._top: dict[tuple[BaseContext, bool, str], Scope] = {}
        # The scopes of arguments given from outside any scope, by argument,
        # which the wrapper sets again without asking (bounded, as _top).
        self.chosen: dict[object, Scope] = {}

    def enter(self, value: object) -> tuple[BaseContext, Scope | None]:
        """Resolve the argument `value`; return the context and the scope of the call.

        The scope is ``None`` when the call changes nothing in force: the
        argument was left out, or hands on the context in force, and the
        requirement takes it.

        Raises
        ------
        InvalidContextError
            The argument is not a context or a start method available here.
        StartMethodError
            The requirement refuses the context chosen, or none of its
            methods is available here.
        """
        scope = SCOPE.get()
        rules = self.rules
        # The context in force handed on (the body's own, or current_context())
        # is no new choice: the call inherits the choice as it was.
        if (
            value is not None
            and value is not scope.context
            and (scope.context is not None or not passed_on(value, self.requirement))
        ):
            context = context_from_value(value, self.source)
            if rules is not None:
                rules.check_given(context, self.origin)
            made = self._scope(scope, context, True, self.origin, True)
            if scope is EMPTY and ENV.start_method is None and len(self.chosen) < 16:
                try:
                    self.chosen[value] = made
                except TypeError:  # a context that cannot be hashed is not kept
                    pass
            return context, made
        if scope.context is not None:
            context, explicit, origin = scope.context, scope.explicit, scope.origin
        else:
            context, explicit, origin = context_in_force()
        if rules is not None:
            replacement = rules.replacement(context, explicit, origin)
            if replacement is not None:
                context, origin = replacement
                return context, self._scope(scope, context, explicit, origin, False)
        return context, None

    def pin(self, kwargs: dict[str, Any]) -> Scope:
        """Resolve the argument in `kwargs` in place; return the scope to pin to the steps."""
        context, scope = self.enter(kwargs.get(self.param))
        kwargs[self.param] = context
        return SCOPE.get() if scope is None else scope

    def _scope(
        self, scope: Scope, context: BaseContext, explicit: bool, origin: str, inner: bool
    ) -> Scope:
        """Return the scope of a call from `scope` with `context` in force.

        `inner`: the call's own choice, which wins over an executor or pool
        injected around it. Scopes are immutable: those made from the empty
        scope (a call from outside any ``using`` block or decorated call)
        are made once.
        """
        if scope is not EMPTY:
            return scope.choosing(context, explicit, origin, inner)
        key = (context, explicit, origin)
        made = self._top.get(key)
        if made is None:
            made = Scope(context, explicit, origin)
            if len(self._top) < 16:  # bounded: contexts made afresh for each call
                self._top[key] = made
        return made


if TYPE_CHECKING:

    @overload
    def accepts_context(func: classmethod[T, P, R], /) -> classmethod[T, P, R]: ...

    @overload
    def accepts_context(func: staticmethod[P, R], /) -> staticmethod[P, R]: ...

    @overload
    def accepts_context(func: Callable[P, R], /) -> Callable[P, R]: ...

    @overload
    def accepts_context(
        *,
        param: str = "mp_context",
        requires: Iterable[StartMethod] | None = None,
        reason: str | None = None,
        note: bool = True,
    ) -> _Decorator: ...


def accepts_context(
    func: object = None,
    /,
    *,
    param: str = "mp_context",
    requires: Iterable[StartMethod] | None = None,
    reason: str | None = None,
    note: bool = True,
) -> Any:
    """Let a library function take its caller's multiprocessing context.

    The function declares the parameter itself, keyword-only with the
    default ``None``: ``*, mp_context: ContextParam = None``. At each call the
    decorator resolves the argument (a start method name, a context, or
    ``None`` for the context in force), passes the resolved ``BaseContext``
    to the body in its place, and makes it the context in force for the
    duration of the call: mpcontext's factories, ``current_context()`` and
    other decorated functions called inside use it.

    Usable bare, ``@accepts_context``, or with options,
    ``@accepts_context(requires=("spawn", "forkserver"), reason="...")``.

    Parameters
    ----------
    func : callable
        The function, method, ``classmethod``, ``staticmethod``, generator,
        coroutine or async generator function (bare form).
    param : str
        The name of the parameter that takes the context.
    requires : iterable of str, optional
        The start methods the function supports, in order of preference;
        ``None`` (the default) for any. An explicit choice of another (the
        argument, ``using``, or ``MPCONTEXT_START_METHOD``) raises
        ``StartMethodError``; when nothing was chosen and multiprocessing's
        default is another, the first of these available here is used.
    reason : str, optional
        Why, as shown to users in the docstring note and in errors.
    note : bool
        Append a note saying all this to the docstring, in its own style.

    Returns
    -------
    callable
        The decorated function, with the signature of `func` for type
        checkers, ``inspect.signature`` and ``help()``; or, with options and
        no `func`, the decorator.

    Raises
    ------
    TypeError
        At decoration: `func` has no such parameter, the parameter is not
        keyword-only or its default is not ``None``, `requires` is empty or
        names an unknown start method, or an option has the wrong type.

    Notes
    -----
    The body receives the resolved context, although the parameter is
    annotated ``ContextParam``: ``resolve_context(mp_context)`` returns it
    unchanged, typed as a ``BaseContext``. Errors in the argument are raised
    at the call, also for generators and coroutines. Calls made inside the
    body inherit the context, and whether it was an explicit choice, unless
    given one: leave the argument out to pass the choice on.

    Examples
    --------
    >>> import mpcontext
    >>> @mpcontext.accepts_context
    ... def start_method(*, mp_context: mpcontext.ContextParam = None) -> str:
    ...     return mpcontext.resolve_context(mp_context).get_start_method()
    >>> start_method(mp_context="spawn")
    'spawn'
    >>> with mpcontext.using("spawn"):
    ...     start_method()
    'spawn'
    """
    if param == "mp_context" and requires is None and reason is None and note is True:
        options = _DEFAULTS
    else:
        options = _Options(param, requires, reason, note)
    if func is None:

        def decorate(func: Any) -> Any:
            return _decorate(func, options)

        return decorate
    return _decorate(func, options)


def _decorate(func: object, options: _Options) -> Any:
    inner: Any = getattr(func, "__func__", None)
    if isinstance(func, classmethod):
        return classmethod(_decorate(inner, options))
    if isinstance(func, staticmethod):
        return staticmethod(_decorate(inner, options))
    target = signature_of(func)
    code: CodeType | None = getattr(target, "__code__", None)
    if code is None or not callable(func):
        raise _not_a_function(func)
    module = getattr(func, "__module__", None) or "__main__"
    qualname = str(getattr(func, "__qualname__", None) or getattr(func, "__name__", "?"))
    name = f"{module}.{qualname}"
    if isinstance(getattr(func, MARK, None), Requirement):
        raise TypeError(f"{name}() is already decorated with accepts_context")
    _check_parameter(target, code, options.param, name)
    # What calling `func` returns (a coroutine...) is told by its own code; a
    # callable object wrapping a function (functools.cache) returns what it does.
    flags = getattr(getattr(func, "__code__", None), "co_flags", code.co_flags)
    param, methods = options.param, options.methods
    requirement = Requirement(module, qualname, param, methods, options.reason, "function")
    rules = None
    if methods is not None:
        rules = Rules(f"{name}()", methods, options.reason, f"pass {param}={{method!r}} to it")
    plan = Plan(param, name, rules, requirement)
    wrapper = _wrapper(func, flags, plan, name)
    functools.update_wrapper(wrapper, func)
    setattr(wrapper, MARK, requirement)
    if options.note:
        wrapper.__doc__ = add_note(wrapper.__doc__, function_note(param, methods, options.reason))
    registry.add(requirement)
    return wrapper


def _not_a_function(func: object) -> TypeError:
    hint = ""
    if isinstance(func, str):
        hint = "; to give options, name them: @accepts_context(requires=(...))"
    return TypeError(
        f"accepts_context decorates functions (def or async def), methods, classmethods "
        f"and staticmethods, got {describe_value(func)}{hint}"
    )


def _check_parameter(target: object, code: CodeType, param: str, name: str) -> None:
    """Check how `target`, the function with `code`, declares `param`."""
    positional = code.co_varnames[: code.co_argcount]
    keyword_only = code.co_varnames[code.co_argcount : code.co_argcount + code.co_kwonlyargcount]
    shown = param if len(param) <= MAX_REPR else f"{param[: MAX_REPR - 3]}..."
    declare = f"declare it keyword-only with the default None: `*, {shown}: ContextParam = None`"
    if param not in keyword_only:
        if param in positional:
            raise TypeError(
                f"{name}(): the parameter {short_repr(param)} must be keyword-only, so that callers "
                f"name it and it can be added to any signature; {declare}"
            )
        other = (
            "" if param != "mp_context" else " (or name yours with accepts_context(param=...))"
        )
        raise TypeError(f"{name}() has no parameter {short_repr(param)}; {declare}{other}")
    defaults: dict[str, object] = getattr(target, "__kwdefaults__", None) or {}
    if param not in defaults:
        raise TypeError(f"{name}(): the parameter {short_repr(param)} has no default; {declare}")
    default = defaults[param]
    if default is not None:
        raise TypeError(
            f"{name}(): the parameter {short_repr(param)} defaults to {describe_value(default)}; it must "
            f"default to None, which stands for the context in force (choose a start "
            f"method with requires=(...) instead); {declare}"
        )


def _wrapper(func: Any, flags: int, plan: Plan, name: str) -> Callable[..., Any]:
    if flags & (_CO_COROUTINE | _CO_ASYNC_GENERATOR | _CO_GENERATOR):
        from . import pinning  # only libraries with generators or coroutines pay for it

        if flags & _CO_COROUTINE:
            wrapper = pinning.coroutine_wrapper(func, plan.pin, plan.requirement)
            pinning.mark_coroutine_function(wrapper)
            return wrapper
        if flags & _CO_ASYNC_GENERATOR:
            return pinning.async_generator_wrapper(func, plan.pin, plan.requirement)
        return pinning.generator_wrapper(func, plan.pin, plan.requirement)
    return generate_wrapper(
        func, name, plan.param, plan.requirement, plan.enter, plan.allowed, plan.chosen
    )
