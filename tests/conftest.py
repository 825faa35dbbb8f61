"""The project's own tests run under mpcontext's pytest plugin.

Tests asking for the ``mp_context`` fixture run once per start method, and
the guard fails a test that changes or fixes multiprocessing's global start
method (mark one that means to with ``@pytest.mark.allow_global_start_method``).

At the end of the session, a run that leaves a child process alive fails
(see ``_leftovers``): every test joins, terminates or shuts down what it
starts.

The garbage a test leaves is collected as the test ends (see
``_collect_garbage``), not at whatever moment the collector next runs.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator

import pytest

import mpcontext

# Imported now, before any pytester in-process run could first import (and
# then forget) multiprocessing's helper modules.
import _leftovers

pytest_plugins = ["mpcontext.pytest_plugin"]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what exists once the tests are collected: collecting after each test stays cheap."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Read mpcontext's environment again once a test's fixtures are undone.

    A test that sets ``MPCONTEXT_START_METHOD`` and calls
    ``refresh_environment()`` would otherwise leave its value cached after
    ``monkeypatch`` restored the variable, and the tests after it on the same
    worker would find that start method in force.
    """
    try:
        yield
    finally:
        mpcontext.refresh_environment()


# The real stderr, dup()ed by pytest_configure while pytest does not capture
# it; None in a run inside a test's own (pytester, in process), which leaves
# the watchdog to the outer run.
_watchdog_stream: int | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Keep a descriptor of the real stderr for the watchdog: tests run with fd 2 captured."""
    global _watchdog_stream
    import io
    import os
    import sys

    try:
        _watchdog_stream = os.dup(sys.stderr.fileno())
    except (io.UnsupportedOperation, AttributeError, ValueError):  # captured: a nested run
        _watchdog_stream = None


# How long after its own timeout a test that pytest-timeout could not stop
# (a hang in a teardown, in a finally, in C) ends the run.
WATCHDOG_GRACE = 60


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    """End the run, every thread's stack printed, when a test hangs past its timeout.

    pytest-timeout interrupts a test once, with a signal; a test stuck again
    after that (``pool.terminate()`` in a ``finally``, a ``with`` block's
    exit) would hang CI for its 90 minutes. The fault handler's watchdog
    makes that a failure in seconds.
    """
    if _watchdog_stream is None:
        return (yield)
    import faulthandler

    marker = item.get_closest_marker("timeout")
    timeout = marker.args[0] if marker is not None and marker.args else item.config.getini("timeout")
    seconds = float(timeout or 60) + WATCHDOG_GRACE
    faulthandler.dump_traceback_later(seconds, exit=True, file=_watchdog_stream)
    try:
        return (yield)
    finally:
        faulthandler.cancel_dump_traceback_later()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give the collector back what ``pytest_collection_finish`` froze; close the watchdog's stream."""
    gc.unfreeze()
    if _watchdog_stream is not None:
        import os

        os.close(_watchdog_stream)


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect the garbage of each test when it ends.

    A pool kept by a reference cycle (the traceback of an exception a
    ``pytest.raises`` holds) owns named semaphores, whose finalizers call
    CPython's resource tracker. If the collector runs them while a thread is
    inside the tracker (a pool starting a spawn worker), the Pythons tested
    here warn "ResourceTracker called reentrantly" (3.11-3.13; an error under
    ``-W error``) or can deadlock (3.10): python/cpython#109593, #131788.
    Collected here, they run when no process is starting.
    """
    yield
    gc.collect()


@pytest.fixture
def no_mpcontext_variables(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No mpcontext variable set for the test: it chooses its context itself.

    For a module: ``pytestmark = pytest.mark.usefixtures("no_mpcontext_variables")``.
    """
    monkeypatch.delenv("MPCONTEXT_START_METHOD", raising=False)
    monkeypatch.delenv("MPCONTEXT_PREFLIGHT", raising=False)
    mpcontext.refresh_environment()
    yield
    monkeypatch.undo()
    mpcontext.refresh_environment()


@pytest.fixture
def fork_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``fork`` the platform default for the test, as on Linux up to Python 3.13.

    The global start method stays unset (the guard does not blame it). For the
    tests of what a requirement does with a default it refuses, on every
    version: Python 3.14's default on Linux is ``forkserver``.
    """
    if "fork" not in mpcontext.available_start_methods():
        pytest.skip("no fork start method on this platform")
    default = multiprocessing.context._default_context
    monkeypatch.setattr(default, "_default_context", multiprocessing.get_context("fork"))


def _is_xdist_controller(config: pytest.Config) -> bool:
    # Its children are pytest-xdist's workers, which check their own children.
    return not hasattr(config, "workerinput") and config.getoption("dist", "no") != "no"


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a child process of this one is still alive."""
    if _is_xdist_controller(session.config):
        return
    import os

    left = _leftovers.children_left(float(os.environ.get("MPCONTEXT_TESTS_LEAK_GRACE", "5")))
    if not left:
        return
    lines = [
        f"{len(left)} child process(es) of the test run still alive at the end of the session:",
        *_leftovers.describe(left),
        "Join, terminate or shut down (use `with`) what a test starts.",
    ]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "child processes left behind", red=True)
        for line in lines:
            reporter.write_line(line, red=True)
    else:  # pragma: no cover - run with -p no:terminal
        import sys

        print("\n".join(lines), file=sys.stderr)
    if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
