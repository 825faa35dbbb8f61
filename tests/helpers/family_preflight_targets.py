"""Targets for the pre-flight tests of the other families (``test_families_preflight``).

Children import this module by name (what dill and cloudpickle send by
reference lives here); the lambdas and the local function have no name to
import them by, and reach a child only when sent by value.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

EXIT_WITH: Callable[[int], None] = lambda code: sys.exit(code)
"""A lambda target: the child's exit code proves it ran."""

SQUARE: Callable[[int], int] = lambda x: x * x
"""A lambda pool task."""


def exit_with(code: int) -> None:
    """A target found by name: exit the child with `code`."""
    sys.exit(code)


def local_exit_with(code: int) -> Callable[[], None]:
    """Return a local function, which exits the child with `code`."""

    def exit_now() -> None:
        sys.exit(code)

    return exit_now


def local_square() -> Callable[[int], int]:
    """Return a local function, a pool task."""

    def square_here(x: int) -> int:
        return x * x

    return square_here


def use_lock(lock: Any, code: int = 0) -> None:
    """Acquire and release `lock` in the child, then exit with `code`."""
    with lock:
        pass
    sys.exit(code)


def put(queue: Any, value: object) -> None:
    """Put `value` on `queue`, from the child."""
    queue.put(value)


def square(x: int) -> int:
    """A module-level pool task."""
    return x * x
