"""The pool library code gets from ``mpcontext.Pool`` when the application injected a factory.

``using(pool=factory)`` puts a factory in force; ``mpcontext.Pool(...)``
called inside the block, unless a context was chosen explicitly there,
returns what it makes::

    mpcontext.Pool(processes, initializer, initargs, maxtasksperchild)
        └─ factory(processes, initializer, initargs, maxtasksperchild)
             ──kinds.pool_workers_of()──> the requirement in force checked
             ──> returned as it is; a stdlib pool of the application's own
                 making behind ``CheckedPool``, which pre-flights each task

Imported on first use by ``mpcontext.Pool``, inside an injection only.
"""

from __future__ import annotations

from .._core.calls import requirement_in_force
from .._core.messages import describe_value
from .._core.mp_default import preparing
from .._core.scope import SCOPE
from .._preflight.check import check_initializer, first_items, journey_of, preflight, seen_args
from .executor import check_requirement
from .kinds import pool_workers_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from multiprocessing.pool import ApplyResult, IMapIterator, MapResult
    from types import TracebackType
    from typing import Any, TypeVar

    from .._core.scope import Scope
    from .._preflight.problems import Journey

    _S = TypeVar("_S")
    _T = TypeVar("_T")

__all__ = ["CheckedPool", "injected_pool"]

_INJECTED = "injected with using(pool=...)"

# What library code calls on the pool it gets: what a factory's result must have.
_POOL_METHODS = (
    "map", "imap", "imap_unordered", "starmap", "apply_async", "close", "join", "terminate",
)


def injected_pool(
    scope: Scope,
    processes: int | None,
    initializer: Callable[..., object] | None,
    initargs: Iterable[Any],
    maxtasksperchild: int | None,
) -> Any:
    """Return the pool the factory injected in `scope` makes for these arguments.

    The factory runs with no pool injected, so that an ``mpcontext.Pool``
    it calls makes a local pool. An error it raises propagates as it is,
    with a note naming the factory.

    Raises
    ------
    TypeError
        The factory returned something without ``Pool``'s methods.
    StartMethodError
        A function declared with ``requires`` is running, and the pool is
        not a local process pool of a start method it allows (the pool is
        ended first).
    PreflightError
        The pool is a stdlib pool the factory made, whose workers cannot
        receive `initializer` or `initargs` (the pool is ended first).
    """
    factory = scope.pool
    assert factory is not None  # called only when one is injected
    args = tuple(initargs)
    token = SCOPE.set(scope.with_pool(None))
    try:
        # A stdlib pool it makes starts its first workers here, fixing nothing.
        with preparing():
            made: Any = factory(processes, initializer, args, maxtasksperchild)
    except Exception as error:
        _add_note(
            error,
            f"raised by the pool factory {describe_value(factory)}, {_INJECTED}, called by "
            f"mpcontext.Pool() as factory(processes, initializer, initargs, maxtasksperchild)",
        )
        raise
    finally:
        SCOPE.reset(token)
    missing = [f"{name}()" for name in _POOL_METHODS if not callable(getattr(made, name, None))]
    if missing:
        raise TypeError(
            f"the pool factory {describe_value(factory)}, {_INJECTED}, returned "
            f"{describe_value(made)}, which has no {', '.join(missing)}; it must return a pool "
            f"with multiprocessing.pool.Pool's methods (it is called as factory(processes, "
            f"initializer, initargs, maxtasksperchild) for each mpcontext.Pool() call)"
        )
    workers = pool_workers_of(made)
    try:
        check_requirement(
            requirement_in_force(),
            f"the pool made by {describe_value(factory)}",
            workers,
            via="pool",
        )
        # mpcontext's own pools check their tasks already; so do those of the families.
        if not workers.stdlib_pool or workers.context is None or hasattr(made, "_mpcontext"):
            return made
        refused = check_initializer(initializer, args, journey_of(workers.context, False))
        if refused is not None:
            raise refused.with_traceback(None)
        return CheckedPool(made, journey_of(workers.context, True))
    except BaseException:
        made.terminate()
        made.join()
        raise


def _add_note(error: BaseException, note: str) -> None:
    """Add `note` to `error` as ``BaseException.add_note`` does (Python 3.11+), also on 3.10."""
    add_note = getattr(error, "add_note", None)
    if add_note is not None:
        add_note(note)
        return
    try:
        notes = error.__dict__.setdefault("__notes__", [])
        notes.append(note)
    except (AttributeError, TypeError):  # an exception without a __dict__, or odd __notes__
        pass


