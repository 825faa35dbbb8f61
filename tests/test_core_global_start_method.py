"""mpcontext never fixes multiprocessing's global start method, not even for a moment.

Each check that reads the global runs in a fresh interpreter, where nothing
has fixed it yet; the one of the available start methods runs here, with the
cache emptied before each round.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import mpcontext
from mpcontext._core import start_methods

ROOT = Path(mpcontext.__file__).resolve().parent.parent
METHODS = mpcontext.available_start_methods()
needs_spawn = pytest.mark.skipif("spawn" not in METHODS, reason="no spawn start method here")


def _run(code: str) -> dict[str, object]:
    """Run `code` in a fresh interpreter; return the JSON object it prints last."""
    script = f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@needs_spawn
@pytest.mark.timeout(60)
def test_an_injected_stdlib_pool_starting_its_workers_leaves_the_global_unset() -> None:
    # The stdlib pool starts its workers lazily, inside mpcontext's submit().
    result = _run(
        """
        import json, multiprocessing, os
        from concurrent.futures import ProcessPoolExecutor
        import mpcontext

        if __name__ == "__main__":
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(2, spawn) as pool, mpcontext.using(executor=pool):
                with mpcontext.executor() as ex:
                    pid = ex.submit(os.getpid).result()
                    mapped = list(ex.map(abs, [-1, -2]))
            print(json.dumps({
                "global": multiprocessing.get_start_method(allow_none=True),
                "explained": mpcontext.explain_context(),
                "worker": pid != os.getpid(),
                "mapped": mapped,
            }))
        """
    )
    assert result["global"] is None
    assert "set_start_method" not in str(result["explained"]), result["explained"]
    assert result["worker"] is True and result["mapped"] == [1, 2]


@needs_spawn
@pytest.mark.skipif(sys.version_info < (3, 11), reason="max_tasks_per_child is 3.11's")
@pytest.mark.timeout(60)
def test_an_injected_stdlib_pool_replacing_its_workers_leaves_the_global_unset() -> None:
    # With max_tasks_per_child, its manager thread starts each next worker.
    result = _run(
        """
        import json, multiprocessing, os
        from concurrent.futures import ProcessPoolExecutor
        import mpcontext

        if __name__ == "__main__":
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(1, spawn, max_tasks_per_child=1) as pool:
                with mpcontext.using(executor=pool), mpcontext.executor() as ex:
                    pids = [ex.submit(os.getpid).result() for _ in range(3)]
                more = pool.submit(os.getpid).result()  # still the application's pool
            print(json.dumps({
                "global": multiprocessing.get_start_method(allow_none=True),
                "explained": mpcontext.explain_context(),
                "workers": len({*pids, more}),
            }))
        """
    )
    assert result["global"] is None
    assert "set_start_method" not in str(result["explained"]), result["explained"]
    assert result["workers"] == 4


@needs_spawn
@pytest.mark.timeout(60)
def test_another_thread_never_sees_the_global_fixed_while_spawn_children_start() -> None:
    result = _run(
        """
        import json, multiprocessing, os, threading
        import mpcontext

        if __name__ == "__main__":
            seen, samples, stop = set(), [0], threading.Event()

            def sample():
                while not stop.is_set():
                    seen.add(multiprocessing.get_start_method(allow_none=True))
                    samples[0] += 1

            sampler = threading.Thread(target=sample)
            sampler.start()
            for _ in range(4):
                process = mpcontext.Process(target=os.getpid, mp_context="spawn")
                process.start()
                process.join()
            with mpcontext.Pool(2, mp_context="spawn") as pool:
                pool.map(abs, range(8))
            stop.set()
            sampler.join()
            print(json.dumps({"seen": sorted(map(str, seen)), "samples": samples[0]}))
        """
    )
    assert result["seen"] == ["None"], result
    assert isinstance(result["samples"], int) and result["samples"] > 100


@needs_spawn
@pytest.mark.timeout(60)
def test_set_start_method_from_another_thread_while_children_start() -> None:
    # The application may fix the global whenever it likes: mpcontext's starts
    # never hold it, so it is never "already set".
    chosen = METHODS[-1]
    result = _run(
        f"""
        import json, multiprocessing, os, threading
        import mpcontext

        if __name__ == "__main__":
            errors = []
            started = threading.Event()

            def choose():
                started.wait(30)
                try:
                    multiprocessing.set_start_method({chosen!r})
                except RuntimeError as error:
                    errors.append(str(error))

            chooser = threading.Thread(target=choose)
            chooser.start()
            for index in range(6):
                process = mpcontext.Process(target=os.getpid, mp_context="spawn")
                process.start()
                started.set()
                process.join()
            chooser.join()
            print(json.dumps({{
                "errors": errors,
                "global": multiprocessing.get_start_method(allow_none=True),
            }}))
        """
    )
    assert result == {"errors": [], "global": chosen}


@pytest.mark.timeout(60)
def test_every_entry_point_under_every_method_leaves_the_global_unset() -> None:
    # Decorated calls (plain, with a requirement, async), handing the context on,
    # using(), carry(), executor(), the factories, a Process subclass, a field,
    # the pre-flight, the registry: then the application may still choose.
    result = _run(
        """
        import asyncio, json, multiprocessing, sys, threading
        sys.path.insert(0, sys.path[0] + "/tests/helpers")  # after the checkout's root
        import mpcontext
        from mpcontext import ContextField, ContextParam
        import _children

        @mpcontext.accepts_context
        def lib(*, mp_context: ContextParam = None):
            ctx = mpcontext.resolve_context(mp_context)
            mpcontext.current_choice()
            mpcontext.explain_context()
            with mpcontext.executor(1, mp_context=mp_context) as ex:
                ex.submit(_children.double, 1).result(30)
            with mpcontext.ProcessPoolExecutor(1, mp_context) as ex:
                ex.submit(_children.double, 1).result(30)
            with mpcontext.Pool(1, mp_context=ctx) as pool:
                pool.apply(_children.double, (1,))
            return ctx.get_start_method()

        @mpcontext.accepts_context(requires=("spawn", "forkserver"))
        def needs_fresh_workers(*, mp_context: ContextParam = None):
            with mpcontext.executor(1) as ex:
                return ex.submit(_children.double, 1).result(30)

        @mpcontext.accepts_context
        async def alib(*, mp_context: ContextParam = None):
            return mpcontext.current_choice().context.get_start_method()

        class Service:
            mp_context: ContextField = ContextField()

            def __init__(self, mp_context=None):
                self.mp_context = mp_context

        if __name__ == "__main__":
            multiprocessing.freeze_support()
            for method in mpcontext.available_start_methods():
                lib()
                lib(mp_context=method)
                if method != "fork":
                    needs_fresh_workers()
                    needs_fresh_workers(mp_context=method)
                asyncio.run(alib(mp_context=method))
                with mpcontext.using(method):
                    lib()
                    thread = threading.Thread(target=mpcontext.carry(lib))
                    thread.start()
                    thread.join()
                queue = multiprocessing.get_context(method).SimpleQueue()
                worker = _children.Worker(queue, 2, mp_context=method)
                worker.start()
                queue.get()
                worker.join()
                Service(method).mp_context.get_start_method()
                Service().mp_context.get_start_method()
                mpcontext.check_picklable(_children.double, (1,), context=method, full=True)
            mpcontext.registry.entries()
            mpcontext.refresh_environment()
            unset = multiprocessing.get_start_method(allow_none=True)
            chosen = mpcontext.available_start_methods()[-1]
            multiprocessing.set_start_method(chosen)
            print(json.dumps({"global": unset, "chosen": multiprocessing.get_start_method() == chosen}))
        """
    )
    assert result == {"global": None, "chosen": True}


@pytest.mark.timeout(60)
def test_available_start_methods_on_first_use_from_many_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = mpcontext.available_start_methods()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(60):
            monkeypatch.setattr(start_methods, "_contexts", {})
            barrier = threading.Barrier(8)
            seen: list[object] = []

            def first_use() -> None:
                barrier.wait()
                try:
                    methods = mpcontext.available_start_methods()
                    contexts = [start_methods.context_for_name(m).get_start_method() for m in expected]
                    seen.append((methods, tuple(contexts)))
                except Exception as error:  # noqa: BLE001 - the test reports any
                    seen.append(error)

            threads = [threading.Thread(target=first_use) for _ in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(10)
            assert seen == [(expected, expected)] * 8
    finally:
        sys.setswitchinterval(interval)


@pytest.mark.timeout(60)
def test_a_name_looked_up_while_another_thread_fills_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    # The interleaving the GIL makes rare, forced: this thread misses the
    # empty list, another fills it, and only then does this one go on.
    monkeypatch.setattr(start_methods, "_contexts", {})
    code = start_methods.context_for_name.__code__
    lines, first = inspect.getsourcelines(start_methods.context_for_name)
    missed = first + next(i for i, line in enumerate(lines) if "except KeyError" in line) + 1
    filled = threading.Event()

    def pause_after_the_miss(frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code is not code:
            return None

        def on_line(frame: FrameType, event: str, arg: object) -> Any:
            if event == "line" and frame.f_lineno > missed and not filled.is_set():
                filler = threading.Thread(target=mpcontext.available_start_methods)
                filler.start()
                filler.join()
                filled.set()
            return on_line

        return on_line

    method = METHODS[-1]
    sys.settrace(pause_after_the_miss)
    try:
        context = start_methods.context_for_name(method)
    finally:
        sys.settrace(None)
    assert filled.is_set()  # the premise: the list was filled in between
    assert context.get_start_method() == method
