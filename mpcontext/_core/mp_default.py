"""multiprocessing's default context: the one module that reads and writes its internals.

multiprocessing's global functions (``get_context``, ``get_start_method``,
``set_start_method``...) are methods of one ``DefaultContext`` object. It holds
two attributes:

- ``_actual_context``: the global start method once fixed (by
  ``set_start_method``, or as a side effect of an argument-less
  ``get_context()`` / ``get_start_method()``), ``None`` while unset;
- ``_default_context``: the platform default used while it is unset. A plain
  attribute up to Python 3.13; since 3.14 (and the gh-155717 backports) a
  ``functools.cached_property``, computed on first read, which leaves the
  instance dict empty until then.

Reading ``_default_context`` as an attribute works on every version and fixes
nothing. Writing it (the pytest plugin's simulated default) goes through the
instance dict, which a cached property gives way to.

Starting a ``spawn`` or ``forkserver`` child builds spawn's preparation data,
which call ``get_start_method()``: on Python 3.10-3.13 that fixes the global
start method, in whichever thread starts the child. ``preparing()`` surrounds
mpcontext's starts on those versions: while a thread is inside it, a fixing of
the unset global start method made by that thread is kept for that thread
alone and dropped when the start ends, so no other thread ever sees it fixed
and ``set_start_method`` keeps working everywhere. It works by giving the
``DefaultContext`` object, while some thread is preparing (or the pytest
plugin watches it), a subclass whose ``_actual_context`` is a property; the
object's behaviour is unchanged for every other caller. Python 3.14 asks with
``allow_none=True`` and fixes nothing: there ``preparing()`` does nothing.
"""

from __future__ import annotations

import multiprocessing.context
import os
import sys
import threading
from multiprocessing.context import BaseContext, DefaultContext

from .._families.contexts import concrete_of, family_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType, TracebackType

    from typing_extensions import TypeAlias

    Listener: TypeAlias = "Callable[[BaseContext | None, object, FrameType | None], None]"

__all__ = [
    "DEFAULT",
    "DEFAULT_CONTEXT_NAMES",
    "DEFAULT_CONTEXT_SOURCE",
    "PREPARATION_FIXES_DEFAULT",
    "SavedDefault",
    "actual_context",
    "concrete_context",
    "default_context",
    "platform_default",
    "preparing",
    "restore_platform_default",
    "set_actual_context",
    "simulate_platform_default",
    "unwatch",
    "watch",
]

DEFAULT: DefaultContext = multiprocessing.context._default_context
"""The object behind multiprocessing's global functions."""

PREPARATION_FIXES_DEFAULT = sys.version_info < (3, 14)
"""Whether starting a spawn or forkserver child fixes the global start method."""


def actual_context() -> BaseContext | None:
    """Return the context the global start method is fixed to, ``None`` while unset."""
    context: BaseContext | None = vars(DEFAULT).get("_actual_context")
    return context


def platform_default() -> BaseContext:
    """Return the context multiprocessing uses while the global start method is unset."""
    context: BaseContext = getattr(DEFAULT, "_default_context")
    return context


def default_context() -> BaseContext:
    """Return multiprocessing's default context without fixing it.

    That is the context of ``multiprocessing.set_start_method`` when the
    application called it, else the platform default.
    """
    actual: BaseContext | None = vars(DEFAULT).get("_actual_context")
    return actual or platform_default()


DEFAULT_CONTEXT_SOURCE = "(_mpc_settings['_actual_context'] or _mpc_settings['_default_context'])"
"""``default_context()`` as an expression, for generated code that cannot afford a call.

It reads the names of ``DEFAULT_CONTEXT_NAMES``, which that code's globals
must hold, and raises ``KeyError`` while multiprocessing has not computed
its platform default yet (Python 3.14 computes it when first read); then
``default_context()`` answers. This module stays the one that knows
multiprocessing's internals.
"""

DEFAULT_CONTEXT_NAMES: dict[str, object] = {"_mpc_settings": vars(DEFAULT)}


def concrete_context(context: BaseContext) -> BaseContext:
    """Return the concrete context behind `context`, without fixing anything.

    A ``DefaultContext`` (multiprocessing's module-level one, or one made by
    hand) answers its ``get_start_method()`` and builds its primitives by
    fixing its start method; its concrete context does neither. The same
    for the ``DefaultContext`` of another family (``multiprocess``'s).
    """
    if isinstance(context, DefaultContext):
        actual: BaseContext | None = vars(context).get("_actual_context")
        default: BaseContext = getattr(context, "_default_context")
        return actual or default
    if isinstance(context, BaseContext):
        return context
    family = family_of(context)  # multiprocess's or billiard's own DefaultContext
    concrete: BaseContext = context if family is None else concrete_of(context, family)
    return concrete


