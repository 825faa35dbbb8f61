"""What a task costs in mpcontext's pools, against the stdlib's pools (issue 19).

The rows, named as in ``TARGETS`` and in what ``measure()`` returns:

1. A round trip, one worker a pool: ``Pool.apply_async(f, (1,)).get()``
   (``"apply_async round trip"``) and ``ProcessPoolExecutor.submit(f,
   1).result()`` (``"submit round trip"``), mpcontext's classes against
   ``ctx.Pool`` and ``concurrent.futures.ProcessPoolExecutor``. A ratio,
   mpcontext's time over the stdlib's; target <= 1.05.
2. 20,000 tiny tasks, two workers a pool: ``Pool.imap_unordered``
   (``"imap_unordered 20,000 tasks"``) and ``ProcessPoolExecutor.submit``
   then every result (``"submit 20,000 tasks"``). A ratio; target <= 1.03.
3. 20,000 tiny tasks through a pool the application injected (issue 21):
   ``mpcontext.Pool(2)`` inside ``using(pool=f)`` against ``f(2, None, (),
   None)`` called directly, both ``imap_unordered`` (``"injected imap_unordered
   20,000 tasks"``). ``f`` makes the stdlib's own pool, which the injection
   makes pre-flight its tasks: the case where it does the most. A ratio;
   target <= 1.03.
4. The cheap pre-flight a pool runs per task once it knows its start method
   (``"pre-flight per task (us)"``): what ``apply_async`` checks before it
   queues ``f(1)``, on the pool's own journey. Microseconds of CPU time (the
   thread's: waiting for a core is left out), not a ratio; target <= 1.

``f`` is ``double`` of this module: a function of the main script when the
file is run (whose first check reads the script), of this module when
imported.

How: both sides run in the same process, interleaved, which one goes first
alternating, the garbage collector off while timing (timeit style). A run
gives one figure per row: for a ratio, the median of the ratios of pairs of
blocks (a round-trip row: 8 blocks of 50 round trips a side; a many-task
row: 4 blocks of 5,000 tasks a side, 64 of 312 for the injected pool),
so that a burst of load from elsewhere spoils one pair, not the run; for
the pre-flight, the best of 3 timings of 20,000 checks. A row's result is
the median of its runs and their spread: the interquartile range (the run
at three quarters less the run at one quarter). Each run makes its
own pools, and warms them up: a pool's place on the cores biases it, and
that bias varies from pool to pool.

Usage: ``python benchmarks/bench_pool_tasks.py [--runs N] [--method METHOD]
[--rows ROW ...]``; the exit status is 1 when a target is missed. From
another script, with this folder on ``sys.path``::

    from bench_pool_tasks import TARGETS, measure

    figures = measure(7, "spawn")  # {row: (median, spread)} for every row of TARGETS
    figures = measure(7, "spawn", rows=["submit round trip"])

``measure_runs()`` takes the same arguments and returns each run's figure
(``{row: [figure, ...]}``), for a script that combines runs its own way.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import functools
import multiprocessing
import os
import statistics
import sys
import time
import timeit
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Executor
from multiprocessing.pool import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mpcontext  # noqa: E402
from bench_executor import seconds  # noqa: E402  # timed as there: garbage collection off
from mpcontext._preflight.check import preflight  # noqa: E402

ROUND_TRIP_POOL = "apply_async round trip"
ROUND_TRIP_EXECUTOR = "submit round trip"
MANY_POOL = "imap_unordered 20,000 tasks"
MANY_EXECUTOR = "submit 20,000 tasks"
MANY_INJECTED = "injected imap_unordered 20,000 tasks"
PREFLIGHT = "pre-flight per task (us)"

TARGETS: dict[str, float] = {
    ROUND_TRIP_POOL: 1.05,
    ROUND_TRIP_EXECUTOR: 1.05,
    MANY_POOL: 1.03,
    MANY_EXECUTOR: 1.03,
    MANY_INJECTED: 1.03,
    PREFLIGHT: 1.0,
}
"""Each row's target: the most its median may be (a ratio; microseconds for the pre-flight)."""

