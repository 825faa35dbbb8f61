"""Factories: the stdlib's pools, managers and primitives, with the context in force.

Each takes the parameters of the context method of the same name, in the
same order, plus a keyword-only ``mp_context``: ``None`` means the context in
force (see ``current_context``). What they return is what the stdlib
returns. (The two classes, ``Process`` and ``ProcessPoolExecutor``, are in
``processes`` and ``process_pool_executor``; ``Pool``, which an application
may replace with ``using(pool=...)``, is with the executors, in
``_executors.pool``.)

A context of another family (``multiprocess``, ``billiard``, loky) makes
that family's objects: its own queues, locks and managers, whose children
cannot take the stdlib's.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

from .._core.mp_default import concrete_context
from .._core.resolve import current_context
from .._core.start_methods import context_from_value, family_of_context
from .._declare.notes import docstring_view
from .._families.contexts import KeptGlobal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from _ctypes import _CData
    from collections.abc import Callable, Sequence
    from ctypes import _SimpleCData, c_char
    from multiprocessing import queues, synchronize
    from multiprocessing.managers import SyncManager
    from multiprocessing.sharedctypes import Synchronized, SynchronizedArray, SynchronizedString
    from typing import Any, Literal, TypeVar, overload

    from typing_extensions import TypeAlias

    from .._core.types import ContextParam

    _T = TypeVar("_T")
    _F = TypeVar("_F", bound=Callable[..., Any])
    _CT = TypeVar("_CT", bound=_CData)
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
    "Queue",
    "RLock",
    "Semaphore",
    "SimpleQueue",
    "Value",
]


def _context(mp_context: ContextParam, factory: str) -> BaseContext:
    """Return the concrete context `mp_context` stands for in `factory`."""
    if mp_context is None:
        context = current_context()
    else:
        context = context_from_value(mp_context, f"the mp_context argument of mpcontext.{factory}()")
    return concrete_context(context)


_SHARED_DOC = """
Parameters
----------
mp_context : None, str or BaseContext, keyword-only, optional
    The context that makes {what} (``None``: the context in force). A
    context of multiprocess, billiard or loky (an object, or a name such
    as ``"multiprocess:spawn"``) makes that library's own object, which its
    children can receive.

Raises
------
InvalidContextError
    `mp_context` is not a start method available here or a context.
