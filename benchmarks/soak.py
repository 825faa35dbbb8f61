"""Soak: many mixed calls with faults, then nothing left behind.

10,000 calls (by default) drawn at random, with a fixed seed, across the
start methods available here: ``mpcontext.Pool`` (``apply_async``, ``map``,
``imap_unordered``), ``mpcontext.ProcessPoolExecutor``, and
``mpcontext.executor()`` over a stdlib process pool the application injected.
Faults are mixed in, for each kind of pool: tasks that raise, tasks the
pre-flight refuses, tasks the workers cannot unpickle (a module only the
parent has), workers killed with SIGKILL while running a task, and
initializers that raise.

Every call must end, with its result or the error its fault calls for, within
a timeout: a call (or the closing of the pools) still running after ``HANG``
seconds is a hang, and ends the run with every thread's stack. The calls
run in a child interpreter; when they are done, that child checks that no
child process of its own (or of its fork server) is alive and that the global start method is
unset, and this script checks that the child's stderr has no warning of
leaked semaphores from the resource tracker, no "Exception ignored" and no
error at exit (the workers' tracebacks of the faults asked for are expected).

Run: ``python benchmarks/soak.py [--calls N] [--seed N]``. Prints the figures
(calls of each kind, outcomes, time); the exit status is 1 on any failure.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import faulthandler
import importlib
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
import types
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mpcontext  # noqa: E402

TIMEOUT = 30.0  # a call that takes longer is a hang
HANG = 2 * TIMEOUT  # a call (or the closing) that has not ended by then ends the run

# -- what the workers run (found by import: this file is __mp_main__ in them) --------


def double(x: int) -> int:
    return 2 * x


def fail(x: int) -> int:
    raise ValueError(f"task {x} fails, as asked")


def kill_self(_: int = 0) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return 0  # never reached


def failing_initializer() -> None:
    raise RuntimeError("the initializer fails, as asked")


def ghost(index: int) -> types.FunctionType:
    """A function of a module that only the parent has: workers cannot unpickle it.

    A new module each time, so that no pool's workers (forked or not) have it.
    """
    module = types.ModuleType(f"soak_ghost_{index}")
    exec("def lost(x):\n    return x\n", vars(module))  # noqa: S102 - the fault itself
    sys.modules[module.__name__] = module
    lost: types.FunctionType = vars(module)["lost"]
    return lost


# -- the calls ----------------------------------------------------------------------------


class Soak:
    """The pools of each start method, made again when a fault breaks one."""

    def __init__(self, methods: list[str]) -> None:
        self.methods = methods
        self.pools: dict[str, mpcontext.Pool] = {}  # type: ignore[valid-type]
        self.executors: dict[str, concurrent.futures.ProcessPoolExecutor] = {}
        self.injected: dict[str, concurrent.futures.ProcessPoolExecutor] = {}
        self.remade: collections.Counter[str] = collections.Counter()
        for method in methods:
            self._new_pool(method)
            self._new_executor(method)
            context = multiprocessing.get_context(method)
            self.injected[method] = concurrent.futures.ProcessPoolExecutor(2, context)

    def _new_pool(self, method: str) -> None:
        self.pools[method] = mpcontext.Pool(2, mp_context=method)

    def _new_executor(self, method: str) -> None:
        self.executors[method] = mpcontext.ProcessPoolExecutor(2, method)

    def remake(self, kind: str, method: str) -> None:
        """Replace the broken pool of `kind` (``pool``, ``executor``, ``injected``)."""
        self.remade[kind] += 1
        if kind == "pool":
            self.pools[method].terminate()
            self.pools[method].join()
            self._new_pool(method)
        elif kind == "executor":
            self.executors[method].shutdown(wait=True)
            self._new_executor(method)
        else:
            self.injected[method].shutdown(wait=True)
            context = multiprocessing.get_context(method)
            self.injected[method] = concurrent.futures.ProcessPoolExecutor(2, context)

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
            pool.join()
        for executor in (*self.executors.values(), *self.injected.values()):
            executor.shutdown(wait=True)


def _pool_apply(soak: Soak, method: str, x: int) -> str:
    assert soak.pools[method].apply_async(double, (x,)).get(TIMEOUT) == 2 * x
    return "ok"


def _pool_map(soak: Soak, method: str, x: int) -> str:
    assert soak.pools[method].map(double, range(x % 50)) == [2 * i for i in range(x % 50)]
    return "ok"


def _pool_imap(soak: Soak, method: str, x: int) -> str:
    found = sorted(soak.pools[method].imap_unordered(double, range(x % 20)))
    assert found == [2 * i for i in range(x % 20)]
    return "ok"


def _executor_submit(soak: Soak, method: str, x: int) -> str:
    assert soak.executors[method].submit(double, x).result(TIMEOUT) == 2 * x
    return "ok"


def _injected_block(soak: Soak, method: str, x: int) -> str:
    with mpcontext.using(executor=soak.injected[method]), mpcontext.executor() as ex:
        assert ex.submit(double, x).result(TIMEOUT) == 2 * x
        assert list(ex.map(double, range(x % 10), timeout=TIMEOUT)) == [
            2 * i for i in range(x % 10)
        ]
    return "ok"


def _task_raises(soak: Soak, method: str, x: int) -> str:
    try:
        soak.pools[method].apply_async(fail, (x,)).get(TIMEOUT)
    except ValueError:
        return "ValueError"
    raise AssertionError("the task did not raise")


def _preflight_refuses(soak: Soak, method: str, x: int) -> str:
    try:
        soak.pools[method].apply_async(lambda: x)
    except mpcontext.PreflightError:
        return "PreflightError"
    raise AssertionError("the pre-flight let a lambda through")


def _cannot_unpickle(soak: Soak, method: str, x: int) -> str:
    # A generator: the pre-flight looks at the first item of a list or tuple only.
    tasks = (ghost(x) for _ in range(1))
    try:
        soak.pools[method].map(_call, tasks)
    except ModuleNotFoundError:
        return "ModuleNotFoundError"
    raise AssertionError("the workers unpickled a function of a module they lack")


def _call(fn: Callable[[int], int]) -> int:
    return fn(1)


def _pool_worker_killed(soak: Soak, method: str, x: int) -> str:
    try:
        soak.pools[method].apply_async(kill_self).get(TIMEOUT)
    except mpcontext.BrokenPoolError:
        soak.remake("pool", method)
        return "BrokenPoolError"
    raise AssertionError("a killed worker broke nothing")


def _executor_worker_killed(soak: Soak, method: str, x: int) -> str:
    try:
        soak.executors[method].submit(kill_self).result(TIMEOUT)
    except BrokenProcessPool:
        soak.remake("executor", method)
        return "BrokenProcessPool"
    raise AssertionError("a killed worker broke nothing")


def _injected_task_raises(soak: Soak, method: str, x: int) -> str:
    with mpcontext.using(executor=soak.injected[method]), mpcontext.executor() as ex:
        try:
            ex.submit(fail, x).result(TIMEOUT)
        except ValueError:
            return "ValueError"
    raise AssertionError("the task did not raise")


def _injected_worker_killed(soak: Soak, method: str, x: int) -> str:
    try:
        with mpcontext.using(executor=soak.injected[method]), mpcontext.executor() as ex:
            ex.submit(kill_self).result(TIMEOUT)
    except BrokenProcessPool:
        soak.remake("injected", method)
        return "BrokenProcessPool"
    raise AssertionError("a killed worker broke nothing")


def _injected_initializer_raises(soak: Soak, method: str, x: int) -> str:
    # The pair travels with each task: the task fails, the shared pool serves on.
    with mpcontext.using(executor=soak.injected[method]):
        with mpcontext.executor(initializer=failing_initializer) as ex:
            try:
                ex.submit(double, x).result(TIMEOUT)
            except RuntimeError:
                return "RuntimeError"
    raise AssertionError("a task whose initializer raises ran")


class Unreachable:
    """A task argument whose unpickling imports a module no worker has.

    Unlike ``ghost``, also for the workers an executor forks lazily, after
    the parent made it.
    """

    def __init__(self, index: int) -> None:
        self.index = index

    def __reduce__(self) -> tuple[Callable[[str], object], tuple[str]]:
        return (importlib.import_module, (f"soak_missing_{self.index}",))


def _executor_cannot_unpickle(soak: Soak, method: str, x: int) -> str:
    # The stdlib's worker dies reading a task it cannot unpickle: the pool breaks.
    try:
        soak.executors[method].submit(repr, Unreachable(x)).result(TIMEOUT)
    except BrokenProcessPool:
        soak.remake("executor", method)
        return "BrokenProcessPool"
    raise AssertionError("the workers unpickled a function of a module they lack")


def _executor_initializer_raises(soak: Soak, method: str, x: int) -> str:
    with mpcontext.ProcessPoolExecutor(1, method, initializer=failing_initializer) as executor:
        try:
            executor.submit(double, x).result(TIMEOUT)
        except BrokenProcessPool:
            return "BrokenProcessPool"
    raise AssertionError("an executor whose initializer raises ran its task")


def _failing_initializer(soak: Soak, method: str, x: int) -> str:
    with mpcontext.Pool(1, failing_initializer, mp_context=method) as pool:
        try:
            pool.map(double, range(3))
        except mpcontext.BrokenPoolError:
            return "BrokenPoolError"
    raise AssertionError("a pool whose initializer raises ran its tasks")


# The kinds of call, and how often each comes (weights).
CALLS: dict[str, tuple[Callable[[Soak, str, int], str], float]] = {
    "Pool.apply_async": (_pool_apply, 40),
    "Pool.map": (_pool_map, 10),
    "Pool.imap_unordered": (_pool_imap, 10),
    "ProcessPoolExecutor.submit": (_executor_submit, 20),
    "executor() over an injected pool": (_injected_block, 8),
    "fault: a task raises": (_task_raises, 6),
    "fault: the pre-flight refuses a lambda": (_preflight_refuses, 3),
    "fault: a task the workers cannot unpickle": (_cannot_unpickle, 2),
    "fault: a Pool worker killed (SIGKILL)": (_pool_worker_killed, 0.3),
    "fault: an executor worker killed (SIGKILL)": (_executor_worker_killed, 0.3),
    "fault: an initializer raises": (_failing_initializer, 0.2),
    "fault: a task raises in an injected pool": (_injected_task_raises, 2),
    "fault: an injected pool's worker killed (SIGKILL)": (_injected_worker_killed, 0.2),
    "fault: an initializer raises in an injected pool": (_injected_initializer_raises, 1),
    "fault: a task an executor's workers cannot unpickle": (_executor_cannot_unpickle, 0.3),
    "fault: an executor's initializer raises": (_executor_initializer_raises, 0.2),
}


def _os_children() -> list[int]:
    """The live children of this process and of its fork server, but multiprocessing's helpers."""
    helpers = set()
    forkserver = sys.modules.get("multiprocessing.forkserver")
    tracker = sys.modules.get("multiprocessing.resource_tracker")
    for pid in (
        getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None),
        getattr(getattr(tracker, "_resource_tracker", None), "_pid", None),
    ):
        helpers.add(pid)
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in helpers:
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # A fork server's children are the workers it forked for this process.
        parents = {os.getpid(), getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)}
        if int(fields[1]) in parents and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def run_calls(calls: int, seed: int) -> dict[str, object]:
    """Make `calls` calls in this process; return the figures."""
    methods = list(mpcontext.available_start_methods())
    rng = random.Random(seed)
    names = list(CALLS)
    weights = [CALLS[name][1] for name in names]
    outcomes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    by_method: collections.Counter[str] = collections.Counter()
    slowest = 0.0
    started = time.perf_counter()
    soak = Soak(methods)
    try:
        for index in range(calls):
            name = rng.choices(names, weights)[0]
            method = methods[index % len(methods)]
            begun = time.perf_counter()
            # A call that does not end (a map, a close with no timeout of their
            # own) is a hang: the run ends with every thread's stack.
            faulthandler.dump_traceback_later(HANG, exit=True)
            outcomes[name][CALLS[name][0](soak, method, index)] += 1
            slowest = max(slowest, time.perf_counter() - begun)
            by_method[method] += 1
        faulthandler.dump_traceback_later(HANG, exit=True)
    finally:
        soak.close()
        faulthandler.cancel_dump_traceback_later()
    elapsed = time.perf_counter() - started
    time.sleep(0.5)  # the last workers' exits reach the kernel
    return {
        "calls": calls,
        "seconds": round(elapsed, 1),
        "calls per second": round(calls / elapsed),
        "slowest call (s)": round(slowest, 2),
        "by method": dict(by_method),
        "outcomes": {name: dict(counts) for name, counts in sorted(outcomes.items())},
        "pools made again": dict(soak.remade),
        "children alive": len(multiprocessing.active_children()) + len(_os_children()),
        "global start method": multiprocessing.get_start_method(allow_none=True),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_calls(options.calls, options.seed)))
        return 0
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", "--calls", str(options.calls),
             "--seed", str(options.seed)],
            capture_output=True, text=True, timeout=60 + options.calls * HANG,
        )  # fmt: skip
    except subprocess.TimeoutExpired as expired:  # the child's own watchdog failed too
        print(f"FAILED: the calls hung past {expired.timeout:.0f} s", file=sys.stderr)
        return 1
    failures = []
    if done.returncode != 0:
        failures.append(f"the calls failed (exit code {done.returncode}):\n{done.stderr}")
    else:
        # Workers print the tracebacks of the faults asked for (an initializer
        # raising); anything else there is a failure.
        for sign in ("leaked", "Exception ignored", "Error in atexit", "Fatal Python error"):
            if sign in done.stderr:
                failures.append(f"the child printed {sign!r} on stderr:\n{done.stderr}")
    if done.returncode == 0:
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"Python {sys.version.split()[0]}, {sys.platform}")
        for key, value in figures.items():
            if isinstance(value, dict):
                print(f"{key}:")
                for inner, count in value.items():
                    print(f"    {inner}: {count}")
            else:
                print(f"{key}: {value}")
        if figures["children alive"]:
            failures.append(f"{figures['children alive']} child processes left alive")
        if figures["global start method"] is not None:
            failures.append(f"the global start method is {figures['global start method']!r}")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
