"""``executor()`` and ``using(executor=...)`` with the stdlib's executors.

loky and dask.distributed have their own modules; these tests start only
local process pools (every start method) and thread pools.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import pytest

import mpcontext
from mpcontext import InvalidContextError, PreflightError, StartMethodError, using
from mpcontext._core.scope import SCOPE

import executor_targets as targets

METHODS = mpcontext.available_start_methods()
ROOT = Path(mpcontext.__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No mpcontext variable set; nothing initialized in this process."""
    monkeypatch.delenv("MPCONTEXT_START_METHOD", raising=False)
    monkeypatch.delenv("MPCONTEXT_PREFLIGHT", raising=False)
    mpcontext.refresh_environment()
    forget_initializers()
    yield
    monkeypatch.undo()
    mpcontext.refresh_environment()
    forget_initializers()


def forget_initializers() -> None:
    """Forget which initializers ran in this process."""
    targets.INITIALIZED.clear()
    lent = sys.modules.get("mpcontext._executors.injected")
    if lent is not None:
        lent._initialized.clear()


@pytest.fixture(scope="module")
def spawn_pool() -> Iterator[ProcessPoolExecutor]:
    """A stdlib process pool of the application, shared by the module's tests."""
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


@pytest.fixture(scope="module")
def fork_pool() -> Iterator[ProcessPoolExecutor]:
    if "fork" not in METHODS:
        pytest.skip("fork is not available on this platform")
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        yield pool


def pids_of(pool: ProcessPoolExecutor) -> set[int]:
    processes: dict[int, Any] = getattr(pool, "_processes", None) or {}
    return set(processes)


def is_shut_down(executor: Executor) -> bool:
    try:
        executor.submit(targets.square, 2).result()
    except RuntimeError as error:
        return "after shutdown" in str(error)
    return False


# -- by default: a local process pool of the context in force ---------------------


def test_default_is_a_process_pool_of_the_context_in_force(mp_context: BaseContext) -> None:
    before = multiprocessing.get_start_method(allow_none=True)
    with mpcontext.executor(1) as ex:
        assert isinstance(ex, ProcessPoolExecutor)
        found = ex.submit(targets.where).result()
        assert mpcontext.current_context() is mp_context
    assert found["start_method"] == mp_context.get_start_method()
    assert found["pid"] != os.getpid()
    assert is_shut_down(ex)
    assert multiprocessing.get_start_method(allow_none=True) == before


def test_default_takes_the_mp_context_given_and_puts_it_in_force() -> None:
    method = "spawn" if METHODS[0] != "spawn" else METHODS[-1]
    with mpcontext.executor(1, mp_context=method) as ex:
        assert mpcontext.current_context().get_start_method() == method
        assert mpcontext.explain_context() == (
            f"{method}: chosen by the mp_context argument of mpcontext.executor()"
        )
        assert ex.submit(targets.where).result()["start_method"] == method
    assert mpcontext.explain_context().startswith(f"{METHODS[0]}: multiprocessing's default")


def test_default_passes_the_initializer_to_the_pool() -> None:
    with mpcontext.executor(1, mp_context="spawn", initializer=targets.initialize,
                            initargs=("pool",)) as ex:  # fmt: skip
        pid, seen = ex.submit(targets.initialized).result()
    assert pid != os.getpid()
    assert seen == {"pool": 1}
    assert targets.INITIALIZED == {}, "the initializer runs in the workers only"


def test_default_checks_tasks_and_initializer_before_sending() -> None:
    with pytest.raises(PreflightError):
        mpcontext.executor(1, mp_context="spawn", initializer=lambda: None).__enter__()
    with mpcontext.executor(1, mp_context="spawn") as ex, pytest.raises(PreflightError):
        ex.submit(lambda: 1)


def test_leaving_by_an_error_cancels_what_has_not_started() -> None:
    futures: list[concurrent.futures.Future[float]] = []
    with pytest.raises(KeyError), mpcontext.executor(1, mp_context="spawn") as ex:
        futures.extend(ex.submit(targets.nap, 0.5) for _ in range(6))
        raise KeyError("library code failed")
    assert all(f.done() for f in futures), "the block still waits for what runs"
    assert any(f.cancelled() for f in futures)
    assert not futures[0].cancelled()


def test_leaving_normally_waits_for_every_task() -> None:
    with mpcontext.executor(1, mp_context="spawn") as ex:
        futures = [ex.submit(targets.square, x) for x in range(4)]
    assert [f.result(timeout=0) for f in futures] == [0, 1, 4, 9]


