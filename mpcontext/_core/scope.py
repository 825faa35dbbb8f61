"""The scope: what is in force here, held in one context variable.

One immutable ``Scope`` record holds the context, the executor and the pool
factory in force. Every change (a ``using`` block, a decorated call that
chooses a context, an ``executor()`` block) sets a new record and resets the
variable on the way out, so scopes nest, are restored on error, and follow
``contextvars``: each thread and each asyncio task sees its own.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar, Token
from multiprocessing.context import BaseContext

from .calls import STEP_CODES, requirement_in_force
from .messages import describe_value
from .start_methods import context_from_value, context_label, family_of_context

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Executor
    from types import TracebackType
    from typing import Any, Final, TypeVar

    from typing_extensions import ParamSpec, TypeAlias

    from .types import ContextParam, Requirement

    P = ParamSpec("P")
    R = TypeVar("R")

    ExecutorChoice: TypeAlias = "Executor | Callable[[int | None], Executor]"
    PoolFactory: TypeAlias = (
        "Callable[[int | None, Callable[..., object] | None, tuple[Any, ...], int | None], object]"
    )

__all__ = ["SCOPE", "Scope", "carry", "enter_block", "leave_block", "using"]


class _Unset:
    """The type of ``UNSET``: an argument that was left out."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


class Scope:
    """What is in force: a context, an executor and a pool factory.

    Attributes
    ----------
    context : BaseContext or None
        The context chosen by the innermost scope, ``None`` when none chose
        one (then the environment variable or multiprocessing's default
        applies).
    explicit : bool
        Whether `context` was chosen by someone (an argument or ``using``)
        rather than by a requirement's fallback.
    origin : str
        Where `context` came from, for ``explain_context``.
    executor : Executor, callable or None
        The executor the application injected, ``None`` for local pools.
    context_inner : bool
        Whether `context` was chosen explicitly *inside* the scope that
        injected `executor`: then that choice wins over the executor.
    pool : callable or None
        The pool factory the application injected, ``None`` for local pools.
    pool_inner : bool
        Whether `context` was chosen explicitly inside the scope that
        injected `pool`: then that choice wins over the pool.

    The requirement in force is not held here: it is read off the decorated
    calls running (``calls.requirement_in_force``).
    """

    __slots__ = ("context", "context_inner", "executor", "explicit", "origin", "pool", "pool_inner")

    def __init__(
        self,
        context: BaseContext | None = None,
        explicit: bool = False,
        origin: str = "",
        executor: ExecutorChoice | None = None,
        context_inner: bool = False,
        pool: PoolFactory | None = None,
        pool_inner: bool = False,
    ) -> None:
        self.context = context
        self.explicit = explicit
        self.origin = origin
        self.executor = executor
        self.context_inner = context_inner
        self.pool = pool
        self.pool_inner = pool_inner

    def with_context(self, context: BaseContext | None, explicit: bool, origin: str) -> Scope:
        """Return a copy in which `context` is chosen, explicitly or not.

        An explicit choice made inside an injection wins over it.
        """
        return self.choosing(context, explicit, origin, explicit)

    def choosing(
        self, context: BaseContext | None, explicit: bool, origin: str, inner: bool
    ) -> Scope:
        """Return a copy in which `context` is in force; `inner`: it wins over the injections."""
        return Scope(
            context,
            explicit,
            origin,
            self.executor,
            inner and self.executor is not None,
            self.pool,
            inner and self.pool is not None,
        )

    def keeping_choice(self, context: BaseContext, origin: str) -> Scope:
        """Return a copy in which `context` is in force, with whatever wins as it was."""
        return Scope(
            context, True, origin, self.executor, self.context_inner, self.pool, self.pool_inner
        )

    def with_executor(self, executor: ExecutorChoice | None) -> Scope:
        """Return a copy in which `executor` is injected."""
        return Scope(
            self.context, self.explicit, self.origin, executor, False, self.pool, self.pool_inner
        )

    def with_pool(self, pool: PoolFactory | None) -> Scope:
        """Return a copy in which the pool factory `pool` is injected."""
        return Scope(
            self.context,
            self.explicit,
            self.origin,
            self.executor,
            self.context_inner,
            pool,
            False,
        )

    def __repr__(self) -> str:
        return (
            f"Scope(context={self.context!r}, explicit={self.explicit!r}, "
            f"origin={self.origin!r}, executor={self.executor!r}, "
            f"context_inner={self.context_inner!r}, pool={self.pool!r}, "
            f"pool_inner={self.pool_inner!r})"
        )


