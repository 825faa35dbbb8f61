"""Run CPython's own suites on the stdlib and on mpcontext; they must pass the same tests.

The ``peer`` nox session runs this. For each suite (``futures``: the
process-pool tests of ``test.test_concurrent_futures``; ``multiprocessing``:
the processes-type classes of ``test._test_multiprocessing``) and each start
method, the suite runs twice in fresh interpreters (``peer_one.py``), once as
CPython ships it and once with mpcontext in place (see ``peer_futures.py``
and ``peer_multiprocessing.py``). The run fails unless mpcontext passes
exactly the tests the stdlib passes.

A test passing on one side only is run again alone on the side that failed
it, twice at most, and counts as passed there if it passes once (as
CPython's ``regrtest --rerun`` does: these suites have timing-dependent
tests, and the machines are shared). A test hanging past ``--timeout`` fails
on that side, and the rest of the suite runs on in a fresh interpreter.

Only the differences listed in ``BY_DESIGN`` are allowed, each for a named
test, and only when mpcontext fails it with the error listed there.

Usage::

    python tests/peer/run_peer.py [--suite futures|multiprocessing]...
                                  [--method fork|spawn|forkserver]...
                                  [--jobs 1|2] [--timeout SECONDS]
                                  [--output DIRECTORY]
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

HERE = Path(__file__).resolve().parent
SUITES = ("futures", "multiprocessing")
IMPLS = ("stdlib", "mpcontext")
FIXTURES = ("setUpModule", "tearDownModule", "setUpClass", "tearDownClass")
RERUNS = 2
# A test (or the fixtures between two tests) past this is a hang: the longest,
# test_many_processes, takes 5 to 40 s here, depending on the load.
TIMEOUT = 120.0
# What is left of a run this long after it ended is killed.
LINGER = 5.0


@dataclass(frozen=True)
class ByDesign:
    """A test mpcontext fails on purpose: its pre-flight refuses what the test does."""

    test: str  # a regular expression matched against the whole test id
    error: str  # how the error recorded for mpcontext's failure starts
    reason: str


BY_DESIGN = (
    ByDesign(
        r"test\.test_concurrent_futures\.test_shutdown\.ProcessPool\w+ProcessPoolShutdownTest"
        r"\.test_processes_terminate",
        "mpcontext.PreflightError: the target <function "
        "ProcessPoolShutdownTest.test_processes_terminate.<locals>.",
        "the test submits a local function, which no start method can pickle: the stdlib"
        " fails each task's future (never read by the test, which counts processes),"
        " mpcontext refuses the submit()",
    ),
)


@dataclass
class Record:
    """One test's outcome on one side."""

    outcome: str  # passed, failed or skipped
    error: str = ""
    seconds: float = 0.0


@dataclass
class Run:
    """The outcomes of one suite under one start method on one side."""

    outcomes: dict[str, Record] = field(default_factory=dict[str, Record])
    seconds: float = 0.0
    restarts: int = 0

    def passed(self, test: str) -> bool:
        """Whether `test` passed (a fixture that reported no error did)."""
        record = self.outcomes.get(test)
        if record is None:
            return is_fixture(test)
        return record.outcome == "passed"

    def count(self, outcome: str) -> int:
        """How many tests (fixture errors not included) ended with `outcome`."""
        return sum(
            1 for test, record in self.outcomes.items() if record.outcome == outcome and not is_fixture(test)
        )


def is_fixture(test: str) -> bool:
    """Whether `test` names a class or module fixture (``module.Class.setUpClass``)."""
    return test.rpartition(".")[2] in FIXTURES


