"""``mpcontext.ProcessPoolExecutor``: the stdlib's class, with the context in force.

A subclass of ``concurrent.futures.ProcessPoolExecutor`` with its signature
(``mp_context`` second), so that code and test suites written for the stdlib
class run against it unchanged, subclass it, or keep it as a class
attribute. ``mp_context`` takes what ``resolve_context`` takes; ``None`` is
the context in force. The initializer is checked by the pre-flight before
anything is made, each task before it is queued (``submit``, ``map``), and
workers start without fixing the global start method.

Its call queue is a stdlib queue, which a child of ``multiprocess`` or
``billiard`` receives only by inheritance: on their contexts the executor
runs under ``fork`` alone (``Family.runs_executor_on``), and is refused under
the others when it is made, with the ways out. Its tasks travel through that
queue, pickled by the stdlib's pickler whatever the family of the workers.
loky's contexts are stdlib contexts, and run it.

Imported on first use (``mpcontext.ProcessPoolExecutor`` is made by the
package's ``__getattr__``): ``concurrent.futures.process`` costs more to
import than the rest of mpcontext.
"""

from __future__ import annotations

import concurrent.futures.process
import functools
import sys
from multiprocessing.context import BaseContext

from .._core.calls import requirement_in_force
from .._core.errors import InvalidContextError
from .._core.messages import methods_text
from .._core.mp_default import concrete_context
from .._core.resolve import context_in_force, passed_on
from .._core.start_methods import (
    available_start_methods,
    context_for_name,
    context_from_value,
    context_label,
    family_of_context,
    start_method_of,
)
from .._preflight.check import Journey, check_initializer, first_items, journey_of, preflight
from .compat import CheckedMap
from .processes import context_with_mpcontext_process

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from concurrent.futures import Future
    from typing import Any, TypeVar, overload

    from typing_extensions import ParamSpec, TypeVarTuple, Unpack

    from .._core.errors import PreflightError
    from .._core.types import ContextParam

    _P = ParamSpec("_P")
    _T = TypeVar("_T")
    _Ts = TypeVarTuple("_Ts")

__all__ = ["ProcessPoolExecutor", "executor_context", "executor_refused", "task_journey"]


def executor_context(
    mp_context: ContextParam, max_tasks_per_child: int | None, where: str
) -> BaseContext:
    """Return the concrete context of a process pool executor given `mp_context`.

    With `max_tasks_per_child` and no explicit choice, the workers are
    spawned, as the stdlib's are whenever it is given no context, whatever
    the default (a forked worker cannot be replaced safely); unless the
    function in force does not allow ``spawn``: then its own method stays (a
    ``fork`` one gets the stdlib's ``ValueError``, which says why, rather
    than a method it refuses). The context in force handed on
    (``passed_on``) is no explicit choice.

    Raises
    ------
    InvalidContextError
        The context is one of a family whose children cannot receive the
        executor's queues under its start method (``"multiprocess:spawn"``).
    """
    if mp_context is not None and not passed_on(mp_context):
        context = concrete_context(
            context_from_value(mp_context, f"the mp_context argument of {where}")
        )
        origin = "its mp_context argument"
    else:
        context, explicit, _ = context_in_force()
        context = concrete_context(context)
        origin = "the context in force"
        if max_tasks_per_child is not None and not explicit and start_method_of(context) != "spawn":
            requirement = requirement_in_force()
            if requirement is None or requirement.allows("spawn"):
                return context_for_name("spawn")
    refused = executor_refused(context, where, origin)
    if refused is not None:
        raise refused
    return context


