"""The executor library code gets when the application injected one.

Imported on first use by ``executor()``: it needs ``concurrent.futures``,
which ``import mpcontext`` does not import. Worker processes import it too,
to run ``Initialized`` tasks.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import pickle
import sys
import threading
from collections import deque
from multiprocessing.context import BaseContext

from ._preflight import preflight

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from concurrent.futures import Future
    from typing import Any, TypeVar

    from typing_extensions import ParamSpec

    _P = ParamSpec("_P")
    _T = TypeVar("_T")
    _I = TypeVar("_I")

    Init = tuple[Callable[..., object], tuple[Any, ...], bytes]

__all__ = ["Initialized", "LentExecutor", "Results", "pair_key"]

_SHUT_DOWN = "cannot schedule new futures after shutdown"
_PRUNE_AT = 1024


# -- the initializer, once per worker process and pair ------------------------

_initialized: set[bytes] = set()
_initializing = threading.Lock()


def _forget_in_child() -> None:
    # A forked worker has run nothing yet, whatever its parent has; and a
    # thread of the parent may have held the lock at the fork.
    global _initializing
    _initialized.clear()
    _initializing = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def pair_key(initializer: Callable[..., object], initargs: tuple[Any, ...]) -> bytes:
    """Return what tells the pair ``(initializer, initargs)`` from others.

    The digest of its pickle: equal pairs made by separate ``executor()``
    blocks share it. A pair that does not pickle here (a lambda, a lock)
    gets a key of its own.
    """
    try:
        data = pickle.dumps((initializer, initargs), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return os.urandom(16)
    return hashlib.blake2b(data, digest_size=16).digest()


def _initialize(initializer: Callable[..., object], initargs: tuple[Any, ...], key: bytes) -> None:
    with _initializing:
        if key not in _initialized:
            initializer(*initargs)
            _initialized.add(key)


class Initialized:
    """A task that runs its initializer first, once in each worker process.

    Picklable when its parts are: the injected executor sends it to its
    workers in place of the task. A failing initializer fails the task and
    runs again before the next one.
    """

    __slots__ = ("fn", "initargs", "initializer", "key")

    def __init__(
        self,
        fn: Callable[..., Any],
        initializer: Callable[..., object],
        initargs: tuple[Any, ...],
        key: bytes,
    ) -> None:
        self.fn = fn
        self.initializer = initializer
        self.initargs = initargs
        self.key = key

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.key not in _initialized:
            _initialize(self.initializer, self.initargs, self.key)
        return self.fn(*args, **kwargs)

    @property
    def __name__(self) -> str:  # dask names its tasks after it
        return str(getattr(self.fn, "__name__", type(self.fn).__name__))

    def __reduce__(self) -> tuple[type[Initialized], tuple[Any, ...]]:
        return (Initialized, (self.fn, self.initializer, self.initargs, self.key))

    def __repr__(self) -> str:
        return f"Initialized({self.fn!r}, initializer={self.initializer!r})"


# -- map results that outlive the block ---------------------------------------


class Results:
    """The iterator ``map`` returns: the executor's own, drained when the block ends.

    Leaving the block waits for every task, as leaving an executor's block
    does: the results not read yet are kept for later reading, an error
    raised in their place. Leaving it by an exception cancels them.
    ``finished`` tells whether the executor's iterator has ended.
    """

    __slots__ = ("_buffer", "_cancelled", "_error", "_inner", "finished")

    def __init__(self, inner: Iterator[Any]) -> None:
        self._inner = inner
        self._buffer: deque[Any] = deque()
        self._error: Exception | None = None
        self._cancelled = False
        self.finished = False

    def __iter__(self) -> Results:
        return self

    def __next__(self) -> Any:
        if self._buffer:
            return self._buffer.popleft()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        if self._cancelled:
            raise concurrent.futures.CancelledError(
                "the executor() block that made this map() was left by an exception"
            )
        try:
            return next(self._inner)
        except BaseException:  # StopIteration, or the first error, which ends it too
            self.finished = True
            raise

    def drain(self) -> None:
        """Wait for the remaining results and keep them."""
        if self.finished:
            return
        buffer = self._buffer
        try:
            for item in self._inner:
                buffer.append(item)
        except Exception as error:
            self._error = error
        self.finished = True

    def cancel(self) -> None:
        """Cancel the tasks not started, as far as the executor allows."""
        if self.finished:
            return
        self._cancelled = True
        self.finished = True
        close = getattr(self._inner, "close", None)
        if callable(close):
            close()


def _pruned(items: list[_I], unfinished: Callable[[_I], bool]) -> list[_I]:
    return [item for item in items if unfinished(item)]


# -- the executor ----------------------------------------------------------------


class LentExecutor(concurrent.futures.Executor):
    """An injected executor, as one ``executor()`` block sees it.

    Its tasks go to the injected executor, after the pre-flight check for a
    stdlib process pool and wrapped with the initializer when there is one.
    ``shutdown()`` waits for (or cancels) the block's own tasks, and shuts
    the executor down only when it was made for the block by a factory: a
    shared one goes on serving the application.
    """

    def __init__(
        self,
        inner: concurrent.futures.Executor,
        *,
        owned: bool,
        check: BaseContext | None,
        init: Init | None,
    ) -> None:
        self._inner = inner
        self._owned = owned
        self._check = check
        self._init = init
        self._lock = threading.RLock()
        self._shutdown = False
        # What the block is waiting for, pruned of what is done whenever the
        # list doubles: cheaper per task than a done callback.
        self._futures: list[Future[Any]] = []
        self._prune_futures_at = _PRUNE_AT
        self._results: list[Results] = []
        self._prune_results_at = _PRUNE_AT

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        """Submit ``fn(*args, **kwargs)`` to the injected executor."""
        if self._check is not None:
            preflight(fn, args, kwargs, self._check, pool=True)
        task: Callable[..., _T] = fn if self._init is None else Initialized(fn, *self._init)
        with self._lock:
            if self._shutdown:
                raise RuntimeError(_SHUT_DOWN)
            future = self._inner.submit(task, *args, **kwargs)
            self._futures.append(future)
            if len(self._futures) >= self._prune_futures_at:
                self._futures = _pruned(self._futures, _not_done)
                self._prune_futures_at = max(_PRUNE_AT, 2 * len(self._futures))
        return future

    def _map(
        self, fn: Callable[..., _T], iterables: tuple[Iterable[Any], ...], options: dict[str, Any]
    ) -> Iterator[_T]:
        if self._check is not None:
            preflight(fn, (), None, self._check, pool=True)
        task: Callable[..., _T] = fn if self._init is None else Initialized(fn, *self._init)
        with self._lock:
            if self._shutdown:
                raise RuntimeError(_SHUT_DOWN)
            # Only what differs from the defaults: a cluster's map takes no buffersize.
            results = Results(self._inner.map(task, *iterables, **options))
            self._results.append(results)
            if len(self._results) >= self._prune_results_at:
                self._results = _pruned(self._results, _unfinished)
                self._prune_results_at = max(_PRUNE_AT, 2 * len(self._results))
        return results

    if sys.version_info >= (3, 14):

        def map(
            self,
            fn: Callable[..., _T],
            *iterables: Iterable[Any],
            timeout: float | None = None,
            chunksize: int = 1,
            buffersize: int | None = None,
        ) -> Iterator[_T]:
            """Map `fn` over `iterables` on the injected executor."""
            options = _options(timeout, chunksize)
            if buffersize is not None:
                options["buffersize"] = buffersize
            return self._map(fn, iterables, options)

    else:

        def map(
            self,
            fn: Callable[..., _T],
            *iterables: Iterable[Any],
            timeout: float | None = None,
            chunksize: int = 1,
        ) -> Iterator[_T]:
            """Map `fn` over `iterables` on the injected executor."""
            return self._map(fn, iterables, _options(timeout, chunksize))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """End the block's use of the executor.

        Parameters
        ----------
        wait : bool
            Wait for the tasks submitted through this object to finish.
        cancel_futures : bool
            First cancel those not started yet.
        """
        with self._lock:
            self._shutdown = True
            futures, results = list(self._futures), list(self._results)
        if cancel_futures:
            for future in futures:
                future.cancel()
            for result in results:
                result.cancel()
        if self._owned:
            self._inner.shutdown(wait=wait)
        elif wait:
            concurrent.futures.wait(futures)
            for result in results:
                result.drain()

    def __repr__(self) -> str:
        how = "made for this block" if self._owned else "shared"
        return f"<mpcontext executor of {self._inner!r} ({how})>"


def _not_done(future: Future[Any]) -> bool:
    return not future.done()


def _unfinished(results: Results) -> bool:
    return not results.finished


def _options(timeout: float | None, chunksize: int) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if timeout is not None:
        options["timeout"] = timeout
    if chunksize != 1:
        options["chunksize"] = chunksize
    return options
