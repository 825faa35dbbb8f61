"""``mpcontext.Pool`` under faults: it fails what it cannot do, and never hangs.

A pool whose workers keep dying as they start is broken: every pending task
fails with ``BrokenPoolError``, atomically with refusing new ones, and
``close(); join()`` returns. A task a worker cannot unpickle fails its result
with the worker's error, where the stdlib's worker dies and the task is lost.
"""

from __future__ import annotations

import operator
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import mpcontext
from mpcontext import BrokenPoolError, PreflightError

import preflight_targets as targets

METHODS = mpcontext.available_start_methods()
NON_FORK = [m for m in METHODS if m != "fork"]
needs_fork = pytest.mark.skipif("fork" not in METHODS, reason="no fork start method here")
TESTS = Path(__file__).parent
TIMEOUT = 30


def joined(pool: object) -> bool:
    """Close and join `pool` in a thread; whether that returned within the timeout."""
    done = threading.Event()

    def close_and_join() -> None:
        pool.close()  # type: ignore[attr-defined]
        pool.join()  # type: ignore[attr-defined]
        done.set()

    threading.Thread(target=close_and_join, daemon=True).start()
    return done.wait(TIMEOUT)


# -- a broken pool fails what it had to do --------------------------------------------


@pytest.mark.parametrize("kind", ["imap", "imap_unordered"])
@pytest.mark.parametrize("method", METHODS)
def test_an_imap_of_a_broken_pool_fails_and_the_pool_joins(method: str, kind: str) -> None:
    # Slow to fail: the pool breaks after the imap is queued, not before.
    pool = mpcontext.Pool(1, targets.slow_failing_initializer, mp_context=method)
    try:
        results = getattr(pool, kind)(targets.double, range(50))
        with pytest.raises(BrokenPoolError, match="keep dying as they start"):
            results.next(TIMEOUT)
        # Then the iterator ends: nothing else will come.
        with pytest.raises(StopIteration):
            results.next(TIMEOUT)
        assert joined(pool), "close(); join() of a broken pool did not return"
        assert pool._cache == {}  # type: ignore[attr-defined]
    finally:
        pool.terminate()


@pytest.mark.parametrize("method", METHODS)
def test_an_imap_of_a_generator_on_a_broken_pool(method: str) -> None:
    pool = mpcontext.Pool(1, targets.slow_failing_initializer, mp_context=method)
    try:
        results = pool.imap(targets.double, (x for x in range(10_000)), chunksize=3)
        with pytest.raises(BrokenPoolError):
            next(results)
        assert joined(pool)
    finally:
        pool.terminate()


@pytest.mark.parametrize("method", METHODS)
def test_every_pending_task_fails_when_the_pool_breaks(method: str) -> None:
    # Slow to fail: every kind of task is queued while the pool still starts
    # its workers, and each fails when it breaks; none is left waiting.
    pool = mpcontext.Pool(2, targets.slow_failing_initializer, mp_context=method)
    try:
        pending = [
            (pool.apply_async(targets.double, (1,)), "get"),
            (pool.map_async(targets.double, range(7), chunksize=2), "get"),
            (pool.starmap_async(operator.add, [(1, 2)] * 5), "get"),
            (pool.imap(targets.double, range(5)), "next"),
            (pool.imap_unordered(targets.double, [1]), "next"),
        ]
        for result, wait in pending:
            with pytest.raises(BrokenPoolError):
                getattr(result, wait)(TIMEOUT)
        # Then it refuses new ones.
        with pytest.raises(BrokenPoolError):
            pool.apply_async(targets.double, (1,))
        with pytest.raises(BrokenPoolError):
            pool.map(targets.double, [1])
        assert joined(pool)
        assert pool._cache == {}  # type: ignore[attr-defined]
    finally:
        pool.terminate()


