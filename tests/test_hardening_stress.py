"""Stress: many threads and asyncio tasks, each with its own context, at once.

16 threads x 1,000 calls and 500 asyncio tasks choose contexts through
decorated calls (argument, inherited by nested calls, refused, fallen back)
and ``using()`` blocks, and executors through ``using(executor=...)``, while
the registry is written and read: no thread or task ever sees another's
context or executor, and the registry loses nothing. The GIL's
switch interval is made tiny for these tests, so that threads interleave
inside mpcontext's code rather than between whole calls.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any

import pytest

import mpcontext
from mpcontext import (
    ContextField,
    ContextParam,
    Registry,
    Requirement,
    StartMethodError,
    accepts_context,
    carry,
    current_context,
    registry,
    using,
)
from mpcontext._core.resolve import default_context
from mpcontext._core.scope import EMPTY, SCOPE

METHODS = mpcontext.available_start_methods()
CONTEXTS = {method: mpcontext.resolve_context(method) for method in METHODS}
THREADS = 16
CALLS = 1_000
TASKS = 500
MODULE = "hardening_stress"


@pytest.fixture(autouse=True)
def interleave() -> Iterator[None]:
    """Let threads switch every microsecond, in the middle of mpcontext's code."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def other_than(method: str) -> str:
    return METHODS[(METHODS.index(method) + 1) % len(METHODS)]


# -- library code, as a library would write it ---------------------------------------


@accepts_context
def library(*, mp_context: ContextParam = None) -> tuple[BaseContext, BaseContext]:
    """Return the context given and the one in force inside."""
    return mpcontext.resolve_context(mp_context), current_context()


@accepts_context
def outer(*, mp_context: ContextParam = None) -> tuple[BaseContext, BaseContext]:
    """Call ``library`` without passing the context on: it inherits it."""
    given, _ = library()
    return mpcontext.resolve_context(mp_context), given


@accepts_context(requires=("spawn", "forkserver"), reason="stress")
def picky(*, mp_context: ContextParam = None) -> BaseContext:
    return mpcontext.resolve_context(mp_context)


class Holder:
    mp_context: ContextField = ContextField()

    def __init__(self, mp_context: ContextParam = None) -> None:
        self.mp_context = mp_context


SHARED = Holder()  # holds None: each reader sees the context in force for it


@accepts_context
async def async_library(*, mp_context: ContextParam = None) -> BaseContext:
    await asyncio.sleep(0)
    inside = current_context()
    await asyncio.sleep(0)
    assert current_context() is inside
    return mpcontext.resolve_context(mp_context)


@accepts_context
async def async_steps(*, mp_context: ContextParam = None) -> AsyncIterator[BaseContext]:
    for _ in range(3):
        await asyncio.sleep(0)
        yield current_context()


# -- one call of each kind, checked ------------------------------------------------------


def one_call(kind: int, method: str) -> str | None:
    """Make call number `kind` under `method`; return what went wrong, or ``None``."""
    ctx = CONTEXTS[method]
    other = other_than(method)
    if kind == 0:  # the argument
        got = library(mp_context=method)
        ok = got == (ctx, ctx)
    elif kind == 1:  # a using() block
        with using(method):
            got = library()
        ok = got == (ctx, ctx)
    elif kind == 2:  # inherited by a nested call
        got = outer(mp_context=ctx)
        ok = got == (ctx, ctx)
    elif kind == 3:  # the argument wins over using()
        with using(other):
            got = library(mp_context=method)
            ok = got == (ctx, ctx) and current_context() is CONTEXTS[other]
    elif kind == 4:  # a field holding None reads the context in force
        with using(method):
            got = SHARED.mp_context
        ok = got is ctx
    elif kind == 5:  # a requirement: explicit choices refused, never overridden
        with using(method):
            try:
                got = picky()
                ok = method in ("spawn", "forkserver") and got is ctx
            except StartMethodError as error:
                got = error
                ok = method == "fork" and "'fork'" in str(error)
    else:  # nothing chosen: the default, whatever the other threads chose
        got = library()
        ok = got == (default_context(), default_context())
    if not ok or SCOPE.get() is not EMPTY:
        return f"call kind {kind} under {method!r} got {got!r}, scope after {SCOPE.get()!r}"
    return None


KINDS = 7


