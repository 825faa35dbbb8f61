"""loky's reusable executor, injected with ``using(executor=...)``, for real."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import executor_targets as targets
import pytest

import mpcontext
from mpcontext import StartMethodError, using

loky = pytest.importorskip("loky", reason="loky is not installed (pip install 'mpcontext[loky]')")


@pytest.fixture(scope="module")
def reusable() -> Iterator[Any]:
    """loky's reusable executor, two workers, as an application would get it."""
    executor = loky.get_reusable_executor(max_workers=2, timeout=60)
    yield executor
    executor.shutdown(wait=True, kill_workers=True)


def loky_pids(executor: Any) -> set[int]:
    return set(getattr(executor, "_processes", {}))


def test_library_tasks_run_on_loky_workers(reusable: Any) -> None:
    with using(executor=reusable):
        found = targets.fan_out(list(range(4)))
    pids = {f["pid"] for f in found}
    assert os.getpid() not in pids
    assert pids <= loky_pids(reusable)
    assert {f["start_method"] for f in found} == {"loky"}
    assert reusable.submit(targets.square, 6).result() == 36, "still usable afterwards"


def test_loky_counts_as_spawn(reusable: Any) -> None:
    with using(executor=reusable):
        with mpcontext.executor():
            assert mpcontext.explain_context() == (
                "spawn: chosen by the executor injected with using(executor=...): loky's "
                "process pool, whose workers start fresh interpreters (counted as 'spawn')"
            )
        assert targets.fresh_only([1])[0]["pid"] in loky_pids(reusable)
        if "fork" in mpcontext.available_start_methods():
            with pytest.raises(StartMethodError, match="it is loky's process pool"):
                targets.fork_only([1])


def test_interactive_functions_reach_loky_workers(
    reusable: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed_in_the_repl = targets.typed_at_the_prompt(monkeypatch)
    with using(executor=reusable), mpcontext.executor() as ex:
        assert ex.submit(typed_in_the_repl, 1).result() == 2
        assert list(ex.map(typed_in_the_repl, [5, 6])) == [6, 7]
        assert list(ex.map(lambda x: x * 10, [1, 2])) == [10, 20]


def test_initializer_runs_once_per_loky_worker(reusable: Any) -> None:
    seen: list[tuple[int, dict[str, int]]] = []
    with using(executor=reusable):
        for _ in range(3):
            seen += targets.initialized_fan_out(list(range(6)), "loky")
    assert {pid for pid, _ in seen} <= loky_pids(reusable)
    assert all(counts["loky"] == 1 for _, counts in seen)
