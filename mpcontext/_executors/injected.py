"""The executor library code gets when the application injected one.

Imported on first use by ``executor()``: it needs ``concurrent.futures``,
which ``import mpcontext`` does not import. Worker processes import it too,
to run ``Initialized`` tasks.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import os
import pickle
import threading
from concurrent.futures import process

from .._core.messages import short_repr
from .._core.mp_default import preparing
from .._preflight.check import first_items, preflight
from .._start.compat import CheckedMap, batched

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from concurrent.futures import Future
    from typing import Any, TypeVar

    from typing_extensions import ParamSpec

    from .._preflight.problems import Journey

    _P = ParamSpec("_P")
    _T = TypeVar("_T")

    Init = tuple[Callable[..., object], tuple[Any, ...], bytes]

__all__ = ["Initialized", "LentExecutor", "pair_key"]

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


# -- the executor ----------------------------------------------------------------


class _Submitter:
    """What ``Executor.map`` is run on: its ``submit`` is the block's, without a second check."""

    __slots__ = ("__weakref__", "submit")

    def __init__(self, submit: Callable[..., Future[Any]]) -> None:
        self.submit = submit


class LentExecutor(CheckedMap, concurrent.futures.Executor):
    """An injected executor, as one ``executor()`` block sees it.

    Its tasks go to the injected executor, after the pre-flight check for a
    stdlib process pool and wrapped with the initializer when there is one;
    ``map`` submits through ``submit`` (chunked for a stdlib process pool),
    so that the block knows every task it started. ``shutdown()`` waits for
    the block's own tasks (cancelling first those not started, with
    `cancel_futures`), and shuts the executor down only when it was made for
    the block by a factory: a shared one goes on serving the application.

    Parameters
    ----------
    inner : Executor
        The executor injected.
    owned : bool
        Whether it was made for this block (and is shut down with it).
    check : Journey or None
        The journey its tasks get the pre-flight of (a stdlib process pool).
    init : tuple or None
        The initializer, its arguments and the key of the pair.
    chunks : bool
        Whether ``map(chunksize=...)`` sends chunks (a stdlib process pool).
    prepared : bool
        Whether every process the executor starts leaves the global start
        method as it was already (a stdlib process pool starting mpcontext's
        processes): its submits then need no ``preparing()``.
    """

    def __init__(
        self,
        inner: concurrent.futures.Executor,
        *,
        owned: bool,
        check: Journey | None,
        init: Init | None,
        chunks: bool = False,
        prepared: bool = False,
    ) -> None:
        self._inner = inner
        self._prepared = prepared
        self._owned = owned
        self._check = check
        self._init = init
        self._chunks = chunks
        self._lock = threading.RLock()
        self._shutdown = False
        # What the block is waiting for, pruned of what is done whenever the
        # list doubles: cheaper per task than a done callback.
        self._futures: list[Future[Any]] = []
        self._prune_at = _PRUNE_AT
        self._submitter = _Submitter(self._submit)

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        """Submit ``fn(*args, **kwargs)`` to the injected executor."""
        if self._check is not None:
            error = preflight(fn, args, kwargs, self._check)
            if error is not None:
                raise error
        return self._submit(fn, *args, **kwargs)

    def _submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        task: Callable[..., _T] = fn if self._init is None else Initialized(fn, *self._init)
        with self._lock:
            if self._shutdown:
                raise RuntimeError(_SHUT_DOWN)
            if self._prepared:
                future = self._inner.submit(task, *args, **kwargs)
            else:
                # It may start processes now, in this thread, which may fix the global start method.
                with preparing():
                    future = self._inner.submit(task, *args, **kwargs)
            self._futures.append(future)
            if len(self._futures) >= self._prune_at:
                self._futures = [f for f in self._futures if not f.done()]
                self._prune_at = max(_PRUNE_AT, 2 * len(self._futures))
        return future

    def _map_error(
        self, fn: Callable[..., Any], iterables: tuple[Iterable[Any], ...], chunksize: int
    ) -> Exception | None:
        """Return what is wrong with a ``map`` call, for ``map`` to raise from its own frame."""
        if self._check is not None:
            error = preflight(fn, (), None, self._check, more=first_items(iterables))
            if error is not None:
                return error
        if chunksize < 1:
            return ValueError(f"chunksize must be >= 1, got {short_repr(chunksize)}")
        return None

    def _map(
        self,
        fn: Callable[..., _T],
        iterables: tuple[Iterable[Any], ...],
        chunksize: int,
        options: dict[str, Any],
    ) -> Iterator[_T]:
        submitter: Any = self._submitter
        if chunksize == 1 or not self._chunks:
            # What concurrent.futures.Executor.map does, through this block's submit.
            return concurrent.futures.Executor.map(submitter, fn, *iterables, **options)
        # What the stdlib's ProcessPoolExecutor.map does: a task a chunk.
        chunks = batched(zip(*iterables), chunksize)
        results = concurrent.futures.Executor.map(
            submitter, functools.partial(process._process_chunk, fn), chunks, **options
        )
        chained: Iterator[_T] = process._chain_from_iterable_of_lists(results)
        return chained

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
            futures = list(self._futures)
        if cancel_futures:
            for future in futures:
                future.cancel()
        if self._owned:
            self._inner.shutdown(wait=wait)
        elif wait:
            concurrent.futures.wait(futures)

    def __repr__(self) -> str:
        how = "made for this block" if self._owned else "shared"
        return f"<mpcontext executor of {self._inner!r} ({how})>"
