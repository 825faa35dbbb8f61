"""Types of the factories: checked by mypy and pyright, never run by pytest."""

from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import multiprocessing.pool
import sys
from multiprocessing import queues, synchronize
from multiprocessing.managers import SyncManager
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray, SynchronizedString
from collections.abc import Iterator
from typing import Any

from typing_extensions import assert_type

import mpcontext


def work(x: int) -> str:
    return str(x)


def setup(name: str, level: int) -> None:
    pass


spawn = multiprocessing.get_context("spawn")

# Processes and pools: classes (subclasses of the stdlib's), and the stdlib's types.
assert_type(mpcontext.Process(target=work, args=(1,)), mpcontext.Process)
process: BaseProcess = mpcontext.Process(None, work, "name", (1,), {}, daemon=True, mp_context=spawn)


class Worker(mpcontext.Process):
    def __init__(self, n: int, *, mp_context: mpcontext.ContextParam = None) -> None:
        super().__init__(mp_context=mp_context)
        self.n = n

    def run(self) -> None:
        print(self.n)


assert_type(Worker(3, mp_context="spawn"), Worker)
assert_type(Worker(3).n, int)


def start(process_type: type[mpcontext.Process]) -> None:
    assert_type(process_type(), mpcontext.Process)


start(Worker)

# Imported on first access by a module __getattr__ that type checkers do not
# see: they see the names themselves, and a misspelt one stays an error.
mpcontext.Procss  # type: ignore[attr-defined]  # noqa: B018


class Counting(mpcontext.ProcessPoolExecutor):
    def double(self, value: int) -> int:
        return 2 * value




def fan_out(executor_type: type[concurrent.futures.ProcessPoolExecutor]) -> None:
    assert_type(executor_type(max_workers=2), concurrent.futures.ProcessPoolExecutor)


fan_out(mpcontext.ProcessPoolExecutor)
fan_out(Counting)
assert_type(Counting(2, "spawn").double(2), int)
assert_type(Counting(2, "spawn"), Counting)
assert_type(mpcontext.Pool(2, setup, ("a", 1), 10, mp_context="spawn"), multiprocessing.pool.Pool)
assert_type(mpcontext.Pool().map(work, [1, 2]), list[str])
assert_type(mpcontext.ProcessPoolExecutor(), mpcontext.ProcessPoolExecutor)
assert_type(mpcontext.ProcessPoolExecutor(2, "spawn"), mpcontext.ProcessPoolExecutor)
assert_type(mpcontext.ProcessPoolExecutor(2, spawn, setup, ("a", 1)), mpcontext.ProcessPoolExecutor)
assert_type(
    mpcontext.ProcessPoolExecutor(mp_context=None, initializer=setup, initargs=("a", 1)),
    mpcontext.ProcessPoolExecutor,
)
assert_type(mpcontext.ProcessPoolExecutor().submit(work, 1).result(), str)
assert_type(mpcontext.Manager(mp_context="forkserver"), SyncManager)

# Queues and synchronization primitives.
assert_type(mpcontext.Queue(), queues.Queue[Any])
assert_type(mpcontext.Queue(10, mp_context="spawn"), queues.Queue[Any])
assert_type(mpcontext.JoinableQueue(), queues.JoinableQueue[Any])
assert_type(mpcontext.SimpleQueue(), queues.SimpleQueue[Any])
assert_type(mpcontext.Lock(), synchronize.Lock)
assert_type(mpcontext.RLock(mp_context=spawn), synchronize.RLock)
assert_type(mpcontext.Event(), synchronize.Event)
assert_type(mpcontext.Condition(mpcontext.RLock()), synchronize.Condition)
assert_type(mpcontext.Semaphore(2), synchronize.Semaphore)
assert_type(mpcontext.BoundedSemaphore(2), synchronize.BoundedSemaphore)
assert_type(mpcontext.Barrier(2, None, 1.0), synchronize.Barrier)

# Shared memory: typeshed's overloads.
assert_type(mpcontext.Value(ctypes.c_int, 3), Synchronized[int])
assert_type(mpcontext.Value("i", 3, mp_context="spawn"), Synchronized[Any])
assert_type(mpcontext.Value(ctypes.c_double, 1.0, lock=False), Synchronized[ctypes.c_double])
assert_type(mpcontext.Array(ctypes.c_int, 3), SynchronizedArray[int])
assert_type(mpcontext.Array(ctypes.c_char, b"ab"), SynchronizedString)
assert_type(mpcontext.Array("i", [1, 2], mp_context=spawn), SynchronizedArray[Any])


def from_configuration(name: str, param: mpcontext.ContextParam) -> None:
    # A plain str (read from configuration) type-checks; it is checked at run time.
    mpcontext.Queue(mp_context=name)
    mpcontext.ProcessPoolExecutor(None, param)


if sys.version_info >= (3, 11):
    assert_type(
        mpcontext.ProcessPoolExecutor(2, "spawn", max_tasks_per_child=5),
        mpcontext.ProcessPoolExecutor,
    )

if sys.version_info >= (3, 14):
    # What Python 3.14 adds, passed through.
    assert_type(mpcontext.ProcessPoolExecutor().map(work, [1], buffersize=2), Iterator[str])
    mpcontext.ProcessPoolExecutor().terminate_workers()
    mpcontext.ProcessPoolExecutor().kill_workers()
    mpcontext.Process(target=work).interrupt()

# What must be rejected.
mpcontext.Queue(mp_context=3)  # type: ignore[arg-type]
mpcontext.Lock(mp_context=b"spawn")  # type: ignore[arg-type]
mpcontext.Process(target=work, mp_context=3)  # type: ignore[arg-type]
mpcontext.ProcessPoolExecutor(2, 3)  # type: ignore[call-overload]
Worker("three")  # type: ignore[arg-type]
mpcontext.Pool("2")  # type: ignore[arg-type]
mpcontext.Process(target=3)  # type: ignore[arg-type]
mpcontext.Barrier("two")  # type: ignore[arg-type]
mpcontext.Semaphore(1.5)  # type: ignore[arg-type]
mpcontext.Event("spawn")  # type: ignore[call-arg]
mpcontext.Queue(10, "spawn")  # type: ignore[call-arg]
mpcontext.ProcessPoolExecutor(2, "spawn", setup, (1, "a"))  # type: ignore[arg-type]
mpcontext.ProcessPoolExecutor().submit(work, "one")  # type: ignore[arg-type]
