"""The stdlib's ``multiprocessing.pool.Pool``, with the pre-flight and without its hangs.

Imported on first use by the ``Pool`` factory: importing
``multiprocessing.pool`` costs more than the rest of mpcontext.

What it adds to the stdlib's pool:

- the pre-flight check of each task (the function, the arguments of
  ``apply_async``, the first item of a list or tuple given to a map) before
  it is queued, with the start method known from construction;
- workers started without fixing the global start method;
- a worker that cannot unpickle a task (a function a spawn worker cannot
  import, a fork pool's workers forked before it was defined) fails that
  task's result with its error, where the stdlib's worker dies and the task
  is lost, so the pool's ``map`` waits for ever;
- workers that keep dying as they start, or a worker that dies (killed, or
  ending with an error code; see ``startup_watch``), break the pool: atomically with refusing new tasks, the pool is
  terminated and every task still pending fails with ``BrokenPoolError``,
  so that ``get()``, iterating an ``imap`` and ``close(); join()`` return.
"""

from __future__ import annotations

import multiprocessing.pool
import os
import pickle
import sys
import threading
import weakref
from multiprocessing.context import BaseContext
from multiprocessing.pool import ApplyResult, IMapIterator, MapResult
from multiprocessing.queues import SimpleQueue

from .._core.errors import BrokenPoolError
from .._core.start_methods import start_method_of
from .._preflight.check import first_items, journey_of, preflight, seen_args
from .processes import context_with_mpcontext_process
from .startup_watch import StartupWatch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess
    from multiprocessing.synchronize import Lock
    from typing import Any, TypeVar

    _S = TypeVar("_S")
    _T = TypeVar("_T")

__all__ = ["Pool", "TaskQueue"]


# How long a broken pool waits for each of its killed workers to end; and
# for a lock of its queues, held for a moment unless by a killed worker.
_KILLED_WITHIN = 5.0
_HELD_BRIEFLY = 0.2


class TaskQueue(SimpleQueue[object]):
    """The queue a pool's workers take tasks from: a task they cannot unpickle fails.

    The stdlib's worker dies of it, and the task is lost. This one reads the
    job and the index of the task from the pickle (they come first), and
    gives the worker a task that raises the error, so that the task's result
    fails with it.

    Attributes
    ----------
    orphaned : bool
        Set when every worker reading it has ended (a broken pool kills
        them): the parent is then its only reader and drains it without the
        read lock, which a killed worker may hold for ever.
    """

    orphaned = False

    def get(self) -> Any:
        """Take the next task, or what stands for one the worker could not unpickle."""
        reader: Connection = getattr(self, "_reader")  # noqa: B009 - the stdlib's, untyped
        lock: Lock = getattr(self, "_rlock")  # noqa: B009
        with lock:
            data = reader.recv_bytes()
        try:
            return pickle.loads(data)  # what ForkingPickler.loads is
        except Exception as error:
            where = _job_and_index(data)
            if where is None:
                raise
            return (*where, _cannot_unpickle, (_described(error),), {})


def _job_and_index(data: bytes) -> tuple[int, int] | None:
    """Return the job and index a task's pickle starts with, ``None`` if it has no such start."""
    import pickletools  # in a worker, only when a task could not be unpickled

    found: list[int] = []
    try:
        for opcode, argument, _ in pickletools.genops(data):
            if opcode.name in ("PROTO", "FRAME", "MARK"):
                continue
            if not isinstance(argument, int) or isinstance(argument, bool):
                return None
            found.append(argument)
            if len(found) == 2:
                return found[0], found[1]
    except Exception:  # not a pickle as a pool sends them
        return None
    return None


def _described(error: Exception) -> tuple[type[Exception], str]:
    kind = type(error)
    if kind.__module__ != "builtins":  # it may not reach the parent
        kind = pickle.UnpicklingError
    process = multiprocessing.current_process()
    method = getattr(process, "_start_method", None) or "this"
    text = (
        f"a {method} pool worker could not unpickle this task ({type(error).__name__}: {error}). "
        f"What a task carries (its function, its arguments and their classes) must be found "
        f"by import in the worker: define it at the top level of an importable module"
    )
    return kind, text