# -- an injected instance: shared, never shut down --------------------------------


def test_injected_instance_runs_the_library_tasks(spawn_pool: ProcessPoolExecutor) -> None:
    with using(executor=spawn_pool):
        found = targets.fan_out([1, 2, 3])
    assert {f["pid"] for f in found} <= pids_of(spawn_pool)
    assert {f["start_method"] for f in found} == {"spawn"}
    assert spawn_pool.submit(targets.square, 3).result() == 9, "still usable"


def test_injected_instance_is_wrapped_and_survives_shutdown(
    spawn_pool: ProcessPoolExecutor,
) -> None:
    with using(executor=spawn_pool):
        with mpcontext.executor(7) as ex:  # max_workers: ignored for an instance
            assert isinstance(ex, Executor)
            assert ex is not spawn_pool
            assert ex.submit(targets.square, 4).result() == 16
            ex.shutdown()  # library code may shut its executor down
            with pytest.raises(RuntimeError, match="after shutdown"):
                ex.submit(targets.square, 1)
        assert is_shut_down(ex)
    assert getattr(spawn_pool, "_max_workers") == 2
    assert spawn_pool.submit(targets.square, 5).result() == 25


def test_injected_pool_puts_its_context_in_force(spawn_pool: ProcessPoolExecutor) -> None:
    default = mpcontext.current_context()
    with using(executor=spawn_pool):
        assert mpcontext.current_context() is default, "until an executor() block"
        with mpcontext.executor():
            assert mpcontext.current_context().get_start_method() == "spawn"
            assert mpcontext.explain_context() == (
                "spawn: chosen by the executor injected with using(executor=...): "
                "a process pool whose workers start with 'spawn'"
            )
        assert mpcontext.current_context() is default


def test_thread_pool_leaves_the_context_in_force_alone() -> None:
    with ThreadPoolExecutor(1) as threads, using("spawn", executor=threads):
        with mpcontext.executor():
            assert mpcontext.explain_context() == "spawn: chosen by using('spawn')"


def test_shared_block_waits_for_its_own_tasks_only() -> None:
    with ThreadPoolExecutor(2) as threads:
        other = threads.submit(targets.nap, 0.3)
        with using(executor=threads), mpcontext.executor() as ex:
            mine = ex.submit(targets.nap, 0.1)
        assert mine.done()
        assert other.result() == 0.3


def test_shared_block_left_by_an_error_cancels_its_pending_tasks() -> None:
    with ThreadPoolExecutor(1) as threads:
        with pytest.raises(KeyError), using(executor=threads), mpcontext.executor() as ex:
            futures = [ex.submit(targets.nap, 0.2) for _ in range(5)]
            raise KeyError("library code failed")
        assert futures[0].result() == 0.2
        assert all(f.cancelled() for f in futures[1:])
        assert threads.submit(targets.square, 2).result() == 4, "the pool lives on"


def test_shared_block_waits_for_many_tasks() -> None:
    release = threading.Event()
    with ThreadPoolExecutor(1) as threads:
        with using(executor=threads), mpcontext.executor() as ex:
            first = ex.submit(release.wait, 30)
            # More than the block keeps before it forgets the tasks done.
            futures = [ex.submit(targets.square, x) for x in range(3000)]
            ex.shutdown(wait=False)  # library code may say so; the block still waits
            release.set()
        assert first.result(timeout=0) is True
        assert all(f.done() for f in futures)
        assert sum(f.result() for f in futures) == sum(x * x for x in range(3000))


def test_shared_map_results_are_kept_past_the_block() -> None:
    with ThreadPoolExecutor(2) as threads, using(executor=threads):
        with mpcontext.executor() as ex:
            squares = ex.map(targets.square, range(5))
            # More than the block keeps before it forgets the maps read to the end.
            assert sum(sum(ex.map(targets.square, [x])) for x in range(1500)) > 0
            failing = ex.map(targets.fail, [7])
        assert list(squares) == [0, 1, 4, 9, 16]
        with pytest.raises(ValueError, match="task failed on 7"):
            next(failing)
        assert list(failing) == []


def test_map_options_reach_the_injected_executor(spawn_pool: ProcessPoolExecutor) -> None:
    with using(executor=spawn_pool), mpcontext.executor() as ex:
        assert list(ex.map(targets.square, range(10), chunksize=4, timeout=60)) == [
            x * x for x in range(10)
        ]