def executor_refused(context: BaseContext, where: str, origin: str) -> InvalidContextError | None:
    """Return the error for a ``ProcessPoolExecutor`` on `context` that cannot run, if it cannot.

    The executor sends each worker its call queue and result queue, stdlib
    queues: a child of multiprocess or billiard receives them only by
    inheritance (``fork``); pickled to it (``spawn``, ``forkserver``) they
    refuse to go. `where` is what was asked for the executor, `origin`
    where the context came from; both for the message.
    """
    family = family_of_context(context)
    method = start_method_of(context)
    if method in family.runs_executor_on:
        return None
    label = context_label(context)
    runs = [family.label(m) for m in available_start_methods() if m in family.runs_executor_on]
    fixes = [f"mpcontext.Pool(mp_context={label!r}) for {family.name}'s own pool"]
    if runs:
        fixes.append(f"the context {methods_text(runs)} (its workers inherit the queues)")
    fixes.append(f"a context of multiprocessing ({methods_text(available_start_methods())})")
    fixes.append("loky's ('loky', or loky.get_reusable_executor() given to using(executor=...))")
    return InvalidContextError(
        f"{where} cannot start its workers with the context {label!r} ({origin}): "
        f"concurrent.futures.ProcessPoolExecutor sends each worker its call queue, a "
        f"queue of the stdlib's multiprocessing, which a {family.name} child started with "
        f"{method!r} cannot receive (only a forked child inherits it). Use instead "
        f"{'; '.join(fixes[:-1])}; or {fixes[-1]}."
    )


def task_journey(context: BaseContext, **options: Any) -> Journey:
    """Return the journey of a task of a stdlib ``ProcessPoolExecutor`` on `context`.

    Its tasks travel through the executor's stdlib queues, pickled by the
    stdlib's pickler whatever the family of the workers: a
    ``multiprocess`` fork context's workers do not get lambdas, as its own
    pool's do.
    """
    return journey_of(context, True, by_value=False, **options)


def _is_chunk_of_map(fn: object) -> bool:
    # ProcessPoolExecutor.map submits partial(_process_chunk, fn) per chunk;
    # map() has checked fn already.
    return (
        isinstance(fn, functools.partial)
        and fn.func is concurrent.futures.process._process_chunk
    )


