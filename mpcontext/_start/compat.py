"""What differs between the Python versions mpcontext supports, in one place.

The classes mpcontext makes keep the stdlib's signatures of the running
Python (``Executor.map`` takes ``buffersize`` from 3.14, ``Process`` has
``kwargs=None`` from 3.14.1); the version gates that type checkers must see
stay in the class bodies, and the rest is here.
"""

from __future__ import annotations

import sys
from itertools import islice

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from typing import Any, TypeVar

    _T = TypeVar("_T")

__all__ = ["KWARGS_DEFAULT", "CheckedMap", "batched"]

KWARGS_DEFAULT: Mapping[str, Any] | None = None if sys.version_info >= (3, 14, 1) else {}
"""The stdlib's default for ``Process(kwargs=...)``: ``{}`` until 3.14.0, ``None`` since 3.14.1.

Never mutated (``BaseProcess`` copies it).
"""


def batched(items: Iterator[_T], size: int) -> Iterator[tuple[_T, ...]]:
    """Yield tuples of `size` items (the last one shorter), as ``itertools.batched`` (3.12)."""
    while chunk := tuple(islice(items, size)):
        yield chunk


class CheckedMap:
    """``Executor.map`` with this Python's signature, checked before it maps.

    A subclass says what is wrong with a call (``_map_error``), raised from
    ``map``'s own frame, and how it maps (``_map``); ``map`` has the
    signature of the running Python's ``concurrent.futures.Executor.map``.
    """

    __slots__ = ()

    def _map_error(
        self, fn: Callable[..., Any], iterables: tuple[Iterable[Any], ...], chunksize: int
    ) -> Exception | None:
        raise NotImplementedError

    def _map(
        self,
        fn: Callable[..., _T],
        iterables: tuple[Iterable[Any], ...],
        chunksize: int,
        options: dict[str, Any],
    ) -> Iterator[_T]:
        raise NotImplementedError

    if sys.version_info >= (3, 14):

        def map(
            self,
            fn: Callable[..., _T],
            *iterables: Iterable[Any],
            timeout: float | None = None,
            chunksize: int = 1,
            buffersize: int | None = None,
        ) -> Iterator[_T]:
            """Check `fn` and the first items of `iterables`, then map as ``Executor.map``."""
            error = self._map_error(fn, iterables, chunksize)
            if error is not None:
                raise error
            return self._map(
                fn, iterables, chunksize, {"timeout": timeout, "buffersize": buffersize}
            )

    else:

        def map(
            self,
            fn: Callable[..., _T],
            *iterables: Iterable[Any],
            timeout: float | None = None,
            chunksize: int = 1,
        ) -> Iterator[_T]:
            """Check `fn` and the first items of `iterables`, then map as ``Executor.map``."""
            error = self._map_error(fn, iterables, chunksize)
            if error is not None:
                raise error
            return self._map(fn, iterables, chunksize, {"timeout": timeout})
