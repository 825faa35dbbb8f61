"""``mpcontext.Process`` and ``mpcontext.ProcessPoolExecutor`` are classes, as in the stdlib.

Subclassed, kept as class attributes, checked with ``isinstance``: used the
ways code uses the two stdlib classes, under every start method.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import inspect
import multiprocessing
import pickle
import sys
import unittest
import unittest.mock
from multiprocessing.process import BaseProcess
from typing import Any

import _children
import pytest

import mpcontext
from mpcontext import InvalidContextError, PreflightError

import preflight_targets as targets

# A forked child sees this; a spawned one imports _children afresh.
_children.MARK = "parent"

METHODS = mpcontext.available_start_methods()
NOT_FORK = [m for m in METHODS if m != "fork"]
TIMEOUT = 30


def run_to_end(process: BaseProcess) -> None:
    process.start()
    process.join(TIMEOUT)
    assert process.exitcode == 0


# -- Process ----------------------------------------------------------------------------


def test_process_is_a_class() -> None:
    assert isinstance(mpcontext.Process, type)
    assert issubclass(mpcontext.Process, BaseProcess)


@pytest.mark.parametrize("method", METHODS)
def test_a_subclass_runs_its_own_run_in_the_child(method: str) -> None:
    context = multiprocessing.get_context(method)
    queue = context.SimpleQueue()
    worker = _children.Worker(queue, 21, mp_context=method)
    assert isinstance(worker, _children.Worker)
    assert isinstance(worker, mpcontext.Process)
    assert isinstance(worker, context.Process)
    assert isinstance(worker, BaseProcess)
    assert worker.name.startswith("Worker-")
    run_to_end(worker)
    facts = queue.get()
    assert facts["doubled"] == 42
    assert facts["start_method"] == method
    # The child rebuilt the same class: the subclass, on the context's class.
    assert facts["class"] == "_children.Worker"
    assert f"multiprocessing.context.{type(context.Process()).__qualname__}" in facts["bases"]
    assert facts["mark"] == ("parent" if method == "fork" else "import")


@pytest.mark.parametrize("method", METHODS)
def test_a_subclass_of_a_subclass(method: str) -> None:
    queue = multiprocessing.get_context(method).SimpleQueue()
    run_to_end(_children.Pinger(queue, 3, mp_context=method))
    assert queue.get() == ("ping", "Pinger", 3)


@pytest.mark.parametrize("method", METHODS)
def test_the_context_in_force_when_made(method: str) -> None:
    queue = multiprocessing.get_context(method).SimpleQueue()
    with mpcontext.using(method):
        worker = _children.Worker(queue, 1)
    assert isinstance(worker, multiprocessing.get_context(method).Process)
    run_to_end(worker)
    assert queue.get()["start_method"] == method


@pytest.mark.parametrize("method", METHODS)
def test_a_subclass_may_choose_in_its_init(method: str) -> None:
    # The context given to super().__init__ rather than to the class.
    other = next(m for m in METHODS if m != method) if len(METHODS) > 1 else method
    queue = multiprocessing.get_context(method).SimpleQueue()
    with mpcontext.using(other):
        chooser = _children.Chooser(queue, method)
    assert isinstance(chooser, multiprocessing.get_context(method).Process)
    run_to_end(chooser)
    assert queue.get()["start_method"] == method


def test_a_bad_context_fails_at_construction() -> None:
    with pytest.raises(InvalidContextError, match="did you mean 'spawn'") as raised:
        _children.Worker(None, 1, mp_context="spwan")
    assert "the mp_context argument of _children.Worker()" in str(raised.value)
    with pytest.raises(InvalidContextError, match="the mp_context argument of mpcontext.Process"):
        mpcontext.Process(mp_context="spwan")
    with pytest.raises(InvalidContextError):
        _children.Chooser(None, "spwan")


def test_the_signature_is_init_s() -> None:
    names = list(inspect.signature(mpcontext.Process).parameters)
    assert names == ["group", "target", "name", "args", "kwargs", "daemon", "mp_context"]
    assert list(inspect.signature(_children.Worker).parameters) == ["queue", "n", "kwargs"]


@pytest.mark.parametrize("method", METHODS)
def test_process_names_are_the_stdlib_ones(method: str) -> None:
    process = mpcontext.Process(target=_children.double, args=(1,), mp_context=method)
    stdlib = multiprocessing.get_context(method).Process
    assert type(process).__name__ == stdlib.__name__
    assert process.name.startswith(f"{stdlib.__name__}-")


@pytest.mark.parametrize("method", METHODS)
def test_a_process_pickles_as_its_class_on_its_context(method: str) -> None:
    worker = _children.Worker(None, 5, mp_context=method)
    # As spawn pickles it: with a Popen being set up, which BaseProcess asks for.
    from multiprocessing.context import set_spawning_popen

    set_spawning_popen(object())
    try:
        copy = pickle.loads(pickle.dumps(worker))
    finally:
        set_spawning_popen(None)
    assert type(copy) is type(worker)
    assert copy.n == 5
    # The class itself is found by name, like the stdlib's.
    plain = type(mpcontext.Process(mp_context=method))
    assert pickle.loads(pickle.dumps(plain)) is plain


class Local(mpcontext.Process):  # found by import: this test module is importable
    pass


@pytest.mark.parametrize("method", NOT_FORK)
def test_a_subclass_a_child_cannot_find_is_refused(method: str) -> None:
    def make() -> type[mpcontext.Process]:
        class Hidden(mpcontext.Process):
            pass

        return Hidden

    process = make()(mp_context=method)
    with pytest.raises(PreflightError, match="the process class .* defined inside a function"):
        process.start()
    assert not process.is_alive()


@pytest.mark.parametrize("method", NOT_FORK)
def test_what_a_subclass_stores_is_checked_too(method: str) -> None:
    if "fork" not in METHODS:
        pytest.skip("no fork context to make a lock that cannot travel")
    worker = _children.Worker(multiprocessing.get_context("fork").Lock(), 1, mp_context=method)
    with pytest.raises(PreflightError, match="the attribute 'queue' of the process"):
        worker.start()


@pytest.mark.parametrize("method", METHODS)
def test_a_locked_ctypes_structure_reaches_a_process(method: str) -> None:
    # sharedctypes makes Synchronized<Point> at run time, and its __reduce__
    # asserts that a child is being started: the stdlib sends it fine.
    point = mpcontext.Value(targets.CPoint, 1, 2, mp_context=method)
    process = mpcontext.Process(target=targets.move_point, args=(point,), mp_context=method)
    run_to_end(process)
    assert (point.x, point.y) == (2, 3)


@pytest.mark.parametrize("method", METHODS)
def test_a_locked_ctypes_structure_reaches_pool_workers(method: str) -> None:
    point = mpcontext.Value(targets.CPoint, 0, 0, mp_context=method)
    with mpcontext.Pool(1, targets.move_point, (point,), mp_context=method) as pool:
        assert pool.apply(targets.double, (2,)) == 4
    assert (point.x, point.y) == (1, 1)


def test_a_ctypes_structure_of_a_class_nobody_can_import_is_refused() -> None:
    if "spawn" not in METHODS:
        pytest.skip("no spawn")

    class Hidden(ctypes.Structure):
        _fields_ = [("x", ctypes.c_int)]

    value = mpcontext.Value(Hidden, 1, mp_context="spawn")
    process = mpcontext.Process(target=targets.work, args=(value,), mp_context="spawn")
    with pytest.raises(PreflightError, match="defined inside a function"):
        process.start()


# -- ProcessPoolExecutor -----------------------------------------------------------------


def test_the_executor_is_the_stdlib_class_subclassed() -> None:
    assert issubclass(mpcontext.ProcessPoolExecutor, concurrent.futures.ProcessPoolExecutor)


class Counting(mpcontext.ProcessPoolExecutor):
    """A subclass adding a method."""

    def double_all(self, values: list[int]) -> list[int]:
        return list(self.map(targets.double, values))


@pytest.mark.parametrize("method", METHODS)
def test_an_executor_subclass_works(method: str) -> None:
    with Counting(2, method) as executor:
        assert isinstance(executor, concurrent.futures.ProcessPoolExecutor)
        assert executor.double_all([1, 2, 3]) == [2, 4, 6]
        with pytest.raises(PreflightError):
            executor.submit(lambda: 1)


def test_an_executor_subclass_names_itself_in_errors() -> None:
    with pytest.raises(InvalidContextError, match=r"of test_start_classes.Counting\(\)"):
        Counting(1, "spwan")


class AsAClassAttribute(unittest.TestCase):
    """What CPython's own tests do: ``executor_type`` is called unbound."""

    executor_type = mpcontext.ProcessPoolExecutor

    def test_called_unbound(self) -> None:
        with self.executor_type(max_workers=2) as executor:
            self.assertEqual(executor.submit(targets.double, 4).result(TIMEOUT), 8)


