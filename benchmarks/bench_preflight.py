"""What the pre-flight check costs.

1. The cheap level costs the same for a 1 KB and a 100 MB argument: it never
   looks inside a value (the full level, shown for comparison, pickles it).
2. The cheap level adds under 5 % to starting a ``spawn`` Process.

Each figure is measured against its baseline in the same run, timeit style:
several repeats, interleaved, keeping the minimum (per call) or the median
and the median too (process starts, which vary more on a busy machine). Run: ``python benchmarks/bench_preflight.py``.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from multiprocessing.context import SpawnContext

import mpcontext


class Record:
    """A module-level class: its instances are checked by their class."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload


def work(*args: object) -> None:
    """The target: a module-level function, as a library would pass."""


def _per_call(stmt: Callable[[], object], number: int, repeat: int) -> float:
    """Return the best time of one call of `stmt`, in seconds."""
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number


def _interleaved_per_call(
    stmts: dict[str, Callable[[], object]], number: int, repeat: int
) -> dict[str, float]:
    best = dict.fromkeys(stmts, float("inf"))
    for _ in range(repeat):
        for name, stmt in stmts.items():
            best[name] = min(best[name], _per_call(stmt, number, 1))
    return best


def bench_size(repeat: int) -> None:
    small, big = b"x" * 1024, b"x" * (100 * 1024 * 1024)
    cases: dict[str, Callable[[], object]] = {}
    for size, data in (("1 KB", small), ("100 MB", big)):
        args = (data, [data], Record(data))
        cases[f"cheap, {size}"] = functools.partial(
            mpcontext.check_picklable, work, args, {"data": data}, context="spawn"
        )
    print("Cheap check: the target and three arguments (bytes, a list of it, an object")
    print("holding it) plus one keyword argument, checked for spawn:")
    best = _interleaved_per_call(cases, number=500, repeat=4 * repeat)
    for name, seconds in best.items():
        print(f"  {name:15} {seconds * 1e6:8.2f} us per check")
    ratio = best["cheap, 100 MB"] / best["cheap, 1 KB"]
    print(f"  ratio 100 MB / 1 KB: {ratio:.3f}")

    full: dict[str, Callable[[], object]] = {}
    values: tuple[tuple[str, object], ...] = (
        ("1 KB", small),
        ("100 MB", big),
        ("10**6 ints", list(range(10**6))),
    )
    for size, value in values:
        full[f"full, {size}"] = functools.partial(
            mpcontext.check_picklable, work, (value,), context="spawn", full=True
        )
    best = _interleaved_per_call(full, number=3, repeat=min(repeat, 5))
    print("For comparison, the full level, which pickles the argument (keeping nothing;")
    print("large bytes go to the sink uncopied, a list's items are pickled one by one):")
    for name, seconds in best.items():
        print(f"  {name:17} {seconds * 1e6:10.2f} us per check")


def _start(context: SpawnContext, check: bool) -> float:
    args = (b"x" * 1024,)
    began = time.perf_counter()
    if check:
        mpcontext.check_picklable(work, args, context=context)
    process = context.Process(target=work, args=args)
    process.start()
    process.join()
    elapsed = time.perf_counter() - began
    assert process.exitcode == 0, process.exitcode
    return elapsed


def bench_spawn(repeat: int) -> None:
    context = multiprocessing.get_context("spawn")
    _start(context, False)  # warm up: the first start imports more
    plain: list[float] = []
    checked: list[float] = []
    for i in range(repeat):
        # Alternate the order, so that drift hits both alike.
        for check in (False, True) if i % 2 == 0 else (True, False):
            (checked if check else plain).append(_start(context, check))
    cost = _per_call(lambda: mpcontext.check_picklable(work, (b"x" * 1024,), context=context), 2000, 7)
    print(f"Starting and joining a spawn Process ({repeat} of each, interleaved):")
    print(f"  {'':18} {'min':>9} {'median':>9}")
    for name, times in (("without the check", plain), ("with the check", checked)):
        print(f"  {name:18} {min(times) * 1e3:7.2f}ms {statistics.median(times) * 1e3:7.2f}ms")
    print(
        f"  ratio (with/without): min {min(checked) / min(plain):.3f}, "
        f"median {statistics.median(checked) / statistics.median(plain):.3f}"
    )
    print(
        f"  the check alone: {cost * 1e6:.2f} us, {cost / min(plain):.4%} of the fastest start"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=15, help="repeats of each measure")
    options = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]} on {sys.platform}")
    bench_size(options.repeat)
    print()
    bench_spawn(options.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
