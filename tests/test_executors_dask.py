"""A dask.distributed cluster's executor, injected with ``using(executor=...)``, for real.

One ``LocalCluster`` for the module: two worker processes on loopback, one
thread each, the scheduler's web server on a free port.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import executor_targets as targets
import pytest

import mpcontext
from mpcontext import StartMethodError, using

distributed = pytest.importorskip(
    "distributed", reason="dask.distributed is not installed (pip install 'mpcontext[dask]')"
)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # a free port: None still serves on 8787 (xdist runs clash)
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def worker_addresses(client: Any) -> set[str]:
    return set(client.scheduler_info()["workers"])


def test_library_tasks_run_on_the_dask_workers(client: Any) -> None:
    executor = client.get_executor()
    with using(executor=executor):
        found = targets.fan_out(list(range(6)))
    assert {f["dask_worker"] for f in found} <= worker_addresses(client)
    assert None not in {f["dask_worker"] for f in found}
    assert os.getpid() not in {f["pid"] for f in found}
    # The library shut its block down, not the application's executor.
    assert executor.submit(targets.square, 7).result(timeout=60) == 49


def test_a_block_waits_for_its_tasks_and_keeps_map_results(client: Any) -> None:
    with using(executor=client.get_executor()), mpcontext.executor() as ex:
        future = ex.submit(targets.nap, 0.2)
        squares = ex.map(targets.square, range(4))
    assert future.done()
    assert list(squares) == [0, 1, 4, 9]


def test_interactive_functions_reach_the_dask_workers(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed_in_the_repl = targets.typed_at_the_prompt(monkeypatch)
    with using(executor=client.get_executor()), mpcontext.executor() as ex:
        assert ex.submit(typed_in_the_repl, 1).result(timeout=60) == 2
        assert list(ex.map(typed_in_the_repl, [5, 6])) == [6, 7]
        assert list(ex.map(lambda x: x * 10, [1, 2])) == [10, 20]


def test_a_requirement_refuses_the_cluster(client: Any) -> None:
    with using(executor=client.get_executor()), pytest.raises(StartMethodError) as caught:
        targets.fresh_only([1])
    message = str(caught.value)
    assert message.startswith("executor_targets.fresh_only() cannot send its work to <")
    assert "(ClientExecutor), injected with using(executor=...): it is a dask.distributed " \
           "executor, which runs its tasks on the workers of a cluster." in message  # fmt: skip
    assert "pass mp_context='spawn' to executor_targets.fresh_only()" in message


def test_explicit_choice_inside_the_injection_runs_locally(client: Any) -> None:
    with using(executor=client.get_executor()):
        found = targets.fresh_only([1], mp_context="spawn")
    assert found[0]["dask_worker"] is None
    assert found[0]["start_method"] == "spawn"


def test_injected_callable_is_made_and_shut_down_per_block(client: Any) -> None:
    made: list[Any] = []

    def factory(max_workers: int | None) -> Any:
        made.append(client.get_executor())
        return made[-1]

    with using(executor=factory):
        for _ in range(2):
            assert len(targets.fan_out([1, 2])) == 2
    assert len(made) == 2
    assert made[0] is not made[1]
    for executor in made:
        with pytest.raises(RuntimeError, match="after shutdown"):
            executor.submit(targets.square, 1)
    assert client.submit(targets.square, 2).result(timeout=60) == 4, "the client lives on"


def test_initializer_runs_once_per_dask_worker(client: Any) -> None:
    seen: list[tuple[int, dict[str, int]]] = []
    with using(executor=client.get_executor()):
        for _ in range(3):
            seen += targets.initialized_fan_out(list(range(6)), "dask")
    assert all(counts["dask"] == 1 for _, counts in seen)
    assert len({pid for pid, _ in seen}) <= 2