def test_as_a_class_attribute() -> None:
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(AsAClassAttribute).run(result)
    assert result.wasSuccessful(), result.errors + result.failures


@pytest.mark.parametrize("method", METHODS)
def test_the_stdlib_signature_positionally(method: str) -> None:
    arguments: tuple[Any, ...] = (1, method, targets.work, ("x",))
    with mpcontext.ProcessPoolExecutor(*arguments) as executor:
        assert executor._mp_context.get_start_method() == method  # type: ignore[attr-defined]
        assert executor.submit(targets.double, 1).result(TIMEOUT) == 2


@pytest.mark.parametrize("method", METHODS)
def test_a_stand_in_for_the_context_s_process_class_is_used_as_it_is(method: str) -> None:
    # CPython's test_force_shutdown_workers_not_started_yet mocks ctx.Process:
    # the stdlib's pool calls whatever is there, and so must ours.
    context = multiprocessing.get_context(method)
    with unittest.mock.patch.object(context, "Process") as stand_in:
        with mpcontext.ProcessPoolExecutor(1, context) as executor:
            assert executor._mp_context.Process is stand_in  # type: ignore[attr-defined]
        stand_in.assert_not_called()


@pytest.mark.parametrize("method", METHODS)
def test_an_injected_pool_with_a_stand_in_process_class_is_lent_as_it_is(method: str) -> None:
    context = multiprocessing.get_context(method)
    with unittest.mock.patch.object(context, "Process") as stand_in:
        with concurrent.futures.ProcessPoolExecutor(1, context) as pool:
            with mpcontext.using(executor=pool), mpcontext.executor():
                assert pool._mp_context.Process is stand_in  # type: ignore[attr-defined]
        stand_in.assert_not_called()