@pytest.mark.parametrize("trial", range(5))
@pytest.mark.parametrize("method", METHODS)
def test_a_task_submitted_while_the_pool_breaks_is_failed_or_run(method: str, trial: int) -> None:
    # Atomically with refusing new tasks, every task accepted is failed.
    pool = mpcontext.Pool(1, targets.slow_failing_initializer, mp_context=method)
    accepted = []
    try:
        while True:
            try:
                accepted.append(pool.apply_async(targets.double, (1,)))
            except BrokenPoolError:
                break
        for result in accepted:
            with pytest.raises(BrokenPoolError):
                result.get(TIMEOUT)
        assert joined(pool)
    finally:
        pool.terminate()
    assert accepted  # some were accepted before the pool broke


@pytest.mark.parametrize("method", METHODS)
def test_an_initializer_error_larger_than_a_pipe_still_breaks_the_pool(method: str) -> None:
    with mpcontext.Pool(1, targets.verbose_initializer, mp_context=method) as pool:
        result = pool.apply_async(targets.double, (1,))
        with pytest.raises(BrokenPoolError) as caught:
            result.get(TIMEOUT)
    message = str(caught.value)
    assert "ValueError: xxx" in message
    assert "(200012 characters in all)" in message
    assert len(message) < 2000


# -- a task a worker cannot unpickle fails, instead of being lost ----------------------


TASK_DATA = """\
import operator, sys
sys.path.insert(0, {tests!r})
import mpcontext

def f():
    return "ran"

if __name__ == "__main__":
    with mpcontext.Pool(1, mp_context={method!r}) as pool:
        for how, iterable in [("list", [f]), ("generator", (g for g in [f]))]:
            try:
                print(how, pool.map(operator.call, iterable))
            except Exception as error:
                print(how, type(error).__name__ + ":", error)
"""


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=TESTS
    )


@pytest.mark.skipif(sys.version_info < (3, 11), reason="operator.call is new in Python 3.11")
@pytest.mark.parametrize("method", NON_FORK)
def test_a_function_sent_as_task_data_that_workers_cannot_import(method: str) -> None:
    # parmap's trampoline: map(operator.call, [f]) with f typed under python -c.
    done = run_python(TASK_DATA.format(tests=str(TESTS / "helpers"), method=method))
    assert done.returncode == 0, done.stderr
    listed, generated = done.stdout.splitlines()
    # What the check sees for free (a list's first item) is refused in the parent.
    assert listed.startswith("list PreflightError: the first item of the iterable <function f")
    # What it does not see fails its result with the worker's own error.
    assert generated.startswith(f"generator AttributeError: a {method} pool worker could not unpickle")
    assert "'f'" in generated


FORKED_BEFORE = """\
import operator, sys
sys.path.insert(0, {tests!r})
import mpcontext

pool = mpcontext.Pool(1, mp_context="fork")

def late(x):
    return x

for how, call in [
    ("task", lambda: pool.apply(late, (1,))),
    ("data", lambda: pool.map(operator.call, (g for g in [lambda: late(1)]))),
]:
    try:
        print(how, call())
    except Exception as error:
        print(how, type(error).__name__ + ":", error)
pool.terminate()
"""


@needs_fork
def test_a_fork_pool_made_before_a_function_was_defined() -> None:
    done = run_python(FORKED_BEFORE.format(tests=str(TESTS / "helpers")))
    assert done.returncode == 0, done.stderr
    task, data = done.stdout.splitlines()
    assert task.startswith("task PreflightError: the target <function late")
    assert "was defined after this pool's workers were forked" in task
    assert "Fix: create the pool after defining it" in task
    # A lambda in the data: the worker fails its task rather than dying.
    assert data.startswith("data ")
    assert "BrokenPoolError" not in data