"""


def _context_doc(what: str = "it") -> Callable[[_F], _F]:
    """Append the ``mp_context`` parameter and the error every factory shares to its docstring.

    One text for all, as CPython does with ``submit.__doc__``; `what` is
    what the context makes. Docstrings are gone under ``-OO``, and stay so.
    """

    def document(factory: _F) -> _F:
        if factory.__doc__ is not None:
            factory.__doc__ = _with_shared_doc(factory.__doc__, _SHARED_DOC.format(what=what))
        return factory

    return document


def _with_shared_doc(doc: str, shared: str) -> str:
    """Return the docstring `doc`, dedented as ``inspect.cleandoc`` does, with `shared` merged in."""
    doc = "\n".join(docstring_view(doc)[2]).strip()
    header = "\nParameters\n----------\n"
    if header in doc:  # its own parameters first, then mp_context
        head, _, own = doc.partition(header)
        doc, shared = head.rstrip(), shared.replace(header, header + own.rstrip() + "\n", 1)
    return doc + "\n" + shared


# -- managers ---------------------------------------------------------------


def Manager(*, mp_context: ContextParam = None) -> SyncManager:  # noqa: N802
    """Return a started ``SyncManager`` whose server runs in a process of `mp_context`.

    A drop-in for ``multiprocessing.Manager()`` and ``ctx.Manager()``.

    Parameters
    ----------
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that starts the server process: a start method name, a
        context, or ``None`` for the context in force. Contexts of
        multiprocess, billiard and loky are accepted too, as objects or by
        name (``"multiprocess:spawn"``, ``"billiard:fork"``, ``"loky"``).

    Returns
    -------
    multiprocessing.managers.SyncManager
        Started, without fixing the global start method; shut it down (or
        use it in a ``with`` block) when done. For a context of multiprocess
        or billiard, that library's own manager (``multiprocess.managers``'s
        ``SyncManager``), whose proxies its children can receive.

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    PreflightError
        No child of that context can start here (a ``spawn`` or
        ``forkserver`` server, under ``python - < script``).
    """
    context = _context(mp_context, "Manager")
    from .._preflight.check import check_start
    from .processes import context_with_mpcontext_process

    error = check_start(context)  # its server process
    if error is not None:
        raise error
    # multiprocess and billiard fix their global start method starting a spawn child.
    with KeptGlobal(family_of_context(context)):
        return context_with_mpcontext_process(context).Manager()


# -- queues ------------------------------------------------------------------


@_context_doc()
def Queue(maxsize: int = 0, *, mp_context: ContextParam = None) -> queues.Queue[Any]:  # noqa: N802
    """Return ``ctx.Queue(maxsize)`` of the context `mp_context`.

    Parameters
    ----------
    maxsize : int
        As for ``multiprocessing.Queue``.
    """
    return _context(mp_context, "Queue").Queue(maxsize)


@_context_doc()
def JoinableQueue(  # noqa: N802
    maxsize: int = 0, *, mp_context: ContextParam = None
) -> queues.JoinableQueue[Any]:
    """Return ``ctx.JoinableQueue(maxsize)`` of the context `mp_context`.

    Parameters
    ----------
    maxsize : int
        As for ``multiprocessing.JoinableQueue``.
    """
    return _context(mp_context, "JoinableQueue").JoinableQueue(maxsize)


@_context_doc()
def SimpleQueue(*, mp_context: ContextParam = None) -> queues.SimpleQueue[Any]:  # noqa: N802
    """Return ``ctx.SimpleQueue()`` of the context `mp_context`."""
    return _context(mp_context, "SimpleQueue").SimpleQueue()


# -- synchronization primitives ---------------------------------------------


@_context_doc()
def Lock(*, mp_context: ContextParam = None) -> synchronize.Lock:  # noqa: N802
    """Return ``ctx.Lock()`` of the context `mp_context`."""
    return _context(mp_context, "Lock").Lock()


@_context_doc()
def RLock(*, mp_context: ContextParam = None) -> synchronize.RLock:  # noqa: N802
    """Return ``ctx.RLock()`` of the context `mp_context`."""
    return _context(mp_context, "RLock").RLock()


@_context_doc()
def Event(*, mp_context: ContextParam = None) -> synchronize.Event:  # noqa: N802
    """Return ``ctx.Event()`` of the context `mp_context`."""
    return _context(mp_context, "Event").Event()


@_context_doc()
def Condition(  # noqa: N802
    lock: _LockLike | None = None, *, mp_context: ContextParam = None
) -> synchronize.Condition:
    """Return ``ctx.Condition(lock)`` of the context `mp_context`.

    Parameters
    ----------
    lock : Lock or RLock, optional
        As for ``multiprocessing.Condition``.
    """
    return _context(mp_context, "Condition").Condition(lock)


@_context_doc()
def Semaphore(value: int = 1, *, mp_context: ContextParam = None) -> synchronize.Semaphore:  # noqa: N802
    """Return ``ctx.Semaphore(value)`` of the context `mp_context`.

    Parameters
    ----------
    value : int
        As for ``multiprocessing.Semaphore``.
    """
    return _context(mp_context, "Semaphore").Semaphore(value)


@_context_doc()
def BoundedSemaphore(  # noqa: N802
    value: int = 1, *, mp_context: ContextParam = None
) -> synchronize.BoundedSemaphore:
    """Return ``ctx.BoundedSemaphore(value)`` of the context `mp_context`.

    Parameters
    ----------
    value : int
        As for ``multiprocessing.BoundedSemaphore``.
    """
    return _context(mp_context, "BoundedSemaphore").BoundedSemaphore(value)


@_context_doc()
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


@_context_doc("its lock")
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


@_context_doc("its lock")
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
    """
    return _context(mp_context, "Array").Array(typecode_or_type, size_or_initializer, lock=lock)