@pytest.mark.parametrize("method", METHODS)
def test_map_works_where_the_class_replaces_the_stdlib_one(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As CPython's own suites are run on it (tests/peer): concurrent.futures'
    # name for the class is mpcontext's, and map must still reach the stdlib's.
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", mpcontext.ProcessPoolExecutor)
    with concurrent.futures.ProcessPoolExecutor(1, method) as pool:  # type: ignore[arg-type]
        assert list(pool.map(abs, [-1, -2], chunksize=1)) == [1, 2]
        assert list(pool.map(abs, [-3, -4, -5], chunksize=2)) == [3, 4, 5]


# -- lazily made ------------------------------------------------------------------------


def modules_after(code: str) -> set[str]:
    import json
    import subprocess

    probe = (
        "import json, sys\n"
        f"{code}\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_the_classes_are_made_on_first_access() -> None:
    assert "concurrent.futures.process" not in modules_after("import mpcontext")
    assert "concurrent.futures.process" in modules_after(
        "from mpcontext import ProcessPoolExecutor"
    )
    assert "concurrent.futures.process" in modules_after(
        "import mpcontext; mpcontext.ProcessPoolExecutor"
    )


def test_the_classes_are_listed() -> None:
    for name in ("Process", "ProcessPoolExecutor"):
        assert name in mpcontext.__all__
        assert name in dir(mpcontext)
    with pytest.raises(AttributeError, match="has no attribute 'Procss'"):
        mpcontext.Procss  # type: ignore[attr-defined]  # noqa: B018
