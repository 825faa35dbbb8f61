"""What the factories add on top of the context methods they replace.

Each case times the mpcontext call and the stdlib call it stands for, in the
same process, interleaved over several repeats (timeit style), and compares
the best times: making primitives and process objects (resolution and the
guarded class), and a task's round trip through a pool (the pre-flight
check). Target: at most 25 % on a pool round trip, where the check runs.

Usage: ``python benchmarks/bench_factories.py [--repeats N] [--method METHOD]``
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import sys
import timeit
from collections.abc import Callable
from multiprocessing.context import BaseContext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mpcontext  # noqa: E402

TARGET = 0.25


def double(x: int) -> int:
    return 2 * x


def best(stmt: Callable[[], object], number: int) -> float:
    """Return the time of one call of `stmt`, from one timeit run, in µs."""
    return timeit.timeit(stmt, number=number) / number * 1e6


def compare(
    label: str,
    ours: Callable[[], object],
    theirs: Callable[[], object],
    number: int,
    repeats: int,
) -> float:
    """Time both interleaved; print and return the added fraction of the best times."""
    mine: list[float] = []
    base: list[float] = []
    for _ in range(repeats):
        base.append(best(theirs, number))
        mine.append(best(ours, number))
    added = min(mine) / min(base) - 1
    print(f"  {label:38} {min(base):9.2f} µs {min(mine):9.2f} µs {added:+8.1%}")
    return added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--method", default="spawn", choices=mpcontext.available_start_methods())
    options = parser.parse_args()
    repeats: int = options.repeats
    method: str = options.method
    context: BaseContext = multiprocessing.get_context(method)

    print(f"Python {sys.version.split()[0]}, {method}, best of {repeats} interleaved repeats:")
    print(f"  {'case':38} {'stdlib':>12} {'mpcontext':>12} {'added':>8}")
    compare(
        "Lock(mp_context=ctx)",
        lambda: mpcontext.Lock(mp_context=context),
        context.Lock,
        2000,
        repeats,
    )
    with mpcontext.using(method):
        compare("Lock() under using()", mpcontext.Lock, context.Lock, 2000, repeats)
    compare(
        "Queue(mp_context=ctx)",
        lambda: mpcontext.Queue(mp_context=context),
        context.Queue,
        500,
        repeats,
    )
    compare(
        "Process(target, args, mp_context)",
        lambda: mpcontext.Process(target=double, args=(1,), mp_context=context),
        lambda: context.Process(target=double, args=(1,)),
        5000,
        repeats,
    )
    with mpcontext.Pool(1, mp_context=context) as ours, context.Pool(1) as theirs:
        pool = compare(
            "Pool.apply_async(f, (1,)).get()",
            lambda: ours.apply_async(double, (1,)).get(),
            lambda: theirs.apply_async(double, (1,)).get(),
            300,
            repeats,
        )
    with (
        mpcontext.ProcessPoolExecutor(1, context) as ours_ex,
        concurrent.futures.ProcessPoolExecutor(1, context) as theirs_ex,
    ):
        executor = compare(
            "ProcessPoolExecutor.submit().result()",
            lambda: ours_ex.submit(double, 1).result(),
            lambda: theirs_ex.submit(double, 1).result(),
            300,
            repeats,
        )
    worst = max(pool, executor)
    print(f"  pool round trips: at most {worst:+.1%} (target <= {TARGET:+.0%})")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
