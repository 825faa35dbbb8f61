"""Pool workers that keep dying as they start break the pool, instead of hanging it.

``multiprocessing.Pool`` replaces a dead worker forever while its tasks wait;
``mpcontext.Pool`` raises ``BrokenPoolError`` with the child's error line.
"""

from __future__ import annotations

import multiprocessing
import re
import subprocess
import sys
from pathlib import Path

import pytest

import mpcontext
from mpcontext._core.errors import BrokenPoolError

import preflight_targets as targets

METHODS = mpcontext.available_start_methods()
NON_FORK = [method for method in METHODS if method != "fork"]
TESTS = Path(__file__).parent
TIMEOUT = 30


def _children() -> set[int]:
    return {p.pid or 0 for p in multiprocessing.active_children()}


@pytest.mark.parametrize("method", METHODS)
def test_a_failing_initializer_breaks_the_pool(method: str) -> None:
    before = _children()
    # Slow to fail: the pool breaks after the tasks are queued, not before.
    with mpcontext.Pool(1, targets.slow_failing_initializer, mp_context=method) as pool:
        # chunksize given: see test_one_failing_start_does_not_break_the_pool.
        pending = pool.map_async(targets.double, range(10), chunksize=2)
        later = pool.imap(targets.double, range(3))
        with pytest.raises(BrokenPoolError) as caught:
            pending.get(TIMEOUT)
        message = str(caught.value)
        assert f"the workers of this pool ({method!r}) keep dying as they start: 3 in a row" in message
        assert "the last with exit code 1" in message
        assert (
            f"The last one's error, raised by the initializer {targets.slow_failing_initializer!r}: "
            "ValueError: bad configuration." in message
        )
        with pytest.raises(BrokenPoolError):
            next(later)
        # New tasks are refused at once, with the same message.
        with pytest.raises(BrokenPoolError, match="ValueError: bad configuration"):
            pool.apply(targets.double, (1,))
        with pytest.raises(BrokenPoolError):
            pool.map(targets.double, [1])
    assert _children() == before


@pytest.mark.parametrize("method", METHODS)
def test_a_worker_ending_with_no_error_line_is_said_so(method: str) -> None:
    with mpcontext.Pool(2, targets.exiting_initializer, mp_context=method) as pool:
        with pytest.raises(BrokenPoolError) as caught:
            pool.apply(targets.double, (1,))
    message = str(caught.value)
    # Two workers die together: the count may pass the limit (4) by one.
    in_a_row = re.search(r"keep dying as they start: (\d+) in a row ended before", message)
    assert in_a_row is not None and int(in_a_row.group(1)) >= 4
    assert "(the last with exit code 3)" in message
    assert "The last one reported no error" in message
    assert ("each spawn worker imports again" in message) == (method == "spawn")


@pytest.mark.parametrize("method", METHODS)
def test_one_failing_start_does_not_break_the_pool(method: str) -> None:
    context = multiprocessing.get_context(method)
    counter = context.Value("i", 0)
    with mpcontext.Pool(1, targets.fail_first_initializer, (counter,), mp_context=method) as pool:
        # chunksize given: without it, map() divides by the number of workers,
        # which is 0 while the stdlib replaces the dead one (a stdlib race).
        assert pool.map(targets.double, range(4), chunksize=1) == [0, 2, 4, 6]
    assert counter.value == 2


@pytest.mark.parametrize("method", METHODS)
def test_workers_replaced_after_their_tasks_do_not_break_the_pool(method: str) -> None:
    # maxtasksperchild: workers end (exit code 0) and are replaced all the time.
    with mpcontext.Pool(1, maxtasksperchild=1, mp_context=method) as pool:
        assert pool.map(targets.double, range(5), chunksize=1) == [0, 2, 4, 6, 8]
        assert pool.apply(targets.double, (4,)) == 8


@pytest.mark.parametrize("method", METHODS)
def test_the_watch_forgets_the_workers_that_ended(method: str) -> None:
    # Its pid may be reused by a later worker, which must not pass for started.
    with mpcontext.Pool(2, maxtasksperchild=1, mp_context=method) as pool:
        for value in range(12):
            assert pool.apply(targets.double, (value,)) == 2 * value
        watch = pool._mpcontext_startup  # type: ignore[attr-defined]
        with watch._lock:
            known = {worker.pid for worker in watch._workers}
            assert watch._started <= known
            assert set(watch._lines) <= known


@pytest.mark.parametrize("method", METHODS)
def test_a_pool_without_initializer_still_works(method: str) -> None:
    with mpcontext.Pool(2, mp_context=method) as pool:
        assert sorted(pool.imap_unordered(targets.double, range(4))) == [0, 2, 4, 6]


def test_the_stdlib_pool_would_wait_forever() -> None:
    # The premise, bounded: its task is still not done after several deaths.
    context = multiprocessing.get_context("fork" if "fork" in METHODS else "spawn")
    with context.Pool(1, targets.failing_initializer) as pool:
        result = pool.apply_async(targets.double, (1,))
        assert not result.wait(2)
        pool.terminate()