def set_actual_context(context: BaseContext | None) -> None:
    """Fix the global start method to `context` (``None``: unset it), unnoticed.

    For the pytest plugin, which restores what a test changed.
    """
    vars(DEFAULT)["_actual_context"] = context


class SavedDefault:
    """The platform default as it was before ``simulate_platform_default``."""

    __slots__ = ("_stored",)

    def __init__(self) -> None:
        # Absent from the instance dict: a cached property not computed yet.
        self._stored: BaseContext | None = vars(DEFAULT).get("_default_context")


def simulate_platform_default(context: BaseContext) -> SavedDefault:
    """Make `context` the platform default, as another Python version or platform has it.

    The global start method is not fixed. Returns what
    ``restore_platform_default`` puts back.
    """
    saved = SavedDefault()
    vars(DEFAULT)["_default_context"] = context
    return saved


def restore_platform_default(saved: SavedDefault) -> None:
    """Put back the platform default that `saved` holds."""
    if saved._stored is None:
        vars(DEFAULT).pop("_default_context", None)
    else:
        vars(DEFAULT)["_default_context"] = saved._stored


# -- the subclass: starts prepared without fixing, writes watched ---------------------


class _State(threading.local):
    """What one thread is doing with the default context."""

    def __init__(self) -> None:
        self.depth = 0
        self.kept: BaseContext | None = None


_state = _State()
_lock = threading.Lock()
_preparing_threads = 0
_listeners: list[Listener] = []


class _Observed(DefaultContext):
    """multiprocessing's ``DefaultContext``, while someone prepares a start or watches it."""

    @property
    def _actual_context(self) -> BaseContext | None:
        stored: BaseContext | None = self.__dict__.get("_actual_context")
        if stored is None and _state.depth:
            return _state.kept
        return stored

    @_actual_context.setter
    def _actual_context(self, value: BaseContext | None) -> None:
        before: BaseContext | None = self.__dict__.get("_actual_context")
        if _state.depth and before is None:
            _state.kept = value  # this thread's start alone sees it
            return
        if _listeners and value is not before:
            _listeners[-1](before, value, sys._getframe(1))
        self.__dict__["_actual_context"] = value


def _observe() -> None:
    """Give the object the observing class when someone needs it; else its own."""
    wanted = _Observed if (_preparing_threads or _listeners) else DefaultContext
    if type(DEFAULT) is not wanted and type(DEFAULT) in (_Observed, DefaultContext):
        DEFAULT.__class__ = wanted


class _Preparing:
    """The context manager ``preparing()`` returns."""

    __slots__ = ()

    def __enter__(self) -> None:
        global _preparing_threads
        state = _state
        if state.depth == 0:
            with _lock:
                _preparing_threads += 1
                _observe()
        state.depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _preparing_threads
        state = _state
        state.depth -= 1
        if state.depth == 0:
            state.kept = None
            with _lock:
                _preparing_threads -= 1
                _observe()


class _NotPreparing:
    """What ``preparing()`` returns where starting a child fixes nothing."""

    __slots__ = ()

    def __enter__(self) -> None:
        pass

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pass


_PREPARING = _Preparing() if PREPARATION_FIXES_DEFAULT else _NotPreparing()


def preparing() -> _Preparing | _NotPreparing:
    """Return a context manager to start processes in without fixing the global start method.

    Reentrant, and usable by several threads at once. On Python 3.14 and
    newer it does nothing: starting a child fixes nothing there.
    """
    return _PREPARING


def watch(listener: Listener) -> None:
    """Call `listener(before, after, frame)` for each write that changes the global start method.

    `frame` is the frame that wrote it. Listeners nest: only the one added
    last is called, until it is removed. Writes that ``preparing()`` keeps
    for one thread are not reported: they change nothing global.
    """
    with _lock:
        _listeners.append(listener)
        _observe()


def unwatch(listener: Listener) -> None:
    """Stop calling `listener`; the last one removed stops the watching."""
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)
        _observe()


def _after_fork_in_child() -> None:
    # The child has only the thread that forked: any other thread's start is
    # not going on here, and the lock may have been held at the fork.
    global _lock, _preparing_threads
    _lock = threading.Lock()
    _preparing_threads = 0
    _state.depth = 0
    _state.kept = None
    _observe()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