EMPTY: Final = Scope()

SCOPE: ContextVar[Scope] = ContextVar("mpcontext.scope", default=EMPTY)
"""The scope in force. Read with ``SCOPE.get()``; never mutate a ``Scope``."""

_ENTRIES: ContextVar[tuple[tuple[object, Token[Scope] | None, object], ...]] = ContextVar(
    "mpcontext.entries", default=()
)
"""The blocks entered and not yet left here, innermost last: owner, token, what it holds.

Kept per thread and asyncio task (a context variable) rather than on the
``using`` or ``executor`` object, so that one object may be entered by
several threads or tasks at once, each leaving its own block.
"""


def enter_block(owner: object, scope: Scope | None, held: object = None) -> None:
    """Enter a block of `owner` (``using``, ``executor``) here, with `scope` in force.

    `scope` ``None`` leaves the scope as it is; `held` is what
    ``leave_block`` returns for this block.
    """
    token = None if scope is None else SCOPE.set(scope)
    _ENTRIES.set((*_ENTRIES.get(), (owner, token, held)))


def leave_block(owner: object) -> object:
    """Leave the innermost block of `owner` entered here; return what it held.

    The scope in force before it was entered is in force again.

    Raises
    ------
    RuntimeError
        No block of `owner` was entered in this thread or asyncio task (it
        is left in another one than it was entered in).
    """
    entries = _ENTRIES.get()
    for index in range(len(entries) - 1, -1, -1):
        found, token, held = entries[index]
        if found is owner:
            _ENTRIES.set(entries[:index] + entries[index + 1 :])
            if token is not None:
                SCOPE.reset(token)
            return held
    raise RuntimeError(
        f"{owner!r} is left in a thread or asyncio task that did not enter it: enter "
        f"and leave each block in the same thread or task (several may use one object)"
    )


class using:  # noqa: N801 - a context manager, named like one (contextlib.suppress)
    """Choose the context (and the executor, the pool) for mpcontext-aware code in a block.

    For applications: every library function decorated with
    ``accepts_context``, every ``ContextField`` holding ``None`` and every
    mpcontext factory called inside the block uses `context`, unless it is
    given one explicitly.

    Parameters
    ----------
    context : None, str or BaseContext, optional
        A start method name or a multiprocessing context to put in force.
        ``None`` steps back to the default (the environment variable
        ``MPCONTEXT_START_METHOD``, else multiprocessing's default). Left
        out, the context in force stays as it is.
    executor : Executor, callable or None, keyword-only, optional
        Where ``mpcontext.executor()`` sends library code's work: an
        ``concurrent.futures.Executor`` instance (shared, never shut down by
        library code) or a callable ``factory(max_workers)`` returning one
        (made and shut down for each ``executor()`` block). ``None`` steps
        back to local process pools. Left out, it stays as it is.
    pool : callable or None, keyword-only, optional
        Where ``mpcontext.Pool()`` sends library code's work: a callable
        ``factory(processes, initializer, initargs, maxtasksperchild)``
        returning an object with ``multiprocessing.pool.Pool``'s methods
        (such as Ray's ``ray.util.multiprocessing.Pool``, or
        ``functools.partial(mpcontext.Pool, mp_context="spawn")``), called
        for each ``mpcontext.Pool()`` call; library code ends the pool as it
        would a local one. ``None`` steps back to local pools. Left out, it
        stays as it is.

    Raises
    ------
    InvalidContextError
        `context` is not ``None``, a start method available here, or a
        ``BaseContext``. Raised at once, before the block is entered.
    TypeError
        `executor` is neither ``None``, an ``Executor`` nor a callable;
        `pool` is neither ``None`` nor a callable.

    Notes
    -----
    The choice follows ``contextvars``: it is seen by the thread (or asyncio
    task) that entered the block and by tasks created inside it, not by
    other threads; use ``carry`` to hand it to a worker thread. Blocks nest,
    and the previous choice is restored on exit, also on error. One
    ``using`` object may be entered again, nested, and by several threads or
    asyncio tasks at once: each leaves its own block.

    Examples
    --------
    >>> import mpcontext
    >>> with mpcontext.using("spawn"):
    ...     mpcontext.current_context().get_start_method()
    'spawn'
    """

    __slots__ = ("_context", "_executor", "_origin", "_pool")

    _context: BaseContext | None | _Unset
    _executor: ExecutorChoice | None | _Unset
    _pool: PoolFactory | None | _Unset

    def __init__(
        self,
        context: ContextParam | _Unset = UNSET,
        *,
        executor: ExecutorChoice | None | _Unset = UNSET,
        pool: PoolFactory | None | _Unset = UNSET,
    ) -> None:
        if context is None or isinstance(context, _Unset):
            self._context = context
            shown = repr(context)
        else:
            self._context = context_from_value(context, "using()")
            shown = _shown(context, self._context)
        self._executor = _check_executor(executor)
        self._pool = _check_pool(pool)
        self._origin = f"chosen by using({shown})"

    def __enter__(self) -> None:
        scope = SCOPE.get()
        if not isinstance(self._context, _Unset):
            chosen = self._context is not None
            scope = scope.with_context(self._context, chosen, self._origin if chosen else "")
        # After the context: an executor or pool injected in the same block is
        # not overridden by the context chosen beside it.
        if not isinstance(self._executor, _Unset):
            scope = scope.with_executor(self._executor)
        if not isinstance(self._pool, _Unset):
            scope = scope.with_pool(self._pool)
        enter_block(self, scope)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        leave_block(self)

    def __repr__(self) -> str:
        parts: list[str] = []
        if not isinstance(self._context, _Unset):
            parts.append(repr(self._context))
        if not isinstance(self._executor, _Unset):
            parts.append(f"executor={self._executor!r}")
        if not isinstance(self._pool, _Unset):
            parts.append(f"pool={self._pool!r}")
        return f"using({', '.join(parts)})"