def _cannot_unpickle(described: tuple[type[Exception], str]) -> None:
    """The task a worker runs in place of one it could not unpickle: raise the error."""
    kind, text = described
    raise kind(text)


def _fail(job: object, error: BrokenPoolError) -> None:
    """Complete the pending `job` of a terminated pool with `error` (no result arrives any more)."""
    failure = (False, error)
    if isinstance(job, IMapIterator):
        # Items already received are read first; then the error; then the end.
        with job._cond:  # type: ignore[attr-defined]
            job._items.append(failure)  # type: ignore[attr-defined]
            job._index += 1  # type: ignore[attr-defined]
            job._length = job._index  # type: ignore[attr-defined]
            job._cond.notify_all()  # type: ignore[attr-defined]
            job._cache.pop(job._job, None)  # type: ignore[attr-defined]
            job._pool = None  # type: ignore[attr-defined]
    elif isinstance(job, MapResult):
        for _ in range(max(1, job._number_left)):  # type: ignore[attr-defined]
            job._set(0, failure)  # type: ignore[attr-defined]
    elif isinstance(job, ApplyResult):
        job._set(0, failure)  # type: ignore[attr-defined]


def _breaker(pool: Pool) -> Callable[[BrokenPoolError], None]:
    """Return what breaks `pool`, holding it weakly: the pool holds its watch, which holds this."""
    pool_ref = weakref.ref(pool)

    def on_break(error: BrokenPoolError) -> None:
        alive = pool_ref()
        if alive is not None:
            alive._break(error)

    return on_break


def _end_broken(pool: Pool, error: BrokenPoolError) -> None:
    """Terminate the broken `pool`, then fail what it still had to do.

    Its workers are killed first: one killed while it waited for a task holds
    the task queue's lock for ever, and the stdlib's ``terminate()`` waits for
    that lock (see ``TaskQueue.orphaned``).
    """
    built: threading.Event = getattr(pool, "_mpcontext_built")  # noqa: B009
    built.wait()
    if not hasattr(pool, "_terminate"):
        return  # its __init__ failed, and the stdlib ended what it had started
    workers: list[BaseProcess] = list(getattr(pool, "_pool"))  # noqa: B009 - the stdlib's
    for worker in workers:
        if worker.exitcode is None:
            worker.kill()
    for worker in workers:
        worker.join(_KILLED_WITHIN)
    inqueue: TaskQueue = getattr(pool, "_inqueue")  # noqa: B009
    inqueue.orphaned = True
    # A worker killed while writing a result holds the result queue's write
    # lock, which the pool's threads take to finish. Held for a moment by a
    # thread of this process, taken by no one else now: released either way.
    outqueue: SimpleQueue[object] = getattr(pool, "_outqueue")  # noqa: B009
    write_lock: Lock | None = getattr(outqueue, "_wlock", None)
    if write_lock is not None:
        write_lock.acquire(timeout=_HELD_BRIEFLY)
        write_lock.release()
    pool.terminate()  # its threads are joined: nothing else sets results now
    cache: dict[int, object] = getattr(pool, "_cache")  # noqa: B009 - private to the stdlib
    for job in list(cache.values()):
        _fail(job, error)


