"""Resolution: which context a value stands for, and which one is in force.

Precedence, innermost first: the scope (a decorated call's argument or a
``using`` block, whichever was entered last), the environment variable
``MPCONTEXT_START_METHOD``, multiprocessing's default context.
"""

from __future__ import annotations

import multiprocessing.context
import sys
from multiprocessing.context import BaseContext

from .calls import decorated_call_running
from .env import ENV, START_METHOD_VAR
from .errors import InvalidContextError
from .messages import describe_value
from .mp_default import actual_context, default_context, platform_default
from .scope import SCOPE
from .start_methods import context_for_name, context_from_value, context_label
from .types import Choice

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, TypeVar, overload

    from .context_like import ContextLike
    from .types import ContextParam, Requirement

    _C = TypeVar("_C", bound=BaseContext)
    _L = TypeVar("_L", bound=ContextLike)


__all__ = [
    "PLATFORM_DEFAULT_ORIGIN",
    "SET_DEFAULT_ORIGIN",
    "context_in_force",
    "current_choice",
    "current_context",
    "default_context",
    "explain_context",
    "multiprocessing_default",
    "passed_on",
    "resolve_context",
]

# The variable's value, its context, and the origin explain_context() shows.
_env_cache: tuple[str, BaseContext, str] | None = None

# Made once: context_in_force() runs at each call of a function with a requirement.
SET_DEFAULT_ORIGIN = "multiprocessing's default, set with multiprocessing's set_start_method()"
PLATFORM_DEFAULT_ORIGIN = f"multiprocessing's default, the platform default here ({sys.platform})"


def _environment_context(name: str) -> tuple[str, BaseContext, str]:
    global _env_cache
    if _env_cache is not None and _env_cache[0] == name:
        return _env_cache
    try:
        context = context_for_name(name, f"the environment variable {START_METHOD_VAR}")
    except InvalidContextError as error:
        raise InvalidContextError(
            f"{error} Set {START_METHOD_VAR} to one of those, or unset it."
        ) from None
    origin = f"chosen by the environment variable {START_METHOD_VAR}={name!r}"
    _env_cache = (name, context, origin)
    return _env_cache


def current_context() -> BaseContext:
    """Return the context in force here.

    By precedence: the innermost scope (a call of a function decorated with
    ``accepts_context``, or a ``using`` block); else the environment
    variable ``MPCONTEXT_START_METHOD``; else multiprocessing's default
    context, read without fixing it.

    Raises
    ------
    InvalidContextError
        ``MPCONTEXT_START_METHOD`` is used and does not name a start method
        available here.
    """
    context = SCOPE.get().context
    if context is not None:
        return context
    name = ENV.start_method
    if name is not None:
        return _environment_context(name)[1]
    return default_context()


def context_in_force() -> tuple[BaseContext, bool, str]:
    """Return the context in force, whether it was an explicit choice, and why.

    An explicit choice is an argument, a ``using`` block or the environment
    variable; multiprocessing's default (even one set by the application
    with ``set_start_method``) is not.
    """
    scope = SCOPE.get()
    if scope.context is not None:
        return scope.context, scope.explicit, scope.origin
    name = ENV.start_method
    if name is not None:
        _, context, origin = _environment_context(name)
        return context, True, origin
    context, _, origin = multiprocessing_default()
    return context, False, origin


def multiprocessing_default() -> tuple[BaseContext, bool, str]:
    """Return multiprocessing's default context, whether it was set, and where it is from.

    The context ``multiprocessing.get_context()`` would give, without fixing
    it: the one ``set_start_method()`` set, or else the platform default.
    """
    actual = actual_context()
    if actual is not None:
        return actual, True, SET_DEFAULT_ORIGIN
    return platform_default(), False, PLATFORM_DEFAULT_ORIGIN


def current_choice() -> Choice:
    """Return which context is in force here, and why, as data.

    The answer of ``explain_context()``, for library code that must build
    something matching the context in force, such as a lock for workers it
    does not start itself; or that must tell a choice from the default.

    Returns
    -------
    Choice
        ``context`` (the context in force, as ``current_context()``),
        ``explicit`` (whether an argument, ``using`` or the environment
        variable chose it) and ``origin`` (what ``explain_context()`` says
        after the method name).

    Raises
    ------
    InvalidContextError
        ``MPCONTEXT_START_METHOD`` is used and does not name a start method
        available here.

    Examples
    --------
    >>> import mpcontext
    >>> with mpcontext.using("spawn"):
    ...     choice = mpcontext.current_choice()
    >>> choice.context.get_start_method(), choice.explicit, choice.origin
    ('spawn', True, "chosen by using('spawn')")
    """
    return Choice(*context_in_force())


