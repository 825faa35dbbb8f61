"""The scope of a generator or coroutine call, pinned to each of its steps.

A decorated generator function (or coroutine, or async generator) returns
before its body runs: the body runs later, step by step, perhaps in another
thread or task. The scope chosen at the call is set around each step and
reset after it, so the body always sees its call's context and the caller
never sees it between steps::

    steps = f(mp_context=...)        pin(kwargs): the call's scope, kept
    next(steps), send(), await ...   SCOPE.set(scope), one step of the body,
                                     SCOPE.reset(): the caller's scope again
"""

from __future__ import annotations

import sys

from .._core.calls import STEP_CODES
from .._core.scope import SCOPE, Scope

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable, Generator
    from typing import Any, TypeVar

    from typing_extensions import TypeAlias

    from .._core.types import Requirement

    T = TypeVar("T")
    Pin: TypeAlias = "Callable[[dict[str, Any]], Scope]"

__all__ = [
    "async_generator_wrapper",
    "coroutine_wrapper",
    "generator_wrapper",
    "mark_coroutine_function",
]


def generator_wrapper(func: Any, pin: Pin, requirement: Requirement) -> Callable[..., Any]:
    """Wrap the generator function `func`: its generator runs each step with the call's scope.

    `pin` resolves the call's argument in its keyword arguments and returns
    the scope to pin; `requirement` is what `func` declares.
    """

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scope = pin(kwargs)
        return _named(_steps(func(*args, **kwargs), scope, requirement), func)

    return wrapper


def coroutine_wrapper(func: Any, pin: Pin, requirement: Requirement) -> Callable[..., Any]:
    """Wrap the coroutine function `func`: its coroutine runs each step with the call's scope."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scope = pin(kwargs)
        return _named(_run_coroutine(func, args, kwargs, scope, requirement), func)

    return wrapper


def async_generator_wrapper(func: Any, pin: Pin, requirement: Requirement) -> Callable[..., Any]:
    """Wrap the async generator function `func`: each step runs with the call's scope."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scope = pin(kwargs)
        return _named(_async_steps(func(*args, **kwargs), scope, requirement), func)

    return wrapper


def _named(steps: T, func: object) -> T:
    """Give the generator or coroutine `steps` the name of `func`, for its repr and warnings."""
    steps.__name__ = func.__name__  # type: ignore[attr-defined]
    steps.__qualname__ = func.__qualname__  # type: ignore[attr-defined]
    return steps


def _steps(
    inner: Generator[Any, Any, Any], scope: Scope, requirement: Requirement
) -> Generator[Any, Any, Any]:
    """Run the generator (or coroutine) `inner` step by step with `scope` in force.

    The scope is set and reset around each step, in whichever thread or
    context runs it, so it never shows between steps. What the body itself
    put in force (a ``using`` block open across a ``yield`` or ``await``)
    is kept for its next step. Its frame, under each step, holds
    `requirement` for ``calls.requirement_in_force``.
    """
    sent: Any = None
    error: BaseException | None = None
    while True:
        token = SCOPE.set(scope)
        try:
            item = inner.send(sent) if error is None else inner.throw(error)
        except StopIteration as stop:
            return stop.value
        finally:
            scope = SCOPE.get()
            SCOPE.reset(token)
            error = None
        try:
            sent = yield item
        except GeneratorExit:
            token = SCOPE.set(scope)
            try:
                inner.close()
            finally:
                SCOPE.reset(token)
            raise
        except BaseException as caught:  # thrown in by the caller: pass it on
            error, sent = caught, None


class _Awaitable:
    """Awaiting it runs a coroutine step by step with a scope in force."""

    __slots__ = ("_inner", "_requirement", "_scope")

    def __init__(self, inner: Any, scope: Scope, requirement: Requirement) -> None:
        self._inner = inner
        self._scope = scope
        self._requirement = requirement

    def __await__(self) -> Generator[Any, Any, Any]:
        return _steps(self._inner, self._scope, self._requirement)


async def _run_coroutine(
    func: Any, args: Any, kwargs: Any, scope: Scope, requirement: Requirement
) -> Any:
    # The inner coroutine is made here, when awaited: one never awaited then
    # gives a single "never awaited" warning, named after the function.
    return await _Awaitable(func(*args, **kwargs), scope, requirement)


async def _async_steps(
    inner: AsyncGenerator[Any, Any], scope: Scope, requirement: Requirement
) -> AsyncGenerator[Any, Any]:
    """Run the async generator `inner` step by step with `scope` in force (as ``_steps``)."""
    sent: Any = None
    error: BaseException | None = None
    while True:
        token = SCOPE.set(scope)
        try:
            item = await (inner.asend(sent) if error is None else inner.athrow(error))
        except StopAsyncIteration:
            return
        finally:
            scope = SCOPE.get()
            SCOPE.reset(token)
            error = None
        try:
            sent = yield item
        except GeneratorExit:
            token = SCOPE.set(scope)
            try:
                await inner.aclose()
            finally:
                SCOPE.reset(token)
            raise
        except BaseException as caught:  # thrown in by the caller: pass it on
            error, sent = caught, None


STEP_CODES.update((_steps.__code__, _async_steps.__code__))


def mark_coroutine_function(wrapper: Callable[..., Any]) -> None:
    """Make ``inspect``/``asyncio.iscoroutinefunction`` see `wrapper` as async.

    It is a plain function returning a coroutine (so that a bad argument
    fails at the call); frameworks that check before awaiting must still
    await it. Only async functions pay for importing what this needs.
    """
    if sys.version_info >= (3, 12):
        import inspect

        inspect.markcoroutinefunction(wrapper)
    else:
        from asyncio import coroutines

        setattr(wrapper, "_is_coroutine", getattr(coroutines, "_is_coroutine", None))  # noqa: B010
