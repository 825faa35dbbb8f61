"""``using(pool=...)``: library code's ``mpcontext.Pool`` gets the application's pool.

These tests inject factories of local pools (the stdlib's, mpcontext's, a
``ThreadPool``); Ray's pool, on a real Ray cluster, has its own module.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import multiprocessing.pool
import os
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

import pytest

import mpcontext
from mpcontext import PreflightError, StartMethodError, using

import executor_targets as targets

METHODS = mpcontext.available_start_methods()
needs_fork = pytest.mark.skipif("fork" not in METHODS, reason="no fork start method here")


pytestmark = pytest.mark.usefixtures("no_mpcontext_variables")


class Factory:
    """A pool factory as an application writes one, keeping what it made and was given."""

    def __init__(self, make: Callable[..., Any]) -> None:
        self.make = make
        self.calls: list[tuple[Any, ...]] = []
        self.made: list[Any] = []

    def __call__(
        self,
        processes: int | None,
        initializer: Callable[..., object] | None,
        initargs: tuple[Any, ...],
        maxtasksperchild: int | None,
    ) -> Any:
        self.calls.append((processes, initializer, initargs, maxtasksperchild))
        pool = self.make(processes, initializer, initargs, maxtasksperchild)
        self.made.append(pool)
        return pool


def stdlib_pools(method: str) -> Factory:
    """A factory of the stdlib's own pools (no pre-flight of theirs)."""
    return Factory(lambda *args: multiprocessing.get_context(method).Pool(*args))


def thread_pools() -> Factory:
    return Factory(lambda processes, initializer, initargs, _: multiprocessing.pool.ThreadPool(
        processes, initializer, initargs))  # fmt: skip


def ended(pool: Any) -> bool:
    """Whether `pool` was closed or terminated, and its workers are gone."""
    pool.join()
    state = getattr(pool, "_state", None)
    return state in ("CLOSE", "TERMINATE") and not any(w.is_alive() for w in pool._pool)


# -- what library code gets ------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_library_pool_tasks_run_in_the_injected_pool(method: str) -> None:
    factory = stdlib_pools(method)
    with using(pool=factory):
        found = targets.pool_fan_out([1, 2, 3, 4])
    assert factory.calls == [(2, None, (), None)]
    assert {f["start_method"] for f in found} == {method}
    assert os.getpid() not in {f["pid"] for f in found}
    assert ended(factory.made[0]), "the library's with block ended it"


def test_the_factory_gets_the_pool_arguments_and_its_workers_run_the_initializer() -> None:
    factory = Factory(functools.partial(mpcontext.Pool, mp_context="spawn"))
    with using(pool=factory):
        pool = mpcontext.Pool(1, targets.initialize, ("injected",), 5)
        with pool:
            pid, seen = pool.apply(targets.initialized)
    assert factory.calls == [(1, targets.initialize, ("injected",), 5)]
    assert pool is factory.made[0], "an mpcontext pool is returned as it is: it checks its tasks"
    assert pid != os.getpid() and seen == {"injected": 1}


def test_close_and_join_end_the_injected_pool() -> None:
    factory = stdlib_pools("spawn")
    with using(pool=factory):
        found = targets.pool_fresh_only([1, 2])
    assert {f["start_method"] for f in found} == {"spawn"}
    assert factory.made[0]._state == "CLOSE"
    assert ended(factory.made[0])


def test_after_the_block_pools_are_local_again() -> None:
    factory = thread_pools()
    with using(pool=factory):
        inside = targets.pool_fan_out([1], processes=1)
    outside = targets.pool_fan_out([1], processes=1, mp_context="spawn")
    assert inside[0]["pid"] == os.getpid(), "a ThreadPool runs tasks in this process"
    assert outside[0]["pid"] != os.getpid()
    assert len(factory.calls) == 1


def test_the_factory_making_a_local_pool_gets_a_local_one() -> None:
    """No recursion: inside the factory, ``mpcontext.Pool`` makes a local pool."""
    factory = Factory(functools.partial(mpcontext.Pool, mp_context="spawn"))
    with using(pool=factory):
        found = targets.pool_fan_out([1, 2])
    assert len(factory.calls) == 1
    assert {f["start_method"] for f in found} == {"spawn"}


