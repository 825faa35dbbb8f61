"""Types of ``executor()``, ``using(executor=...)`` and ``using(pool=...)``: checked, never run."""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.pool
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

import loky
from typing_extensions import assert_type

import mpcontext


def work(x: int) -> str:
    return str(x)


def setup(name: str, level: int) -> None:
    pass


def no_arguments() -> None:
    pass


def threads(max_workers: int | None) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers)


# The block gets an Executor, whatever the application injected.
with mpcontext.executor() as ex:
    assert_type(ex, Executor)
    assert_type(ex.submit(work, 1), Future[str])
    assert_type(ex.map(work, [1, 2]), Iterator[str])
    ex.submit(work, "1")  # type: ignore[arg-type]

block = mpcontext.executor(4, mp_context="spawn", initializer=setup, initargs=("a", 1))
assert_type(block, mpcontext.executor)
assert_type(block.__enter__(), Executor)
mpcontext.executor(None, mp_context=multiprocessing.get_context("spawn"))
mpcontext.executor(initializer=no_arguments)
mpcontext.executor(initializer=setup, initargs=("a", "b"))  # type: ignore[arg-type]
mpcontext.executor(initializer=setup)  # type: ignore[arg-type]
mpcontext.executor(mp_context=3)  # type: ignore[call-overload]
mpcontext.executor(2, "spawn")  # type: ignore[call-overload]
mpcontext.executor(2, max_tasks_per_child=10)
mpcontext.executor(initializer=setup, initargs=("a", 1), max_tasks_per_child=1)
mpcontext.executor(max_tasks_per_child="10")  # type: ignore[call-overload]

# What an application injects: an instance, shared, or a factory(max_workers).
mpcontext.using(executor=ProcessPoolExecutor(2))
mpcontext.using(executor=loky.get_reusable_executor(max_workers=2))
mpcontext.using("spawn", executor=ThreadPoolExecutor)
mpcontext.using(executor=threads)
mpcontext.using(executor=lambda n: loky.ProcessPoolExecutor(n))
mpcontext.using(executor=None)
mpcontext.using(executor=3)  # type: ignore[arg-type]
mpcontext.using(executor=work)  # type: ignore[arg-type]

# What an application injects for Pool-style code: factory(processes, initializer,
# initargs, maxtasksperchild), called for each mpcontext.Pool().
mpcontext.using(pool=functools.partial(mpcontext.Pool, mp_context="spawn"))
mpcontext.using(pool=multiprocessing.get_context("spawn").Pool)
mpcontext.using("spawn", pool=lambda n, init, args, tasks: mpcontext.Pool(n, init, args, tasks))
mpcontext.using(pool=None)
mpcontext.using(executor=threads, pool=None)
mpcontext.using(pool=42)  # type: ignore[arg-type]
mpcontext.using(pool=work)  # type: ignore[arg-type]
mpcontext.using(pool=multiprocessing.pool.ThreadPool)  # type: ignore[arg-type]
assert_type(mpcontext.Pool(2), multiprocessing.pool.Pool)

# loky's executor, as the stubs describe it.
assert_type(loky.get_reusable_executor().submit(work, 1), Future[str])
assert_type(loky.get_reusable_executor().map(work, [1], chunksize=2), Iterator[str])
