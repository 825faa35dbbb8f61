"""The library that ``python -m mpcontext demo`` tours: a library written with mpcontext.

Its functions are those of any library that starts processes. They live in
an importable module, not in the demo itself, because a ``spawn`` or
``forkserver`` child finds what it runs by importing it by name.
"""

from __future__ import annotations

import os
import sys

import mpcontext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

    from mpcontext import ContextParam


__all__ = [
    "Facts",
    "fresh_worker",
    "square",
    "squares",
    "start_worker",
    "where_am_i",
]

Facts = tuple[int, int, tuple[str, ...]]
"""What a process says about itself: its pid, its parent's pid, its command line."""


def where_am_i() -> Facts:
    """Return what this process can tell about how it was started (run in children).

    The command line shows it: a ``spawn`` child runs ``spawn_main`` in a
    new interpreter, a ``forkserver`` child is a fork of the fork server
    (whose command line it keeps), and a ``fork`` child keeps its parent's.
    """
    return os.getpid(), os.getppid(), tuple(sys.orig_argv)


def square(number: int) -> tuple[int, Facts]:
    """Return ``number ** 2`` and the facts of the worker that computed it."""
    return number * number, where_am_i()


@mpcontext.accepts_context
def start_worker(*, mp_context: ContextParam = None) -> tuple[str, Facts]:
    """Start a worker process and ask it how it was started.

    Returns
    -------
    tuple
        The context in force inside this call, as ``explain_context`` says
        it, and what the worker said of itself (see ``where_am_i``).
    """
    with mpcontext.ProcessPoolExecutor(1, mp_context=mp_context) as pool:
        return mpcontext.explain_context(), pool.submit(where_am_i).result()


@mpcontext.accepts_context(
    requires=("spawn", "forkserver"),
    reason="its workers load a model that is not safe to fork",
)
def fresh_worker(*, mp_context: ContextParam = None) -> tuple[str, Facts]:
    """Start a worker process in a fresh interpreter and ask it how it was started.

    Returns
    -------
    tuple
        As ``start_worker``.
    """
    with mpcontext.ProcessPoolExecutor(1, mp_context=mp_context) as pool:
        return mpcontext.explain_context(), pool.submit(where_am_i).result()


@mpcontext.accepts_context
def squares(
    numbers: Iterable[int], *, mp_context: ContextParam = None
) -> list[tuple[int, Facts]]:
    """Square `numbers` in worker processes: wherever the application sends the work.

    Returns
    -------
    list
        Each square with the facts of the worker that computed it.
    """
    with mpcontext.executor(2, mp_context=mp_context) as pool:
        return list(pool.map(square, numbers))
