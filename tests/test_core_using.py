"""``using()`` and ``carry()``: scoping by contextvars."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Executor, ThreadPoolExecutor

import pytest

import mpcontext
from mpcontext._core.scope import SCOPE

METHODS = mpcontext.available_start_methods()
DEFAULT = mpcontext.current_context()


def method_in_force() -> str:
    return mpcontext.current_context().get_start_method()


def test_using_puts_context_in_force_and_restores_it() -> None:
    for method in METHODS:
        with mpcontext.using(method):
            assert method_in_force() == method
            assert mpcontext.resolve_context() is mpcontext.resolve_context(method)
        assert mpcontext.current_context() is DEFAULT


def test_using_takes_a_context_object() -> None:
    context = mpcontext.resolve_context("spawn")
    with mpcontext.using(context):
        assert mpcontext.current_context() is context
        assert mpcontext.explain_context() == f"spawn: chosen by using({context!r})"


def test_nesting() -> None:
    with mpcontext.using("spawn"):
        with mpcontext.using("forkserver"):
            assert method_in_force() == "forkserver"
            with mpcontext.using(None):
                assert mpcontext.current_context() is DEFAULT
            assert method_in_force() == "forkserver"
        assert method_in_force() == "spawn"
    assert mpcontext.current_context() is DEFAULT


def test_restored_on_exception() -> None:
    with pytest.raises(KeyError), mpcontext.using("spawn"):
        with mpcontext.using("forkserver"):
            raise KeyError("boom")
    assert mpcontext.current_context() is DEFAULT


def test_left_out_context_stays_as_it_is() -> None:
    with mpcontext.using("spawn"), mpcontext.using(executor=None):
        assert method_in_force() == "spawn"
        assert mpcontext.explain_context() == "spawn: chosen by using('spawn')"


def test_same_object_entered_again() -> None:
    block = mpcontext.using("spawn")
    with block:
        with block:
            assert method_in_force() == "spawn"
        assert method_in_force() == "spawn"
    assert mpcontext.current_context() is DEFAULT
    with block:
        assert method_in_force() == "spawn"


@pytest.mark.parametrize("value", ["spwan", "", 3, b"spawn", object()])
def test_bad_value_raises_before_the_block(value: object) -> None:
    with pytest.raises(mpcontext.InvalidContextError, match="using()"):
        mpcontext.using(value)  # type: ignore[arg-type]
    assert SCOPE.get().context is None


def test_repr() -> None:
    context = mpcontext.resolve_context("spawn")
    assert repr(mpcontext.using("spawn")) == f"using({context!r})"
    assert repr(mpcontext.using(executor=None)) == "using(executor=None)"
    assert repr(mpcontext.using(None)) == "using(None)"


class TestExecutorChoice:
    def test_instance_and_callable_accepted(self) -> None:
        with ThreadPoolExecutor(1) as pool:
            with mpcontext.using(executor=pool):
                assert SCOPE.get().executor is pool
                with mpcontext.using(executor=ThreadPoolExecutor):
                    assert SCOPE.get().executor is ThreadPoolExecutor
                with mpcontext.using(executor=None):
                    assert SCOPE.get().executor is None
                assert SCOPE.get().executor is pool
        assert SCOPE.get().executor is None

    @pytest.mark.parametrize("value", [3, "loky", object()])
    def test_bad_executor_is_a_type_error(self, value: object) -> None:
        with pytest.raises(TypeError, match=r"using\(executor=\.\.\.\) expects a concurrent"):
            mpcontext.using(executor=value)  # type: ignore[arg-type]

    def test_choices_are_independent(self) -> None:
        def factory(max_workers: int | None) -> Executor:
            return ThreadPoolExecutor(max_workers)

        with mpcontext.using(executor=factory), mpcontext.using("spawn"):
            scope = SCOPE.get()
            assert scope.executor is factory
            assert scope.context_inner, "a context chosen inside wins over the executor"
        with mpcontext.using("spawn", executor=factory):
            assert not SCOPE.get().context_inner, "chosen together, the executor is kept"


def test_not_seen_by_another_thread_running_at_the_same_time() -> None:
    entered = threading.Event()
    checked = threading.Event()
    seen: list[str] = []

    def other() -> None:
        entered.wait(10)
        seen.append(method_in_force())
        checked.set()

    thread = threading.Thread(target=other)
    thread.start()
    with mpcontext.using("spawn"):
        entered.set()
        checked.wait(10)
        assert method_in_force() == "spawn"
    thread.join(10)
    assert seen == [DEFAULT.get_start_method()]


def test_each_thread_has_its_own() -> None:
    barrier = threading.Barrier(len(METHODS) * 4)
    errors: list[str] = []

    def worker(method: str) -> None:
        with mpcontext.using(method):
            barrier.wait(10)
            for _ in range(200):
                if method_in_force() != method:
                    errors.append(method)
            barrier.wait(10)

    threads = [threading.Thread(target=worker, args=(m,)) for m in METHODS * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []


def test_each_asyncio_task_has_its_own() -> None:
    async def task(method: str) -> list[str]:
        seen = []
        with mpcontext.using(method):
            for _ in range(5):
                await asyncio.sleep(0)
                seen.append(method_in_force())
        return seen

    async def main() -> list[list[str]]:
        with mpcontext.using("spawn"):
            results = await asyncio.gather(*(task(m) for m in METHODS * 10))
            assert method_in_force() == "spawn"
        return results

    results = asyncio.run(main())
    assert results == [[m] * 5 for m in METHODS * 10]


def test_task_created_inside_inherits() -> None:
    async def inner() -> str:
        return method_in_force()

    async def main() -> str:
        with mpcontext.using("forkserver"):
            task = asyncio.ensure_future(inner())
        return await task

    assert asyncio.run(main()) == "forkserver"


class TestCarry:
    def test_to_a_thread(self) -> None:
        seen: list[str] = []
        with mpcontext.using("spawn"):
            thread = threading.Thread(target=mpcontext.carry(lambda: seen.append(method_in_force())))
        thread.start()
        thread.join(10)
        assert seen == ["spawn"]

    def test_to_a_thread_pool_and_back(self) -> None:
        with ThreadPoolExecutor(2) as pool:
            with mpcontext.using("forkserver"):
                carried = mpcontext.carry(method_in_force)
                plain = pool.submit(method_in_force)
            futures = [pool.submit(carried) for _ in range(8)]
            assert [f.result(10) for f in futures] == ["forkserver"] * 8
            assert plain.result(10) == DEFAULT.get_start_method()
            # The worker threads are left as they were.
            assert pool.submit(method_in_force).result(10) == DEFAULT.get_start_method()

    def test_keeps_signature_metadata_and_errors(self) -> None:
        def add(a: int, b: int = 2) -> int:
            """Add."""
            if a < 0:
                raise ValueError(a)
            return a + b

        carried = mpcontext.carry(add)
        assert carried(1) == 3
        assert carried.__name__ == "add"
        assert carried.__doc__ == "Add."
        with pytest.raises(ValueError):
            carried(-1)
        assert SCOPE.get().context is None

    def test_explain_travels(self) -> None:
        with mpcontext.using("spawn"):
            carried = mpcontext.carry(mpcontext.explain_context)
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(carried).result(10) == "spawn: chosen by using('spawn')"


# -- one object, several threads or tasks at once ----------------------------------------


def _other(method: str) -> str:
    return next(m for m in METHODS if m != method)


@pytest.mark.timeout(10)
def test_one_object_entered_by_overlapping_threads() -> None:
    block = mpcontext.using("spawn")
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def first() -> None:
        with block:
            first_in.set()
            second_in.wait(5)
            seen["first inside"] = method_in_force()
        first_out.set()
        seen["first after"] = mpcontext.current_context()

    def second() -> None:
        first_in.wait(5)
        with block:
            second_in.set()
            first_out.wait(5)
            seen["second after the first left"] = method_in_force()
        seen["second after"] = mpcontext.current_context()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert seen == {
        "first inside": "spawn",
        "second after the first left": "spawn",
        "first after": DEFAULT,
        "second after": DEFAULT,
    }
    assert mpcontext.current_context() is DEFAULT


@pytest.mark.timeout(10)
def test_one_object_entered_by_overlapping_asyncio_tasks() -> None:
    block = mpcontext.using(_other(DEFAULT.get_start_method()))
    chosen = block._context  # type: ignore[attr-defined]
    seen: list[tuple[str, object]] = []

    async def task(name: str, entered: asyncio.Event, leave: asyncio.Event) -> None:
        with block:
            entered.set()
            await leave.wait()
            seen.append((f"{name} inside", mpcontext.current_context()))
        seen.append((f"{name} after", mpcontext.current_context()))

    async def main() -> None:
        a_in, b_in, a_leave, b_leave = (asyncio.Event() for _ in range(4))
        a = asyncio.create_task(task("a", a_in, a_leave))
        await a_in.wait()
        b = asyncio.create_task(task("b", b_in, b_leave))
        await b_in.wait()
        a_leave.set()  # a leaves first, while b is inside
        await a
        b_leave.set()
        await b

    asyncio.run(main())
    assert seen == [("a inside", chosen), ("a after", DEFAULT), ("b inside", chosen), ("b after", DEFAULT)]


def test_leaving_in_another_thread_is_a_clear_error() -> None:
    block = mpcontext.using("spawn")
    block.__enter__()
    errors: list[BaseException] = []

    def leave() -> None:
        try:
            block.__exit__(None, None, None)
        except RuntimeError as error:
            errors.append(error)

    thread = threading.Thread(target=leave)
    thread.start()
    thread.join(5)
    block.__exit__(None, None, None)  # the thread that entered leaves it
    assert len(errors) == 1
    assert "left in a thread or asyncio task that did not enter it" in str(errors[0])
    assert mpcontext.current_context() is DEFAULT
