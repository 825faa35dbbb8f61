"""multiprocessing's own primitives: locks, semaphores, queues, shared values.

Each holds one or more ``SemLock``s. A ``SemLock`` made by a ``fork`` context
has its semaphore unlinked at once (only forked children inherit it), so it
cannot reach a ``spawn`` or ``forkserver`` child: CPython raises from 3.11.5
(it records ``_is_fork_ctx``), while on 3.10 the child gets a dangling handle
and can crash. None of them may travel in a pool task: they are only passed to
a child as it starts.

The other families have primitives of their own (``multiprocess``,
``billiard``; loky's are the stdlib's kind): a child receives only those of
the library that starts it, which pickles them while it starts that child
and refuses the others.
"""

from __future__ import annotations

import sys

from .._families.catalog import FAMILIES
from .problems import CROSS_CONTEXT, CROSS_FAMILY, POOL_PRIMITIVE, Journey, Problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "MP_PRIMITIVE_MODULES",
    "PRIMITIVE_FAMILIES",
    "made_by_fork",
    "primitive_problem",
    "semlock_classes",
]

PRIMITIVE_FAMILIES: dict[str, str] = {
    "multiprocessing.synchronize": "multiprocessing",
    "multiprocessing.queues": "multiprocessing",
    "multiprocessing.sharedctypes": "multiprocessing",
    "multiprocess.synchronize": "multiprocess",
    "multiprocess.queues": "multiprocess",
    "multiprocess.sharedctypes": "multiprocess",
    "billiard.synchronize": "billiard",
    "billiard.queues": "billiard",
    "billiard.sharedctypes": "billiard",
    # loky's are handed over by multiprocessing's spawning machinery.
    "loky.backend.synchronize": "multiprocessing",
    "loky.backend.queues": "multiprocessing",
}
"""The modules of the classes that hold ``SemLock``s, with the family whose children take them."""

MP_PRIMITIVE_MODULES = frozenset(PRIMITIVE_FAMILIES)
"""Modules of the classes that hold ``SemLock``s and refuse pool tasks."""

_SEMLOCK_MODULES = tuple(name for name in PRIMITIVE_FAMILIES if name.endswith(".synchronize"))

# Condition -> its lock -> ...: the deepest nesting the stdlib builds is 3.
_MAX_DEPTH = 4


def semlock_classes() -> tuple[type, ...]:
    """Return the ``SemLock`` classes of the families whose ``synchronize`` was ever imported.

    No primitive exists before its module is imported, so there is no need
    to import it (and ``tempfile`` with it) to look for one.
    """
    found = (getattr(sys.modules.get(name), "SemLock", None) for name in _SEMLOCK_MODULES)
    return tuple(kind for kind in found if isinstance(kind, type))


def made_by_fork(semlock: object) -> bool:
    """Whether the ``SemLock`` `semlock` was made by a ``fork`` context."""
    flag = getattr(semlock, "_is_fork_ctx", None)  # 3.11.5 and newer, multiprocess
    if isinstance(flag, bool):
        return flag
    # Before, and billiard: a fork context unlinks the semaphore at once, leaving no name.
    raw = getattr(semlock, "_semlock", None)
    return sys.platform != "win32" and raw is not None and getattr(raw, "name", "") is None


def primitive_problem(obj: object, label: str, journey: Journey) -> Problem | None:
    """Return why the multiprocessing primitive `obj` cannot travel, or ``None``.

    Looks only at objects of the primitive classes of the families, and at
    their few attributes: the cost does not depend on what they hold.
    """
    family = PRIMITIVE_FAMILIES.get(type(obj).__module__)
    if family is None:
        return None
    if journey.pool:
        return Problem(label, obj, POOL_PRIMITIVE)
    if journey.method == "fork":
        return None  # inherited: nothing is pickled
    forked = any(made_by_fork(found) for found in _semlocks(obj, semlock_classes(), 0))
    if family != journey.family.primitives:
        # The detail: a context of the primitive's family that can take it.
        taker = FAMILIES[family].label("fork" if forked else journey.method)
        return Problem(label, obj, CROSS_FAMILY, taker)
    if forked:
        return Problem(label, obj, CROSS_CONTEXT)
    return None


def _semlocks(obj: object, semlocks: tuple[type, ...], depth: int) -> Iterator[object]:
    if isinstance(obj, semlocks):
        yield obj
        return
    if depth >= _MAX_DEPTH:
        return
    for value in getattr(obj, "__dict__", {}).values():
        if isinstance(value, semlocks) or type(value).__module__ in MP_PRIMITIVE_MODULES:
            yield from _semlocks(value, semlocks, depth + 1)