def run_in_threads(work: Callable[[int], list[str]], count: int) -> list[str]:
    """Run ``work(i)`` for each of `count` threads, started together; return all problems."""
    start = threading.Barrier(count)
    problems: list[list[str]] = [[] for _ in range(count)]

    def thread(i: int) -> None:
        start.wait(timeout=30)
        try:
            problems[i] = work(i)
        except BaseException as error:  # reported, not lost in the thread
            problems[i] = [f"thread {i} raised {error!r}"]

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return [problem for found in problems for problem in found]


def test_threads_each_with_their_own_context() -> None:
    def work(i: int) -> list[str]:
        method = METHODS[i % len(METHODS)]
        found = [one_call(n % KINDS, method) for n in range(CALLS)]
        return [problem for problem in found if problem is not None]

    assert run_in_threads(work, THREADS) == []
    assert SCOPE.get() is EMPTY


def test_carried_scopes_in_a_thread_pool_do_not_mix() -> None:
    def chosen(expected: str) -> tuple[str, str]:
        given, in_force = library()
        return expected, f"{given is CONTEXTS[expected]} {in_force is CONTEXTS[expected]}"

    futures = []
    with ThreadPoolExecutor(THREADS) as pool:
        for n in range(THREADS * 100):
            method = METHODS[n % len(METHODS)]
            with using(method):
                futures.append(pool.submit(carry(chosen), method))
        results = [future.result(timeout=60) for future in futures]
    assert {outcome for _, outcome in results} == {"True True"}


def test_asyncio_tasks_each_with_their_own_context() -> None:
    async def task(i: int) -> list[str]:
        method = METHODS[i % len(METHODS)]
        ctx, other = CONTEXTS[method], CONTEXTS[other_than(method)]
        problems: list[str] = []
        if i % 5 == 0:  # some tasks choose nothing: they see the default throughout
            for _ in range(3):
                await asyncio.sleep(0)
                if current_context() is not default_context():
                    problems.append(f"task {i} saw {current_context()!r} without choosing")
            return problems
        with using(method):
            for step in range(3):
                await asyncio.sleep(0)
                if current_context() is not ctx:
                    problems.append(f"task {i} step {step}: {current_context()!r}")
                if await async_library() is not ctx:
                    problems.append(f"task {i}: the coroutine did not inherit {method!r}")
                if await async_library(mp_context=other) is not other:
                    problems.append(f"task {i}: the argument was not used")
                if current_context() is not ctx:
                    problems.append(f"task {i}: the call leaked its context")
        seen = [c async for c in async_steps(mp_context=method)]
        if seen != [ctx] * 3:
            problems.append(f"task {i}: the async generator saw {seen!r}")
        if SCOPE.get() is not EMPTY:
            problems.append(f"task {i} ended with {SCOPE.get()!r}")
        return problems

    async def main() -> list[str]:
        found = await asyncio.gather(*(task(i) for i in range(TASKS)))
        return [problem for problems in found for problem in problems]

    assert asyncio.run(main()) == []


def test_threads_and_asyncio_loops_at_once() -> None:
    """Threads each running an event loop with tasks of several contexts."""

    def work(i: int) -> list[str]:
        async def task(method: str) -> bool:
            with using(method):
                await asyncio.sleep(0)
                return await async_library() is CONTEXTS[method]

        async def main() -> list[bool]:
            methods = itertools.islice(itertools.cycle(METHODS), i, i + 30)
            return await asyncio.gather(*(task(method) for method in methods))

        return (
            [f"thread {i}: a task saw another's context"] if not all(asyncio.run(main())) else []
        )

    assert run_in_threads(work, 8) == []


# -- executors chosen by the application ---------------------------------------------------


def _thread_name(_: object) -> str:
    return threading.current_thread().name


@accepts_context
def fan_out(count: int, *, mp_context: ContextParam = None) -> list[str]:
    """Library code: send `count` tasks to the executor the application chose."""
    with mpcontext.executor(count) as pool:
        return list(pool.map(_thread_name, range(count)))