def _shown(value: object, context: BaseContext) -> str:
    """Return `value`, resolved to `context`, as ``using(...)``'s origin shows it.

    The repr of another family's context object names its class, not the
    context: ``<multiprocess:spawn context>`` says which one was chosen.
    """
    if value is context and not family_of_context(context).is_stdlib:
        return f"<{context_label(context)} context>"
    return repr(value)


def _check_executor(
    executor: ExecutorChoice | None | _Unset,
) -> ExecutorChoice | None | _Unset:
    if executor is None or isinstance(executor, _Unset) or callable(executor):
        return executor
    from concurrent.futures import Executor

    if isinstance(executor, Executor):
        return executor
    raise TypeError(
        f"using(executor=...) expects a concurrent.futures.Executor, a callable "
        f"factory(max_workers) returning one, or None, got {describe_value(executor)}"
    )


def _check_pool(pool: PoolFactory | None | _Unset) -> PoolFactory | None | _Unset:
    if pool is None or isinstance(pool, _Unset) or callable(pool):
        return pool
    hint = ""
    if hasattr(pool, "imap_unordered") and hasattr(pool, "terminate"):
        hint = (
            "; a pool is not accepted: library code ends the pool it gets, so each "
            "mpcontext.Pool() call needs one of its own, made by the factory"
        )
    raise TypeError(
        f"using(pool=...) expects a callable factory(processes, initializer, initargs, "
        f"maxtasksperchild) returning a pool, such as ray.util.multiprocessing.Pool or "
        f"functools.partial(mpcontext.Pool, mp_context='spawn'), or None, got "
        f"{describe_value(pool)}{hint}"
    )


def carry(fn: Callable[P, R]) -> Callable[P, R]:
    """Return a callable that runs `fn` in the caller's scope.

    The context, executor, pool and requirement in force where ``carry`` is
    called are in force while the returned callable runs, in whichever
    thread runs it. On Python 3.10-3.13 a new thread, or a
    ``ThreadPoolExecutor`` worker, starts with no scope at all.

    Parameters
    ----------
    fn : callable
        What to run.

    Returns
    -------
    callable
        A callable with the signature of `fn`. It may run in several threads
        at once.

    Examples
    --------
    >>> import threading, mpcontext
    >>> seen = []
    >>> with mpcontext.using("spawn"):
    ...     t = threading.Thread(target=mpcontext.carry(
    ...         lambda: seen.append(mpcontext.current_context().get_start_method())))
    ...     t.start()
    >>> t.join(); seen
    ['spawn']
    """
    scope = SCOPE.get()
    requirement = requirement_in_force()

    @functools.wraps(fn)
    def carried(*args: P.args, **kwargs: P.kwargs) -> R:
        return _run_carried(fn, args, kwargs, scope, requirement)

    return carried


def _run_carried(
    fn: Callable[..., R],
    args: tuple[object, ...],
    kwargs: dict[str, object],
    scope: Scope,
    requirement: Requirement | None,  # read off this frame by requirement_in_force()
) -> R:
    token = SCOPE.set(scope)
    try:
        return fn(*args, **kwargs)
    finally:
        SCOPE.reset(token)


STEP_CODES.add(_run_carried.__code__)