def outcomes(results: Iterator[Any]) -> list[object]:
    """Read a map's results to the end: its values, then ``"cancelled"`` if it was.

    As for any executor's map, a cancelled result ends the iterator.
    """
    seen: list[object] = []
    try:
        seen.extend(results)
    except concurrent.futures.CancelledError:
        seen.append("cancelled")
    return seen


@pytest.mark.parametrize("read_first", [True, False], ids=["after-a-result", "at-once"])
def test_shared_map_left_by_an_error_waits_for_what_started_and_cancels_the_rest(
    read_first: bool,
) -> None:
    # As a local pool's block does: started tasks are awaited, the rest cancelled.
    with ThreadPoolExecutor(1) as threads, using(executor=threads):
        with pytest.raises(KeyError), mpcontext.executor() as ex:
            naps = ex.map(targets.nap, [0.3] * 5)
            if read_first:
                assert next(naps) == 0.3
            raise KeyError("library code failed")
        # Nothing runs once the block has ended: the shared pool is idle.
        assert threads.submit(int).result(0.1) == 0
        left = outcomes(naps)
    done = left.count(0.3)
    assert done <= 1  # the one running when the block ended, if any
    assert left == [0.3] * done + ["cancelled"]


def test_shared_map_left_normally_waits_for_every_task() -> None:
    with ThreadPoolExecutor(2) as threads, using(executor=threads):
        with mpcontext.executor() as ex:
            naps = ex.map(targets.nap, [0.05] * 6)
        assert threads.submit(int).result(0.1) == 0
        assert list(naps) == [0.05] * 6


# -- an injected callable: one executor per block ----------------------------------


class Factory:
    """An executor factory that remembers what it made."""

    def __init__(self, make: Callable[[int | None], Executor] = ThreadPoolExecutor) -> None:
        self.make = make
        self.calls: list[int | None] = []
        self.made: list[Executor] = []

    def __call__(self, max_workers: int | None) -> Executor:
        self.calls.append(max_workers)
        made = self.make(max_workers)
        self.made.append(made)
        return made


def test_injected_callable_is_made_and_shut_down_per_block() -> None:
    factory = Factory()
    with using(executor=factory):
        for n in (3, None):
            with mpcontext.executor(n) as ex:
                assert ex.submit(targets.square, 3).result() == 9
                assert len(factory.made) == len(factory.calls)
                assert not is_shut_down(factory.made[-1])
            assert is_shut_down(factory.made[-1])
    assert factory.calls == [3, None]
    assert len({id(made) for made in factory.made}) == 2


def test_injected_process_pool_factory_runs_tasks_in_its_workers() -> None:
    factory = Factory(functools.partial(mpcontext.ProcessPoolExecutor, mp_context="spawn"))
    with using(executor=factory):
        found = targets.fan_out([1, 2], max_workers=1)
    assert {f["start_method"] for f in found} == {"spawn"}
    assert factory.calls == [1]
    assert is_shut_down(factory.made[0])


def test_factory_returning_no_executor_is_a_type_error() -> None:
    def factory(max_workers: int | None) -> Any:
        return "not an executor"

    with using(executor=factory), pytest.raises(TypeError) as caught:
        mpcontext.executor().__enter__()
    message = str(caught.value)
    assert message.startswith("the executor factory <function ")
    assert message.endswith(
        "(function), injected with using(executor=...), returned 'not an executor' (str); it "
        "must return a concurrent.futures.Executor (it is called as factory(max_workers) for "
        "each executor() block)"
    )


# -- the caller's explicit choice wins over the injection --------------------------


def test_context_chosen_inside_the_injection_gets_a_local_pool(
    spawn_pool: ProcessPoolExecutor,
) -> None:
    local = METHODS[-1]
    with using(executor=spawn_pool), using(local), mpcontext.executor(1) as ex:
        assert isinstance(ex, ProcessPoolExecutor)
        assert ex is not spawn_pool
        found = ex.submit(targets.where).result()
    assert found["start_method"] == local
    assert found["pid"] not in pids_of(spawn_pool)


def test_argument_of_the_library_call_gets_a_local_pool(spawn_pool: ProcessPoolExecutor) -> None:
    local = METHODS[-1]
    with using(executor=spawn_pool):
        chosen = targets.fan_out([1], max_workers=1, mp_context=local)
        injected = targets.fan_out([1])
    assert chosen[0]["start_method"] == local
    assert chosen[0]["pid"] not in pids_of(spawn_pool)
    assert injected[0]["pid"] in pids_of(spawn_pool), "passing mp_context on is no choice"