def test_threads_each_with_their_own_injected_executor() -> None:
    shared = [ThreadPoolExecutor(2, thread_name_prefix=f"shared{i}") for i in range(THREADS)]

    def work(i: int) -> list[str]:
        problems = []
        with using(executor=shared[i]):
            for _ in range(CALLS // 4):
                names = fan_out(2)
                if not all(name.startswith(f"shared{i}_") for name in names):
                    problems.append(f"thread {i}: tasks ran in {names}")

        def factory(max_workers: int | None) -> ThreadPoolExecutor:
            return ThreadPoolExecutor(max_workers, thread_name_prefix=f"made{i}")

        with using(executor=factory):
            for _ in range(CALLS // 20):
                names = fan_out(1)
                if not all(name.startswith(f"made{i}_") for name in names):
                    problems.append(f"thread {i}: tasks ran in {names}")
        if SCOPE.get() is not EMPTY:
            problems.append(f"thread {i} ended with {SCOPE.get()!r}")
        return problems

    try:
        assert run_in_threads(work, THREADS) == []
    finally:
        for pool in shared:
            pool.shutdown()


def test_asyncio_tasks_each_with_their_own_injected_executor() -> None:
    shared = [ThreadPoolExecutor(1, thread_name_prefix=f"task{i}") for i in range(5)]

    async def task(i: int) -> list[str]:
        with using(executor=shared[i % 5]):
            await asyncio.sleep(0)
            names = fan_out(1)
            await asyncio.sleep(0)
            names += fan_out(1)
        return [] if all(n.startswith(f"task{i % 5}_") for n in names) else [f"{i}: {names}"]

    async def main() -> list[str]:
        found = await asyncio.gather(*(task(i) for i in range(TASKS)))
        return [problem for problems in found for problem in problems]

    try:
        assert asyncio.run(main()) == []
    finally:
        for pool in shared:
            pool.shutdown()


# -- the registry under threads ----------------------------------------------------------


def _function(module: str, qualname: str) -> Callable[..., Any]:
    def function(*, mp_context: ContextParam = None) -> None:
        pass

    function.__module__ = module
    function.__qualname__ = function.__name__ = qualname
    return function


def test_registration_from_many_threads_loses_nothing() -> None:
    mine = Registry()
    per_thread = 200
    shared = _function(f"{MODULE}.shared", "replaced")

    def work(i: int) -> list[str]:
        for n in range(per_thread):
            requires = (METHODS[(i + n) % len(METHODS)],)
            mine.register(_function(f"{MODULE}.t{i}", f"f{n}"), requires=requires)  # type: ignore[arg-type]
            mine.register(shared, requires=requires)  # type: ignore[arg-type]
            mine.entries(MODULE)  # reading while others write
        return []

    assert run_in_threads(work, THREADS) == []
    entries = mine.entries()
    assert len(entries) == len(mine) == THREADS * per_thread + 1
    for i in range(THREADS):
        for n in range(per_thread):
            assert mine.lookup(_function(f"{MODULE}.t{i}", f"f{n}")) == Requirement(
                f"{MODULE}.t{i}", f"f{n}", start_methods=(METHODS[(i + n) % len(METHODS)],)
            )
    replaced = mine.lookup(shared)
    assert replaced is not None and replaced.qualname == "replaced"
    assert [e.qualname for e in entries].count("replaced") == 1


def test_decorating_from_many_threads_registers_every_function() -> None:
    """What ``accepts_context`` and ``ContextField`` register, from many threads at once."""
    per_thread = 50
    module = f"{MODULE}.decorated"
    before = {(e.module, e.qualname): e for e in registry.entries() if e.module != module}

    def work(i: int) -> list[str]:
        problems = []
        for n in range(per_thread):
            requires = (METHODS[(i * per_thread + n) % len(METHODS)],)
            decorated = accepts_context(requires=requires)(_function(module, f"t{i}_f{n}"))
            holder = type(f"C{i}_{n}", (), {"__module__": module, "ctx": ContextField()})
            if registry.lookup(decorated) is None or registry.lookup(holder, "ctx") is None:
                problems.append(f"thread {i}: t{i}_f{n} or C{i}_{n}.ctx is not registered")
            registry.entries(module)
        return problems

    assert run_in_threads(work, THREADS) == []
    entries = registry.entries(module)
    assert len(entries) == 2 * THREADS * per_thread
    assert len({(e.module, e.qualname) for e in entries}) == len(entries)
    # Nothing else in the registry changed.
    after = {(e.module, e.qualname): e for e in registry.entries() if e.module != module}
    assert {key: after.get(key) for key in before} == before