TASKS = 20_000
_TRIP_BLOCKS, _TRIPS = 8, 50
_TASK_BLOCKS = 4
_INJECTED_BLOCKS = 64  # short blocks, many pairs: it measures a small difference
_CHECKS = 20_000


def double(x: int) -> int:
    return 2 * x


def _compare(
    ours: Callable[[], object], theirs: Callable[[], object], blocks: int, turn: int
) -> float:
    """Time `blocks` pairs, which one goes first alternating; the median of ours over theirs.

    One untimed call of each first: the workers started, what they run imported.
    """
    ours()
    theirs()
    ratios: list[float] = []
    for block in range(blocks):
        if (turn + block) % 2:
            base = seconds(theirs)
            ratios.append(seconds(ours) / base)
        else:
            mine = seconds(ours)
            ratios.append(mine / seconds(theirs))
    return statistics.median(ratios)


def _round_trips(pool: Pool | Executor, count: int) -> Callable[[], None]:
    if isinstance(pool, Pool):
        mp_pool = pool

        def apply() -> None:
            for _ in range(count):
                mp_pool.apply_async(double, (1,)).get()

        return apply
    executor = pool

    def submit() -> None:
        for _ in range(count):
            executor.submit(double, 1).result()

    return submit


def _tasks(pool: Pool | Executor, count: int) -> Callable[[], None]:
    expected = count * (count - 1)
    if not isinstance(pool, Executor):  # a Pool, or what an injected factory made
        mp_pool = pool

        def imap() -> None:
            assert sum(mp_pool.imap_unordered(double, range(count))) == expected

        return imap
    executor = pool

    def submit() -> None:
        futures = [executor.submit(double, x) for x in range(count)]
        assert sum(f.result() for f in futures) == expected

    return submit


@contextlib.contextmanager
def _pools(method: str, workers: int) -> Generator[tuple[Pool, Pool, Executor, Executor]]:
    """mpcontext's and the stdlib's ``Pool``, then their ``ProcessPoolExecutor``, of `method`."""
    context = multiprocessing.get_context(method)
    with (
        mpcontext.Pool(workers, mp_context=context) as ours_pool,
        context.Pool(workers) as their_pool,
        mpcontext.ProcessPoolExecutor(workers, context) as ours_ex,
        concurrent.futures.ProcessPoolExecutor(workers, context) as their_ex,
    ):
        yield ours_pool, their_pool, ours_ex, their_ex


def stdlib_pool(
    method: str,
    processes: int | None,
    initializer: Callable[..., object] | None,
    initargs: tuple[object, ...],
    maxtasksperchild: int | None,
) -> Pool:
    """The factory ``f`` an application injects: the stdlib's own pool of `method`."""
    return multiprocessing.get_context(method).Pool(
        processes, initializer, initargs, maxtasksperchild
    )


@contextlib.contextmanager
def _injected_pools(method: str, workers: int) -> Generator[tuple[Pool, Pool]]:
    """``mpcontext.Pool`` inside ``using(pool=f)``, and ``f(...)`` called directly."""
    factory = functools.partial(stdlib_pool, method)
    with mpcontext.using(pool=factory):
        ours = mpcontext.Pool(workers)
    assert hasattr(ours, "_mpcontext_journey"), "it checks each task"
    with ours, factory(workers, None, (), None) as theirs:
        yield ours, theirs


def _check_seconds(pool: Pool) -> float:
    """The best of 3 timings of the check `pool` runs for ``apply_async(double, (1,))``, each."""
    journey = getattr(pool, "_mpcontext_journey")  # noqa: B009 - made when the pool was
    assert preflight(double, (1,), {}, journey) is None, "the task would be refused"
    namespace = {"preflight": preflight, "double": double, "journey": journey}
    timer = timeit.Timer("preflight(double, (1,), {}, journey)", globals=namespace,
                         timer=time.thread_time)  # fmt: skip
    return min(timer.repeat(3, _CHECKS)) / _CHECKS


def _figure(values: list[float]) -> tuple[float, float]:
    """The median of `values` and their interquartile range."""
    if len(values) < 2:
        return values[0], 0.0
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return statistics.median(values), high - low