def test_nested_blocks_still_use_the_injection(spawn_pool: ProcessPoolExecutor) -> None:
    with using(executor=spawn_pool), mpcontext.executor() as outer:
        with mpcontext.executor() as inner:
            assert inner.submit(targets.where).result()["pid"] in pids_of(spawn_pool)
        assert outer.submit(targets.where).result()["pid"] in pids_of(spawn_pool)


def test_using_executor_none_steps_back_to_local_pools(spawn_pool: ProcessPoolExecutor) -> None:
    with using(executor=spawn_pool), using(executor=None), mpcontext.executor(1) as ex:
        assert isinstance(ex, ProcessPoolExecutor)
        assert ex.submit(targets.where).result()["pid"] not in pids_of(spawn_pool)


# -- requirements -------------------------------------------------------------------


def test_requirement_accepts_a_spawn_pool(spawn_pool: ProcessPoolExecutor) -> None:
    with using(executor=spawn_pool):
        found = targets.fresh_only([1, 2])
    assert {f["pid"] for f in found} <= pids_of(spawn_pool)


def test_requirement_refuses_a_fork_pool(fork_pool: ProcessPoolExecutor) -> None:
    with using(executor=fork_pool), pytest.raises(StartMethodError) as caught:
        targets.fresh_only([1])
    message = str(caught.value)
    assert message.startswith("executor_targets.fresh_only() cannot send its work to <")
    assert "injected with using(executor=...): it is a process pool whose workers start " \
           "with 'fork'. It supports only local worker processes started with 'spawn': " \
           "its workers need a fresh interpreter." in message  # fmt: skip
    assert "ProcessPoolExecutor(mp_context=multiprocessing.get_context('spawn'))" in message
    assert "pass mp_context='spawn' to executor_targets.fresh_only()" in message


def test_requirement_refuses_a_thread_pool() -> None:
    with ThreadPoolExecutor(1) as threads, using(executor=threads):
        with pytest.raises(StartMethodError, match="it is a thread pool, which runs its tasks"):
            targets.fresh_only([1])
        assert targets.fan_out([1])[0]["pid"] == os.getpid(), "no requirement: any executor"


def test_requirement_refuses_an_unknown_executor() -> None:
    class Inline(Executor):
        pass

    with using(executor=Inline()), pytest.raises(
        StartMethodError, match="it is an executor of a kind mpcontext does not know"
    ):
        targets.fresh_only([1])


def test_refused_factory_executor_is_shut_down() -> None:
    factory = Factory()
    with using(executor=factory), pytest.raises(StartMethodError, match="the executor made by"):
        targets.fresh_only([1])
    assert is_shut_down(factory.made[0])


def test_explicit_choice_inside_the_injection_passes_the_requirement() -> None:
    with ThreadPoolExecutor(1) as threads, using(executor=threads):
        found = targets.fresh_only([1], mp_context="spawn")
    assert found[0]["start_method"] == "spawn"


def test_requirement_with_fork_refuses_an_injected_spawn_pool(
    spawn_pool: ProcessPoolExecutor,
) -> None:
    if "fork" not in METHODS:
        pytest.skip("fork is not available on this platform")
    with using(executor=spawn_pool), pytest.raises(StartMethodError, match="start with 'spawn'"):
        targets.fork_only([1])


# -- pre-flight -----------------------------------------------------------------------


def test_preflight_checks_tasks_for_an_injected_stdlib_pool(
    spawn_pool: ProcessPoolExecutor,
) -> None:
    with using(executor=spawn_pool), mpcontext.executor() as ex:
        with pytest.raises(PreflightError):
            ex.submit(lambda: 1)
        with pytest.raises(PreflightError):
            ex.map(lambda x: x, [1])