class Pool(multiprocessing.pool.Pool):
    """``multiprocessing.pool.Pool`` that checks each task, and breaks rather than hangs.

    Made by ``mpcontext.Pool``, which checks the initializer first;
    ``apply_async`` (so ``apply``), ``map``, ``map_async``, ``starmap``,
    ``starmap_async``, ``imap`` and ``imap_unordered`` check the function
    (and ``apply_async`` its arguments) before queueing anything, and raise
    ``BrokenPoolError`` once the pool is broken.
    """

    _mpcontext_error: BrokenPoolError | None = None
    _mpcontext: BaseContext

    def __init__(
        self,
        processes: int | None,
        initializer: Callable[..., object] | None,
        initargs: Iterable[Any],
        maxtasksperchild: int | None,
        *,
        mp_context: BaseContext,
    ) -> None:
        # First: a pool whose __init__ fails must not complain when collected.
        self._state = multiprocessing.pool.INIT
        self._mpcontext_lock = threading.Lock()
        # Set once the stdlib's __init__ has returned or failed: a pool may
        # break while it starts its first workers, before terminate() works.
        self._mpcontext_built = threading.Event()
        self._mpcontext = mp_context  # the context given; _ctx starts mpcontext's processes
        method = start_method_of(mp_context)
        # A fork pool's workers have __main__ as it is now (unless replaced
        # after some tasks, when they may have it as it is later).
        main = sys.modules.get("__main__")
        forked_main = (
            dict(vars(main)) if method == "fork" and maxtasksperchild is None and main else None
        )
        self._mpcontext_journey = journey_of(mp_context, True, forked_main=forked_main)
        context = context_with_mpcontext_process(mp_context)
        watch: StartupWatch | None = None
        if initializer is None or callable(initializer):  # else the stdlib's TypeError
            # Workers that keep dying as they start break the pool, instead
            # of being replaced forever (see startup_watch).
            watch = StartupWatch(mp_context, method, initializer, processes, _breaker(self))
            context.Process = watch.process_factory(context.Process)  # type: ignore[attr-defined]
            initializer = watch.initializer
        self._mpcontext_startup = watch
        try:
            super().__init__(processes, initializer, initargs, maxtasksperchild, context)
        except (ConnectionError, EOFError) as error:
            if method != "forkserver":
                raise
            # The stdlib has ended the workers it started.
            why = error.strerror if isinstance(error, OSError) else error
            raise BrokenPoolError(f"this pool cannot start its workers: {why}") from error
        finally:
            self._mpcontext_built.set()

    @staticmethod
    def _help_stuff_finish(inqueue: TaskQueue, task_handler: threading.Thread, size: int) -> None:
        # terminate(): unblock the task handler, which may be writing to a full
        # queue; the stdlib's takes the read lock first, which a killed worker
        # may hold.
        if not inqueue.orphaned or sys.platform == "win32":
            help_finish = multiprocessing.pool.Pool._help_stuff_finish  # type: ignore[attr-defined]
            help_finish(inqueue, task_handler, size)
            return
        # Raw bytes, not messages: a worker killed while reading one leaves
        # the rest of it, and a framed read would then wait for ever.
        reader: Connection = getattr(inqueue, "_reader")  # noqa: B009
        fd = reader.fileno()
        os.set_blocking(fd, False)
        while task_handler.is_alive():
            if reader.poll(0.05):
                try:
                    os.read(fd, 1 << 16)
                except BlockingIOError:
                    pass

    def _setup_queues(self) -> None:
        super()._setup_queues()  # type: ignore[misc]
        self._inqueue = TaskQueue(ctx=self._ctx)  # type: ignore[attr-defined]
        writer: Connection = getattr(self._inqueue, "_writer")  # noqa: B009
        self._quick_put = writer.send

    def _break(self, error: BrokenPoolError) -> None:
        """Refuse new tasks, then fail the pending ones (called by the watch, once)."""
        with self._mpcontext_lock:
            self._mpcontext_error = error
        # Not from this thread: it is the pool's own, which terminate() joins.
        threading.Thread(
            target=_end_broken, args=(self, error), name="mpcontext broken pool", daemon=True
        ).start()

    def _checked(
        self,
        func: object,
        args: Iterable[Any] = (),
        kwds: Mapping[str, Any] | None = None,
        iterables: Iterable[object] = (),
        star: bool = False,
    ) -> Exception | None:
        """Return why a task is refused: the pool is broken, or the pre-flight's error."""
        if self._mpcontext_error is not None:
            return BrokenPoolError(str(self._mpcontext_error))
        more = first_items(iterables, star) if iterables else ()
        return preflight(func, seen_args(args), kwds, self._mpcontext_journey, more=more)

    def _map_async(
        self,
        func: Callable[..., object],
        iterable: Iterable[Any],
        mapper: Callable[..., object],
        chunksize: int | None = None,
        callback: Callable[..., object] | None = None,
        error_callback: Callable[[BaseException], object] | None = None,
    ) -> MapResult[Any]:
        # The stdlib divides by len(self._pool), which is 0 for a moment while
        # dead workers are replaced: the pool's size gives the same chunks.
        if chunksize is None:
            if not hasattr(iterable, "__len__"):
                iterable = list(iterable)
            processes: int = getattr(self, "_processes")  # noqa: B009 - the stdlib's
            chunksize, extra = divmod(len(iterable), processes * 4)  # type: ignore[arg-type]
            if extra:
                chunksize += 1
        return super()._map_async(  # type: ignore[misc, no-any-return]
            func, iterable, mapper, chunksize, callback, error_callback
        )

    def apply_async(
        self,
        func: Callable[..., _T],
        args: Iterable[Any] = (),
        kwds: Mapping[str, Any] = {},  # noqa: B006 - the stdlib's default, never mutated
        callback: Callable[[_T], object] | None = None,
        error_callback: Callable[[BaseException], object] | None = None,
    ) -> ApplyResult[_T]:
        """Check `func` and its arguments, then ``Pool.apply_async``."""
        with self._mpcontext_lock:
            error = self._checked(func, args, kwds)
            if error is not None:
                raise error
            return super().apply_async(func, args, kwds, callback, error_callback)

    def map(
        self, func: Callable[[_S], _T], iterable: Iterable[_S], chunksize: int | None = None
    ) -> list[_T]:
        """Check `func`, then ``Pool.map``."""
        with self._mpcontext_lock:
            error = self._checked(func, iterables=(iterable,))
            if error is not None:
                raise error
            result = super().map_async(func, iterable, chunksize)
        return result.get()

    def map_async(
        self,
        func: Callable[[_S], _T],
        iterable: Iterable[_S],
        chunksize: int | None = None,
        callback: Callable[[list[_T]], object] | None = None,
        error_callback: Callable[[BaseException], object] | None = None,
    ) -> MapResult[_T]:
        """Check `func`, then ``Pool.map_async``."""
        with self._mpcontext_lock:
            error = self._checked(func, iterables=(iterable,))
            if error is not None:
                raise error
            return super().map_async(func, iterable, chunksize, callback, error_callback)

    def starmap(
        self,
        func: Callable[..., _T],
        iterable: Iterable[Iterable[Any]],
        chunksize: int | None = None,
    ) -> list[_T]:
        """Check `func`, then ``Pool.starmap``."""
        with self._mpcontext_lock:
            error = self._checked(func, iterables=(iterable,), star=True)
            if error is not None:
                raise error
            result = super().starmap_async(func, iterable, chunksize)
        return result.get()

    def starmap_async(
        self,
        func: Callable[..., _T],
        iterable: Iterable[Iterable[Any]],
        chunksize: int | None = None,
        callback: Callable[[list[_T]], object] | None = None,
        error_callback: Callable[[BaseException], object] | None = None,
    ) -> ApplyResult[list[_T]]:
        """Check `func`, then ``Pool.starmap_async``."""
        with self._mpcontext_lock:
            error = self._checked(func, iterables=(iterable,), star=True)
            if error is not None:
                raise error
            return super().starmap_async(func, iterable, chunksize, callback, error_callback)

    def imap(
        self, func: Callable[[_S], _T], iterable: Iterable[_S], chunksize: int | None = 1
    ) -> IMapIterator[_T]:
        """Check `func`, then ``Pool.imap``."""
        with self._mpcontext_lock:
            error = self._checked(func, iterables=(iterable,))
            if error is not None:
                raise error
            return super().imap(func, iterable, chunksize)

    def imap_unordered(
        self, func: Callable[[_S], _T], iterable: Iterable[_S], chunksize: int | None = 1
    ) -> IMapIterator[_T]:
        """Check `func`, then ``Pool.imap_unordered``."""
        with self._mpcontext_lock:
            error = self._checked(func, iterables=(iterable,))
            if error is not None:
                raise error
            return super().imap_unordered(func, iterable, chunksize)
