"""What ``import mpcontext`` adds on top of ``import multiprocessing``.

Runs ``python -X importtime`` in fresh, bare interpreters (``-I -S``: no site,
so nothing else is imported first), interleaving ``import multiprocessing``
with ``import multiprocessing; import mpcontext``, and compares the medians of
their cumulative import times (each with its interquartile range), the second
the sum of its two: a bare ``import mpcontext`` does not import
multiprocessing, but every library that uses it does. Target: mpcontext adds
at most 20 % to ``import multiprocessing``.

With ``--against DIR`` (another checkout, say a worktree of an earlier
commit), its ``import mpcontext`` is measured in the same interleaved runs,
and the ratio of this checkout's to that one's printed: a change of layout
must not make the import dearer.

Usage: ``python benchmarks/bench_import.py [--runs N] [--against DIR]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.20


def cumulative_us(*modules: str, root: Path = ROOT) -> int:
    """Return the cumulative import time of `modules` (from `root`), in microseconds, afresh.

    They are imported in turn, in one interpreter: each one's time leaves out
    what those before it imported.
    """
    imports = "; ".join(f"import {module}" for module in modules)
    code = f"import sys; sys.path.insert(0, {str(root)!r}); {imports}"
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    times: dict[str, int] = {}
    for line in done.stderr.splitlines():
        # "import time: self [us] | cumulative | imported package"
        _, _, fields = line.partition("import time:")
        parts = [part.strip() for part in fields.split("|")]
        if len(parts) == 3 and parts[2] in modules:
            times[parts[2]] = int(parts[1])
    missing = [module for module in modules if module not in times]
    if missing:
        raise RuntimeError(f"no import time for {missing} in:\n{done.stderr}")
    return sum(times.values())


def spread(times: list[int]) -> str:
    """Return the interquartile range of `times` (microseconds), in milliseconds."""
    if len(times) < 2:
        return ""
    low, _, high = statistics.quantiles(times, n=4)
    return f"(IQR {low / 1000:.2f}-{high / 1000:.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    options = parser.parse_args()
    runs, against = options.runs, options.against

    base: list[int] = []
    ours: list[int] = []
    theirs: list[int] = []
    for _ in range(runs):
        base.append(cumulative_us("multiprocessing"))
        ours.append(cumulative_us("multiprocessing", "mpcontext"))
        if against is not None:
            theirs.append(cumulative_us("multiprocessing", "mpcontext", root=against.resolve()))
    base_median = statistics.median(base)
    ours_median = statistics.median(ours)
    added = ours_median / base_median - 1
    print(f"Python {sys.version.split()[0]}, {runs} interleaved runs, medians:")
    print(f"  import multiprocessing  {base_median / 1000:7.2f} ms {spread(base)}")
    print(
        f"  import mpcontext        {ours_median / 1000:7.2f} ms {spread(ours)}"
        " (multiprocessing included)"
    )
    print(f"  mpcontext adds          {added:7.1%}  (target <= {TARGET:.0%})")
    if theirs:
        theirs_median = statistics.median(theirs)
        print(f"  ... from {against}  {theirs_median / 1000:7.2f} ms {spread(theirs)}")
        print(f"  this checkout / that one  {ours_median / theirs_median:.3f}")
    return 0 if added <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
