"""The kinds of executor and pool an application may inject, and how their workers start.

``using(executor=...)`` takes any ``concurrent.futures.Executor``, and
``using(pool=...)`` a factory of anything with ``multiprocessing.pool.Pool``'s
methods; what mpcontext can tell of their workers decides whether a
requirement can be checked and whether tasks are pre-flighted. One row of
``KINDS`` (``POOL_KINDS``) a kind, recognised without importing its module::

    injected executor ──workers_of()──> Workers(context, what, stdlib_pool)
    pool a factory made ──pool_workers_of()──> Workers(context, what, stdlib_pool)
"""

from __future__ import annotations

import sys
from multiprocessing.context import BaseContext

from .._core.mp_default import concrete_context
from .._core.start_methods import context_for_name, context_label, start_method_of
from .._families.contexts import family_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["KINDS", "POOL_KINDS", "Workers", "pool_workers_of", "workers_of"]


class Workers:
    """What mpcontext can tell of an executor's workers.

    Attributes
    ----------
    context : BaseContext or None
        The context that starts them, when they are local processes started
        by a known method; ``None`` otherwise.
    what : str
        The kind of executor, for messages and ``explain_context``.
    stdlib_pool : bool
        Whether it is a stdlib ``ProcessPoolExecutor`` (a stdlib
        ``multiprocessing.pool.Pool``), whose tasks the pre-flight checks.
    """

    __slots__ = ("context", "stdlib_pool", "what")

    def __init__(self, context: BaseContext | None, what: str, stdlib_pool: bool = False) -> None:
        self.context = context
        self.what = what
        self.stdlib_pool = stdlib_pool


def _stdlib_pool(executor: object) -> Workers:
    # mpcontext's own pools keep the context they were given, not the copy they start with.
    context = getattr(executor, "_mpcontext", None) or getattr(executor, "_mp_context", None)
    return _local_processes(context, stdlib=True)


def _local_processes(context: object, stdlib: bool) -> Workers:
    """What a pool of local processes started by `context` tells; `stdlib`: a stdlib pool."""
    if family_of(context) is None:  # also a context of multiprocess or billiard (under fork)
        return Workers(None, "a process pool whose start method cannot be told", stdlib)
    found: BaseContext = concrete_context(context)  # type: ignore[arg-type]
    label = context_label(found)
    return Workers(found, f"a process pool whose workers start with {label!r}", stdlib)


def _loky_pool(executor: object) -> Workers:
    # loky's own methods ("loky", "loky_init_main") start fresh interpreters,
    # as spawn does; it also takes the stdlib's fork and forkserver.
    context = getattr(executor, "_context", None)
    method = start_method_of(context) if isinstance(context, BaseContext) else "loky"
    if method in ("fork", "forkserver"):
        return Workers(context_for_name(method), f"loky's process pool, started with {method!r}")
    return Workers(
        context_for_name("spawn"),
        "loky's process pool, whose workers start fresh interpreters (counted as 'spawn')",
    )


def _thread_pool(executor: object) -> Workers:
    return Workers(None, "a thread pool, which runs its tasks in threads of this process")


def _dask_executor(executor: object) -> Workers:
    return Workers(
        None, "a dask.distributed executor, which runs its tasks on the workers of a cluster"
    )


KINDS: tuple[tuple[str, str, Callable[[object], Workers]], ...] = (
    ("concurrent.futures.process", "ProcessPoolExecutor", _stdlib_pool),
    ("loky.process_executor", "ProcessPoolExecutor", _loky_pool),
    ("joblib.externals.loky.process_executor", "ProcessPoolExecutor", _loky_pool),
    ("concurrent.futures.thread", "ThreadPoolExecutor", _thread_pool),
    ("distributed.cfexecutor", "ClientExecutor", _dask_executor),
)
"""The executors mpcontext knows: module, class name, and what it tells of their workers.

The first row whose class `executor` is an instance of decides.
"""


def workers_of(executor: object) -> Workers:
    """Tell what kind of executor `executor` is and how its workers start."""
    found = _kind_of(executor, KINDS)
    return found or Workers(None, "an executor of a kind mpcontext does not know")


def _stdlib_process_pool(pool: object) -> Workers:
    return _process_pool(pool, stdlib=True)


def _process_pool(pool: object, stdlib: bool = False) -> Workers:
    # The stdlib's, multiprocess's and billiard's pools keep their context as _ctx;
    # mpcontext's own keep the one they were given as _mpcontext.
    context = getattr(pool, "_mpcontext", None) or getattr(pool, "_ctx", None)
    return _local_processes(context, stdlib)


def _thread_pool_of_pool(pool: object) -> Workers:
    return Workers(None, "a ThreadPool, which runs its tasks in threads of this process")


def _ray_pool(pool: object) -> Workers:
    return Workers(None, "a Ray pool, which runs its tasks in the worker processes of Ray")


POOL_KINDS: tuple[tuple[str, str, Callable[[object], Workers]], ...] = (
    # First: ThreadPool derives from Pool.
    ("multiprocessing.pool", "ThreadPool", _thread_pool_of_pool),
    ("multiprocessing.pool", "Pool", _stdlib_process_pool),
    ("multiprocess.pool", "ThreadPool", _thread_pool_of_pool),
    ("multiprocess.pool", "Pool", _process_pool),
    ("billiard.pool", "Pool", _process_pool),
    ("ray.util.multiprocessing.pool", "Pool", _ray_pool),
)
"""The pools mpcontext knows: module, class name, and what it tells of their workers."""


def pool_workers_of(pool: object) -> Workers:
    """Tell what kind of pool `pool` is and how its workers start."""
    found = _kind_of(pool, POOL_KINDS)
    return found or Workers(None, "a pool of a kind mpcontext does not know")


def _kind_of(
    value: object, kinds: tuple[tuple[str, str, Callable[[object], Workers]], ...]
) -> Workers | None:
    """Return what the first row of `kinds` whose class `value` is an instance of tells."""
    for module, name, workers in kinds:
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type) and isinstance(value, cls):
            return workers(value)
    return None
