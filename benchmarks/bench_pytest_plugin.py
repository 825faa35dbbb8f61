"""What the pytest plugin costs a test session.

Runs pytest in this process on generated test files, with and without
``-p mpcontext.pytest_plugin``, in interleaved repeats, and prints the
median times and their ratio:

- ``plain``: tests that do not use the fixture (the guard's hooks run for
  every test);
- ``fixture``: tests using ``mp_context``, against a baseline conftest
  fixture parametrized by hand over the same methods (``get_context(name)``).

Nothing starts a process: this measures the plugin, not multiprocessing.

    python benchmarks/bench_pytest_plugin.py [--tests 300] [--repeats 7]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pytest

from mpcontext import available_start_methods

PLAIN = "def test_{i}():\n    pass\n"
FIXTURE = "def test_{i}(mp_context):\n    assert mp_context is not None\n"
BASELINE_CONFTEST = f"""
import multiprocessing
import pytest

@pytest.fixture(params={list(available_start_methods())!r})
def mp_context(request):
    return multiprocessing.get_context(request.param)
"""


def write_suite(root: Path, name: str, template: str, count: int, conftest: str = "") -> Path:
    directory = root / name
    directory.mkdir()
    (directory / f"test_{name}.py").write_text("".join(template.format(i=i) for i in range(count)))
    (directory / "conftest.py").write_text(conftest)
    return directory


def session_time(directory: Path, plugin: bool) -> float:
    args = [str(directory), "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    if plugin:
        args[1:1] = ["-p", "mpcontext.pytest_plugin"]
    with contextlib.redirect_stdout(io.StringIO()):
        start = time.perf_counter()
        code = pytest.main(args)
        elapsed = time.perf_counter() - start
    if code != 0:
        sys.exit(f"pytest failed on {directory} (exit {code})")
    return elapsed


def compare(label: str, baseline: Path, measured: Path, repeats: int) -> None:
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeats):
        times[False].append(session_time(baseline, plugin=False))
        times[True].append(session_time(measured, plugin=True))
    without, with_plugin = (statistics.median(times[key]) for key in (False, True))
    print(
        f"{label:8} without plugin {without * 1000:8.1f} ms   with plugin "
        f"{with_plugin * 1000:8.1f} ms   ratio {with_plugin / without:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="What the pytest plugin costs a test session.")
    parser.add_argument("--tests", type=int, default=300, help="tests per file")
    parser.add_argument("--repeats", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        plain = write_suite(root, "plain", PLAIN, options.tests)
        baseline = write_suite(root, "baseline", FIXTURE, options.tests, BASELINE_CONFTEST)
        fixture = write_suite(root, "fixture", FIXTURE, options.tests)
        methods = len(available_start_methods())
        print(f"{options.tests} tests per file ({options.tests * methods} with the fixture), "
              f"median of {options.repeats} interleaved runs")
        session_time(plain, plugin=True)  # warm-up: imports
        compare("plain", plain, plain, options.repeats)
        compare("fixture", baseline, fixture, options.repeats)


if __name__ == "__main__":
    main()