def test_preflight_refuses_what_was_typed_at_the_prompt(
    spawn_pool: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed_in_the_repl = targets.typed_at_the_prompt(monkeypatch)
    with using(executor=spawn_pool), mpcontext.executor() as ex:
        with pytest.raises(PreflightError, match="it is defined in __main__"):
            ex.submit(typed_in_the_repl, 1)
    with ThreadPoolExecutor(1) as threads, using(executor=threads), mpcontext.executor() as ex:
        assert ex.submit(typed_in_the_repl, 1).result() == 2


def test_preflight_checks_tasks_for_an_injected_mpcontext_pool() -> None:
    with mpcontext.ProcessPoolExecutor(1, "spawn") as pool, using(executor=pool):
        for initializer in (None, targets.initialize):
            args = () if initializer is None else ("mpcontext pool",)
            with mpcontext.executor(initializer=initializer, initargs=args) as ex:
                with pytest.raises(PreflightError):
                    ex.submit(lambda: 1)
                with pytest.raises(PreflightError):
                    ex.map(lambda x: x, [1])


def test_tasks_for_a_pool_of_mpcontext_processes_are_not_prepared_again(
    spawn_pool: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its processes leave the global start method as it was as they start
    # (mpcontext's own pool, or the application's once lent): no task needs
    # preparing() of its own.
    import mpcontext._executors.injected as injected

    prepared: list[None] = []
    preparing = injected.preparing

    def counted() -> Any:
        prepared.append(None)
        return preparing()

    monkeypatch.setattr(injected, "preparing", counted)
    with mpcontext.ProcessPoolExecutor(1, "spawn") as ours:
        for pool in (spawn_pool, ours):
            with using(executor=pool), mpcontext.executor() as ex:
                assert ex.submit(targets.square, 3).result() == 9
                assert list(ex.map(targets.square, [1, 2], chunksize=2)) == [1, 4]
    assert prepared == []


def test_preflight_checks_the_initializer_on_entering(spawn_pool: ProcessPoolExecutor) -> None:
    block = mpcontext.executor(initializer=lambda: None)
    with using(executor=spawn_pool), pytest.raises(PreflightError):
        block.__enter__()


def test_thread_pools_take_what_does_not_pickle() -> None:
    with ThreadPoolExecutor(1) as threads, using(executor=threads):
        with mpcontext.executor(initializer=lambda: targets.initialize("lambda")) as ex:
            assert ex.submit(lambda: 2).result() == 2
            assert list(ex.map(lambda x: -x, [1])) == [-1]
    assert targets.INITIALIZED == {"lambda": 1}


# -- the initializer: once per worker process and pair ------------------------------


def test_initializer_runs_once_per_worker_across_blocks(spawn_pool: ProcessPoolExecutor) -> None:
    seen: list[tuple[int, dict[str, int]]] = []
    with using(executor=spawn_pool):
        for _ in range(3):
            seen += targets.initialized_fan_out(list(range(6)), "shared")
        again = targets.initialized_fan_out(list(range(6)), "other")
    assert {pid for pid, _ in seen} <= pids_of(spawn_pool)
    assert all(counts["shared"] == 1 for _, counts in seen)
    assert all(counts["shared"] == 1 and counts["other"] == 1 for _, counts in again)
    assert targets.INITIALIZED == {}, "never in the parent"


def test_initializer_once_in_this_process_for_a_thread_pool() -> None:
    with ThreadPoolExecutor(3) as threads, using(executor=threads):
        for _ in range(2):
            results = targets.initialized_fan_out(list(range(9)), "threads")
    assert {pid for pid, _ in results} == {os.getpid()}
    assert targets.INITIALIZED == {"threads": 1}


def test_initializer_per_block_with_a_factory() -> None:
    factory = Factory(functools.partial(mpcontext.ProcessPoolExecutor, mp_context="spawn"))
    with using(executor=factory):
        first = targets.initialized_fan_out([1], "fresh")
        second = targets.initialized_fan_out([1], "fresh")
    assert first[0][1] == second[0][1] == {"fresh": 1}
    assert first[0][0] != second[0][0], "a new pool, new workers"


def test_failing_initializer_fails_the_task_and_runs_again() -> None:
    targets.FAILURES_LEFT[0] = 1
    with ThreadPoolExecutor(1) as threads, using(executor=threads):
        with mpcontext.executor(initializer=targets.initialize_or_fail, initargs=("x",)) as ex:
            with pytest.raises(RuntimeError, match="the initializer failed"):
                ex.submit(targets.square, 2).result()
            assert ex.submit(targets.square, 3).result() == 9
            assert ex.submit(targets.square, 4).result() == 16
    assert targets.INITIALIZED == {"x": 1}


def test_primitives_made_in_the_block_fit_the_workers(spawn_pool: ProcessPoolExecutor) -> None:
    with using(executor=spawn_pool), mpcontext.executor():
        assert targets.current_method() == "spawn"
        lock = mpcontext.Lock()
        # An explicit choice: a function that cannot use it says so.
        if "fork" in METHODS:
            with pytest.raises(StartMethodError, match="chosen by the executor injected"):
                targets.fork_only([])
    if hasattr(lock, "_is_fork_ctx"):  # Python 3.11.5 and newer
        assert lock._is_fork_ctx is False


# -- scoping: threads and asyncio tasks -----------------------------------------------


def test_two_threads_each_use_their_own_injection() -> None:
    found: dict[str, list[dict[str, Any]]] = {}

    def run(name: str) -> None:
        with ThreadPoolExecutor(1, thread_name_prefix=name) as threads, using(executor=threads):
            barrier.wait(timeout=30)
            found[name] = targets.fan_out(list(range(4)))

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=run, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert {f["thread"].split("_")[0] for f in found["left"]} == {"left"}
    assert {f["thread"].split("_")[0] for f in found["right"]} == {"right"}


def test_asyncio_tasks_each_use_their_own_injection() -> None:
    async def run(name: str) -> set[str]:
        with ThreadPoolExecutor(1, thread_name_prefix=name) as threads, using(executor=threads):
            await asyncio.sleep(0)
            return {f["thread"].split("_")[0] for f in targets.fan_out([1, 2])}

    async def main() -> list[set[str]]:
        return list(await asyncio.gather(run("one"), run("two")))

    assert asyncio.run(main()) == [{"one"}, {"two"}]


# -- arguments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_workers": 0}, ValueError, r"max_workers must be greater than 0, got 0"),
        ({"max_workers": "2"}, TypeError, r"a positive int or None.*'2' \(str\)"),
        ({"max_workers": True}, TypeError, r"got True \(bool\)"),
        ({"initializer": "setup"}, TypeError, r"initializer must be a callable.*'setup' \(str\)"),
        ({"initargs": (1,)}, TypeError, r"initargs=\(1,\) given without an initializer"),
        ({"initializer": print, "initargs": 3}, TypeError, r"initargs must be a tuple.*3 \(int\)"),
        (
            {"mp_context": "spwan"},
            InvalidContextError,
            r"'spwan' \(from the mp_context argument of mpcontext\.executor\(\)\); did you mean",
        ),
    ],
)  # fmt: skip
def test_bad_arguments_fail_at_once(
    kwargs: dict[str, Any], error: type[Exception], match: str
) -> None:
    with ThreadPoolExecutor(1) as threads, using(executor=threads):
        with pytest.raises(error, match=match):
            mpcontext.executor(**kwargs)