@needs_fork
def test_a_redefined_function_is_refused_for_a_fork_pool() -> None:
    import __main__

    had = hasattr(__main__, "redefined_for_the_test")
    __main__.redefined_for_the_test = targets.double  # type: ignore[attr-defined]
    try:
        with mpcontext.Pool(1, mp_context="fork") as pool:

            def redefined_for_the_test(x: int) -> int:
                return x

            redefined_for_the_test.__module__ = "__main__"
            redefined_for_the_test.__qualname__ = "redefined_for_the_test"
            __main__.redefined_for_the_test = redefined_for_the_test  # type: ignore[attr-defined]
            with pytest.raises(PreflightError, match="was redefined after this pool's workers"):
                pool.apply(redefined_for_the_test, (1,))
    finally:
        if not had:
            del __main__.redefined_for_the_test  # type: ignore[attr-defined]


# -- bad input, and leaving a pool open ------------------------------------------------


@pytest.mark.parametrize("processes", ["2", 2.0, True])
def test_a_bad_number_of_processes_is_a_clear_error(processes: object) -> None:
    code = textwrap.dedent(
        f"""
        import mpcontext
        try:
            mpcontext.Pool({processes!r})
        except TypeError as error:
            print(error)
        """
    )
    done = run_python(code)
    assert done.stdout.strip().startswith(
        "mpcontext.Pool(): processes must be an int (the number of worker processes) or None"
    )
    assert repr(processes) in done.stdout
    assert done.stderr == ""  # no "Exception ignored in Pool.__del__"


@pytest.mark.parametrize("method", METHODS)
def test_a_pool_left_open_at_exit_says_nothing(method: str) -> None:
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(TESTS / 'helpers')!r})
        import mpcontext, preflight_targets
        if __name__ == "__main__":
            pool = mpcontext.Pool(1, mp_context={method!r})
            print(pool.apply(preflight_targets.double, (2,)))
        """
    )
    done = run_python(code)
    assert done.stdout.split() == ["4"]
    assert "Exception ignored" not in done.stderr
    assert done.stderr == ""


# -- a worker dying while tasks are pending -------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", METHODS)
def test_a_worker_killed_running_a_task_breaks_the_pool(method: str) -> None:
    # The stdlib's pool replaces the worker and waits for its task for ever.
    with mpcontext.Pool(2, mp_context=method) as pool:
        assert pool.apply(targets.double, (2,)) == 4
        others = pool.map_async(targets.double, range(100), chunksize=1)
        killed = pool.apply_async(targets.kill_self)
        later = pool.imap(targets.double, range(3))
        with pytest.raises(BrokenPoolError) as raised:
            killed.get(TIMEOUT)
        message = str(raised.value)
        assert f"a worker of this pool ({method!r}) was killed by signal SIGKILL" in message
        assert "multiprocessing cannot tell which one it was" in message
        # Done before the death, or failed: never waiting.
        try:
            assert list(later) == [0, 2, 4]
        except BrokenPoolError:
            pass
        try:
            assert others.get(TIMEOUT) == [2 * x for x in range(100)]
        except BrokenPoolError:
            pass
        with pytest.raises(BrokenPoolError):
            pool.apply_async(targets.double, (1,))
        assert joined(pool)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", METHODS)
def test_a_worker_exiting_with_an_error_code_mid_task_breaks_the_pool(method: str) -> None:
    with mpcontext.Pool(1, mp_context=method) as pool:
        with pytest.raises(BrokenPoolError, match="ended with exit code 3: the task it was running"):
            pool.apply(targets.exit_with, (3,))
        assert joined(pool)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", METHODS)
def test_an_idle_worker_killed_breaks_the_pool(method: str) -> None:
    # It may have died waiting for a task, holding the task queue's lock: the
    # stdlib's pool then hangs on the next task, whichever worker takes it.
    import os
    import signal

    with mpcontext.Pool(1, mp_context=method) as pool:
        worker = pool.apply(targets.worker_pid)
        os.kill(worker, signal.SIGKILL)
        with pytest.raises(BrokenPoolError, match="was killed by signal SIGKILL"):
            pool.apply(targets.worker_pid)
        assert joined(pool)
