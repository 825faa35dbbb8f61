"""Factories: the stdlib's processes, pools and primitives, with the context in force.

Each takes the parameters of the context method (or class) of the same name,
in the same order, plus ``mp_context``: keyword-only, except for
``ProcessPoolExecutor`` where it stays second as in the stdlib. ``None``
means the context in force (see ``current_context``). What they return is
what the stdlib returns, or for ``Process``, ``Pool`` and
``ProcessPoolExecutor`` an instance of a subclass that runs the pre-flight
check and starts processes without fixing the global start method.
"""

from __future__ import annotations

import sys
from multiprocessing.context import BaseContext

from ._guard import guarded_context, new_process
from ._methods import context_from_value, start_method_of
from ._mp_default import concrete_context
from ._resolve import context_in_force, current_context
from ._scope import SCOPE

TYPE_CHECKING = False
if TYPE_CHECKING:
    import concurrent.futures
    import multiprocessing.pool
    from _ctypes import _CData
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from ctypes import _SimpleCData, c_char
    from multiprocessing import queues, synchronize
    from multiprocessing.managers import SyncManager
    from multiprocessing.process import BaseProcess
    from multiprocessing.sharedctypes import Synchronized, SynchronizedArray, SynchronizedString
    from typing import Any, Literal, TypeVar, overload

    from typing_extensions import TypeAlias, TypeVarTuple, Unpack

    from ._types import ContextParam

    _T = TypeVar("_T")
    _CT = TypeVar("_CT", bound=_CData)
    _Ts = TypeVarTuple("_Ts")
    _LockLike: TypeAlias = "synchronize.Lock | synchronize.RLock"

__all__ = [
    "Array",
    "Barrier",
    "BoundedSemaphore",
    "Condition",
    "Event",
    "JoinableQueue",
    "Lock",
    "Manager",
    "Pool",
    "Process",
    "ProcessPoolExecutor",
    "Queue",
    "RLock",
    "Semaphore",
    "SimpleQueue",
    "Value",
]

# The stdlib's own default for Process(kwargs=...): {} until Python 3.14.0,
# None since 3.14.1. Never mutated (BaseProcess copies it).
_KWARGS_DEFAULT: Mapping[str, Any] | None = None if sys.version_info >= (3, 14, 1) else {}


def _context(mp_context: ContextParam, factory: str) -> BaseContext:
    """Return the concrete context `mp_context` stands for in `factory`."""
    if mp_context is None:
        context = current_context()
    else:
        context = context_from_value(mp_context, f"the mp_context argument of mpcontext.{factory}()")
    return concrete_context(context)


# -- processes and pools -----------------------------------------------------


def Process(  # noqa: N802 - named like the stdlib callable it replaces
    group: None = None,
    target: Callable[..., object] | None = None,
    name: str | None = None,
    args: Iterable[Any] = (),
    kwargs: Mapping[str, Any] | None = _KWARGS_DEFAULT,
    *,
    daemon: bool | None = None,
    mp_context: ContextParam = None,
) -> BaseProcess:
    """Return a process object of the context `mp_context`, not yet started.

    A drop-in for ``multiprocessing.Process`` and ``ctx.Process``: the
    parameters before `mp_context` are theirs, in their order.

    Parameters
    ----------
    group, target, name, args, kwargs, daemon
        As for ``multiprocessing.Process``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context whose process class is used: a start method name, a
        context, or ``None`` for the context in force.

    Returns
    -------
    multiprocessing.process.BaseProcess
        An instance of ``ctx.Process`` (a subclass of it, with its name).
        ``start()`` first runs the pre-flight check (``PreflightError`` when
        `target` or its arguments could not reach the child), and leaves
        multiprocessing's global start method as it was.

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    context = _context(mp_context, "Process")
    kwargs = {} if kwargs is None else kwargs
    return new_process(context, group, target, name, args, kwargs, daemon=daemon)


def Pool(  # noqa: N802
    processes: int | None = None,
    initializer: Callable[..., object] | None = None,
    initargs: Iterable[Any] = (),
    maxtasksperchild: int | None = None,
    *,
    mp_context: ContextParam = None,
) -> multiprocessing.pool.Pool:
    """Return a process pool of the context `mp_context`.

    A drop-in for ``multiprocessing.Pool`` and ``ctx.Pool``.

    Parameters
    ----------
    processes, initializer, initargs, maxtasksperchild
        As for ``multiprocessing.Pool``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that starts the workers: a start method name, a context,
        or ``None`` for the context in force.

    Returns
    -------
    multiprocessing.pool.Pool
        An instance of a subclass that runs the pre-flight check on the
        initializer (before any worker starts) and on each task before
        queueing it, and starts workers without fixing the global start
        method.

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    PreflightError
        `initializer` or `initargs` could not reach a worker.
    """
    context = _context(mp_context, "Pool")
    from ._pools import Pool as _Pool
    from ._pools import check_initializer

    check_initializer(initializer, initargs, context)
    return _Pool(processes, initializer, initargs, maxtasksperchild, mp_context=context)


def _executor_context(mp_context: ContextParam, max_tasks_per_child: int | None) -> BaseContext:
    if mp_context is not None:
        return _context(mp_context, "ProcessPoolExecutor")
    context, explicit, _ = context_in_force()
    context = concrete_context(context)
    if max_tasks_per_child is not None and not explicit and start_method_of(context) == "fork":
        # As the stdlib does when given no context: a forked worker cannot be
        # replaced safely. Unless the function in force requires fork: then
        # the stdlib's ValueError says why, rather than a method it refuses.
        requirement = SCOPE.get().requirement
        if requirement is None or requirement.allows("spawn"):
            return context_from_value("spawn")
    return context


def _process_pool_executor(
    max_workers: int | None,
    mp_context: ContextParam,
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
    max_tasks_per_child: int | None,
) -> concurrent.futures.ProcessPoolExecutor:
    context = _executor_context(mp_context, max_tasks_per_child)
    return _process_pool(context, max_workers, initializer, initargs, max_tasks_per_child)


def _process_pool(
    context: BaseContext,
    max_workers: int | None,
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
    max_tasks_per_child: int | None = None,
) -> concurrent.futures.ProcessPoolExecutor:
    """Return mpcontext's pool of `context`, once its initializer is checked."""
    from ._pools import ProcessPoolExecutor as _ProcessPoolExecutor
    from ._pools import check_initializer

    check_initializer(initializer, initargs, context)
    return _ProcessPoolExecutor(max_workers, context, initializer, initargs, max_tasks_per_child)


