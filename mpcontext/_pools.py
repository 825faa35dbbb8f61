"""The stdlib's ``multiprocessing.pool.Pool``, with the pre-flight check before each task.

Imported on first use by the ``Pool`` factory: importing
``multiprocessing.pool`` costs more than the rest of mpcontext.
"""

from __future__ import annotations

import multiprocessing.pool
from multiprocessing.context import BaseContext

from ._errors import BrokenPoolError
from ._methods import start_method_of
from ._preflight import preflight, seen_args
from ._process import guarded_context
from ._startup import StartupWatch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from multiprocessing.pool import ApplyResult, IMapIterator, MapResult
    from typing import Any, TypeVar

    _S = TypeVar("_S")
    _T = TypeVar("_T")

__all__ = ["Pool"]


class Pool(multiprocessing.pool.Pool):
    """``multiprocessing.pool.Pool`` that checks each task before sending it.

    Made by ``mpcontext.Pool``, which checks the initializer first;
    ``apply_async`` (so ``apply``), ``map``, ``map_async``,
    ``starmap``, ``starmap_async``, ``imap`` and ``imap_unordered`` check the
    function (and ``apply_async`` its arguments) before queueing anything.
    Workers start without fixing the global start method.
    """

    def __init__(
        self,
        processes: int | None,
        initializer: Callable[..., object] | None,
        initargs: Iterable[Any],
        maxtasksperchild: int | None,
        *,
        mp_context: BaseContext,
    ) -> None:
        self._mpcontext = mp_context
        context = guarded_context(mp_context)
        watch: StartupWatch | None = None
        if initializer is None or callable(initializer):  # else the stdlib's TypeError
            # Workers that keep dying as they start break the pool, instead
            # of being replaced forever (see _startup).
            watch = StartupWatch(mp_context, initializer, processes)
            context.Process = watch.process_factory(context.Process)  # type: ignore[attr-defined]
            initializer = watch.initializer
        self._mpcontext_startup = watch
        try:
            super().__init__(processes, initializer, initargs, maxtasksperchild, context)
        except (ConnectionError, EOFError) as error:
            if start_method_of(mp_context) != "forkserver":
                raise
            # The stdlib has ended the workers it started.
            why = error.strerror if isinstance(error, OSError) else error
            raise BrokenPoolError(f"this pool cannot start its workers: {why}") from error
        if watch is not None:
            watch.attach(self)

    def _check(
        self, func: object, args: Iterable[Any] = (), kwds: Mapping[str, Any] | None = None
    ) -> None:
        if self._mpcontext_startup is not None:
            self._mpcontext_startup.raise_if_broken()
        preflight(func, seen_args(args), kwds, self._mpcontext, pool=True)

    def apply_async(
        self,
        func: Callable[..., _T],
        args: Iterable[Any] = (),
        kwds: Mapping[str, Any] = {},  # noqa: B006 - the stdlib's default, never mutated
        callback: Callable[[_T], object] | None = None,
        error_callback: Callable[[BaseException], object] | None = None,
    ) -> ApplyResult[_T]:
        """Check `func` and its arguments, then ``Pool.apply_async``."""
        self._check(func, args, kwds)
        return super().apply_async(func, args, kwds, callback, error_callback)

    def map(
        self, func: Callable[[_S], _T], iterable: Iterable[_S], chunksize: int | None = None
    ) -> list[_T]:
        """Check `func`, then ``Pool.map``."""
        self._check(func)
        return super().map(func, iterable, chunksize)

    def map_async(
        self,
        func: Callable[[_S], _T],
        iterable: Iterable[_S],
        chunksize: int | None = None,
        callback: Callable[[list[_T]], object] | None = None,
        error_callback: Callable[[BaseException], object] | None = None,
    ) -> MapResult[_T]:
        """Check `func`, then ``Pool.map_async``."""
        self._check(func)
        return super().map_async(func, iterable, chunksize, callback, error_callback)

    def starmap(
        self,
        func: Callable[..., _T],
        iterable: Iterable[Iterable[Any]],
        chunksize: int | None = None,
    ) -> list[_T]:
        """Check `func`, then ``Pool.starmap``."""
        self._check(func)
        return super().starmap(func, iterable, chunksize)

    def starmap_async(
        self,
        func: Callable[..., _T],
        iterable: Iterable[Iterable[Any]],
        chunksize: int | None = None,
        callback: Callable[[list[_T]], object] | None = None,
        error_callback: Callable[[BaseException], object] | None = None,
    ) -> ApplyResult[list[_T]]:
        """Check `func`, then ``Pool.starmap_async``."""
        self._check(func)
        return super().starmap_async(func, iterable, chunksize, callback, error_callback)

    def imap(
        self, func: Callable[[_S], _T], iterable: Iterable[_S], chunksize: int | None = 1
    ) -> IMapIterator[_T]:
        """Check `func`, then ``Pool.imap``."""
        self._check(func)
        return super().imap(func, iterable, chunksize)

    def imap_unordered(
        self, func: Callable[[_S], _T], iterable: Iterable[_S], chunksize: int | None = 1
    ) -> IMapIterator[_T]:
        """Check `func`, then ``Pool.imap_unordered``."""
        self._check(func)
        return super().imap_unordered(func, iterable, chunksize)