class ProcessPoolExecutor(CheckedMap, concurrent.futures.ProcessPoolExecutor):
    """``concurrent.futures.ProcessPoolExecutor`` of the context `mp_context`.

    A drop-in for the stdlib class: the same parameters in the same order,
    with `mp_context` second, and a subclass of it (subclass it, or keep it
    as a class attribute, as you would the stdlib's).

    Parameters
    ----------
    max_workers, initializer, initargs, max_tasks_per_child
        As for ``concurrent.futures.ProcessPoolExecutor``
        (`max_tasks_per_child` from Python 3.11).
    mp_context : None, str or BaseContext, optional
        The context that starts the workers: a start method name, a context,
        or ``None`` for the context in force. With `max_tasks_per_child` and
        nothing chosen explicitly (no argument, ``using`` or
        ``MPCONTEXT_START_METHOD``), the workers are spawned whatever the
        default, as in the stdlib; an explicit ``fork`` is the stdlib's
        ``ValueError``. Contexts of loky are accepted (``"loky"``), and those
        of multiprocess and billiard under ``fork`` only
        (``"multiprocess:fork"``): the executor sends its workers stdlib
        queues, which their spawn and forkserver children cannot receive.

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context; or
        the context is of multiprocess or billiard with another start method
        than ``fork`` (the message gives the ways out: that library's own
        pool through ``mpcontext.Pool``, its ``fork`` context, a stdlib
        context, loky).
    PreflightError
        `initializer` or `initargs` could not reach a worker.
    ValueError
        `max_tasks_per_child` with an explicit ``fork`` context (the
        stdlib's error).

    Notes
    -----
    The pre-flight check runs on the initializer (before anything is made)
    and on each task before it is queued (``submit``, ``map``); workers start
    without fixing the global start method. What Python adds to the class
    is there too (``map(buffersize=)``, ``terminate_workers()`` and
    ``kill_workers()`` from Python 3.14).

    Examples
    --------
    >>> import mpcontext
    >>> with mpcontext.ProcessPoolExecutor(2, "spawn") as pool:  # doctest: +SKIP
    ...     list(pool.map(abs, [-1, -2]))
    [1, 2]
    """

    _mpcontext: BaseContext
    _mpcontext_journey: Journey

    if sys.version_info >= (3, 11):
        if TYPE_CHECKING:

            @overload
            def __init__(
                self,
                max_workers: int | None = None,
                mp_context: ContextParam = None,
                initializer: Callable[[], object] | None = None,
                initargs: tuple[()] = (),
                *,
                max_tasks_per_child: int | None = None,
            ) -> None: ...

            @overload
            def __init__(
                self,
                max_workers: int | None = None,
                mp_context: ContextParam = None,
                *,
                initializer: Callable[[Unpack[_Ts]], object],
                initargs: tuple[Unpack[_Ts]],
                max_tasks_per_child: int | None = None,
            ) -> None: ...

            @overload
            def __init__(
                self,
                max_workers: int | None,
                mp_context: ContextParam,
                initializer: Callable[[Unpack[_Ts]], object],
                initargs: tuple[Unpack[_Ts]],
                *,
                max_tasks_per_child: int | None = None,
            ) -> None: ...

        def __init__(
            self,
            max_workers: int | None = None,
            mp_context: ContextParam = None,
            initializer: Callable[..., object] | None = None,
            initargs: tuple[Any, ...] = (),
            *,
            max_tasks_per_child: int | None = None,
        ) -> None:
            context = executor_context(mp_context, max_tasks_per_child, _where(self))
            error = self._mpcontext_start(context, initializer, initargs)
            if error is not None:
                raise error
            super().__init__(
                max_workers,
                context_with_mpcontext_process(context),
                initializer,
                initargs,
                max_tasks_per_child=max_tasks_per_child,
            )

    else:
        if TYPE_CHECKING:

            @overload
            def __init__(
                self,
                max_workers: int | None = None,
                mp_context: ContextParam = None,
                initializer: Callable[[], object] | None = None,
                initargs: tuple[()] = (),
            ) -> None: ...

            @overload
            def __init__(
                self,
                max_workers: int | None = None,
                mp_context: ContextParam = None,
                *,
                initializer: Callable[[Unpack[_Ts]], object],
                initargs: tuple[Unpack[_Ts]],
            ) -> None: ...

            @overload
            def __init__(
                self,
                max_workers: int | None,
                mp_context: ContextParam,
                initializer: Callable[[Unpack[_Ts]], object],
                initargs: tuple[Unpack[_Ts]],
            ) -> None: ...

        def __init__(
            self,
            max_workers: int | None = None,
            mp_context: ContextParam = None,
            initializer: Callable[..., object] | None = None,
            initargs: tuple[Any, ...] = (),
        ) -> None:
            context = executor_context(mp_context, None, _where(self))
            error = self._mpcontext_start(context, initializer, initargs)
            if error is not None:
                raise error
            super().__init__(max_workers, context_with_mpcontext_process(context), initializer, initargs)

    def _mpcontext_start(
        self, context: BaseContext, initializer: object, initargs: tuple[Any, ...]
    ) -> PreflightError | None:
        """Check what the workers receive as they start; know the context from now on.

        Returns the error, for ``__init__`` to raise from the frame the user called.
        """
        error = check_initializer(initializer, initargs, journey_of(context, False))
        if error is None:
            self._mpcontext = context
            self._mpcontext_journey = task_journey(context)
        return error

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        """Check `fn` and its arguments, then ``ProcessPoolExecutor.submit``."""
        if not _is_chunk_of_map(fn):
            error = preflight(fn, args, kwargs, self._mpcontext_journey)
            if error is not None:
                raise error
        return super().submit(fn, *args, **kwargs)

    def _map_error(
        self, fn: Callable[..., Any], iterables: tuple[Iterable[Any], ...], chunksize: int
    ) -> Exception | None:
        return preflight(fn, (), None, self._mpcontext_journey, more=first_items(iterables))

    def _map(
        self,
        fn: Callable[..., _T],
        iterables: tuple[Iterable[Any], ...],
        chunksize: int,
        options: dict[str, Any],
    ) -> Iterator[_T]:
        # The stdlib's map: the class after CheckedMap (whose map called this one).
        return super(CheckedMap, self).map(fn, *iterables, chunksize=chunksize, **options)


def _where(executor: object) -> str:
    cls = type(executor)
    if cls is ProcessPoolExecutor:
        return "mpcontext.ProcessPoolExecutor()"
    return f"{cls.__module__}.{cls.__qualname__}()"