_EXECUTOR_DOC = """Return a ``concurrent.futures.ProcessPoolExecutor`` of the context `mp_context`.

    A drop-in for the class: the same parameters in the same order, with
    `mp_context` second.

    Parameters
    ----------
    max_workers, initializer, initargs, max_tasks_per_child
        As for ``concurrent.futures.ProcessPoolExecutor``
        (`max_tasks_per_child` from Python 3.11).
    mp_context : None, str or BaseContext, optional
        The context that starts the workers: a start method name, a context,
        or ``None`` for the context in force. With `max_tasks_per_child` and
        nothing chosen explicitly (no argument, ``using`` or
        ``MPCONTEXT_START_METHOD``), a ``fork`` default gives way to
        ``spawn``, as in the stdlib; an explicit ``fork`` is the stdlib's
        ``ValueError``.

    Returns
    -------
    concurrent.futures.ProcessPoolExecutor
        An instance of a subclass that runs the pre-flight check on the
        initializer and on each task before queueing it (``submit``,
        ``map``), and starts workers without fixing the global start method.

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    PreflightError
        `initializer` or `initargs` could not reach a worker.
    ValueError
        `max_tasks_per_child` with an explicit ``fork`` context (the
        stdlib's error).
    """

if sys.version_info >= (3, 11):
    if TYPE_CHECKING:

        @overload
        def ProcessPoolExecutor(  # noqa: N802
            max_workers: int | None = None,
            mp_context: ContextParam = None,
            initializer: Callable[[], object] | None = None,
            initargs: tuple[()] = (),
            *,
            max_tasks_per_child: int | None = None,
        ) -> concurrent.futures.ProcessPoolExecutor: ...

        @overload
        def ProcessPoolExecutor(  # noqa: N802
            max_workers: int | None = None,
            mp_context: ContextParam = None,
            *,
            initializer: Callable[[Unpack[_Ts]], object],
            initargs: tuple[Unpack[_Ts]],
            max_tasks_per_child: int | None = None,
        ) -> concurrent.futures.ProcessPoolExecutor: ...

        @overload
        def ProcessPoolExecutor(  # noqa: N802
            max_workers: int | None,
            mp_context: ContextParam,
            initializer: Callable[[Unpack[_Ts]], object],
            initargs: tuple[Unpack[_Ts]],
            *,
            max_tasks_per_child: int | None = None,
        ) -> concurrent.futures.ProcessPoolExecutor: ...

    def ProcessPoolExecutor(  # noqa: N802
        max_workers: int | None = None,
        mp_context: ContextParam = None,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        max_tasks_per_child: int | None = None,
    ) -> concurrent.futures.ProcessPoolExecutor:
        return _process_pool_executor(
            max_workers, mp_context, initializer, initargs, max_tasks_per_child
        )

