"""Pools of any class that check each task before queueing it.

``checked_pool_class(base)`` derives, once per pool class, a class that runs
the pre-flight on the function (and the arguments of ``apply_async``, the
first item of a list or tuple given to a map) before the pool's own method
queues the task. Used for the pools of multiprocess and billiard
(``families``), and for a stdlib pool an application's factory made
(``check_tasks``, from ``using(pool=...)``): mpcontext's own stdlib pool
(``pools``) checks its tasks itself.
"""

from __future__ import annotations

import threading

from .._preflight.check import Journey, first_items, preflight, seen_args

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from multiprocessing.pool import Pool as _PoolBase
    from typing import Any

    from .._core.errors import PreflightError
else:
    # At run time the mixin goes first on the pool's own class; type
    # checkers see it on the stdlib's, of which the families' are copies.
    _PoolBase = object

__all__ = ["check_tasks", "checked_pool_class"]


class _CheckedPool(_PoolBase):
    """What mpcontext adds to a pool class: the pre-flight of each task before it is queued.

    The pool's own methods and options (billiard's ``apply_async`` takes
    more) pass through unchanged.
    """

    _mpcontext_journey: Journey

    def __init__(self, *args: Any, mpcontext_journey: Journey, **kwargs: Any) -> None:
        self._mpcontext_journey = mpcontext_journey
        super().__init__(*args, **kwargs)

    def _mpcontext_error(
        self,
        func: object,
        args: Iterable[Any] = (),
        kwds: Mapping[str, Any] | None = None,
        iterables: Iterable[object] = (),
        star: bool = False,
    ) -> PreflightError | None:
        more = first_items(iterables, star) if iterables else ()
        return preflight(func, seen_args(args), kwds, self._mpcontext_journey, more=more)

    def apply_async(
        self,
        func: Callable[..., Any],
        args: Iterable[Any] = (),
        kwds: Mapping[str, Any] = {},  # noqa: B006 - the stdlib's default, never mutated
        *more: Any,
        **options: Any,
    ) -> Any:
        """Check `func` and its arguments, then the family's ``apply_async``."""
        error = self._mpcontext_error(func, args, kwds)
        if error is not None:
            raise error
        return super().apply_async(func, args, kwds, *more, **options)

    def map(
        self, func: Callable[..., Any], iterable: Iterable[Any], *more: Any, **options: Any
    ) -> Any:
        """Check `func`, then the family's ``map``."""
        error = self._mpcontext_error(func, iterables=(iterable,))
        if error is not None:
            raise error
        return super().map(func, iterable, *more, **options)

    def map_async(
        self, func: Callable[..., Any], iterable: Iterable[Any], *more: Any, **options: Any
    ) -> Any:
        """Check `func`, then the family's ``map_async``."""
        error = self._mpcontext_error(func, iterables=(iterable,))
        if error is not None:
            raise error
        return super().map_async(func, iterable, *more, **options)

    def starmap(
        self, func: Callable[..., Any], iterable: Iterable[Any], *more: Any, **options: Any
    ) -> Any:
        """Check `func`, then the family's ``starmap``."""
        error = self._mpcontext_error(func, iterables=(iterable,), star=True)
        if error is not None:
            raise error
        return super().starmap(func, iterable, *more, **options)

    def starmap_async(
        self, func: Callable[..., Any], iterable: Iterable[Any], *more: Any, **options: Any
    ) -> Any:
        """Check `func`, then the family's ``starmap_async``."""
        error = self._mpcontext_error(func, iterables=(iterable,), star=True)
        if error is not None:
            raise error
        return super().starmap_async(func, iterable, *more, **options)

    def imap(
        self, func: Callable[..., Any], iterable: Iterable[Any], *more: Any, **options: Any
    ) -> Any:
        """Check `func`, then the family's ``imap``."""
        error = self._mpcontext_error(func, iterables=(iterable,))
        if error is not None:
            raise error
        return super().imap(func, iterable, *more, **options)

    def imap_unordered(
        self, func: Callable[..., Any], iterable: Iterable[Any], *more: Any, **options: Any
    ) -> Any:
        """Check `func`, then the family's ``imap_unordered``."""
        error = self._mpcontext_error(func, iterables=(iterable,))
        if error is not None:
            raise error
        return super().imap_unordered(func, iterable, *more, **options)


_pool_classes: dict[type[Any], type[Any]] = {}
_pool_classes_lock = threading.Lock()


def checked_pool_class(base: type[Any]) -> type[Any]:
    """Return the class of checked pools on the pool class `base`, made once per class.

    Its constructor takes `base`'s arguments and the keyword
    ``mpcontext_journey``, the journey each task is checked against.
    """
    try:
        return _pool_classes[base]
    except KeyError:
        pass
    with _pool_classes_lock:
        made = _pool_classes.get(base)
        if made is None:
            namespace = {"__module__": __name__, "__qualname__": "Pool", "__doc__": base.__doc__}
            made = type("Pool", (_CheckedPool, base), namespace)
            _pool_classes[base] = made
    return made


def check_tasks(pool: object, journey: Journey) -> None:
    """Make `pool`, made already, check each task it is given from now on against `journey`.

    Its class becomes ``checked_pool_class(type(pool))``, a subclass of its
    own: the object stays what it was (``is`` and ``isinstance`` hold),
    with the pre-flight in front of its methods.
    """
    setattr(pool, "_mpcontext_journey", journey)  # noqa: B010 - read by the mixin
    if not isinstance(pool, _CheckedPool):
        pool.__class__ = checked_pool_class(type(pool))
