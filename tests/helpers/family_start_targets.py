"""Importable targets for ``tests/test_families_start.py``: multiprocess, billiard, loky children.

Spawn and forkserver children of each family import this module by name to
find what the tests send them, so everything here lives at the top level.
Every wait has a timeout: a primitive that did not reach the child fails the
test rather than hanging it.
"""

from __future__ import annotations

from typing import Any

import mpcontext

TIMEOUT = 30

INITIALIZED: list[str] = []
"""Filled in a pool worker by ``initialize``."""


def square(x: int) -> int:
    """A pool task."""
    return x * x


def initialize(mark: str) -> None:
    """A pool initializer: what its tasks then see."""
    INITIALIZED.append(mark)


def initialized(_: object = None) -> list[str]:
    """A pool task: what the initializer left in this worker."""
    return list(INITIALIZED)


def put(queue: Any, value: object) -> None:
    """Put `value` on `queue` (a Queue, SimpleQueue or JoinableQueue of the family)."""
    queue.put(value)


def take_and_mark_done(queue: Any) -> None:
    """Take an item of a JoinableQueue and mark it done: the parent's ``join()`` returns."""
    queue.get(timeout=TIMEOUT)
    queue.task_done()


def lock_and_put(lock: Any, queue: Any, times: int = 1) -> None:
    """Acquire `lock` (`times` deep, for an RLock) in the child, then say so."""
    for _ in range(times):
        if not lock.acquire(timeout=TIMEOUT):
            raise RuntimeError("the lock could not be acquired in the child")
    queue.put("locked")
    for _ in range(times):
        lock.release()


def set_event(event: Any) -> None:
    """Set `event`: the parent's ``wait()`` returns."""
    event.set()


def notify(condition: Any) -> None:
    """Notify `condition`, whose lock the parent releases as it waits."""
    with condition:
        condition.notify_all()


def release(semaphore: Any) -> None:
    """Release `semaphore`: the parent's ``acquire()`` returns."""
    semaphore.release()


def wait_at(barrier: Any) -> None:
    """Wait at `barrier` with the parent."""
    barrier.wait(TIMEOUT)


def increment(value: Any) -> None:
    """Increment a shared ``Value`` under its own lock."""
    with value.get_lock():
        value.value += 1


def fill(array: Any) -> None:
    """Write into a shared ``Array``."""
    for index in range(len(array)):
        array[index] = index + 1


def set_item(mapping: Any, key: str, value: object) -> None:
    """Write into a manager's dict proxy."""
    mapping[key] = value


class Worker(mpcontext.Process):
    """A subclass of ``mpcontext.Process``: a stdlib process class."""


class WorkerChoosing(mpcontext.Process):
    """A subclass whose ``__init__`` gives its context to ``super().__init__``."""

    def __init__(self, context: str) -> None:
        super().__init__(mp_context=context)