else:
    if TYPE_CHECKING:

        @overload
        def ProcessPoolExecutor(  # noqa: N802
            max_workers: int | None = None,
            mp_context: ContextParam = None,
            initializer: Callable[[], object] | None = None,
            initargs: tuple[()] = (),
        ) -> concurrent.futures.ProcessPoolExecutor: ...

        @overload
        def ProcessPoolExecutor(  # noqa: N802
            max_workers: int | None = None,
            mp_context: ContextParam = None,
            *,
            initializer: Callable[[Unpack[_Ts]], object],
            initargs: tuple[Unpack[_Ts]],
        ) -> concurrent.futures.ProcessPoolExecutor: ...

        @overload
        def ProcessPoolExecutor(  # noqa: N802
            max_workers: int | None,
            mp_context: ContextParam,
            initializer: Callable[[Unpack[_Ts]], object],
            initargs: tuple[Unpack[_Ts]],
        ) -> concurrent.futures.ProcessPoolExecutor: ...

    def ProcessPoolExecutor(  # noqa: N802
        max_workers: int | None = None,
        mp_context: ContextParam = None,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> concurrent.futures.ProcessPoolExecutor:
        return _process_pool_executor(max_workers, mp_context, initializer, initargs, None)


ProcessPoolExecutor.__doc__ = _EXECUTOR_DOC


def Manager(*, mp_context: ContextParam = None) -> SyncManager:  # noqa: N802
    """Return a started ``SyncManager`` whose server runs in a process of `mp_context`.

    A drop-in for ``multiprocessing.Manager()`` and ``ctx.Manager()``.

    Parameters
    ----------
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that starts the server process: a start method name, a
        context, or ``None`` for the context in force.

    Returns
    -------
    multiprocessing.managers.SyncManager
        Started, without fixing the global start method; shut it down (or
        use it in a ``with`` block) when done.

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return guarded_context(_context(mp_context, "Manager")).Manager()


# -- queues ------------------------------------------------------------------


def Queue(maxsize: int = 0, *, mp_context: ContextParam = None) -> queues.Queue[Any]:  # noqa: N802
    """Return ``ctx.Queue(maxsize)`` of the context `mp_context`.

    Parameters
    ----------
    maxsize : int
        As for ``multiprocessing.Queue``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "Queue").Queue(maxsize)


def JoinableQueue(  # noqa: N802
    maxsize: int = 0, *, mp_context: ContextParam = None
) -> queues.JoinableQueue[Any]:
    """Return ``ctx.JoinableQueue(maxsize)`` of the context `mp_context`.

    Parameters
    ----------
    maxsize : int
        As for ``multiprocessing.JoinableQueue``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "JoinableQueue").JoinableQueue(maxsize)


def SimpleQueue(*, mp_context: ContextParam = None) -> queues.SimpleQueue[Any]:  # noqa: N802
    """Return ``ctx.SimpleQueue()`` of the context `mp_context`.

    Parameters
    ----------
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "SimpleQueue").SimpleQueue()


# -- synchronization primitives ---------------------------------------------


def Lock(*, mp_context: ContextParam = None) -> synchronize.Lock:  # noqa: N802
    """Return ``ctx.Lock()`` of the context `mp_context`.

    Parameters
    ----------
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "Lock").Lock()


def RLock(*, mp_context: ContextParam = None) -> synchronize.RLock:  # noqa: N802
    """Return ``ctx.RLock()`` of the context `mp_context`.

    Parameters
    ----------
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "RLock").RLock()


def Event(*, mp_context: ContextParam = None) -> synchronize.Event:  # noqa: N802
    """Return ``ctx.Event()`` of the context `mp_context`.

    Parameters
    ----------
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "Event").Event()


def Condition(  # noqa: N802
    lock: _LockLike | None = None, *, mp_context: ContextParam = None
) -> synchronize.Condition:
    """Return ``ctx.Condition(lock)`` of the context `mp_context`.

    Parameters
    ----------
    lock : Lock or RLock, optional
        As for ``multiprocessing.Condition``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "Condition").Condition(lock)


def Semaphore(value: int = 1, *, mp_context: ContextParam = None) -> synchronize.Semaphore:  # noqa: N802
    """Return ``ctx.Semaphore(value)`` of the context `mp_context`.

    Parameters
    ----------
    value : int
        As for ``multiprocessing.Semaphore``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "Semaphore").Semaphore(value)


def BoundedSemaphore(  # noqa: N802
    value: int = 1, *, mp_context: ContextParam = None
) -> synchronize.BoundedSemaphore:
    """Return ``ctx.BoundedSemaphore(value)`` of the context `mp_context`.

    Parameters
    ----------
    value : int
        As for ``multiprocessing.BoundedSemaphore``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "BoundedSemaphore").BoundedSemaphore(value)


