"""How much ``mpcontext lint`` and ``lint --fix`` cost, as ratios measured in one run.

1. ``lint`` over the standard library of the running Python
   (``site-packages`` left out), against a bare loop of ``ast.parse`` over
   the same files. Most files import none of the modules the rules look at
   and are never parsed. Target (issue 17): lint <= 0.3x the bare parse.
2. ``lint --fix`` of one generated 50,000-line file full of fixable calls,
   against plain ``lint`` of it. Target (issue 17): fix <= 2x lint (it was
   quadratic: 12.5k lines took 2.7 s, 50k lines 30.8 s).

Runs are interleaved (parse, lint, parse, lint...) and the median of each is
kept; garbage collection stays on, as in a real run.

    python benchmarks/bench_lint.py [--repeat 5] [--lines 50000] [PATH]
"""

from __future__ import annotations

import argparse
import ast
import gc
import statistics
import sysconfig
import time
import warnings

from mpcontext._lint.files import iter_python_files
from mpcontext._lint.findings import lint_file, lint_source
from mpcontext._lint.fix import fix_source

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

# One unit of the generated file: module-level code, a function-local import,
# methods, and calls of every fixable kind (and one that is not fixable).
UNIT = '''

def work_{n}(items, *, mp_context=None):
    """Fan out, the old way."""
    queue = mp.Queue()
    lock = Lock()
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(abs, items))
    process = mp.Process(target=print, args=(queue, lock))
    return results, process


class Service{n}:
    def start(self):
        from multiprocessing import RLock

        self.lock = RLock()
        return mp.Event(), mp.get_context("spawn")

    def manager(self):
        return SyncManager(authkey=b"key")
'''
HEAD = '''"""A generated module for the --fix benchmark."""

import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Lock
from multiprocessing.managers import SyncManager
'''


def generated(lines: int) -> bytes:
    """Return a module of about `lines` lines."""
    per_unit = UNIT.count("\n")
    units = max(1, lines // per_unit)
    return (HEAD + "".join(UNIT.format(n=n) for n in range(units))).encode()


def bare_parse(files: list[str]) -> int:
    parsed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            with open(path, "rb") as file:
                data = file.read()
            try:
                ast.parse(data, path)
            except (SyntaxError, ValueError):
                continue
            parsed += 1
    return parsed


def lint_tree(root: str, exclude: list[str]) -> int:
    return sum(len(lint_file(path)) for path in iter_python_files([root], exclude))


def timed(function: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def compare(
    repeat: int, baseline: Callable[[], object], measured: Callable[[], object]
) -> tuple[list[float], list[float], object, object]:
    """Time `baseline` and `measured` alternately, `repeat` times each."""
    base: list[float] = []
    other: list[float] = []
    base_result = other_result = None
    for _ in range(repeat):
        seconds, base_result = timed(baseline)
        base.append(seconds)
        seconds, other_result = timed(measured)
        other.append(seconds)
    return base, other, base_result, other_result


def line(label: str, times: list[float], what: str) -> str:
    runs = ", ".join(f"{t:.3f}" for t in times)
    return f"{label:<22} median {statistics.median(times):.3f} s ({runs}); {what}"


def verdict(ratio: float, target: float) -> str:
    return "ok" if ratio <= target else "OVER TARGET"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lines", type=int, default=50_000)
    args = parser.parse_args()

    exclude = ["site-packages"]
    files = list(iter_python_files([args.path], exclude))
    print(f"1. {len(files)} files under {args.path} (site-packages left out)")
    parse_times, lint_times, parsed, found = compare(
        args.repeat, lambda: bare_parse(files), lambda: lint_tree(args.path, exclude)
    )
    print(line("bare ast.parse loop:", parse_times, f"{parsed} files parsed"))
    print(line("mpcontext lint:", lint_times, f"{found} findings"))
    ratio = statistics.median(lint_times) / statistics.median(parse_times)
    print(f"ratio lint / parse:    {ratio:.2f}x (target <= 0.30x): {verdict(ratio, 0.3)}")

    data = generated(args.lines)
    count = data.count(b"\n")
    lint_times, fix_times, found, result = compare(
        args.repeat,
        lambda: len(lint_source(data, "generated.py")),
        lambda: fix_source(data, "generated.py"),
    )
    fixed = len(result.fixed) if hasattr(result, "fixed") else 0  # type: ignore[union-attr]
    print(f"\n2. a generated file of {count} lines")
    print(line("mpcontext lint:", lint_times, f"{found} findings"))
    print(line("mpcontext lint --fix:", fix_times, f"{fixed} fixed"))
    ratio = statistics.median(fix_times) / statistics.median(lint_times)
    print(f"ratio fix / lint:      {ratio:.2f}x (target <= 2.00x): {verdict(ratio, 2.0)}")


if __name__ == "__main__":
    main()
