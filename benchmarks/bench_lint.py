"""How much ``mpcontext lint`` costs over Python's own parsing.

Lints the standard library of the running Python (``site-packages`` left
out) and, in the same run, times a bare loop of ``ast.parse`` over the same
files. Repeats are interleaved and the best of each is kept, timeit style
(garbage collection off, as timeit does). Target (issue 6): lint <= 1.5x
the bare parse.

    python benchmarks/bench_lint.py [--repeat 3] [PATH]
"""

from __future__ import annotations

import argparse
import ast
import gc
import sysconfig
import time
import warnings

from mpcontext._lint import lint_file
from mpcontext._lintfiles import iter_python_files


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


def lint(root: str, exclude: list[str]) -> int:
    return sum(len(lint_file(path)) for path in iter_python_files([root], exclude))


def timed(fn: object, *args: object) -> tuple[float, object]:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn(*args)  # type: ignore[operator]
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    exclude = ["site-packages"]
    files = list(iter_python_files([args.path], exclude))
    print(f"{len(files)} files under {args.path} (site-packages left out)")
    parse_times: list[float] = []
    lint_times: list[float] = []
    findings = parsed = 0
    for _ in range(args.repeat):
        seconds, parsed = timed(bare_parse, files)
        parse_times.append(seconds)
        seconds, findings = timed(lint, args.path, exclude)
        lint_times.append(seconds)
    best_parse, best_lint = min(parse_times), min(lint_times)
    print(
        f"bare ast.parse loop: best {best_parse:.3f} s of {args.repeat} "
        f"({', '.join(f'{t:.3f}' for t in parse_times)}); {parsed} files parsed"
    )
    print(
        f"mpcontext lint:      best {best_lint:.3f} s of {args.repeat} "
        f"({', '.join(f'{t:.3f}' for t in lint_times)}); {findings} findings"
    )
    ratio = best_lint / best_parse
    verdict = "ok" if ratio <= 1.5 else "OVER TARGET"
    print(f"ratio lint / parse:  {ratio:.2f}x (target <= 1.50x): {verdict}")


if __name__ == "__main__":
    main()
