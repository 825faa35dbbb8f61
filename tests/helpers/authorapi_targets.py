"""Decorated functions and child targets for the author-API tests.

A module, not a test file: spawn and forkserver children import what they
run by name, and they must find it here.
"""

from __future__ import annotations

import multiprocessing.context
import os
from multiprocessing.queues import SimpleQueue
from collections.abc import Callable, Iterator
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess

import pytest

import mpcontext
from mpcontext import ContextParam, accepts_context

METHODS = mpcontext.available_start_methods()
# The platform's default, read without fixing multiprocessing's global one.
DEFAULT = multiprocessing.context._default_context._default_context.get_start_method()  # type: ignore[attr-defined]
NOT_DEFAULT = next(m for m in METHODS if m != DEFAULT)

_inherited = {"set": False}


def ctx(method: str) -> BaseContext:
    """Return multiprocessing's context for `method`."""
    return multiprocessing.get_context(method)


def report_start(queue: SimpleQueue[tuple[int, bool]]) -> None:
    """Run in a child: tell the parent who our parent is and what we inherited."""
    queue.put((os.getppid(), _inherited["set"]))


def how_started(context: BaseContext | None = None) -> str:
    """Start a child; return the start method it shows it ran under.

    With `context`, its own ``SimpleQueue`` and ``Process``; without,
    mpcontext's factories, which use the context in force. A forked child
    inherits state set in the parent at run time; a spawned or forkserver
    child does not, and the forkserver's children have another parent.
    """
    queue = context.SimpleQueue() if context else mpcontext.SimpleQueue()
    # BaseContext declares no Process (its subclasses do).
    make_process: Callable[..., BaseProcess] = getattr(context, "Process", mpcontext.Process)
    _inherited["set"] = True
    try:
        process = make_process(target=report_start, args=(queue,))
        process.start()
        parent, inherited = queue.get()
        process.join()
    finally:
        _inherited["set"] = False
        queue.close()
    if parent != os.getpid():
        return "forkserver"
    return "fork" if inherited else "spawn"


@accepts_context
def start_with_argument(*, mp_context: ContextParam = None) -> str:
    """Start a child with the context received."""
    return how_started(mpcontext.resolve_context(mp_context))


@accepts_context
def start_with_context_in_force(*, mp_context: ContextParam = None) -> str:
    """Start a child with the context in force (what mpcontext's factories use)."""
    return how_started(mpcontext.current_context())


@accepts_context
def start_with_factory(*, mp_context: ContextParam = None) -> str:
    """Start a child with mpcontext's factories, given no context."""
    return how_started()


@accepts_context(requires=("spawn", "forkserver"), reason="it needs a fresh interpreter")
def start_fresh(*, mp_context: ContextParam = None) -> str:
    """Start a child under a start method that does not fork."""
    return start_with_factory()


@accepts_context
def square_all(values: list[int], *, mp_context: ContextParam = None) -> list[int]:
    """Square in a pool of the context received."""
    context = mpcontext.resolve_context(mp_context)
    with context.Pool(2) as pool:
        return pool.map(square, values)


def square(value: int) -> int:
    return value * value


@accepts_context
def squares(values: list[int], *, mp_context: ContextParam = None) -> Iterator[int]:
    """Yield squares computed in a pool of the context in force, as a generator."""
    with mpcontext.current_context().Pool(2) as pool:
        yield from pool.imap(square, values)


@pytest.fixture
def restore_start_method() -> Iterator[None]:
    """Undo CPython's fixing of the global start method by a spawn or forkserver start.

    Starting such a child calls ``multiprocessing.get_start_method()`` (in
    ``spawn.get_preparation_data``), which fixes the global default: not
    mpcontext's doing, but it would change what later tests see.
    """
    default = multiprocessing.context._default_context
    before = default._actual_context  # type: ignore[attr-defined]
    yield
    default._actual_context = before  # type: ignore[attr-defined]