UNGUARDED_MAIN = """\
import sys
sys.path.insert(0, {tests!r})
import mpcontext, preflight_targets
from mpcontext._core.errors import BrokenPoolError

# No `if __name__ == "__main__":` guard: each {method} worker runs this again
# (and so does the fork server, before it forks them).
try:
    with mpcontext.Pool(1, mp_context={method!r}) as pool:
        pool.apply(preflight_targets.double, (1,))
except BrokenPoolError as error:
    print("broken:", error)
"""

# The fork server itself dies importing such a main module in Python 3.13.8+
# and 3.14.1+ (it ignored the error before), and the parent's connection to
# it is reset. Python 3.15 ignores it again, unless told otherwise with
# set_forkserver_preload(..., on_error="fail").
FORKSERVER_DIES = (3, 13, 8) <= sys.version_info < (3, 14) or (
    (3, 14, 1) <= sys.version_info < (3, 15)
)
FAIL_ON_PRELOAD_ERROR = (
    "import multiprocessing.forkserver\n"
    "multiprocessing.get_context('forkserver').set_forkserver_preload(['__main__'], on_error='fail')\n"
)


UNGUARDED_CASES = [pytest.param(method, "", id=method) for method in NON_FORK]
if sys.version_info >= (3, 15) and "forkserver" in NON_FORK:
    UNGUARDED_CASES.append(
        pytest.param("forkserver", FAIL_ON_PRELOAD_ERROR, id="forkserver-preload-on-error-fail")
    )


@pytest.mark.parametrize(("method", "preload"), UNGUARDED_CASES)
def test_a_main_module_without_guard_breaks_the_pool(
    tmp_path: Path, method: str, preload: str
) -> None:
    script = tmp_path / "unguarded.py"
    script.write_text(preload + UNGUARDED_MAIN.format(tests=str(TESTS / "helpers"), method=method))
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "bootstrapping phase" in result.stderr  # what each worker said on stderr
    if method == "forkserver" and (FORKSERVER_DIES or preload):
        assert result.stdout.startswith(
            "broken: this pool cannot start its workers: the fork server died"
        )
        assert str(script) in result.stdout
        assert "guard the main module's top level with if __name__ == '__main__':" in result.stdout
        return
    assert result.stdout.startswith("broken: the workers of this pool")
    assert "The last one reported no error" in result.stdout
    assert "guard its top level with if __name__ == '__main__':" in result.stdout


BROKEN_PRELOAD = """\
import os, sys
sys.path.insert(0, {tests!r})
import multiprocessing
import mpcontext

if __name__ == "__main__":
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "broken_preload"])
    try:
        if sys.argv[1] == "Process":
            process = mpcontext.Process(target=os.getpid, mp_context=context)
            process.start()
            process.join()
        elif sys.argv[1] == "ProcessPoolExecutor":
            with mpcontext.ProcessPoolExecutor(1, context) as executor:
                executor.submit(os.getpid).result()
        else:
            with mpcontext.Pool(1, mp_context=context) as pool:
                pool.apply(os.getpid)
    except (ConnectionError, EOFError, mpcontext.BrokenPoolError) as error:
        print(type(error).__name__, error)
"""


@pytest.mark.skipif("forkserver" not in NON_FORK, reason="no forkserver here")
@pytest.mark.parametrize("factory", ["Process", "ProcessPoolExecutor", "Pool"])
def test_a_fork_server_killed_by_a_preloaded_module_names_it(tmp_path: Path, factory: str) -> None:
    # The main module is guarded: the module the application preloads is what fails.
    (tmp_path / "broken_preload.py").write_text("raise RuntimeError('broken at import')\n")
    script = tmp_path / "main.py"
    script.write_text(BROKEN_PRELOAD.format(tests=str(TESTS / "helpers")))
    result = subprocess.run(
        [sys.executable, str(script), factory], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "RuntimeError: broken at import" in result.stderr  # the fork server's own traceback
    assert "the fork server died before it could start this process" in result.stdout
    assert f"it imports the main module ({script}) and 'broken_preload';" in result.stdout
    assert "make the preloaded modules import without error" in result.stdout
    expected = "BrokenPoolError" if factory == "Pool" else ("ConnectionResetError", "EOFError")
    assert result.stdout.startswith(expected)


def test_the_watch_keeps_no_pool_alive() -> None:
    # The pool holds its watch: a reference back would delay the stdlib's
    # clean-up of a dropped pool to some later garbage collection.
    import weakref

    pool = mpcontext.Pool(1, targets.fail_first_initializer, (mpcontext.Value("i", 0),))
    pool.terminate()
    pool.join()
    dropped = weakref.ref(pool)
    del pool
    assert dropped() is None
