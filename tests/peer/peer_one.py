"""One run of a CPython suite, on the stdlib or on mpcontext: what ``run_peer.py`` starts.

Usage::

    python tests/peer/peer_one.py SUITE METHOD IMPL RECORDS.jsonl TIMEOUT [TEST_ID...]

Runs the suite's tests for that start method (or only the tests named) with
``unittest`` and appends JSON lines to ``RECORDS.jsonl``: the tests planned,
then one line per test as it starts and as it ends (and one per fixture
error), then ``done``; so the driver knows how far a run got that died.
A test (or a fixture between tests) taking longer than ``TIMEOUT`` seconds
ends the run: faulthandler prints every thread's stack to the log and exits,
and the driver marks that test failed and runs the rest in a fresh
interpreter. This script is also the main module of every spawn and
forkserver child of the run, so it imports nothing at its top but the
standard library.
"""

from __future__ import annotations

import faulthandler
import importlib
import json
import os
import sys
import time
import unittest
from typing import IO, Any

SUITES = {"futures": "peer_futures", "multiprocessing": "peer_multiprocessing"}
FIXTURES = ("setUpModule", "tearDownModule", "setUpClass", "tearDownClass")

_ExcInfo = tuple[type[BaseException], BaseException, Any]


def _error_line(err: _ExcInfo | None) -> str:
    """The exception's class and the first line of its message."""
    if err is None:
        return ""
    kind, value = err[0], err[1]
    lines = str(value).splitlines()
    return f"{kind.__module__}.{kind.__qualname__}: {lines[0] if lines else ''}"[:500]


class Recorder(unittest.TextTestResult):
    """A text result that also streams each test's outcome as a JSON line.

    A subtest's outcome counts for its test; an error in a class or module
    fixture is recorded under ``TARGET.FIXTURE`` (``tearDownClass`` of
    ``module.Class`` as ``module.Class.tearDownClass``).
    """

    records: IO[str]
    timeout: float

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes: dict[str, tuple[str, str]] = {}
        self._started = 0.0

    def write(self, **record: object) -> None:
        """Append one record and flush it, so that it survives a hang."""
        self.records.write(json.dumps(record) + "\n")
        self.records.flush()

    def startTest(self, test: unittest.TestCase) -> None:
        faulthandler.dump_traceback_later(self.timeout, exit=True)
        self.write(event="start", test=test.id())
        self._started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test: unittest.TestCase) -> None:
        super().stopTest(test)
        outcome, error = self.outcomes.get(test.id(), ("failed", "no outcome reported"))
        seconds = round(time.monotonic() - self._started, 2)
        self.write(event="end", test=test.id(), outcome=outcome, error=error, seconds=seconds)
        # Class and module fixtures run between tests: they get the same time.
        faulthandler.dump_traceback_later(self.timeout, exit=True)

    def _set(self, test: Any, outcome: str, err: _ExcInfo | None = None, keep: bool = False) -> None:
        if isinstance(test, unittest.case._SubTest):  # type: ignore[attr-defined]
            test = test.test_case
        if not isinstance(test, unittest.TestCase):  # a fixture's _ErrorHolder
            self._fixture(str(test), outcome, err)
            return
        if keep and test.id() in self.outcomes:
            return
        self.outcomes[test.id()] = (outcome, _error_line(err))

    def _fixture(self, description: str, outcome: str, err: _ExcInfo | None) -> None:
        # "setUpClass (module.Class)"
        method, _, target = description.partition(" ")
        fixture = f"{target.strip('()')}.{method}"
        self.write(event="fixture", test=fixture, outcome=outcome, error=_error_line(err))

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)
        self._set(test, "passed", keep=True)

    def addExpectedFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._set(test, "passed", keep=True)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        self._set(test, "skipped", keep=True)

    def addFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addFailure(test, err)
        self._set(test, "failed", err)

    def addError(self, test: unittest.TestCase, err: Any) -> None:
        super().addError(test, err)
        self._set(test, "failed", err)

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        super().addUnexpectedSuccess(test)
        self._set(test, "failed")

    def addSubTest(self, test: unittest.TestCase, subtest: unittest.TestCase, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._set(test, "failed", err)


def load(suite: str, ids: list[str]) -> unittest.TestSuite:
    """The tests of `suite` for the start method in force, or those named by `ids`."""
    module: Any = importlib.import_module(SUITES[suite])
    loader = unittest.TestLoader()
    if ids:
        return loader.loadTestsFromNames(ids)
    return unittest.TestSuite(module.load_peer_tests(loader))


def test_ids(tests: unittest.TestSuite | unittest.TestCase) -> list[str]:
    """The ids of the tests in `tests`, in the order they run."""
    if isinstance(tests, unittest.TestSuite):
        return [found for test in tests for found in test_ids(test)]
    return [tests.id()]


def run(suite: str, method: str, impl: str, records: IO[str], timeout: float, ids: list[str]) -> None:
    """Run the tests, streaming their records to `records`."""
    os.environ["MPCONTEXT_PEER_METHOD"] = method
    os.environ["MPCONTEXT_PEER_IMPL"] = impl
    faulthandler.dump_traceback_later(timeout, exit=True)
    tests = load(suite, ids)
    Recorder.records = records
    Recorder.timeout = timeout
    records.write(json.dumps({"event": "plan", "tests": test_ids(tests)}) + "\n")
    runner = unittest.TextTestRunner(resultclass=Recorder, verbosity=2, stream=sys.stdout)
    result = runner.run(tests)
    assert isinstance(result, Recorder)
    result.write(event="done")
    faulthandler.cancel_dump_traceback_later()


def main(argv: list[str]) -> int:
    """Run one suite (the arguments are described in the module's docstring)."""
    suite, method, impl, path, timeout, *ids = argv
    with open(path, "a", encoding="utf-8") as records:
        run(suite, method, impl, records, float(timeout), ids)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
