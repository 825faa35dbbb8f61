"""What the executor tests run in workers, and the library functions they call.

Workers started by spawn, forkserver, loky or dask import their tasks by
name: they live here rather than in the test modules.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import mpcontext
from mpcontext import ContextParam

if TYPE_CHECKING:
    import pytest

# How many times each initializer tag ran in this process.
INITIALIZED: Counter[str] = Counter()


def where(_: object = None) -> dict[str, Any]:
    """Describe the process (and thread) this runs in."""
    import multiprocessing

    process = multiprocessing.current_process()
    found: dict[str, Any] = {
        "pid": os.getpid(),
        "start_method": getattr(type(process), "_start_method", None),
        "thread": threading.current_thread().name,
        "dask_worker": None,
    }
    try:
        import distributed

        found["dask_worker"] = distributed.get_worker().address
    except (ImportError, ValueError):
        pass
    # In a Ray worker, the actor running the task (Ray's pool runs tasks in actors).
    ray = sys.modules.get("ray")
    found["ray_actor"] = None
    if ray is not None and ray.is_initialized():
        found["ray_actor"] = ray.get_runtime_context().get_actor_id()
    return found


def square(x: int) -> int:
    return x * x


def fail(x: int) -> int:
    raise ValueError(f"task failed on {x!r}")


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def initialize(tag: str) -> None:
    """An initializer: count that it ran with `tag`."""
    INITIALIZED[tag] += 1


# How many more times ``initialize_or_fail`` fails in this process.
FAILURES_LEFT = [0]


def initialize_or_fail(tag: str) -> None:
    """An initializer that fails while ``FAILURES_LEFT`` says so, then counts."""
    if FAILURES_LEFT[0] > 0:
        FAILURES_LEFT[0] -= 1
        raise RuntimeError("the initializer failed")
    INITIALIZED[tag] += 1


def initialized(_: object = None) -> tuple[int, dict[str, int]]:
    """Return this process's pid and the initializers it ran."""
    return os.getpid(), dict(INITIALIZED)


def typed_at_the_prompt(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], int]:
    """Return a function as if typed at Python's prompt: compiled from ``<stdin>`` in ``__main__``.

    It is put in ``sys.modules["__main__"]`` for the time of the test that
    `monkeypatch` belongs to; a child started by spawn, forkserver, loky or
    dask never has it there.
    """
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile("def typed_in_the_repl(x):\n    return x + 1\n", "<stdin>", "exec"), namespace)
    typed: Callable[[int], int] = namespace["typed_in_the_repl"]
    monkeypatch.setattr(sys.modules["__main__"], "typed_in_the_repl", typed, raising=False)
    return typed


def current_method(_: object = None) -> str:
    """The start method mpcontext sees in force (in the parent, for initializers)."""
    return mpcontext.current_context().get_start_method()


# -- library functions, as a library would write them -----------------------------


@mpcontext.accepts_context
def fan_out(
    items: list[int],
    task: Callable[[int], Any] = where,
    *,
    max_workers: int | None = None,
    mp_context: ContextParam = None,
) -> list[Any]:
    """Run `task` over `items` on the executor the application chose."""
    with mpcontext.executor(max_workers, mp_context=mp_context) as ex:
        return list(ex.map(task, items))


@mpcontext.accepts_context(requires=("spawn",), reason="its workers need a fresh interpreter")
def fresh_only(items: list[int], *, mp_context: ContextParam = None) -> list[dict[str, Any]]:
    """Like ``fan_out``, supporting only spawn."""
    with mpcontext.executor(mp_context=mp_context) as ex:
        return [future.result() for future in [ex.submit(where, item) for item in items]]


@mpcontext.accepts_context(requires=("fork",), reason="it shares memory with its workers")
def fork_only(items: list[int], *, mp_context: ContextParam = None) -> list[dict[str, Any]]:
    """Like ``fan_out``, supporting only fork."""
    with mpcontext.executor(mp_context=mp_context) as ex:
        return list(ex.map(where, items))


@mpcontext.accepts_context
def initialized_fan_out(
    items: list[int], tag: str, *, mp_context: ContextParam = None
) -> list[tuple[int, dict[str, int]]]:
    """Run ``initialized`` over `items` with the initializer ``initialize(tag)``."""
    with mpcontext.executor(mp_context=mp_context, initializer=initialize, initargs=(tag,)) as ex:
        return list(ex.map(initialized, items))


# -- library functions written against the Pool API ------------------------------------


@mpcontext.accepts_context
def pool_fan_out(
    items: list[int],
    task: Callable[[int], Any] = where,
    *,
    processes: int | None = 2,
    mp_context: ContextParam = None,
) -> list[Any]:
    """Run `task` over `items` in ``mpcontext.Pool(...).imap_unordered``, in no given order."""
    with mpcontext.Pool(processes, mp_context=mp_context) as pool:
        return list(pool.imap_unordered(task, items))


@mpcontext.accepts_context(requires=("spawn",), reason="its workers need a fresh interpreter")
def pool_fresh_only(items: list[int], *, mp_context: ContextParam = None) -> list[Any]:
    """Like ``pool_fan_out``, supporting only spawn; ends its pool with close() and join()."""
    pool = mpcontext.Pool(2, mp_context=mp_context)
    try:
        return pool.map(where, items)
    finally:
        pool.close()
        pool.join()