def test_repr() -> None:
    assert repr(mpcontext.executor()) == "executor()"
    spawn = multiprocessing.get_context("spawn")
    block = mpcontext.executor(2, mp_context=spawn, initializer=print, initargs=("x",))
    assert repr(block) == (
        f"executor(2, mp_context={spawn!r}, initializer=<built-in function print>, "
        f"initargs=('x',))"
    )
    with ThreadPoolExecutor(1) as threads, using(executor=threads), mpcontext.executor() as ex:
        assert repr(ex) == f"<mpcontext executor of {threads!r} (shared)>"


def test_one_block_object_can_be_entered_again() -> None:
    block = mpcontext.executor(1, mp_context="spawn")
    for _ in range(2):
        with block as ex:
            assert ex.submit(targets.square, 5).result() == 25
        assert is_shut_down(ex)
    assert SCOPE.get().executor is None


# -- the example library -----------------------------------------------------------


def test_wordfreq_fans_out_on_the_injected_executor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before the pool's workers start, so that they can import it too.
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    import wordfreq
    import wordfreq.index

    paths = []
    for name, text in {"a.txt": "the cat", "b.txt": "the dog"}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    with ThreadPoolExecutor(2) as threads, using(executor=threads):
        assert wordfreq.count_files(paths) == {"the": 2, "cat": 1, "dog": 1}
        with pytest.raises(StartMethodError, match=r"build_index\(\) cannot send its work to"):
            wordfreq.index.build_index(paths)
    with mpcontext.ProcessPoolExecutor(1, "spawn") as pool, using(executor=pool):
        assert wordfreq.index.build_index(paths)["the"] == frozenset(paths)