def passed_on(value: object, own: Requirement | None = None) -> bool:
    """Whether `value` is the context in force itself, handed on rather than chosen.

    A decorated function's body that passes the context it received (or
    ``current_context()``) to a factory, ``executor()`` or another decorated
    function makes no new choice there: the choice stays as it was. A name
    (``"fork"``) is always the caller's own choice, and so is a context
    given outside any decorated call or ``using`` block, where nothing was
    handed. Told by identity: with nothing chosen, the context in force is
    multiprocessing's default object itself, the one
    ``multiprocessing.get_context("fork")`` returns on Linux before 3.14, so
    a body naming that very object is taken as handing it on. (Handing the
    body a copy would tell them apart, but the body's context would then no
    longer be multiprocessing's own object.)

    `own` is the requirement of a decorated function asking about its own
    argument: its own call is not one that hands anything on.
    """
    in_scope = SCOPE.get().context
    if in_scope is not None:
        return value is in_scope
    if not isinstance(value, BaseContext):
        return False
    try:
        in_force = current_context()  # the environment variable's, or multiprocessing's default
    except InvalidContextError:
        return False
    # Rare: the common call with nothing in force sets no scope, so whether a
    # decorated call is handing its context on is read off the stack.
    return value is in_force and decorated_call_running(own)


def explain_context() -> str:
    """Say which context is in force here and why, in one line.

    For users asking "why did this run under fork?": names the decorated
    call whose argument chose it, the ``using`` block, the environment
    variable, a requirement's fallback, or multiprocessing's default.

    Returns
    -------
    str
        For example ``"spawn: chosen by using('spawn')"``; a context of
        another family is named with it (``"multiprocess:spawn: ..."``).
        Inside ``using(pool=factory)`` it ends by saying that
        ``mpcontext.Pool()`` gives the factory's pools.

    Raises
    ------
    InvalidContextError
        ``MPCONTEXT_START_METHOD`` is set to a start method not available
        here.
    """
    context, _, origin = context_in_force()
    said = f"{context_label(context)}: {origin}"
    scope = SCOPE.get()
    if scope.pool is not None and not scope.pool_inner:
        said += (
            f"; mpcontext.Pool() gives the pool made by {describe_value(scope.pool)}, injected "
            f"with using(pool=...)"
        )
    return said


if TYPE_CHECKING:

    @overload
    def resolve_context(context: Literal["spawn"]) -> multiprocessing.context.SpawnContext: ...

    if sys.platform != "win32":

        @overload
        def resolve_context(context: Literal["fork"]) -> multiprocessing.context.ForkContext: ...

        @overload
        def resolve_context(
            context: Literal["forkserver"],
        ) -> multiprocessing.context.ForkServerContext: ...

    @overload
    def resolve_context(context: _C) -> _C: ...

    @overload
    def resolve_context(context: _L) -> _L: ...

    @overload
    def resolve_context(context: str | None = None) -> BaseContext: ...


def resolve_context(context: ContextParam | ContextLike = None) -> BaseContext | ContextLike:
    """Return the multiprocessing context that `context` stands for.

    Parameters
    ----------
    context : None, str, BaseContext or ContextLike, optional
        ``None`` for the context in force (see ``current_context``); a start
        method name (``"fork"``, ``"spawn"``, ``"forkserver"``: those
        available on this platform), case-sensitive as in multiprocessing;
        the name of a context of another family (``"multiprocess:spawn"``,
        ``"billiard:fork"``, ``"loky"``, ``"loky_init_main"``), which imports
        that library; or a context of multiprocessing, multiprocess, billiard
        or loky, returned as it is.

    Returns
    -------
    BaseContext or ContextLike
        The context. A type checker sees a stdlib context by its own type
        (``"spawn"`` gives a ``SpawnContext``), a ``ContextLike`` as it is,
        and a name it cannot know as a ``BaseContext``. Neither resolving
        nor the context returned changes the global start method of
        multiprocessing or of the context's family.

    Raises
    ------
    InvalidContextError
        `context` names no start method available here (the message lists
        those available and suggests the nearest), names a family that is
        unknown or not installed (the message says how to install it), or
        is of another type. It is a ``ValueError`` and a ``TypeError``.

    Examples
    --------
    >>> import mpcontext
    >>> mpcontext.resolve_context("spawn").get_start_method()
    'spawn'
    """
    if isinstance(context, BaseContext):  # first: the body's own, typed (see README)
        return context
    if context is None:
        return current_context()
    return context_from_value(context)
