"""Every performance target of mpcontext, measured in one command (issue 19).

Each row compares mpcontext with its baseline (a ``functools.wraps``
pass-through, ``import multiprocessing``, the stdlib's pools) measured in the
same process, interleaved, timeit style (garbage collection off, the best or
the median of several repeats); per-call rows count the thread's CPU time
(``time.thread_time``), which leaves out the time spent waiting for a core on
a busy machine, the others the wall clock, which is what a pool's round trip
costs. One *run* of a row is one fresh interpreter,
with the checkout under test first on ``sys.path``, giving one figure (a
ratio, or for the pre-flight row a time); a row is run ``--runs`` times, the
rows taking turns, so that a burst of load on the machine hits one run of
each row rather than every run of one. The table gives, per row, the median
of its runs, their spread (min-max) and whether the median meets the target.

With ``--against DIR`` (another checkout, say ``git worktree add
/tmp/bench-base HEAD``), every run of a row also runs once for that
checkout, the two alternating which goes first, and the table has a
"before" (DIR) and an "after" (this checkout) column. The measuring code is
always this checkout's; only ``mpcontext`` comes from DIR.

``MPCONTEXT_PREFLIGHT`` is removed from the runs' environment: the rows
measure the default, cheap level.

Usage::

    python benchmarks/run.py [--quick] [--runs N] [--rows NAME ...]
                             [--against DIR] [--markdown]

The exit status is 1 when a target is missed, 2 when a row could not be
measured. Read CONTRIBUTING.md ("Benchmarks") before trusting a figure from a
shared machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable, Sequence
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent

# A run starts as ``python -c BOOT ROW ROOT SETTINGS``: the checkout under test,
# then this folder, first on sys.path, and this module imported as ``run`` (not
# as __main__, so that spawn children find the pool rows' task by its module's name).
BOOT = (
    "import sys; sys.path[:] = [sys.argv[2], sys.argv[3]] + [p for p in sys.path if p]; "
    "import run; raise SystemExit(run.worker(sys.argv[1], sys.argv[4]))"
)
WORKER_TIMEOUT = 900  # seconds; a run that takes longer has hung


# --- the rows ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Row:
    """One line of the table."""

    name: str  # what --rows takes
    what: str
    target_text: str
    target: float
    absolute: bool = False  # a time in microseconds, not a ratio
    # How a run's repeats become its figure: "min" (timeit's choice, the least
    # disturbed repeat: calls, imports) or "median" (for what crosses processes,
    # whose fastest repeat is a lucky one: a round trip varies 3x from one to the next).
    stat: str = "min"


ROWS = (
    Row("call-default", "decorated call, argument left out / `functools.wraps` pass-through",
        "<= 1.0x", 1.0),
    Row("call-context", "decorated call given a context / pass-through given the same keyword",
        "<= 1.5x", 1.5),
    Row("call-requires", "decorated call with `requires`, argument left out / pass-through",
        "<= 1.5x", 1.5),
    Row("import", "`import mpcontext` / `import multiprocessing` (`-X importtime`, fresh)",
        "<= 1.2x", 1.2),
    Row("roundtrip-pool", "`Pool.apply_async(f, (1,)).get()` / the stdlib's (spawn)",
        "<= +5 %", 1.05, stat="median"),
    Row("roundtrip-executor", "`ProcessPoolExecutor.submit(f, 1).result()` / the stdlib's (spawn)",
        "<= +5 %", 1.05, stat="median"),
    Row("tasks-imap", "20,000 tasks through `Pool.imap_unordered` / the stdlib's (spawn)",
        "<= 1.03x", 1.03, stat="median"),
    Row("tasks-submit", "20,000 tasks through `ProcessPoolExecutor.submit` / the stdlib's",
        "<= 1.03x", 1.03, stat="median"),
    Row("tasks-injected", "20,000 tasks, `mpcontext.Pool` inside `using(pool=f)` / `f(...)`",
        "<= 1.03x", 1.03, stat="median"),
    Row("preflight", "the cheap pre-flight per task, the pool's start method known",
        "<= 1 us", 1.0, absolute=True),
)  # fmt: skip
BY_NAME = {row.name: row for row in ROWS}


@dataclasses.dataclass(frozen=True)
class Settings:
    """How much each run measures."""

    number: int = 100_000  # calls a timing, per-call rows
    repeat: int = 5  # interleaved timings of each side, per run
    import_pairs: int = 20  # fresh interpreters of each side, per run of the import row
    tasks: int = 20_000  # a run of a many-task row


FULL, FULL_RUNS = Settings(), 7
QUICK = Settings(number=20_000, repeat=3, import_pairs=6, tasks=4_000)
QUICK_RUNS = 3


# --- measuring: what one run does, in a fresh interpreter --------------------------------
#
# Each returns {"base": [...], "cand": [...]} (seconds per call or per import),
# {"ratio": [...]} (the pool rows, measured as ratios) or {"value": [...]}
# (seconds per call) for the absolute row.

Sample = dict[str, list[float]]


def _interleaved(
    base: Callable[[], float], cand: Callable[[], float], repeat: int, per: int = 1
) -> Sample:
    """Call the timings `base` and `cand` `repeat` times each, alternating which goes first.

    Each returns the seconds it measured, for `per` calls.
    """
    sample: Sample = {"base": [], "cand": []}
    pair = [("base", base), ("cand", cand)]
    for turn in range(repeat):
        for key, timing in pair if turn % 2 == 0 else pair[::-1]:
            sample[key].append(timing() / per)
    return sample


def _cpu_timing(stmt: str, namespace: dict[str, Any], number: int) -> Callable[[], float]:
    """Return a timing of `number` runs of `stmt`, timeit's, on this thread's CPU time.

    The CPU time leaves out the time spent waiting for a core, which a shared
    machine's load adds to the wall clock.
    """
    timer = timeit.Timer(stmt, globals=namespace, timer=time.thread_time)
    return lambda: timer.timeit(number)


def _measure_call(row: str, s: Settings) -> Sample:
    import bench_decorate  # the decorated functions and the pass-through, in its module

    calls = {
        "call-default": ("wrapped(1)", "decorated(1)"),
        "call-context": ("wrapped(1, mp_context=SPAWN)", "decorated(1, mp_context=SPAWN)"),
        "call-requires": ("wrapped(1)", "required(1)"),
    }
    base, cand = (_cpu_timing(stmt, bench_decorate.__dict__, s.number) for stmt in calls[row])
    return _interleaved(base, cand, s.repeat, s.number)


def _measure_import(row: str, s: Settings) -> Sample:
    import mpcontext

    import bench_import

    root = Path(mpcontext.__file__).resolve().parent.parent
    # A bare ``import mpcontext`` need not import multiprocessing, but every
    # library using it does: the two are timed together (bench_import's way).
    ours = ("multiprocessing", "mpcontext")
    sample: Sample = {"base": [], "cand": []}
    for turn in range(s.import_pairs):
        pair = [("base", ("multiprocessing",)), ("cand", ours)]
        for key, modules in pair if turn % 2 == 0 else pair[::-1]:
            sample[key].append(bench_import.cumulative_us(*modules, root=root) / 1e6)
    return sample


# The pool rows and the pre-flight: bench_pool_tasks measures them (the median
# of several paired blocks a run, which one goes first alternating).
POOL_ROWS = {
    "roundtrip-pool": "apply_async round trip",
    "roundtrip-executor": "submit round trip",
    "tasks-imap": "imap_unordered 20,000 tasks",
    "tasks-submit": "submit 20,000 tasks",
    "tasks-injected": "injected imap_unordered 20,000 tasks",
    "preflight": "pre-flight per task (us)",
}


def _measure_pool(row: str, s: Settings) -> Sample:
    """One run of a pool row (a ratio) or of the pre-flight row (microseconds)."""
    import bench_pool_tasks

    name = POOL_ROWS[row]
    figure = bench_pool_tasks.measure_runs(1, "spawn", rows=[name], tasks=s.tasks)[name][0]
    return {"value": [figure * 1e-6]} if row == "preflight" else {"ratio": [figure]}


MEASURES: dict[str, Callable[[str, Settings], Sample]] = {
    "call-default": _measure_call,
    "call-context": _measure_call,
    "call-requires": _measure_call,
    "import": _measure_import,
    "roundtrip-pool": _measure_pool,
    "roundtrip-executor": _measure_pool,
    "tasks-imap": _measure_pool,
    "tasks-submit": _measure_pool,
    "tasks-injected": _measure_pool,
    "preflight": _measure_pool,
}


def worker(row: str, settings: str) -> int:
    """Measure `row` once in this interpreter; print the sample as JSON (its last line)."""
    import mpcontext

    sample: dict[str, object] = dict(MEASURES[row](row, Settings(**json.loads(settings))))
    sample["mpcontext"] = str(Path(mpcontext.__file__).resolve())
    print(json.dumps(sample))
    return 0


# --- running: the rows' runs, interleaved, and the table ---------------------------------


@dataclasses.dataclass
class Figures:
    """The runs of one row for one checkout."""

    figures: list[float] = dataclasses.field(default_factory=list[float])  # ratio, or us
    baselines: list[float] = dataclasses.field(default_factory=list[float])  # seconds
    error: str | None = None


def _reduce(values: list[float], stat: str) -> float:
    return min(values) if stat == "min" else statistics.median(values)


def run_once(row: Row, root: Path, settings: Settings) -> tuple[float, float | None]:
    """Run `row` once in a fresh interpreter for the checkout `root`: (figure, baseline)."""
    env = dict(os.environ)
    env.pop("MPCONTEXT_PREFLIGHT", None)
    done = subprocess.run(
        [sys.executable, "-c", BOOT, row.name, str(root), str(BENCHMARKS),
         json.dumps(dataclasses.asdict(settings))],
        check=False, capture_output=True, text=True, env=env, cwd=BENCHMARKS,
        timeout=WORKER_TIMEOUT,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-2000:] or f"exit status {done.returncode}")
    sample = json.loads(done.stdout.strip().splitlines()[-1])
    used = Path(sample.pop("mpcontext"))
    if root.resolve() not in used.parents:
        raise RuntimeError(f"mpcontext came from {used}, not from {root}")
    if row.absolute:
        return _reduce(sample["value"], row.stat) * 1e6, None
    if "ratio" in sample:  # a ratio measured as such: no baseline time
        return _reduce(sample["ratio"], row.stat), None
    base = _reduce(sample["base"], row.stat)
    return _reduce(sample["cand"], row.stat) / base, base


def _time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def _cell(row: Row, runs: Figures) -> str:
    if runs.error is not None:
        return "error"
    if not runs.figures:
        return "-"
    unit = " us" if row.absolute else "x"
    median = statistics.median(runs.figures)
    low, high = min(runs.figures), max(runs.figures)
    return f"{median:.2f}{unit} ({low:.2f}-{high:.2f})"


def _verdict(row: Row, runs: Figures) -> str:
    if runs.error is not None or not runs.figures:
        return "?"
    median = statistics.median(runs.figures)
    met = "yes" if median <= row.target else "NO"
    # The target within the spread: another run may well say otherwise.
    return f"{met}~" if min(runs.figures) <= row.target <= max(runs.figures) else met


def _baseline(row: Row, *runs: Figures) -> str:
    """The median time of the baseline, from the first of `runs` that has one."""
    for figures in runs:
        if figures.baselines and not row.absolute:
            return _time(statistics.median(figures.baselines))
    return "-"


def table(rows: Sequence[Row], results: dict[tuple[str, str], Figures], labels: Sequence[str],
          markdown: bool) -> list[str]:  # fmt: skip
    """Return the lines of the table: `labels` are the checkouts' columns."""
    head = ["what", "target", *labels, "met", "baseline"]
    body = [
        [row.what, row.target_text, *(_cell(row, results[row.name, label]) for label in labels),
         _verdict(row, results[row.name, "after"]),
         _baseline(row, *(results[row.name, label] for label in labels[::-1]))]
        for row in rows
    ]  # fmt: skip
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return lines
    body = [[cells[0].replace("`", ""), *cells[1:]] for cells in body]
    widths = [max(len(cells[i]) for cells in [head, *body]) for i in range(len(head))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()
            for cells in [head, *body]]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs: a smoke check")
    parser.add_argument("--runs", type=int, help=f"runs a row ({FULL_RUNS}; --quick {QUICK_RUNS})")
    parser.add_argument(
        "--rows", nargs="+", choices=list(BY_NAME), metavar="NAME",
        help="the rows to run, of: " + ", ".join(BY_NAME),
    )  # fmt: skip
    parser.add_argument(
        "--against", type=Path, metavar="DIR",
        help="another checkout of mpcontext (a git worktree), measured in the same runs",
    )  # fmt: skip
    parser.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    options = parser.parse_args(argv)
    settings = QUICK if options.quick else FULL
    runs: int = options.runs or (QUICK_RUNS if options.quick else FULL_RUNS)
    if runs < 1:
        parser.error("--runs must be at least 1")
    rows = [BY_NAME[name] for name in options.rows] if options.rows else list(ROWS)
    checkouts = [("after", ROOT)]
    if options.against is not None:
        against: Path = options.against.resolve()
        if not (against / "mpcontext" / "__init__.py").is_file():
            parser.error(f"--against {options.against}: no mpcontext/__init__.py there")
        checkouts.insert(0, ("before", against))
    labels = [label for label, _ in checkouts]
    results = {(row.name, label): Figures() for row in rows for label in labels}

    began = time.perf_counter()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    for turn in range(runs):
        for row in rows:
            # Which checkout goes first alternates: drift hits both alike.
            for label, root in checkouts if turn % 2 == 0 else checkouts[::-1]:
                runs_of = results[row.name, label]
                if runs_of.error is not None:
                    continue
                try:
                    figure, baseline = run_once(row, root, settings)
                except (RuntimeError, subprocess.TimeoutExpired, ValueError, KeyError) as error:
                    runs_of.error = str(error)
                    print(f"{row.name} ({label}) failed:\n{error}", file=sys.stderr)
                    continue
                runs_of.figures.append(figure)
                if baseline is not None:
                    runs_of.baselines.append(baseline)
        print(f"  run {turn + 1}/{runs} done, {time.perf_counter() - began:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - began
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    what = "quick, " if options.quick else ""
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {what}{runs} runs a row, "
          f"{elapsed:.0f} s, load {load:.1f} -> {load_after:.1f}")  # fmt: skip
    if options.against is not None:
        print(f"before: {checkouts[0][1]}, after: {ROOT}")
    gap = [""] if options.markdown else []  # a paragraph each, in Markdown
    for line in [*gap, *table(rows, results, labels, options.markdown), *gap]:
        print(line)
    print("Median of the runs (min-max). met: this checkout's median meets the target (~: the "
          "target is within the spread). baseline: its median time.")  # fmt: skip
    if any(result.error is not None for result in results.values()):
        return 2
    missed = [row for row in rows if _verdict(row, results[row.name, "after"]).startswith("NO")]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