def measure(
    runs: int, method: str, rows: Iterable[str] | None = None, tasks: int = TASKS
) -> dict[str, tuple[float, float]]:
    """Measure `rows` (every row of ``TARGETS`` by default) `runs` times under `method`.

    Returns ``{row: (median, spread)}``: a ratio to the stdlib (for
    ``"pre-flight per task (us)"``, microseconds) and the interquartile
    range of the runs. `tasks` is the size of the many-task rows.
    """
    found = measure_runs(runs, method, rows, tasks)
    return {row: _figure(values) for row, values in found.items()}


def measure_runs(
    runs: int, method: str, rows: Iterable[str] | None = None, tasks: int = TASKS
) -> dict[str, list[float]]:
    """``measure()``, each run's figure of each row rather than their median and spread."""
    wanted = list(TARGETS) if rows is None else list(rows)
    unknown = [row for row in wanted if row not in TARGETS]
    if unknown:
        raise ValueError(f"no such row: {unknown!r}; the rows are {list(TARGETS)!r}")
    found: dict[str, list[float]] = {row: [] for row in wanted}
    for turn in range(runs):
        for row, figure in _run(method, wanted, tasks, turn).items():
            found[row].append(figure)
    return found


def _run(method: str, rows: list[str], tasks: int, turn: int) -> dict[str, float]:
    """One run of `rows`, on pools of its own: a pool's place on the cores biases it."""
    found: dict[str, float] = {}
    if {ROUND_TRIP_POOL, ROUND_TRIP_EXECUTOR, PREFLIGHT} & set(rows):
        with _pools(method, 1) as (ours_pool, their_pool, ours_ex, their_ex):
            pairs: dict[str, tuple[Pool | Executor, Pool | Executor]] = {
                ROUND_TRIP_POOL: (ours_pool, their_pool),
                ROUND_TRIP_EXECUTOR: (ours_ex, their_ex),
            }
            for row, (ours, theirs) in pairs.items():
                if row in rows:
                    found[row] = _compare(
                        _round_trips(ours, _TRIPS), _round_trips(theirs, _TRIPS), _TRIP_BLOCKS, turn
                    )
            if PREFLIGHT in rows:
                found[PREFLIGHT] = _check_seconds(ours_pool) * 1e6
    if {MANY_POOL, MANY_EXECUTOR} & set(rows):
        block = tasks // _TASK_BLOCKS
        with _pools(method, 2) as (ours_pool, their_pool, ours_ex, their_ex):
            pairs = {MANY_POOL: (ours_pool, their_pool), MANY_EXECUTOR: (ours_ex, their_ex)}
            for row, (ours, theirs) in pairs.items():
                if row in rows:
                    found[row] = _compare(
                        _tasks(ours, block), _tasks(theirs, block), _TASK_BLOCKS, turn
                    )
    if MANY_INJECTED in rows:
        block = tasks // _INJECTED_BLOCKS
        with _injected_pools(method, 2) as (ours_pool, their_pool):
            found[MANY_INJECTED] = _compare(
                _tasks(ours_pool, block), _tasks(their_pool, block), _INJECTED_BLOCKS, turn
            )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--method", default="spawn", choices=mpcontext.available_start_methods())
    parser.add_argument(
        "--rows",
        nargs="+",
        choices=list(TARGETS),
        metavar="ROW",
        help=f"the rows to measure (default: all): {', '.join(map(repr, TARGETS))}",
    )
    parser.add_argument("--tasks", type=int, default=TASKS)
    options = parser.parse_args()
    where = "the main script" if double.__module__ == "__main__" else double.__module__
    load = f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "?"
    print(f"Python {sys.version.split()[0]}, {options.method}, f of {where}, load {load}; "
          f"median and spread (interquartile range) of {options.runs} runs:")  # fmt: skip
    figures = measure(options.runs, options.method, options.rows, options.tasks)
    missed = False
    for row, (median, spread) in figures.items():
        target = TARGETS[row]
        ok = median <= target
        missed = missed or not ok
        print(f"  {row:28} {median:7.3f}  spread {spread:6.3f}  target <= {target:.2f}  "
              f"{'ok' if ok else 'MISSED'}")  # fmt: skip
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
