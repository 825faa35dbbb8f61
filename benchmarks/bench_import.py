"""What ``import mpcontext`` adds on top of ``import multiprocessing``.

Runs ``python -X importtime`` in fresh, bare interpreters (``-I -S``: no site,
so nothing else is imported first), interleaving the two imports, and compares
the medians of their cumulative import times. Target: mpcontext adds at most
50 % to ``import multiprocessing``.

Usage: ``python benchmarks/bench_import.py [--runs N]``
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.50


def cumulative_us(module: str) -> int:
    """Return the cumulative import time of `module`, in microseconds, in a fresh interpreter."""
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); import {module}"
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stderr.splitlines():
        # "import time: self [us] | cumulative | imported package"
        _, _, fields = line.partition("import time:")
        parts = [part.strip() for part in fields.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1])
    raise RuntimeError(f"no import time for {module!r} in:\n{done.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs

    base: list[int] = []
    ours: list[int] = []
    for _ in range(runs):
        base.append(cumulative_us("multiprocessing"))
        ours.append(cumulative_us("mpcontext"))
    base_median = statistics.median(base)
    ours_median = statistics.median(ours)
    added = ours_median / base_median - 1
    print(f"Python {sys.version.split()[0]}, {runs} interleaved runs, medians:")
    print(f"  import multiprocessing  {base_median / 1000:7.2f} ms")
    print(f"  import mpcontext        {ours_median / 1000:7.2f} ms (multiprocessing included)")
    print(f"  mpcontext adds          {added:7.1%}  (target <= {TARGET:.0%})")
    return 0 if added <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
