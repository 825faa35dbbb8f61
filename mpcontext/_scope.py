"""The scope: what is in force here, held in one context variable.

One immutable ``Scope`` record holds the context, the executor and the
requirement in force. Every change (a ``using`` block, a decorated call, an
``executor()`` block) sets a new record and resets the variable on the way
out, so scopes nest, are restored on error, and follow ``contextvars``: each
thread and each asyncio task sees its own.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from multiprocessing.context import BaseContext

from ._methods import context_from_value, describe_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Executor
    from contextvars import Token
    from types import TracebackType
    from typing import Final, TypeVar

    from typing_extensions import ParamSpec, TypeAlias

    from ._types import ContextParam, Requirement

    P = ParamSpec("P")
    R = TypeVar("R")

    ExecutorChoice: TypeAlias = "Executor | Callable[[int | None], Executor]"

__all__ = ["SCOPE", "Scope", "carry", "using"]


class _Unset:
    """The type of ``UNSET``: an argument that was left out."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


class Scope:
    """What is in force: a context, an executor, a requirement.

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
    requirement : Requirement or None
        The requirement of the innermost decorated call that has one.
    """

    __slots__ = ("context", "explicit", "origin", "executor", "context_inner", "requirement")

    def __init__(
        self,
        context: BaseContext | None = None,
        explicit: bool = False,
        origin: str = "",
        executor: ExecutorChoice | None = None,
        context_inner: bool = False,
        requirement: Requirement | None = None,
    ) -> None:
        self.context = context
        self.explicit = explicit
        self.origin = origin
        self.executor = executor
        self.context_inner = context_inner
        self.requirement = requirement

    def with_context(self, context: BaseContext | None, explicit: bool, origin: str) -> Scope:
        """Return a copy in which `context` is chosen."""
        return Scope(
            context,
            explicit,
            origin,
            self.executor,
            explicit and self.executor is not None,
            self.requirement,
        )

    def with_executor(self, executor: ExecutorChoice | None) -> Scope:
        """Return a copy in which `executor` is injected."""
        return Scope(self.context, self.explicit, self.origin, executor, False, self.requirement)

    def __repr__(self) -> str:
        return (
            f"Scope(context={self.context!r}, explicit={self.explicit!r}, "
            f"origin={self.origin!r}, executor={self.executor!r}, "
            f"context_inner={self.context_inner!r}, requirement={self.requirement!r})"
        )


EMPTY: Final = Scope()

SCOPE: ContextVar[Scope] = ContextVar("mpcontext.scope", default=EMPTY)
"""The scope in force. Read with ``SCOPE.get()``; never mutate a ``Scope``."""


class using:  # noqa: N801 - a context manager, named like one (contextlib.suppress)
    """Choose the context (and the executor) for mpcontext-aware code in a block.

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

    Raises
    ------
    InvalidContextError
        `context` is not ``None``, a start method available here, or a
        ``BaseContext``. Raised at once, before the block is entered.
    TypeError
        `executor` is neither ``None``, an ``Executor`` nor a callable.

    Notes
    -----
    The choice follows ``contextvars``: it is seen by the thread (or asyncio
    task) that entered the block and by tasks created inside it, not by
    other threads; use ``carry`` to hand it to a worker thread. Blocks nest,
    and the previous choice is restored on exit, also on error. One
    ``using`` object may be entered again once it has been exited.

    Examples
    --------
    >>> import mpcontext
    >>> with mpcontext.using("spawn"):
    ...     mpcontext.current_context().get_start_method()
    'spawn'
    """

    __slots__ = ("_context", "_executor", "_origin", "_tokens")

    _context: BaseContext | None | _Unset
    _executor: ExecutorChoice | None | _Unset

    def __init__(
        self,
        context: ContextParam | _Unset = UNSET,
        *,
        executor: ExecutorChoice | None | _Unset = UNSET,
    ) -> None:
        if context is None or isinstance(context, _Unset):
            self._context = context
        else:
            self._context = context_from_value(context, "using()")
        self._executor = _check_executor(executor)
        self._origin = f"chosen by using({context!r})"
        self._tokens: list[Token[Scope]] = []

    def __enter__(self) -> None:
        scope = SCOPE.get()
        if not isinstance(self._context, _Unset):
            chosen = self._context is not None
            scope = scope.with_context(self._context, chosen, self._origin if chosen else "")
        # After the context: an executor injected in the same block is not
        # overridden by the context chosen beside it.
        if not isinstance(self._executor, _Unset):
            scope = scope.with_executor(self._executor)
        self._tokens.append(SCOPE.set(scope))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        SCOPE.reset(self._tokens.pop())

    def __repr__(self) -> str:
        parts: list[str] = []
        if not isinstance(self._context, _Unset):
            parts.append(repr(self._context))
        if not isinstance(self._executor, _Unset):
            parts.append(f"executor={self._executor!r}")
        return f"using({', '.join(parts)})"


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


def carry(fn: Callable[P, R]) -> Callable[P, R]:
    """Return a callable that runs `fn` in the caller's scope.

    The context, executor and requirement in force where ``carry`` is
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

    @functools.wraps(fn)
    def carried(*args: P.args, **kwargs: P.kwargs) -> R:
        token = SCOPE.set(scope)
        try:
            return fn(*args, **kwargs)
        finally:
            SCOPE.reset(token)

    return carried
