"""No leaks: no child process left alive, no semaphore left to the resource tracker.

The whole session is checked by ``conftest.py`` (a run that leaves a child
alive fails); here, that this check works, that the process-starting tests
leave the resource tracker nothing to warn about at interpreter exit (only
visible from outside: they run in a subprocess whose stderr is read), and
that a pool worker killed with SIGKILL surfaces as the stdlib's
``BrokenProcessPool``, neither swallowed nor changed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from pathlib import Path

import hardening_targets as targets
import pytest
from _leftovers import children_left
from _nested import resource_tracker_lines, run_pytest, skip_when_nested, summary

import mpcontext

pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parent

PROCESS_TESTS = [
    "tests/test_start_factories.py",
    "tests/test_start_startup_watch.py",
    "tests/test_preflight_check.py",
    "tests/test_core_using.py",
    "tests/test_tools_demo.py",
    "tests/test_examples_wordfreq.py",
    "tests/test_executors.py",
    "tests/test_executors_loky.py",
    "tests/test_executors_dask.py",
    "tests/test_executors_pools.py",
    "tests/test_executors_ray.py",
    "tests/test_families_preflight.py",
    "tests/test_families_start.py",
    "tests/test_hardening_leaks.py",
    "tests/test_hardening_versions.py",
]
"""The tests that start processes, pools, managers, queues, locks, loky, dask and Ray
workers, and children of the other families."""


@pytest.mark.slow
@skip_when_nested
@pytest.mark.timeout(600)
def test_process_starting_tests_leave_nothing_to_the_resource_tracker() -> None:
    done = run_pytest(PROCESS_TESTS)
    assert done.returncode == 0, summary(done)
    assert " passed" in done.stdout.splitlines()[-1], summary(done)
    assert resource_tracker_lines(done.stdout + done.stderr) == [], summary(done)
    assert "child processes left behind" not in done.stdout, summary(done)


def test_a_leaked_semaphore_is_seen() -> None:
    """What the test above looks for is what the resource tracker prints."""
    code = textwrap.dedent(
        """
        import multiprocessing, os
        lock = multiprocessing.get_context("spawn").Lock()
        os._exit(0)  # no finalizer runs: the semaphore is left to the tracker
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert resource_tracker_lines(done.stderr), done.stderr


LEAKY_TEST = """
import multiprocessing, subprocess, sys, time

def test_leaves_children_behind():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    process = multiprocessing.get_context("fork").Process(target=time.sleep, args=(60,))
    process.start()
    sys._hardening_leaked = [child, process]  # for the outer test to clean up
"""


def test_a_child_left_alive_fails_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest((TESTS / "conftest.py").read_text())
    pytester.makepyfile(_leftovers=(TESTS / "helpers" / "_leftovers.py").read_text())
    pytester.makepyfile(test_leaky=LEAKY_TEST)
    monkeypatch.setenv("MPCONTEXT_TESTS_LEAK_GRACE", "0.5")
    try:
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    finally:
        child, process = sys.__dict__.pop("_hardening_leaked")
        child.kill()
        child.wait(30)
        process.kill()
        process.join(30)
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*child processes left behind*",
            "2 child process(es) of the test run still alive at the end of the session:",
            f"pid {min(child.pid, process.pid)}: *",
            f"pid {max(child.pid, process.pid)}: *",
        ]
    )
    assert children_left(grace=0) == {}


# -- a worker killed with SIGKILL ------------------------------------------------------


def test_a_worker_killing_itself_breaks_the_pool_as_in_the_stdlib(mp_context: BaseContext) -> None:
    with mpcontext.ProcessPoolExecutor(1, mp_context) as executor:
        assert executor.submit(targets.double, 2).result(timeout=30) == 4
        future = executor.submit(targets.kill_self)
        with pytest.raises(BrokenProcessPool) as raised:
            future.result(timeout=30)
        assert type(raised.value) is BrokenProcessPool
        assert not isinstance(raised.value, mpcontext.MPContextError)
        with pytest.raises(BrokenProcessPool):
            executor.submit(targets.double, 1)
    assert children_left() == {}


def test_a_worker_killed_from_outside_breaks_the_pool(mp_context: BaseContext) -> None:
    with mpcontext.ProcessPoolExecutor(2, mp_context) as executor:
        worker = executor.submit(targets.pid).result(timeout=30)
        pending = [executor.submit(targets.sleep, 30) for _ in range(4)]
        os.kill(worker, signal.SIGKILL)
        for future in pending:
            with pytest.raises(BrokenProcessPool) as raised:
                future.result(timeout=30)
            assert type(raised.value) is BrokenProcessPool
    assert children_left() == {}


def test_the_stdlib_executor_breaks_the_same_way(mp_context: BaseContext) -> None:
    """The control: what mpcontext's executor must match."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context) as executor:
        future = executor.submit(targets.kill_self)
        with pytest.raises(BrokenProcessPool) as raised:
            future.result(timeout=30)
    with mpcontext.ProcessPoolExecutor(1, mp_context) as executor:
        future = executor.submit(targets.kill_self)
        with pytest.raises(BrokenProcessPool) as ours:
            future.result(timeout=30)
    assert str(ours.value) == str(raised.value)
    assert children_left() == {}


def test_a_killed_worker_of_an_executor_block_breaks_it_as_in_the_stdlib(
    mp_context: BaseContext,
) -> None:
    """``mpcontext.executor()``'s own pool, and a process pool the application injected."""
    with mpcontext.executor(1, mp_context=mp_context) as executor:
        with pytest.raises(BrokenProcessPool) as raised:
            executor.submit(targets.kill_self).result(timeout=30)
        assert type(raised.value) is BrokenProcessPool
    injected = mpcontext.ProcessPoolExecutor(1, mp_context)
    try:
        with mpcontext.using(executor=injected), mpcontext.executor() as lent:
            with pytest.raises(BrokenProcessPool) as raised:
                lent.submit(targets.kill_self).result(timeout=30)
            assert type(raised.value) is BrokenProcessPool
            with pytest.raises(BrokenProcessPool):
                lent.submit(targets.double, 1)
    finally:
        injected.shutdown()
    assert children_left() == {}


def test_the_demo_tells_a_forked_worker_whose_command_line_names_loky(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Found by the resource tracker run above, whose command line names
    # tests/test_executors_loky.py: the demo took its forked workers for loky's.
    from mpcontext._demo import started_by

    argv = (sys.executable, "-m", "pytest", "tests/test_executors_loky.py")
    monkeypatch.setattr(sys, "orig_argv", list(argv))
    assert started_by((1234, os.getpid(), argv)) == (
        "worker 1234 says: fork (a copy of this process, with its command line)"
    )
    loky = (sys.executable, "-c", "from loky.backend.popen_loky_posix import main; main()")
    assert started_by((1234, os.getpid(), loky)).startswith("worker 1234 says: loky (")