def Barrier(  # noqa: N802
    parties: int,
    action: Callable[..., object] | None = None,
    timeout: float | None = None,
    *,
    mp_context: ContextParam = None,
) -> synchronize.Barrier:
    """Return ``ctx.Barrier(parties, action, timeout)`` of the context `mp_context`.

    Parameters
    ----------
    parties, action, timeout
        As for ``multiprocessing.Barrier``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes it (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "Barrier").Barrier(parties, action, timeout)


# -- shared memory -----------------------------------------------------------

if TYPE_CHECKING:

    @overload
    def Value(  # noqa: N802 # pyright: ignore[reportOverlappingOverload] - as in typeshed
        typecode_or_type: type[_SimpleCData[_T]],
        *args: Any,
        lock: Literal[True] | _LockLike = True,
        mp_context: ContextParam = None,
    ) -> Synchronized[_T]: ...

    @overload
    def Value(  # noqa: N802
        typecode_or_type: type[_CT],
        *args: Any,
        lock: Literal[False],
        mp_context: ContextParam = None,
    ) -> Synchronized[_CT]: ...

    @overload
    def Value(  # noqa: N802
        typecode_or_type: type[_CT],
        *args: Any,
        lock: Literal[True] | _LockLike = True,
        mp_context: ContextParam = None,
    ) -> Synchronized[_CT]: ...

    @overload
    def Value(  # noqa: N802
        typecode_or_type: str,
        *args: Any,
        lock: Literal[True] | _LockLike = True,
        mp_context: ContextParam = None,
    ) -> Synchronized[Any]: ...

    @overload
    def Value(  # noqa: N802
        typecode_or_type: str | type[_CData],
        *args: Any,
        lock: bool | _LockLike = True,
        mp_context: ContextParam = None,
    ) -> Any: ...


def Value(  # noqa: N802
    typecode_or_type: str | type[_CData],
    *args: Any,
    lock: bool | _LockLike = True,
    mp_context: ContextParam = None,
) -> Any:
    """Return ``ctx.Value(typecode_or_type, *args, lock=lock)`` of the context `mp_context`.

    Parameters
    ----------
    typecode_or_type, *args, lock
        As for ``multiprocessing.Value``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes its lock (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "Value").Value(typecode_or_type, *args, lock=lock)


if TYPE_CHECKING:

    @overload
    def Array(  # noqa: N802
        typecode_or_type: type[_SimpleCData[_T]],
        size_or_initializer: int | Sequence[Any],
        *,
        lock: Literal[False],
        mp_context: ContextParam = None,
    ) -> SynchronizedArray[_T]: ...

    @overload
    def Array(  # noqa: N802
        typecode_or_type: type[c_char],
        size_or_initializer: int | Sequence[Any],
        *,
        lock: Literal[True] | _LockLike = True,
        mp_context: ContextParam = None,
    ) -> SynchronizedString: ...

    @overload
    def Array(  # noqa: N802
        typecode_or_type: type[_SimpleCData[_T]],
        size_or_initializer: int | Sequence[Any],
        *,
        lock: Literal[True] | _LockLike = True,
        mp_context: ContextParam = None,
    ) -> SynchronizedArray[_T]: ...

    @overload
    def Array(  # noqa: N802
        typecode_or_type: str,
        size_or_initializer: int | Sequence[Any],
        *,
        lock: Literal[True] | _LockLike = True,
        mp_context: ContextParam = None,
    ) -> SynchronizedArray[Any]: ...

    @overload
    def Array(  # noqa: N802
        typecode_or_type: str | type[_CData],
        size_or_initializer: int | Sequence[Any],
        *,
        lock: bool | _LockLike = True,
        mp_context: ContextParam = None,
    ) -> Any: ...


def Array(  # noqa: N802
    typecode_or_type: str | type[_CData],
    size_or_initializer: int | Sequence[Any],
    *,
    lock: bool | _LockLike = True,
    mp_context: ContextParam = None,
) -> Any:
    """Return ``ctx.Array(typecode_or_type, size_or_initializer, lock=lock)`` of `mp_context`.

    Parameters
    ----------
    typecode_or_type, size_or_initializer, lock
        As for ``multiprocessing.Array``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that makes its lock (``None``: the context in force).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    """
    return _context(mp_context, "Array").Array(typecode_or_type, size_or_initializer, lock=lock)