def test_one_block_object_serves_several_threads() -> None:
    block = mpcontext.executor()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    made: dict[str, Executor] = {}
    errors: list[BaseException] = []

    def first() -> None:
        with ThreadPoolExecutor(1) as threads, using(executor=threads), block as ex:
            made["first"] = ex
            first_in.set()
            second_in.wait(timeout=30)
        first_out.set()  # left while the second thread is still inside

    def second() -> None:
        try:
            first_in.wait(timeout=30)
            with ThreadPoolExecutor(1, thread_name_prefix="two") as threads:
                with using(executor=threads), block as ex:
                    made["second"] = ex
                    second_in.set()
                    first_out.wait(timeout=30)
                    assert ex.submit(targets.where).result()["thread"].startswith("two")
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert is_shut_down(made["first"]) and is_shut_down(made["second"])


# -- import cost ----------------------------------------------------------------------


def test_neither_dask_nor_loky_is_imported() -> None:
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import mpcontext, concurrent.futures\n"
        "with concurrent.futures.ThreadPoolExecutor(1) as t, mpcontext.using(executor=t):\n"
        "    with mpcontext.executor() as ex:\n"
        "        ex.submit(abs, -1).result()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    imported = json.loads(done.stdout)
    optional = ("loky", "dask", "distributed", "joblib", "cloudpickle")
    assert [m for m in imported if m.split(".")[0] in optional] == []
    assert "mpcontext._executors.injected" in imported


def test_bare_import_does_not_import_the_executor_machinery() -> None:
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import mpcontext\n"
        "mpcontext.executor\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    imported = set(json.loads(done.stdout))
    assert "mpcontext._executors.executor" in imported
    assert imported.isdisjoint({"mpcontext._executors.injected", "concurrent.futures", "hashlib"})


# -- max_tasks_per_child ----------------------------------------------------------------

needs_max_tasks = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="max_tasks_per_child is new in Python 3.11"
)


@needs_max_tasks
@pytest.mark.timeout(30)
def test_max_tasks_per_child_replaces_the_local_pools_workers() -> None:
    with mpcontext.executor(1, mp_context="spawn", max_tasks_per_child=1) as ex:
        pids = [ex.submit(os.getpid).result() for _ in range(3)]
    assert len(set(pids)) == 3, pids


@needs_max_tasks
@pytest.mark.timeout(30)
@pytest.mark.usefixtures("fork_default")
def test_max_tasks_per_child_without_a_choice_gives_spawn_for_a_fork_default() -> None:
    # As the stdlib's pool does; and spawn is then in force in the block, so
    # that what the block makes for its workers fits them.
    with mpcontext.executor(1, max_tasks_per_child=1) as ex:
        assert mpcontext.current_context().get_start_method() == "spawn"
        assert ex.submit(targets.current_method).result() == "spawn"
        assert "max_tasks_per_child" in mpcontext.explain_context()
    assert mpcontext.current_context().get_start_method() == "fork"


@needs_max_tasks
@pytest.mark.timeout(30)
@pytest.mark.parametrize("default", METHODS)
def test_max_tasks_per_child_without_a_choice_spawns_whatever_the_default(
    default: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stdlib's pool spawns whenever it is given no context, a forkserver
    # default included (CPython's test_max_tasks_per_child_defaults_to_spawn_context).
    monkeypatch.setattr(
        multiprocessing.context._default_context, "_default_context", multiprocessing.get_context(default)
    )
    stdlib = ProcessPoolExecutor(1, max_tasks_per_child=1)
    ours = mpcontext.ProcessPoolExecutor(1, max_tasks_per_child=1)
    try:
        assert stdlib._mp_context.get_start_method() == "spawn"  # type: ignore[attr-defined]
        assert ours._mp_context.get_start_method() == "spawn"  # type: ignore[attr-defined]
    finally:
        stdlib.shutdown()
        ours.shutdown()
    with mpcontext.executor(1, max_tasks_per_child=1) as ex:
        assert ex.submit(targets.current_method).result() == "spawn"
        if default != "spawn":
            assert "max_tasks_per_child" in mpcontext.explain_context()


@needs_max_tasks
@pytest.mark.skipif("fork" not in METHODS, reason="no fork start method here")
def test_max_tasks_per_child_with_an_explicit_fork_is_the_stdlibs_error() -> None:
    block = mpcontext.executor(1, mp_context="fork", max_tasks_per_child=1)
    with pytest.raises(ValueError, match="max_tasks_per_child is incompatible with"):
        block.__enter__()


@needs_max_tasks
@pytest.mark.timeout(30)
def test_max_tasks_per_child_is_ignored_by_an_injected_executor(
    spawn_pool: ProcessPoolExecutor,
) -> None:
    with using(executor=spawn_pool), mpcontext.executor(1, max_tasks_per_child=1) as ex:
        pids = {ex.submit(os.getpid).result() for _ in range(4)}
    assert pids <= pids_of(spawn_pool), "the application's workers, kept"


@needs_max_tasks
@pytest.mark.parametrize(
    ("value", "error", "named"),
    [("2", TypeError, "'2'"), (True, TypeError, "True"), (0, ValueError, "0"), (-1, ValueError, "-1")],
)
def test_max_tasks_per_child_is_checked_at_once(
    value: object, error: type[Exception], named: str
) -> None:
    with pytest.raises(error, match="max_tasks_per_child") as raised:
        mpcontext.executor(max_tasks_per_child=value)  # type: ignore[arg-type]
    assert named in str(raised.value)


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="Python 3.10 only")
def test_max_tasks_per_child_on_python_3_10_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="max_tasks_per_child needs Python 3.11 or newer"):
        mpcontext.executor(max_tasks_per_child=1)