class CheckedPool:
    """A stdlib pool an injected factory made, whose tasks are checked before they are queued.

    The pool's own methods, behind the pre-flight check of ``mpcontext.Pool``
    (the function, the arguments of ``apply`` and ``apply_async``, the first
    item of a list or tuple given to a map); everything else is the pool's.
    Its ``with`` block ends the pool, as the pool's own does.

    Parameters
    ----------
    pool : multiprocessing.pool.Pool
        The pool.
    journey : Journey
        What its tasks go through, as the pre-flight reads it.
    """

    __slots__ = ("_journey", "_pool")

    def __init__(self, pool: Any, journey: Journey) -> None:
        self._pool = pool
        self._journey = journey

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)

    def __enter__(self) -> CheckedPool:
        self._pool.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._pool.__exit__(exc_type, exc, tb)

    def __repr__(self) -> str:
        return f"<CheckedPool of {self._pool!r}>"

    def _check(
        self,
        func: object,
        args: Iterable[Any] = (),
        kwds: Mapping[str, Any] | None = None,
        iterables: Iterable[object] = (),
        star: bool = False,
    ) -> None:
        more = first_items(iterables, star) if iterables else ()
        error = preflight(func, seen_args(args), kwds, self._journey, more=more)
        if error is not None:
            raise error.with_traceback(None)

    def apply(
        self,
        func: Callable[..., _T],
        args: Iterable[Any] = (),
        kwds: Mapping[str, Any] = {},  # noqa: B006 - the stdlib's default, never mutated
    ) -> _T:
        """Check `func` and its arguments, then ``Pool.apply``."""
        self._check(func, args, kwds)
        return self._pool.apply(func, args, kwds)  # type: ignore[no-any-return]

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
        return self._pool.apply_async(  # type: ignore[no-any-return]
            func, args, kwds, callback, error_callback
        )

    def map(
        self, func: Callable[[_S], _T], iterable: Iterable[_S], chunksize: int | None = None
    ) -> list[_T]:
        """Check `func`, then ``Pool.map``."""
        self._check(func, iterables=(iterable,))
        return self._pool.map(func, iterable, chunksize)  # type: ignore[no-any-return]

    def map_async(
        self,
        func: Callable[[_S], _T],
        iterable: Iterable[_S],
        chunksize: int | None = None,
        callback: Callable[[list[_T]], object] | None = None,
        error_callback: Callable[[BaseException], object] | None = None,
    ) -> MapResult[_T]:
        """Check `func`, then ``Pool.map_async``."""
        self._check(func, iterables=(iterable,))
        return self._pool.map_async(  # type: ignore[no-any-return]
            func, iterable, chunksize, callback, error_callback
        )

    def starmap(
        self,
        func: Callable[..., _T],
        iterable: Iterable[Iterable[Any]],
        chunksize: int | None = None,
    ) -> list[_T]:
        """Check `func`, then ``Pool.starmap``."""
        self._check(func, iterables=(iterable,), star=True)
        return self._pool.starmap(func, iterable, chunksize)  # type: ignore[no-any-return]

    def starmap_async(
        self,
        func: Callable[..., _T],
        iterable: Iterable[Iterable[Any]],
        chunksize: int | None = None,
        callback: Callable[[list[_T]], object] | None = None,
        error_callback: Callable[[BaseException], object] | None = None,
    ) -> MapResult[list[_T]]:
        """Check `func`, then ``Pool.starmap_async``."""
        self._check(func, iterables=(iterable,), star=True)
        return self._pool.starmap_async(  # type: ignore[no-any-return]
            func, iterable, chunksize, callback, error_callback
        )

    def imap(
        self, func: Callable[[_S], _T], iterable: Iterable[_S], chunksize: int = 1
    ) -> IMapIterator[_T]:
        """Check `func`, then ``Pool.imap``."""
        self._check(func, iterables=(iterable,))
        return self._pool.imap(func, iterable, chunksize)  # type: ignore[no-any-return]

    def imap_unordered(
        self, func: Callable[[_S], _T], iterable: Iterable[_S], chunksize: int = 1
    ) -> IMapIterator[_T]:
        """Check `func`, then ``Pool.imap_unordered``."""
        self._check(func, iterables=(iterable,))
        return self._pool.imap_unordered(func, iterable, chunksize)  # type: ignore[no-any-return]