def _read(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _end_group(child: subprocess.Popen[bytes]) -> None:
    """Kill what is left of the process group of `child` (workers, trackers, a fork server)."""
    deadline = time.monotonic() + LINGER
    while time.monotonic() < deadline:
        try:
            os.killpg(child.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@dataclass(frozen=True)
class Side:
    """One suite under one start method on one side: what ``peer_one.py`` is told to run."""

    suite: str
    method: str
    impl: str
    timeout: float
    output: Path

    def start(self, records: Path, log: Path, ids: list[str]) -> int:
        """Run ``peer_one.py`` in a process group of its own; return its exit status."""
        arguments = [self.suite, self.method, self.impl, str(records), str(self.timeout), *ids]
        with log.open("a", encoding="utf-8") as stream:
            child = subprocess.Popen(
                [sys.executable, str(HERE / "peer_one.py"), *arguments],
                stdout=stream,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                return child.wait()
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
                _end_group(child)

    def run(self, ids: list[str], label: str = "") -> Run:
        """Run the suite (or the tests `ids`), going on past a test that hangs or crashes."""
        base = self.output / f"{self.suite}-{self.method}-{self.impl}{label}"
        log = base.with_suffix(".log")
        run = Run()
        started = time.monotonic()
        plan: list[str] | None = None
        left = ids
        for attempt in itertools.count():
            status = self.start(base.with_name(f"{base.name}.{attempt}.jsonl"), log, left)
            events = _read(base.with_name(f"{base.name}.{attempt}.jsonl"))
            plan = plan or _plan(events)  # the first attempt's: every test, classes expanded
            if plan is None:
                raise SystemExit(f"{base.name}: the run died loading the tests; see {log}")
            before = len(run.outcomes)
            left = _settle(events, run, plan, status)
            if not left:
                break
            run.restarts += 1
            if len(run.outcomes) == before:  # no progress: the rest would die the same way
                for test in left:
                    run.outcomes[test] = Record("failed", f"the run died before it (exit status {status})")
                break
        run.seconds = round(time.monotonic() - started, 1)
        return run


def _plan(events: list[dict[str, object]]) -> list[str] | None:
    """The ids of the tests a run planned, if it got that far."""
    for event in events:
        tests = event.get("tests")
        if event["event"] == "plan" and isinstance(tests, list):
            return [str(test) for test in cast("list[object]", tests)]
    return None


def _settle(events: list[dict[str, object]], run: Run, plan: list[str], status: int) -> list[str]:
    """Add one attempt's `events` to `run`; return the planned tests still to run."""
    started: str | None = None
    fixtures: dict[str, Record] = {}
    for event in events:
        test = str(event.get("test", ""))
        if event["event"] == "start":
            started = test
        elif event["event"] == "end":
            started = None
            seconds = float(str(event["seconds"]))
            run.outcomes[test] = Record(str(event["outcome"]), str(event["error"]), seconds)
        elif event["event"] == "fixture":
            fixtures[test] = run.outcomes[test] = Record(str(event["outcome"]), str(event["error"]))
    if started is not None:
        error = f"the run ended in this test (exit status {status}; a hang past the timeout exits with 1)"
        run.outcomes[started] = Record("failed", error)
    left = [test for test in plan if test not in run.outcomes]
    if not any(event["event"] == "done" for event in events):
        return left
    for test in left:  # not run: a class or module fixture skipped or failed them
        owner = [
            record
            for name, record in fixtures.items()
            if name.rpartition(".")[2].startswith("setUp") and test.startswith(name.rpartition(".")[0] + ".")
        ]
        run.outcomes[test] = owner[0] if owner else Record("failed", "never run")
    return []


def by_design(test: str, record: Record) -> ByDesign | None:
    """The entry of `BY_DESIGN` that allows mpcontext's failure `record` of `test`, if any."""
    for entry in BY_DESIGN:
        matches = re.fullmatch(entry.test, test) is not None
        if matches and record.outcome == "failed" and record.error.startswith(entry.error):
            return entry
    return None


@dataclass
class Comparison:
    """Both sides of one suite under one start method, after the reruns."""

    suite: str
    method: str
    runs: dict[str, Run]
    allowed: dict[str, ByDesign] = field(default_factory=dict[str, ByDesign])
    reruns: dict[str, dict[str, int]] = field(default_factory=dict[str, dict[str, int]])

    @property
    def differing(self) -> list[str]:
        """The tests passing on one side only, but those `BY_DESIGN` allows."""
        stdlib, ours = self.runs["stdlib"], self.runs["mpcontext"]
        tests = set(stdlib.outcomes) | set(ours.outcomes)
        found = (test for test in tests if stdlib.passed(test) != ours.passed(test))
        return sorted(test for test in found if test not in self.allowed)

    def allow_by_design(self) -> None:
        """Allow the differences `BY_DESIGN` lists, with mpcontext's failure as listed."""
        for test in self.differing:
            entry = by_design(test, self.runs["mpcontext"].outcomes.get(test, Record("passed")))
            if entry is not None and self.runs["stdlib"].passed(test):
                self.allowed[test] = entry

    def rerun(self, sides: dict[str, Side], attempt: int) -> None:
        """Run each differing test again on the side that failed it; a pass there counts."""
        differing = self.differing
        for impl, run in self.runs.items():
            failed = [test for test in differing if not run.passed(test)]
            if not failed:
                continue
            # A fixture error: run its class (or module) again.
            names = sorted({test.rpartition(".")[0] if is_fixture(test) else test for test in failed})
            again = sides[impl].run(names, f"-rerun{attempt}")
            for test in failed:
                self.reruns.setdefault(impl, {}).setdefault(test, 0)
                self.reruns[impl][test] += 1
                if is_fixture(test) and test not in again.outcomes:
                    del run.outcomes[test]
                elif again.passed(test):
                    run.outcomes[test] = again.outcomes[test]

    def line(self) -> str:
        """The counts of both sides, on one line."""
        counts = [
            f"{impl} {run.count('passed')} passed, {run.count('failed')} failed,"
            f" {run.count('skipped')} skipped ({run.seconds:.0f} s)"
            for impl, run in self.runs.items()
        ]
        return f"{self.suite:15} {self.method:10} " + " | ".join(counts)


def compare(suite: str, method: str, args: argparse.Namespace) -> Comparison:
    """Run `suite` under `method` on both sides, then the differing tests again."""
    sides = {impl: Side(suite, method, impl, args.timeout, args.output) for impl in IMPLS}
    with ThreadPoolExecutor(args.jobs) as pool:
        futures = {impl: pool.submit(side.run, []) for impl, side in sides.items()}
        comparison = Comparison(suite, method, {impl: future.result() for impl, future in futures.items()})
    comparison.allow_by_design()
    for attempt in range(1, RERUNS + 1):
        if not comparison.differing:
            break
        comparison.rerun(sides, attempt)
    return comparison


def report(comparison: Comparison) -> None:
    """Print the counts and every difference of `comparison`."""
    print(comparison.line(), flush=True)
    runs = comparison.runs
    for impl, tests in comparison.reruns.items():
        again = ", ".join(f"{test.rpartition('.')[2]} ({times}x)" for test, times in tests.items())
        print(f"    run again on {impl}: {again}")
    for test, entry in comparison.allowed.items():
        print(f"    fails on mpcontext by design: {test}\n        ({entry.reason})")
    for test in comparison.differing:
        only = "stdlib" if runs["stdlib"].passed(test) else "mpcontext"
        other = "mpcontext" if only == "stdlib" else "stdlib"
        record = runs[other].outcomes.get(test, Record("failed", "not run"))
        print(f"    passes on {only} only: {test}\n        {other}: {record.outcome}: {record.error[:300]}")
    sys.stdout.flush()


def summary(comparisons: list[Comparison]) -> dict[str, object]:
    """The counts of every comparison, as data (written to ``summary.json``)."""
    return {
        "python": sys.version.split()[0],
        "comparisons": [
            {
                "suite": c.suite,
                "method": c.method,
                "differing": c.differing,
                "by_design": sorted(c.allowed),
                "reruns": c.reruns,
                **{
                    impl: {
                        "passed": run.count("passed"),
                        "failed": run.count("failed"),
                        "skipped": run.count("skipped"),
                        "seconds": run.seconds,
                        "restarts": run.restarts,
                    }
                    for impl, run in c.runs.items()
                },
            }
            for c in comparisons
        ],
    }


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line, with its defaults filled in."""
    methods = [m for m in multiprocessing.get_all_start_methods() if m in ("fork", "spawn", "forkserver")]
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--suite", action="append", choices=SUITES, help="default: both")
    parser.add_argument("--method", action="append", choices=methods, help="default: every one available")
    parser.add_argument("--jobs", type=int, choices=(1, 2), default=1, help="2: both sides at once")
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help=f"per test (default {TIMEOUT:.0f} s)")
    parser.add_argument("--output", type=Path, help="for the records and logs (default: a new temporary one)")
    args = parser.parse_args(argv)
    args.suite = args.suite or list(SUITES)
    args.method = args.method or methods
    args.output = (args.output or Path(tempfile.mkdtemp(prefix="mpcontext-peer-"))).resolve()
    return args


def check_suites() -> None:
    """Exit, saying why, when this interpreter lacks CPython's test suites."""
    for name in ("test._test_multiprocessing", "test.test_concurrent_futures"):
        try:
            found = importlib.util.find_spec(name) is not None
        except ImportError:
            found = False
        if not found:
            raise SystemExit(
                f"Python {sys.version.split()[0]} ({sys.executable}) has no {name}: the peer suites "
                f"need the standard library's test package (pyenv's builds have it; Debian's "
                f"python3.X needs libpython3.X-testsuite, which .ci/install-python.sh installs)"
            )


def main(argv: list[str]) -> int:
    """Compare the suites; return the exit status."""
    args = parse(argv)
    check_suites()
    args.output.mkdir(parents=True, exist_ok=True)
    for stale in [*args.output.glob("*.jsonl"), *args.output.glob("*.log")]:  # of an earlier run
        stale.unlink()
    print(f"Python {sys.version.split()[0]}; records and logs in {args.output}", flush=True)
    started = time.monotonic()
    comparisons: list[Comparison] = []
    for suite in args.suite:
        for method in args.method:
            comparisons.append(compare(suite, method, args))
            report(comparisons[-1])
    (args.output / "summary.json").write_text(json.dumps(summary(comparisons), indent=1))
    print(f"{time.monotonic() - started:.0f} s in all", flush=True)
    if any(c.differing for c in comparisons):
        print("mpcontext does not pass exactly the tests the stdlib passes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