def test_repr_names_max_tasks_per_child() -> None:
    if sys.version_info < (3, 11):
        pytest.skip("max_tasks_per_child is new in Python 3.11")
    assert repr(mpcontext.executor(2, max_tasks_per_child=3)) == (
        "executor(2, max_tasks_per_child=3)"
    )


@pytest.mark.timeout(30)
def test_a_lock_in_initargs_for_an_injected_spawn_pool_is_named_as_written(
    spawn_pool: ProcessPoolExecutor,
) -> None:
    lock = multiprocessing.get_context("spawn").Lock()
    with using(executor=spawn_pool):
        block = mpcontext.executor(initializer=targets.initialize, initargs=(lock,))
        with pytest.raises(PreflightError) as raised:
            block.__enter__()
    message = str(raised.value)
    assert "initargs[0]" in message, message
    assert "args[0]" not in message.replace("initargs[0]", ""), message


# -- one executor object, several asyncio tasks ------------------------------------------


@pytest.mark.timeout(30)
def test_one_executor_object_in_two_asyncio_tasks() -> None:
    # Each task's block has its own pool: the first to leave shuts down its own.
    block = mpcontext.executor(1, mp_context="spawn")
    made: dict[str, Executor] = {}
    results: dict[str, int] = {}

    async def task(name: str, entered: asyncio.Event, leave: asyncio.Event) -> None:
        with block as ex:
            made[name] = ex
            entered.set()
            await leave.wait()
            results[name] = ex.submit(targets.square, len(name) + 1).result()

    async def main() -> None:
        a_in, b_in, a_leave, b_leave = (asyncio.Event() for _ in range(4))
        a = asyncio.create_task(task("a", a_in, a_leave))
        await a_in.wait()
        b = asyncio.create_task(task("bb", b_in, b_leave))
        await b_in.wait()
        a_leave.set()
        await a
        assert is_shut_down(made["a"])
        b_leave.set()
        await b

    asyncio.run(main())
    assert results == {"a": 4, "bb": 9}
    assert made["a"] is not made["bb"]
    assert is_shut_down(made["bb"])


# -- the context received, handed on: no new choice ---------------------------------------


@mpcontext.accepts_context
def _pool_of_the_caller(*, mp_context: mpcontext.ContextParam = None) -> str:
    with mpcontext.ProcessPoolExecutor(1, mp_context, max_tasks_per_child=1) as pool:
        return pool.submit(targets.current_method).result()


@mpcontext.accepts_context
def _block_of_the_caller(*, mp_context: mpcontext.ContextParam = None) -> str:
    with mpcontext.executor(1, mp_context=mp_context, max_tasks_per_child=1) as ex:
        return ex.submit(targets.current_method).result()


@needs_max_tasks
@pytest.mark.timeout(60)
@pytest.mark.usefixtures("fork_default")
@pytest.mark.parametrize("library", [_pool_of_the_caller, _block_of_the_caller])
def test_handing_the_received_context_on_is_no_new_choice(library: Callable[..., str]) -> None:
    # As leaving it out: a fork default gives way to spawn for max_tasks_per_child.
    assert library() == "spawn"
    # The caller's own fork is a choice: the stdlib's error.
    with pytest.raises(ValueError, match="max_tasks_per_child is incompatible with"):
        library(mp_context="fork")
