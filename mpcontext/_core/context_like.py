"""``ContextLike``: what library code calls on a context of any multiprocessing family.

In a module of its own, imported on first access of ``mpcontext.ContextLike``:
a ``Protocol`` needs ``typing`` at run time, which ``import mpcontext`` does not
import (CONTRIBUTING, "Import cost").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Literal, Protocol, overload

__all__ = ["ContextLike"]


class ContextLike(Protocol):
    """A resolved context of any multiprocessing family, as library code uses it.

    The stdlib's concrete contexts (``SpawnContext``, ``ForkContext``,
    ``ForkServerContext``, ``DefaultContext``, loky's) are ``ContextLike``, and
    so are the contexts of ``multiprocess`` and ``billiard``, whose classes do
    not derive from the stdlib's ``BaseContext``. Annotate with it code that
    takes a context of another family, such as the result of
    ``resolve_context("multiprocess:spawn")``; stdlib contexts keep their own
    types (``resolve_context`` is overloaded so). The abstract ``BaseContext``
    is not one: typeshed gives it no ``Process``.

    What a ``ContextLike`` makes is typed ``Any``: each family has its own
    process, queue and lock classes.

    Examples
    --------
    >>> import multiprocessing, mpcontext
    >>> def start(ctx: mpcontext.ContextLike) -> None:
    ...     ctx.Process(target=print, args=("hello",)).start()
    >>> context: mpcontext.ContextLike = multiprocessing.get_context("spawn")
    """

    Process: ClassVar[type[Any]]

    @overload
    def get_start_method(self, allow_none: Literal[False] = False) -> str: ...
    @overload
    def get_start_method(self, allow_none: bool) -> str | None: ...
    def cpu_count(self) -> int: ...
    def Pool(  # noqa: N802
        self,
        processes: int | None = None,
        initializer: Callable[..., object] | None = None,
        initargs: Iterable[Any] = (),
        maxtasksperchild: int | None = None,
    ) -> Any: ...
    def Manager(self) -> Any: ...  # noqa: N802
    def Pipe(self, duplex: bool = True) -> Any: ...  # noqa: N802
    def Queue(self, maxsize: int = 0) -> Any: ...  # noqa: N802
    def JoinableQueue(self, maxsize: int = 0) -> Any: ...  # noqa: N802
    def SimpleQueue(self) -> Any: ...  # noqa: N802
    def Lock(self) -> Any: ...  # noqa: N802
    def RLock(self) -> Any: ...  # noqa: N802
    def Event(self) -> Any: ...  # noqa: N802
    def Condition(self, lock: Any = None) -> Any: ...  # noqa: N802
    def Semaphore(self, value: int = 1) -> Any: ...  # noqa: N802
    def BoundedSemaphore(self, value: int = 1) -> Any: ...  # noqa: N802
    def Barrier(  # noqa: N802
        self, parties: int, action: Callable[..., object] | None = None, timeout: float | None = None
    ) -> Any: ...
    def Value(self, typecode_or_type: Any, *args: Any, lock: Any = True) -> Any: ...  # noqa: N802
    def Array(  # noqa: N802
        self, typecode_or_type: Any, size_or_initializer: Any, *, lock: Any = True
    ) -> Any: ...
