"""``executor()``: library code asks for an executor, the application chooses it.

By default a block gets a fresh ``ProcessPoolExecutor`` of the context in
force. An executor injected with ``using(executor=...)`` replaces it, unless
the caller chose a context explicitly inside the injection. What kind of
executor was injected is told from the classes of the modules already
imported (``sys.modules``): neither loky nor dask is ever imported here.
"""

from __future__ import annotations

import sys
from multiprocessing.context import BaseContext

from .._core.calls import requirement_in_force
from .._core.errors import PreflightError, StartMethodError
from .._core.messages import MAX_REASON, because, describe_value, methods_text, short_repr
from .._core.mp_default import concrete_context
from .._core.resolve import current_context, passed_on
from .._core.scope import SCOPE, Scope, enter_block, leave_block
from .._core.start_methods import (
    ALL_START_METHODS,
    available_start_methods,
    context_from_value,
    start_method_of,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from concurrent.futures import Executor
    from types import TracebackType
    from typing import Any, overload

    from typing_extensions import TypeVarTuple, Unpack

    from .._core.scope import ExecutorChoice
    from .._core.types import ContextParam, Requirement
    from .injected import Init
    from .kinds import Workers

    _Ts = TypeVarTuple("_Ts")

__all__ = ["executor"]

# Where loky may live: its own package, or the copy joblib ships.

_INJECTED = "injected with using(executor=...)"


def _refused(
    requirement: Requirement, injected: str, workers: Workers, methods: frozenset[str], via: str
) -> StartMethodError:
    """Return the error for what was injected (`via`: an executor or a pool) that cannot be used."""
    allowed = [m for m in ALL_START_METHODS if m in methods]
    preferred = next((m for m in available_start_methods() if m in methods), allowed[0])
    if via == "pool":
        inject = (
            f"Inject a factory of process pools whose workers start with {preferred!r}, such "
            f"as functools.partial(mpcontext.Pool, mp_context={preferred!r})"
        )
    else:
        pools = (
            f"concurrent.futures.ProcessPoolExecutor("
            f"mp_context=multiprocessing.get_context({preferred!r}))"
        )
        if preferred == "spawn":
            pools += " or loky.get_reusable_executor()"
        inject = f"Inject a process pool whose workers start with {preferred!r}, such as {pools}"
    return StartMethodError(
        f"{requirement.name}() cannot send its work to {injected}, injected with "
        f"using({via}=...): it is {workers.what}. It supports only local worker processes "
        f"started with {methods_text(allowed)}{because(requirement.reason, MAX_REASON)}. "
        f"{inject}; or pass {requirement.param}={preferred!r} to {requirement.name}(), which "
        f"then makes a pool of its own."
    )


def check_requirement(
    requirement: Requirement | None, injected: str, workers: Workers, via: str = "executor"
) -> None:
    """Refuse what was injected (`via`: ``"executor"``, ``"pool"``) that the function cannot use."""
    if requirement is None or requirement.start_methods is None:
        return
    methods = requirement.start_methods
    if workers.context is None or start_method_of(workers.context) not in methods:
        raise _refused(requirement, injected, workers, methods, via)


def _valid_max_workers(max_workers: object) -> int | None:
    if max_workers is None:
        return None
    if not isinstance(max_workers, int) or isinstance(max_workers, bool):
        raise TypeError(
            f"executor(): max_workers must be a positive int or None (for the executor's "
            f"default), got {describe_value(max_workers)}"
        )
    if max_workers <= 0:
        raise ValueError(
            f"executor(): max_workers must be greater than 0, got {short_repr(max_workers)}; pass "
            f"None for the executor's default"
        )
    return max_workers


def _valid_max_tasks_per_child(max_tasks_per_child: object) -> int | None:
    if max_tasks_per_child is None:
        return None
    if sys.version_info < (3, 11):
        raise TypeError(
            f"executor(): max_tasks_per_child needs Python 3.11 or newer (the stdlib "
            f"ProcessPoolExecutor takes it from 3.11), got {describe_value(max_tasks_per_child)} "
            f"on Python {sys.version_info[0]}.{sys.version_info[1]}; leave it out"
        )
    if not isinstance(max_tasks_per_child, int) or isinstance(max_tasks_per_child, bool):
        raise TypeError(
            f"executor(): max_tasks_per_child must be a positive int or None (workers "
            f"live as long as the pool), got {describe_value(max_tasks_per_child)}"
        )
    if max_tasks_per_child <= 0:
        raise ValueError(
            f"executor(): max_tasks_per_child must be >= 1, got {short_repr(max_tasks_per_child)}; "
            f"pass None for workers that live as long as the pool"
        )
    return max_tasks_per_child


def _valid_initializer(
    initializer: object, initargs: Iterable[Any]
) -> tuple[Callable[..., object] | None, tuple[Any, ...]]:
    if initializer is not None and not callable(initializer):
        raise TypeError(
            f"executor(): initializer must be a callable run in each worker before its "
            f"first task, or None, got {describe_value(initializer)}"
        )
    try:
        args = tuple(initargs)
    except TypeError:
        raise TypeError(
            f"executor(): initargs must be a tuple of the initializer's arguments, got "
            f"{describe_value(initargs)}"
        ) from None
    if initializer is None and args:
        raise TypeError(
            f"executor(): initargs={short_repr(args)} given without an initializer; pass the "
            f"initializer that takes them, or leave initargs out"
        )
    return initializer, args


def _injected(
    choice: ExecutorChoice | None, max_workers: int | None
) -> tuple[Executor, bool, str]:
    """Return the executor `choice` stands for, whether the block owns it, and its name."""
    from concurrent.futures import Executor

    if isinstance(choice, Executor):
        return choice, False, describe_value(choice)
    assert choice is not None  # executor() lends only when something is injected
    made = choice(max_workers)
    if not isinstance(made, Executor):
        raise TypeError(
            f"the executor factory {describe_value(choice)}, {_INJECTED}, returned "
            f"{describe_value(made)}; it must return a concurrent.futures.Executor "
            f"(it is called as factory(max_workers) for each executor() block)"
        )
    return made, True, f"the executor made by {describe_value(choice)}"


class executor:  # noqa: N801 - a context manager, named like one (using)
    """Get an executor for library code's fan-out: the one the application chose.

    A context manager: the ``with`` block gets a
    ``concurrent.futures.Executor``. By default that is a fresh
    ``mpcontext.ProcessPoolExecutor`` of `mp_context`, or else of the
    context in force (pre-flight included). An application chooses another
    with ``using(executor=...)``: an ``Executor`` instance, shared, or a
    callable ``factory(max_workers)`` returning one. On exit the block's
    executor is shut down, waiting for its tasks (a shared one is never
    shut down: only the block's own tasks are waited for); on exit by an
    exception, tasks not yet started are cancelled first.

    Parameters
    ----------
    max_workers : int, optional
        How many workers; the executor's default when ``None``. Passed to an
        injected factory, ignored for an injected instance.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context of the local pool. Passing the function's own
        `mp_context` on is the idiom: it is not a new choice, and only
        matters when the application injected no executor. Contexts of loky
        are accepted (``"loky"``), and those of multiprocess and billiard
        under ``fork`` only (``"multiprocess:fork"``): the local pool is a
        ``ProcessPoolExecutor``, whose stdlib queues their spawn and
        forkserver children cannot receive.
    initializer : callable, keyword-only, optional
        Run as ``initializer(*initargs)`` in each worker process before the
        first task of the block that it runs. With an injected executor it
        runs once in each worker process for each distinct pair (pairs are
        told apart by their pickle), however many blocks share the
        executor, and the pair travels with each task: it must pickle the
        way the executor pickles tasks (a lock or queue cannot; a manager's
        proxy can).
    initargs : tuple, keyword-only, optional
        The initializer's arguments.
    max_tasks_per_child : int, keyword-only, optional
        How many tasks a worker of the local pool runs before it is replaced
        by a fresh one (Python 3.11+), as for ``ProcessPoolExecutor``: with
        no explicit context, a ``fork`` default gives way to ``spawn``. An
        injected executor keeps its own workers: the application chose how
        long they live, so it is ignored there, as `max_workers` is for an
        injected instance.

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context; on
        entering, the local pool's context (`mp_context`, or the one in
        force), or that of an injected ``ProcessPoolExecutor``, is of
        multiprocess or billiard with another start method than ``fork``
        (the message gives the ways out).
    TypeError
        `max_workers`, `max_tasks_per_child`, `initializer` or `initargs`
        has the wrong type, or an injected factory returns something else
        than an ``Executor``; `max_tasks_per_child` on Python 3.10.
    ValueError
        `max_workers` or `max_tasks_per_child` is not positive;
        `max_tasks_per_child` with an explicit ``fork`` context (on entering,
        the stdlib's error).
    StartMethodError
        On entering, inside a function declared with ``requires``: the
        executor injected is not a local process pool whose start method it
        allows (a cluster, a thread pool, an executor of unknown kind, a
        pool of another start method).
    PreflightError
        On entering, the initializer cannot reach the workers of a process
        pool; on ``submit`` and ``map``, the task cannot.

    Notes
    -----
    Inside the block, when the executor is a local process pool whose
    context is known (a stdlib ``ProcessPoolExecutor``, or loky's, counted
    as ``spawn``), that context is the one in force, so that primitives
    made there for the initializer fit its workers. The pre-flight check
    runs on stdlib process pools only: loky and dask pickle with
    cloudpickle, so functions defined interactively reach their workers,
    and thread pools pickle nothing.

    When the caller of the library function chose a context explicitly
    inside the injection (an argument, or an inner ``using(context)``),
    the block gets a local pool of that context: the caller's explicit
    choice wins.

    Each ``with`` gets its own executor: one ``executor`` object may be
    entered again, nested, and by several threads or asyncio tasks at once;
    each leaves its own block.

    Examples
    --------
    >>> import mpcontext
    >>> with mpcontext.executor(2) as ex:  # doctest: +SKIP
    ...     list(ex.map(abs, [-1, -2]))
    [1, 2]
    """

    __slots__ = (
        "_initargs",
        "_initializer",
        "_max_tasks_per_child",
        "_max_workers",
        "_mp_context",
        "_mp_context_given",
    )

    if TYPE_CHECKING:

        @overload
        def __init__(
            self,
            max_workers: int | None = None,
            *,
            mp_context: ContextParam = None,
            initializer: Callable[[], object] | None = None,
            initargs: tuple[()] = (),
            max_tasks_per_child: int | None = None,
        ) -> None: ...

        @overload
        def __init__(
            self,
            max_workers: int | None = None,
            *,
            mp_context: ContextParam = None,
            initializer: Callable[[Unpack[_Ts]], object],
            initargs: tuple[Unpack[_Ts]],
            max_tasks_per_child: int | None = None,
        ) -> None: ...

    def __init__(
        self,
        max_workers: int | None = None,
        *,
        mp_context: ContextParam = None,
        initializer: Callable[..., object] | None = None,
        initargs: Iterable[Any] = (),
        max_tasks_per_child: int | None = None,
    ) -> None:
        self._max_workers = _valid_max_workers(max_workers)
        self._max_tasks_per_child = _valid_max_tasks_per_child(max_tasks_per_child)
        self._mp_context = (
            None
            if mp_context is None
            else context_from_value(mp_context, "the mp_context argument of mpcontext.executor()")
        )
        # As given: a name is the caller's choice, the context in force handed on is none.
        self._mp_context_given = mp_context
        self._initializer, self._initargs = _valid_initializer(initializer, initargs)

    def __enter__(self) -> Executor:
        scope = SCOPE.get()
        local = scope.executor is None or scope.context_inner
        # The application's factory runs here, out of the try: its frames stay.
        injected = None if local else _injected(scope.executor, self._max_workers)
        try:
            if injected is None:
                made, context, origin = self._local_pool()
            else:
                made, context, origin = self._lend(scope, *injected)
        except PreflightError as error:
            # Raised by mpcontext's checks alone: from the frame the user called.
            raise error.with_traceback(None)
        in_force = None
        if context is not None:
            in_force = scope.keeping_choice(context, origin)
        enter_block(self, in_force, made)
        return made

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        made: Executor = leave_block(self)  # type: ignore[assignment]
        made.shutdown(wait=True, cancel_futures=exc_type is not None)

    def _local_pool(self) -> tuple[Executor, BaseContext | None, str]:
        """Make the block's own pool; return it and the context to put in force."""
        from .._start.process_pool_executor import ProcessPoolExecutor, executor_context

        context = executor_context(
            self._mp_context_given, self._max_tasks_per_child, "mpcontext.executor()"
        )
        if sys.version_info >= (3, 11) and self._max_tasks_per_child is not None:
            pool = ProcessPoolExecutor(
                self._max_workers,
                context,
                self._initializer,
                self._initargs,
                max_tasks_per_child=self._max_tasks_per_child,
            )
        else:
            pool = ProcessPoolExecutor(
                self._max_workers, context, self._initializer, self._initargs
            )
        if context is concrete_context(current_context()):
            return pool, None, ""
        if self._mp_context is None or passed_on(self._mp_context_given):
            return pool, context, (
                "chosen by mpcontext.executor(max_tasks_per_child=...), as by the stdlib's "
                "pool: a forked worker cannot be replaced safely"
            )
        return pool, context, "chosen by the mp_context argument of mpcontext.executor()"

    def _lend(
        self, scope: Scope, inner: Executor, owned: bool, injected: str
    ) -> tuple[Executor, BaseContext | None, str]:
        """Wrap the executor the application injected; return it and its context.

        `inner` is the executor, `owned` whether it was made for this block
        (and is shut down with it), `injected` what the application gave.
        """
        from .._preflight.check import check_start
        from .._start.processes import pool_with_mpcontext_process
        from .injected import LentExecutor
        from .kinds import workers_of

        workers = workers_of(inner)
        context = workers.context if workers.stdlib_pool else None
        check = None
        try:
            check_requirement(requirement_in_force(), injected, workers)
            if context is not None:
                # A stdlib ProcessPoolExecutor: concurrent.futures.process is loaded.
                from .._start.process_pool_executor import executor_refused, task_journey

                check = task_journey(context)
                refused = executor_refused(context, injected, f"its context, {_INJECTED}")
                if refused is not None:
                    raise refused
                error = check_start(context)  # can its workers start at all?
                if error is not None:
                    raise error
            init = self._init(context)
        except BaseException:
            if owned:
                inner.shutdown(wait=True)
            raise
        # mpcontext's own pools start mpcontext's processes already and check their tasks.
        own = getattr(inner, "_mpcontext", None) is not None
        prepared = workers.stdlib_pool and pool_with_mpcontext_process(inner)
        if check is not None and init is None and own:
            check = None
        lent = LentExecutor(
            inner,
            owned=owned,
            check=check,
            init=init,
            chunks=workers.stdlib_pool,
            prepared=prepared,
        )
        return lent, workers.context, f"chosen by the executor {_INJECTED}: {workers.what}"

    def _init(self, context: BaseContext | None) -> Init | None:
        """Return what the tasks carry to run the initializer, checked for a pool of `context`.

        With an injected executor the pair travels with each task.
        """
        if self._initializer is None:
            return None
        from .._preflight.check import preflight
        from .injected import pair_key

        if context is not None:  # a stdlib ProcessPoolExecutor, whose tasks carry the pair
            from .._start.process_pool_executor import task_journey

            journey = task_journey(context, initializer=True)
            labels = ("the initializer", "initargs")
            error = preflight(self._initializer, self._initargs, None, journey, labels=labels)
            if error is not None:
                raise error
        return (self._initializer, self._initargs, pair_key(self._initializer, self._initargs))

    def __repr__(self) -> str:
        parts: list[str] = []
        if self._max_workers is not None:
            parts.append(repr(self._max_workers))
        if self._mp_context is not None:
            parts.append(f"mp_context={short_repr(self._mp_context)}")
        if self._initializer is not None:
            parts.append(f"initializer={short_repr(self._initializer)}")
            parts.append(f"initargs={short_repr(self._initargs)}")
        if self._max_tasks_per_child is not None:
            parts.append(f"max_tasks_per_child={self._max_tasks_per_child!r}")
        return f"executor({', '.join(parts)})"