def test_the_global_start_method_stays_unset_when_the_factory_starts_a_spawn_pool() -> None:
    before = multiprocessing.get_start_method(allow_none=True)
    with using(pool=stdlib_pools("spawn")):
        targets.pool_fan_out([1])
    assert multiprocessing.get_start_method(allow_none=True) == before


# -- scoping: nesting, None, explicit choices, threads, asyncio ------------------------


def test_an_inner_context_choice_gets_a_local_pool() -> None:
    factory = thread_pools()
    with using(pool=factory):
        with using("spawn"):
            found = targets.pool_fan_out([1, 2])
        assert {f["start_method"] for f in found} == {"spawn"}
        assert factory.calls == []
        with using(None):  # not a choice: the default again, the injection stays
            targets.pool_fan_out([1], processes=1)
        assert len(factory.calls) == 1


def test_a_context_chosen_beside_the_pool_does_not_override_it() -> None:
    factory = thread_pools()
    with using("spawn", pool=factory):
        found = targets.pool_fan_out([1], processes=1)
    assert found[0]["pid"] == os.getpid()
    assert len(factory.calls) == 1


def test_the_callers_argument_gets_a_local_pool_and_passing_it_on_is_no_choice() -> None:
    factory = thread_pools()
    with using(pool=factory):
        explicit = targets.pool_fan_out([1], mp_context="spawn")
        assert explicit[0]["start_method"] == "spawn"
        assert factory.calls == []
        # pool_fan_out hands its own mp_context to mpcontext.Pool: not a choice.
        targets.pool_fan_out([1], processes=1)
        assert len(factory.calls) == 1


def test_none_steps_back_and_an_argument_left_out_leaves_the_pool() -> None:
    factory = thread_pools()
    with using(pool=factory):
        with using(pool=None):
            assert targets.pool_fan_out([1], mp_context="spawn")[0]["pid"] != os.getpid()
            with using(pool=None), mpcontext.Pool(1, mp_context="spawn") as pool:
                assert isinstance(pool, multiprocessing.pool.Pool)
        with using(executor=None):
            targets.pool_fan_out([1], processes=1)
    assert len(factory.calls) == 1


def test_an_inner_pool_replaces_the_outer_one_and_is_restored() -> None:
    outer, inner = thread_pools(), thread_pools()
    with using(pool=outer):
        with using(pool=inner):
            targets.pool_fan_out([1], processes=1)
        targets.pool_fan_out([1], processes=1)
    assert (len(outer.calls), len(inner.calls)) == (1, 1)


def test_two_threads_each_use_their_own_factory() -> None:
    factories = {"left": thread_pools(), "right": thread_pools()}
    results: dict[str, list[Any]] = {}
    barrier = threading.Barrier(2)

    def run(name: str) -> None:
        with using(pool=factories[name]):
            barrier.wait(timeout=30)
            results[name] = targets.pool_fan_out([1, 2], targets.square, processes=1)

    threads = [threading.Thread(target=run, args=(name,)) for name in factories]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results["left"]) == sorted(results["right"]) == [1, 4]
    assert [len(f.calls) for f in factories.values()] == [1, 1]


def test_asyncio_tasks_each_use_their_own_factory() -> None:
    factories = [thread_pools(), thread_pools()]

    async def run(factory: Factory) -> list[Any]:
        with using(pool=factory):
            await asyncio.sleep(0)
            return targets.pool_fan_out([3], targets.square, processes=1)

    async def main() -> list[list[Any]]:
        return list(await asyncio.gather(*(run(f) for f in factories)))

    assert asyncio.run(main()) == [[9], [9]]
    assert [len(f.calls) for f in factories] == [1, 1]


def test_carry_hands_the_pool_to_a_thread() -> None:
    factory = thread_pools()
    found: list[Any] = []
    with using(pool=factory):
        work = mpcontext.carry(lambda: found.extend(targets.pool_fan_out([2], targets.square)))
    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert found == [4] and len(factory.calls) == 1


