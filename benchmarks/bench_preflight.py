"""What the pre-flight check costs.

1. The cheap level costs the same for a 1 KB and a 100 MB argument: it never
   looks inside a value (the full level, shown for comparison, pickles it).
2. The cheap level adds under 5 % to starting a ``spawn`` Process, checked
   by hand before ``ctx.Process`` or by ``mpcontext.Process`` (levels ``off``
   and ``cheap`` of ``MPCONTEXT_PREFLIGHT``).

Each figure is measured against its baseline in the same run, timeit style:
several repeats, interleaved, keeping the minimum (per call) or the median
and the median too (process starts, which vary more on a busy machine). Run: ``python benchmarks/bench_preflight.py``.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from multiprocessing.context import SpawnContext
from multiprocessing.process import BaseProcess

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
    for stmt in full.values():
        stmt()  # warm up: the full level's module is imported on first use
    best = _interleaved_per_call(full, number=3, repeat=min(repeat, 7))
    print("For comparison, the full level, which pickles the argument (keeping nothing;")
    print("large bytes go to the sink uncopied, a list's items are pickled one by one):")
    for name, seconds in best.items():
        print(f"  {name:17} {seconds * 1e6:10.2f} us per check")


_ARGS = (b"x" * 1024,)


def _stdlib(context: SpawnContext) -> BaseProcess:
    return context.Process(target=work, args=_ARGS)


def _checked(context: SpawnContext) -> BaseProcess:
    mpcontext.check_picklable(work, _ARGS, context=context)
    return context.Process(target=work, args=_ARGS)


def _factory(context: SpawnContext) -> BaseProcess:
    return mpcontext.Process(target=work, args=_ARGS, mp_context=context)


def _set_level(level: str) -> None:
    os.environ["MPCONTEXT_PREFLIGHT"] = level
    mpcontext.refresh_environment()


def _start(context: SpawnContext, make: Callable[[SpawnContext], BaseProcess]) -> float:
    began = time.perf_counter()
    process = make(context)
    process.start()
    process.join()
    elapsed = time.perf_counter() - began
    assert process.exitcode == 0, process.exitcode
    return elapsed


def bench_spawn(repeat: int) -> None:
    context = multiprocessing.get_context("spawn")
    ways: dict[str, tuple[str, Callable[[SpawnContext], BaseProcess]]] = {
        "ctx.Process": ("cheap", _stdlib),
        "check_picklable + ctx.Process": ("cheap", _checked),
        "mpcontext.Process, level off": ("off", _factory),
        "mpcontext.Process, level cheap": ("cheap", _factory),
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    _start(context, _stdlib)  # warm up: the first start imports more
    names = list(ways)
    for i in range(repeat):
        # Rotate the order, so that drift hits each alike.
        for name in names[i % len(names) :] + names[: i % len(names)]:
            level, make = ways[name]
            _set_level(level)
            times[name].append(_start(context, make))
    _set_level("cheap")
    cost = _per_call(functools.partial(mpcontext.check_picklable, work, _ARGS, context=context), 2000, 7)
    print(f"Starting and joining a spawn Process ({repeat} of each, interleaved):")
    print(f"  {'':32} {'min':>9} {'median':>9}")
    for name, measured in times.items():
        print(f"  {name:32} {min(measured) * 1e3:7.2f}ms {statistics.median(measured) * 1e3:7.2f}ms")
    for name, base in (
        ("check_picklable + ctx.Process", "ctx.Process"),
        ("mpcontext.Process, level cheap", "mpcontext.Process, level off"),
    ):
        print(
            f"  ratio {name} / {base}: min {min(times[name]) / min(times[base]):.3f}, "
            f"median {statistics.median(times[name]) / statistics.median(times[base]):.3f}"
        )
    fastest = min(times["ctx.Process"])
    print(f"  the check alone: {cost * 1e6:.2f} us, {cost / fastest:.4%} of the fastest start")


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
