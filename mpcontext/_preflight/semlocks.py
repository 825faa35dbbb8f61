"""multiprocessing's own primitives: locks, semaphores, queues, shared values.

Each holds one or more ``SemLock``s. A ``SemLock`` made by a ``fork`` context
has its semaphore unlinked at once (only forked children inherit it), so it
cannot reach a ``spawn`` or ``forkserver`` child: CPython raises from 3.11.5
(it records ``_is_fork_ctx``), while on 3.10 the child gets a dangling handle
and can crash. None of them may travel in a pool task: they are only passed to
a child as it starts.
"""

from __future__ import annotations

import sys

from .problems import CROSS_CONTEXT, POOL_PRIMITIVE, Journey, Problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["MP_PRIMITIVE_MODULES", "made_by_fork", "primitive_problem", "semlock_class"]

MP_PRIMITIVE_MODULES = frozenset(
    {"multiprocessing.synchronize", "multiprocessing.queues", "multiprocessing.sharedctypes"}
)
"""Modules of the classes that hold ``SemLock``s and refuse pool tasks."""

# Condition -> its lock -> ...: the deepest nesting the stdlib builds is 3.
_MAX_DEPTH = 4


def semlock_class() -> type | None:
    """Return ``multiprocessing.synchronize.SemLock`` if it was ever imported.

    No primitive exists before that module is imported, so there is no
    need to import it (and ``tempfile`` with it) to look for one.
    """
    module = sys.modules.get("multiprocessing.synchronize")
    semlock: type | None = getattr(module, "SemLock", None)
    return semlock


def made_by_fork(semlock: object) -> bool:
    """Whether the ``SemLock`` `semlock` was made by a ``fork`` context."""
    flag = getattr(semlock, "_is_fork_ctx", None)  # 3.11.5 and newer
    if isinstance(flag, bool):
        return flag
    # Before: a fork context unlinks the semaphore at once, leaving no name.
    raw = getattr(semlock, "_semlock", None)
    return sys.platform != "win32" and raw is not None and getattr(raw, "name", "") is None


def primitive_problem(obj: object, label: str, journey: Journey) -> Problem | None:
    """Return why the multiprocessing primitive `obj` cannot travel, or ``None``.

    Looks only at objects of multiprocessing's primitive classes, and at
    their few attributes: the cost does not depend on what they hold.
    """
    if type(obj).__module__ not in MP_PRIMITIVE_MODULES:
        return None
    if journey.pool:
        return Problem(label, obj, POOL_PRIMITIVE)
    semlock = semlock_class()
    if journey.method == "fork" or semlock is None:
        return None
    for found in _semlocks(obj, semlock, 0):
        if made_by_fork(found):
            return Problem(label, obj, CROSS_CONTEXT)
    return None


def _semlocks(obj: object, semlock: type, depth: int) -> Iterator[object]:
    if isinstance(obj, semlock):
        yield obj
        return
    if depth >= _MAX_DEPTH:
        return
    for value in getattr(obj, "__dict__", {}).values():
        if isinstance(value, semlock) or type(value).__module__ in MP_PRIMITIVE_MODULES:
            yield from _semlocks(value, semlock, depth + 1)