def test_explain_context_says_a_pool_is_injected() -> None:
    factory = thread_pools()
    default = mpcontext.explain_context()
    with using(pool=factory):
        said = mpcontext.explain_context()
        assert said.startswith(default + "; mpcontext.Pool() gives the pool made by <")
        assert said.endswith("(Factory), injected with using(pool=...)")
        with using("spawn"):
            assert mpcontext.explain_context() == "spawn: chosen by using('spawn')"
    assert mpcontext.explain_context() == default
    assert "pool=" in repr(using(pool=factory))


# -- requirements ------------------------------------------------------------------


def test_a_requirement_refuses_a_thread_pool_and_ends_it() -> None:
    factory = thread_pools()
    with using(pool=factory), pytest.raises(StartMethodError) as caught:
        targets.pool_fresh_only([1])
    message = str(caught.value)
    assert message.startswith("executor_targets.pool_fresh_only() cannot send its work to the "
                              "pool made by <")  # fmt: skip
    assert ("injected with using(pool=...): it is a ThreadPool, which runs its tasks in threads "
            "of this process. It supports only local worker processes started with 'spawn': "
            "its workers need a fresh interpreter.") in message  # fmt: skip
    assert "functools.partial(mpcontext.Pool, mp_context='spawn')" in message
    assert "or pass mp_context='spawn' to executor_targets.pool_fresh_only()" in message
    assert factory.made[0]._state == "TERMINATE"


def test_a_requirement_accepts_a_stdlib_spawn_pool() -> None:
    factory = stdlib_pools("spawn")
    with using(pool=factory):
        found = targets.pool_fresh_only([1, 2])
    assert {f["start_method"] for f in found} == {"spawn"}


@needs_fork
def test_a_requirement_refuses_a_pool_of_another_start_method() -> None:
    factory = stdlib_pools("fork")
    refused = pytest.raises(StartMethodError, match="whose workers start with 'fork'")
    with using(pool=factory), refused:
        targets.pool_fresh_only([1])
    assert ended(factory.made[0])


def test_the_callers_argument_satisfies_the_requirement_inside_the_injection() -> None:
    with using(pool=thread_pools()):
        found = targets.pool_fresh_only([1], mp_context="spawn")
    assert found[0]["start_method"] == "spawn"


# -- the pre-flight ---------------------------------------------------------------------


