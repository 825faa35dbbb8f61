"""What ``executor()`` adds to a task's round trip on an injected executor.

20,000 tiny tasks go through ``mpcontext.executor()`` inside
``using(executor=pool)`` and directly to the same pool, in the same run:
7 interleaved runs of each, which one goes first alternating, garbage
collection off while timing (timeit style), the medians compared. Cases:
``map`` and ``submit`` + ``result`` on a stdlib ``ProcessPoolExecutor``
(where the pre-flight check runs on each task), and, for information,
``map`` on a ``ThreadPoolExecutor``, whose round trip is far shorter.

Usage: ``python benchmarks/bench_executor.py [--tasks N] [--runs N] [--method M]``
Target: median through ``executor()`` / median direct <= 1.10 on the process pool.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mpcontext  # noqa: E402

TARGET = 1.10


def double(x: int) -> int:
    return 2 * x


def by_map(executor: Executor, tasks: int) -> None:
    assert sum(executor.map(double, range(tasks))) == tasks * (tasks - 1)


def by_submit(executor: Executor, tasks: int) -> None:
    futures = [executor.submit(double, x) for x in range(tasks)]
    assert sum(f.result() for f in futures) == tasks * (tasks - 1)


def through_executor(run: Callable[[Executor, int], None], pool: Executor, tasks: int) -> None:
    with mpcontext.using(executor=pool), mpcontext.executor() as executor:
        run(executor, tasks)


def seconds(stmt: Callable[[], object]) -> float:
    """Time one call of `stmt`, garbage collection off, as timeit does."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        stmt()
        return time.perf_counter() - start
    finally:
        gc.enable()


def compare(label: str, run: Callable[[Executor, int], None], pool: Executor, tasks: int,
            runs: int) -> float:  # fmt: skip
    """Time `run` directly and through ``executor()``, interleaved; print the medians."""
    direct: list[float] = []
    through: list[float] = []
    run(pool, min(tasks, 500))  # warm up: workers started, modules imported
    for turn in range(runs):
        # Which goes first alternates: the second of a pair tends to run faster.
        pair = [(direct, lambda: run(pool, tasks)),
                (through, lambda: through_executor(run, pool, tasks))]  # fmt: skip
        for times, stmt in pair if turn % 2 == 0 else reversed(pair):
            times.append(seconds(stmt))
    base, mine = statistics.median(direct), statistics.median(through)
    ratio = mine / base
    per_task = (mine - base) / tasks * 1e6
    print(f"  {label:34} {base:8.3f} s {mine:8.3f} s {ratio:7.3f} {per_task:+8.2f} µs")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--method", default="spawn", choices=mpcontext.available_start_methods())
    options = parser.parse_args()
    tasks: int = options.tasks
    runs: int = options.runs
    context = multiprocessing.get_context(options.method)

    print(f"Python {sys.version.split()[0]}, {tasks} tasks, {options.workers} workers, "
          f"median of {runs} interleaved runs:")  # fmt: skip
    print(f"  {'case':34} {'direct':>10} {'executor()':>10} {'ratio':>7} {'per task':>11}")
    with concurrent.futures.ProcessPoolExecutor(options.workers, mp_context=context) as pool:
        ratios = [
            compare(f"{options.method} process pool, map", by_map, pool, tasks, runs),
            compare(f"{options.method} process pool, submit", by_submit, pool, tasks, runs),
        ]
    with concurrent.futures.ThreadPoolExecutor(options.workers) as threads:
        compare("thread pool, map (information)", by_map, threads, tasks, runs)
    worst = max(ratios)
    print(f"  process pool: ratio at most {worst:.3f} (target <= {TARGET:.2f})")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