@pytest.mark.parametrize("method", [m for m in METHODS if m != "fork"])
def test_a_stdlib_pool_the_factory_made_has_its_tasks_checked(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed_in_the_repl = targets.typed_at_the_prompt(monkeypatch)
    factory = stdlib_pools(method)
    with using(pool=factory), mpcontext.Pool(1) as pool:
        assert pool is factory.made[0], "the factory's own pool, checking each task"
        assert isinstance(pool, multiprocessing.pool.Pool)
        for send in (
            lambda: pool.map(typed_in_the_repl, [1]),
            lambda: pool.imap_unordered(lambda x: x, [1]),
            lambda: pool.apply_async(targets.square, (lambda: 1,)),
            lambda: pool.starmap(typed_in_the_repl, [(1,)]),
        ):
            with pytest.raises(PreflightError):
                send()
        assert pool.map(targets.square, [3]) == [9], "what can be sent still runs"
        assert pool.apply(targets.square, (4,)) == 16
    assert ended(factory.made[0])
    with using(pool=lambda *args: factory.made[0]):
        assert mpcontext.Pool() is factory.made[0], "a pool handed out again stays as it is"


def test_a_stdlib_pool_whose_workers_cannot_take_the_initializer_is_ended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    typed_in_the_repl = targets.typed_at_the_prompt(monkeypatch)
    factory = stdlib_pools("spawn")
    with using(pool=factory), pytest.raises(PreflightError, match="the initializer"):
        mpcontext.Pool(1, typed_in_the_repl, (1,))
    assert ended(factory.made[0])


def test_pools_that_pickle_nothing_are_not_checked() -> None:
    with using(pool=thread_pools()), mpcontext.Pool(1) as pool:
        assert pool.map(lambda x: x + 1, [1]) == [2]


# -- bad input ---------------------------------------------------------------------------


def test_using_refuses_what_is_not_a_factory() -> None:
    with pytest.raises(TypeError) as caught:
        using(pool=42)  # type: ignore[arg-type]
    assert str(caught.value) == (
        "using(pool=...) expects a callable factory(processes, initializer, initargs, "
        "maxtasksperchild) returning a pool, such as ray.util.multiprocessing.Pool or "
        "functools.partial(mpcontext.Pool, mp_context='spawn'), or None, got 42 (int)"
    )
    with multiprocessing.pool.ThreadPool(1) as pool, pytest.raises(TypeError) as caught:
        using(pool=pool)  # type: ignore[arg-type]
    assert str(caught.value).endswith(
        "(ThreadPool); a pool is not accepted: library code ends the pool it gets, so each "
        "mpcontext.Pool() call needs one of its own, made by the factory"
    )


def fails_to_make(*args: object) -> Any:
    raise OSError("no cluster at ray://nowhere:10001")


def test_a_factory_that_raises_surfaces_at_the_pool_call_naming_it() -> None:
    with using(pool=fails_to_make), pytest.raises(OSError) as caught:
        targets.pool_fan_out([1])
    assert str(caught.value) == "no cluster at ray://nowhere:10001"
    notes = getattr(caught.value, "__notes__", [])
    assert len(notes) == 1
    assert notes[0].startswith("raised by the pool factory <function fails_to_make at ")
    assert notes[0].endswith(
        "injected with using(pool=...), called by mpcontext.Pool() as "
        "factory(processes, initializer, initargs, maxtasksperchild)"
    )
    frames = [frame.name for frame in traceback.extract_tb(caught.value.__traceback__)]
    assert frames[-1] == "fails_to_make" and "pool_fan_out" in frames


def test_a_factory_returning_no_pool_is_a_type_error_naming_it() -> None:
    with using(pool=lambda *args: [1, 2]), pytest.raises(TypeError) as caught:
        mpcontext.Pool()
    message = str(caught.value)
    assert message.startswith("the pool factory <function ")
    assert (
        ", injected with using(pool=...), returned [1, 2] (list), which has no map(), imap(), "
        "imap_unordered(), starmap(), apply_async(), close(), join(), terminate()"
    ) in message


def test_arguments_are_still_checked_inside_the_injection() -> None:
    factory = thread_pools()
    with using(pool=factory):
        with pytest.raises(TypeError, match="processes must be an int"):
            mpcontext.Pool("2")  # type: ignore[arg-type]
        with pytest.raises(mpcontext.InvalidContextError):
            mpcontext.Pool(mp_context="spwan")
    assert factory.calls == []


@pytest.mark.skipif(sys.version_info < (3, 11), reason="add_note is 3.11's")
def test_the_note_is_what_add_note_adds() -> None:
    with using(pool=fails_to_make), pytest.raises(OSError) as caught:
        mpcontext.Pool()
    shown = "".join(traceback.format_exception(caught.value))
    assert "raised by the pool factory <function fails_to_make" in shown


def test_nothing_of_ray_dask_or_loky_is_imported() -> None:
    """Not by ``import mpcontext``, nor by injecting and using a pool (with site-packages on)."""
    probe = (
        "import sys, multiprocessing.pool, mpcontext\n"
        "def threads(n, init, args, tasks):\n"
        "    return multiprocessing.pool.ThreadPool(n, init, args)\n"
        "with mpcontext.using(pool=threads):\n"
        "    mpcontext.explain_context()\n"
        "    with mpcontext.Pool(1) as pool:\n"
        "        assert pool.map(abs, [-1]) == [1]\n"
        "print(sorted({name.split('.')[0] for name in sys.modules}\n"
        "             & {'ray', 'dask', 'distributed', 'loky', 'cloudpickle'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
