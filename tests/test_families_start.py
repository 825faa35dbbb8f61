"""The factories, ``Process`` and the executors given contexts of multiprocess, billiard and loky.

Each makes that family's own objects, and each is checked with a real child
of that family: a queue read, a lock acquired, a value incremented in the
child. ``ProcessPoolExecutor`` runs on multiprocess and billiard under
``fork`` only, and refuses their other methods when it is made.
"""

from __future__ import annotations

import concurrent.futures
import importlib
import multiprocessing
import sys
from collections.abc import Callable
from typing import Any

import family_start_targets as targets
import pytest

import mpcontext
from mpcontext import InvalidContextError, PreflightError

TIMEOUT = 30
METHODS = mpcontext.available_start_methods()


def _param(name: str) -> Any:
    method = name.partition(":")[2]
    marks = [pytest.mark.skipif(method not in METHODS, reason=f"no {method} here")]
    return pytest.param(name, marks=marks, id=name)


def _names(*families: str, methods: tuple[str, ...] = ("spawn", "fork")) -> list[Any]:
    return [_param(f"{family}:{method}") for family in families for method in methods]


EVERY_METHOD = ("spawn", "fork", "forkserver")
BOTH = ("multiprocess", "billiard")


def family_of(name: str) -> str:
    """The family of a context name, its module imported (or the test skipped)."""
    family = name.partition(":")[0]
    pytest.importorskip(family)
    return family


def needs_dill_sending_code(name: str) -> None:
    """Skip when `name`, of multiprocess, would send code by value and dill cannot here.

    dill 0.4.1 cannot pickle a function by value on Python 3.15 (it reads
    ``co_lnotab``): lambdas are refused there, as test_families_preflight.py
    shows, and multiprocess's own spawn ``Manager`` fails in the parent.
    """
    if name.startswith("multiprocess:") and not dill_can_send_code():
        pytest.skip("dill cannot send a function by value on this Python")


def dill_can_send_code() -> bool:
    from mpcontext._families.catalog import MULTIPROCESS
    from mpcontext._preflight.family_picklers import sends_code

    return sends_code(MULTIPROCESS)


def is_of(value: object, family: str) -> bool:
    """Whether `value` is of one of `family`'s own classes."""
    return type(value).__module__.partition(".")[0] == family


pytestmark = pytest.mark.usefixtures("no_mpcontext_variables")


def run(target: Callable[..., object], *args: object, context: str | None) -> None:
    """Run `target(*args)` in a child made by ``mpcontext.Process``; it must end well."""
    process = mpcontext.Process(target=target, args=args, mp_context=context)
    process.start()
    process.join(TIMEOUT)
    assert process.exitcode == 0


# -- Process -------------------------------------------------------------------


@pytest.mark.parametrize("name", _names(*BOTH, methods=EVERY_METHOD))
def test_process_is_of_the_family_and_starts_as_it_does(name: str) -> None:
    family = family_of(name)
    context = mpcontext.resolve_context(name)
    queue = mpcontext.Queue(mp_context=name)
    process = mpcontext.Process(target=targets.put, args=(queue, "hello"), mp_context=name)
    assert isinstance(process, context.Process)
    assert not isinstance(process, multiprocessing.process.BaseProcess)
    assert process.name.startswith(f"{context.Process.__name__}-")  # SpawnProcess-1, as theirs
    process.start()
    try:
        assert queue.get(timeout=TIMEOUT) == "hello"
    finally:
        process.join(TIMEOUT)
    assert process.exitcode == 0
    assert is_of(queue, family)


@pytest.mark.parametrize("name", _names("multiprocess", methods=EVERY_METHOD))
def test_a_lambda_target_runs_under_multiprocess(name: str) -> None:
    family_of(name)
    if not name.endswith(":fork"):  # a forked Process pickles nothing
        needs_dill_sending_code(name)
    queue = mpcontext.Queue(mp_context=name)
    run(lambda q: q.put("by value"), queue, context=name)
    assert queue.get(timeout=TIMEOUT) == "by value"


@pytest.mark.parametrize("name", _names("billiard", methods=("spawn", "forkserver")))
def test_a_lambda_target_is_refused_under_billiard_spawn(name: str) -> None:
    family_of(name)
    process = mpcontext.Process(target=lambda: None, mp_context=name)
    with pytest.raises(PreflightError, match=f"'{name}'"):
        process.start()
    assert getattr(process, "_popen", None) is None  # nothing started


def test_a_lambda_target_runs_under_billiard_fork() -> None:
    if "fork" not in METHODS:
        pytest.skip("no fork here")
    family_of("billiard:fork")
    queue = mpcontext.Queue(mp_context="billiard:fork")
    run(lambda q: q.put("inherited"), queue, context="billiard:fork")
    assert queue.get(timeout=TIMEOUT) == "inherited"


@pytest.mark.parametrize("name", _names(*BOTH, methods=("spawn",)))
def test_process_takes_the_context_object_and_the_one_in_force(name: str) -> None:
    family = family_of(name)
    context = importlib.import_module(family).get_context("spawn")
    assert isinstance(mpcontext.Process(target=targets.square, mp_context=context), context.Process)
    with mpcontext.using(name):
        process = mpcontext.Process(target=targets.put, args=(mpcontext.Queue(), 1))
    assert isinstance(process, context.Process)


@pytest.mark.parametrize("name", _names(*BOTH, methods=("spawn", "fork")))
def test_a_subclass_of_mpcontext_process_refuses_the_family(name: str) -> None:
    family = family_of(name)
    expected = rf"Worker cannot start with the context '{name}'.*{family}'s processes"
    with pytest.raises(InvalidContextError, match=expected) as caught:
        targets.Worker(mp_context=name)
    message = str(caught.value)
    assert "ctx.Process" in message and "'spawn'" in message and "'loky'" in message
    expected = f"WorkerChoosing cannot start with the context '{name}'"
    with pytest.raises(InvalidContextError, match=expected):
        targets.WorkerChoosing(name)  # its __init__ gives the context to super().__init__
    with mpcontext.using(name), pytest.raises(InvalidContextError, match=family):
        targets.Worker()
    with mpcontext.using(name):
        # Its __init__ chooses a stdlib context over the one in force: no refusal.
        chosen = targets.WorkerChoosing("spawn")
    assert isinstance(chosen, multiprocessing.get_context("spawn").Process)
    chosen.start()
    chosen.join(TIMEOUT)
    assert chosen.exitcode == 0


def test_loky_process_is_a_stdlib_process() -> None:
    pytest.importorskip("loky")
    context = mpcontext.resolve_context("loky")
    queue = mpcontext.Queue(mp_context="loky")
    process = mpcontext.Process(
        target=lambda q: q.put("cloudpickled"), args=(queue,), mp_context="loky"
    )
    assert isinstance(process, context.Process)
    assert isinstance(process, mpcontext.Process)
    process.start()
    try:
        assert queue.get(timeout=TIMEOUT) == "cloudpickled"
    finally:
        process.join(TIMEOUT)
    assert process.exitcode == 0
    # A stdlib spawn lock reaches a loky child.
    lock = mpcontext.Lock(mp_context="spawn")
    run(targets.lock_and_put, lock, queue, context="loky")
    assert queue.get(timeout=TIMEOUT) == "locked"


# -- queues, primitives, shared memory, managers -------------------------------


def _queue(name: str) -> object:
    queue = mpcontext.Queue(mp_context=name)
    run(targets.put, queue, "queued", context=name)
    assert queue.get(timeout=TIMEOUT) == "queued"
    return queue


def _simple_queue(name: str) -> object:
    queue = mpcontext.SimpleQueue(mp_context=name)
    run(targets.put, queue, "simple", context=name)
    assert queue.get() == "simple"
    return queue


def _joinable_queue(name: str) -> object:
    queue = mpcontext.JoinableQueue(mp_context=name)
    queue.put("task")
    run(targets.take_and_mark_done, queue, context=name)
    queue.join()  # returns: the child marked it done
    return queue


def _lock(name: str) -> object:
    lock = mpcontext.Lock(mp_context=name)
    queue = mpcontext.Queue(mp_context=name)
    run(targets.lock_and_put, lock, queue, context=name)
    assert queue.get(timeout=TIMEOUT) == "locked"
    assert lock.acquire(timeout=TIMEOUT)
    lock.release()
    return lock


def _rlock(name: str) -> object:
    lock = mpcontext.RLock(mp_context=name)
    queue = mpcontext.Queue(mp_context=name)
    run(targets.lock_and_put, lock, queue, 2, context=name)
    assert queue.get(timeout=TIMEOUT) == "locked"
    return lock


def _event(name: str) -> object:
    event = mpcontext.Event(mp_context=name)
    run(targets.set_event, event, context=name)
    assert event.wait(TIMEOUT)
    return event


def _condition(name: str) -> object:
    condition = mpcontext.Condition(mp_context=name)
    process = mpcontext.Process(target=targets.notify, args=(condition,), mp_context=name)
    with condition:  # the child notifies once this waits
        process.start()
        notified = condition.wait(TIMEOUT)
    process.join(TIMEOUT)
    assert notified and process.exitcode == 0
    return condition


def _semaphore(name: str) -> object:
    semaphore = mpcontext.Semaphore(0, mp_context=name)
    run(targets.release, semaphore, context=name)
    assert semaphore.acquire(timeout=TIMEOUT)
    return semaphore


def _bounded_semaphore(name: str) -> object:
    semaphore = mpcontext.BoundedSemaphore(1, mp_context=name)
    assert semaphore.acquire(timeout=TIMEOUT)
    run(targets.release, semaphore, context=name)
    assert semaphore.acquire(timeout=TIMEOUT)
    semaphore.release()
    return semaphore


def _barrier(name: str) -> object:
    barrier = mpcontext.Barrier(2, mp_context=name)
    process = mpcontext.Process(target=targets.wait_at, args=(barrier,), mp_context=name)
    process.start()
    barrier.wait(TIMEOUT)
    process.join(TIMEOUT)
    assert process.exitcode == 0
    return barrier


def _value(name: str) -> object:
    value = mpcontext.Value("i", 41, mp_context=name)
    run(targets.increment, value, context=name)
    assert value.value == 42
    return value


def _array(name: str) -> object:
    array = mpcontext.Array("i", 3, mp_context=name)
    run(targets.fill, array, context=name)
    assert list(array) == [1, 2, 3]
    return array


def _manager(name: str) -> object:
    family = name.partition(":")[0]
    with mpcontext.Manager(mp_context=name) as manager:
        assert isinstance(manager, importlib.import_module(f"{family}.managers").SyncManager)
        mapping = manager.dict()
        run(targets.set_item, mapping, "key", "value", context=name)
        assert dict(mapping) == {"key": "value"}
    return manager


PRIMITIVES: dict[str, Callable[[str], object]] = {
    "Queue": _queue,
    "SimpleQueue": _simple_queue,
    "JoinableQueue": _joinable_queue,
    "Lock": _lock,
    "RLock": _rlock,
    "Event": _event,
    "Condition": _condition,
    "Semaphore": _semaphore,
    "BoundedSemaphore": _bounded_semaphore,
    "Barrier": _barrier,
    "Value": _value,
    "Array": _array,
    "Manager": _manager,
}


@pytest.mark.parametrize("name", _names(*BOTH))
@pytest.mark.parametrize("factory", list(PRIMITIVES))
def test_factory_makes_the_family_object_its_child_uses(factory: str, name: str) -> None:
    family = family_of(name)
    if factory == "Manager" and not name.endswith(":fork"):
        needs_dill_sending_code(name)  # its server's target is a bound method, sent by value
    made = PRIMITIVES[factory](name)
    assert is_of(made, family), f"mpcontext.{factory}() gave {type(made)!r}"


@pytest.mark.parametrize("name", _names(*BOTH, methods=("spawn",)))
def test_the_context_in_force_makes_the_family_objects(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    family = family_of(name)
    with mpcontext.using(name):
        queue = mpcontext.Queue()
        lock = mpcontext.Lock()
        value = mpcontext.Value("i", 0)
    assert is_of(queue, family) and is_of(lock, family) and is_of(value, family)
    monkeypatch.setenv("MPCONTEXT_START_METHOD", name)
    mpcontext.refresh_environment()
    queue = mpcontext.Queue()
    assert is_of(queue, family)
    run(targets.put, queue, "from the environment", context=None)
    assert queue.get(timeout=TIMEOUT) == "from the environment"


# -- Pool ----------------------------------------------------------------------


@pytest.mark.parametrize("name", _names(*BOTH))
def test_pool_is_the_family_pool(name: str) -> None:
    family = family_of(name)
    own = importlib.import_module(f"{family}.pool").Pool
    with mpcontext.Pool(2, targets.initialize, ("ready",), mp_context=name) as pool:
        assert isinstance(pool, own)
        assert pool.map(targets.square, [1, 2, 3]) == [1, 4, 9]
        assert pool.apply_async(targets.square, (4,)).get(TIMEOUT) == 16
        assert pool.apply(targets.initialized) == ["ready"]
        assert pool.starmap(pow, [(2, 3)]) == [8]
        assert sorted(pool.imap_unordered(targets.square, [5, 6])) == [25, 36]
        assert list(pool.imap(targets.square, [7])) == [49]
        assert pool.map_async(targets.square, [8]).get(TIMEOUT) == [64]


@pytest.mark.parametrize("name", _names("billiard"))
def test_billiard_pool_refuses_a_lambda_task_in_the_parent(name: str) -> None:
    family_of(name)
    with mpcontext.Pool(1, mp_context=name) as pool:
        # billiard's own pool would wait for ever on it.
        with pytest.raises(PreflightError, match="lambda"):
            pool.apply_async(lambda: 1)
        with pytest.raises(PreflightError, match="lambda"):
            pool.map(lambda x: x, [1])
        with pytest.raises(PreflightError, match="lambda"):
            pool.starmap_async(lambda x: x, [(1,)])
        assert pool.apply(targets.square, (3,)) == 9  # still running


@pytest.mark.parametrize("name", _names("billiard", methods=("spawn",)))
def test_billiard_pool_initializer_is_checked_before_any_worker(name: str) -> None:
    family = family_of(name)
    with pytest.raises(PreflightError, match="the initializer"):
        mpcontext.Pool(1, lambda: None, mp_context=name)
    assert importlib.import_module(family).active_children() == []


@pytest.mark.parametrize("name", _names("multiprocess"))
def test_multiprocess_pool_takes_lambdas(name: str) -> None:
    family_of(name)
    needs_dill_sending_code(name)
    with mpcontext.Pool(2, mp_context=name) as pool:
        assert pool.map(lambda x: x + 1, [1, 2]) == [2, 3]
        assert pool.apply_async(lambda: "by value").get(TIMEOUT) == "by value"


def test_loky_pool_is_mpcontexts() -> None:
    pytest.importorskip("loky")
    with mpcontext.Pool(1, mp_context="loky") as pool:
        assert isinstance(pool, multiprocessing.pool.Pool)
        assert pool.map(targets.square, [2]) == [4]


# -- ProcessPoolExecutor and executor() ----------------------------------------

REFUSED = _names(*BOTH, methods=("spawn", "forkserver"))


def _assert_refusal(error: InvalidContextError, name: str, where: str) -> None:
    family, _, method = name.partition(":")
    message = str(error)
    assert isinstance(error, ValueError) and isinstance(error, TypeError)
    assert message.startswith(f"{where} cannot start its workers with the context '{name}'")
    assert "call queue" in message and f"{family} child started with '{method}'" in message
    assert f"mpcontext.Pool(mp_context='{name}')" in message
    if "fork" in METHODS:
        assert f"'{family}:fork'" in message
    assert "'spawn'" in message and "'loky'" in message


@pytest.mark.parametrize("name", REFUSED)
def test_executor_refuses_the_family_but_under_fork(name: str) -> None:
    family = family_of(name)
    with pytest.raises(InvalidContextError) as caught:
        mpcontext.ProcessPoolExecutor(2, name)
    _assert_refusal(caught.value, name, "mpcontext.ProcessPoolExecutor()")
    context = importlib.import_module(family).get_context(name.partition(":")[2])
    with pytest.raises(InvalidContextError, match="its mp_context argument"):
        mpcontext.ProcessPoolExecutor(2, context)  # type: ignore[arg-type]
    with pytest.raises(InvalidContextError) as caught:
        with mpcontext.executor(2, mp_context=name):
            pass
    _assert_refusal(caught.value, name, "mpcontext.executor()")
    with mpcontext.using(name):
        with pytest.raises(InvalidContextError, match="the context in force"):
            with mpcontext.executor(2):
                pass
        with pytest.raises(InvalidContextError, match="the context in force"):
            mpcontext.ProcessPoolExecutor()
    assert importlib.import_module(family).active_children() == []


@pytest.mark.parametrize("name", _names(*BOTH, methods=("fork",)))
def test_executor_runs_on_the_family_under_fork(name: str) -> None:
    family_of(name)
    with mpcontext.ProcessPoolExecutor(2, name) as pool:
        assert pool.submit(targets.square, 3).result(TIMEOUT) == 9
        assert list(pool.map(targets.square, [1, 2])) == [1, 4]
        # Its tasks go through a stdlib queue, pickled by reference: no lambda.
        with pytest.raises(PreflightError, match="lambda"):
            pool.submit(lambda: 1)
    with mpcontext.executor(2, mp_context=name) as pool:
        assert pool.submit(targets.square, 4).result(TIMEOUT) == 16
    with mpcontext.using(name), mpcontext.executor(1) as pool:
        assert pool.submit(targets.square, 5).result(TIMEOUT) == 25


@pytest.mark.skipif(sys.version_info < (3, 11), reason="max_tasks_per_child is new in 3.11")
@pytest.mark.parametrize("name", _names("multiprocess", methods=("fork", "spawn")))
def test_max_tasks_per_child_keeps_an_explicit_family_context(name: str) -> None:
    family_of(name)
    # An explicit context is kept: fork gets the stdlib's ValueError, spawn the refusal.
    expected = InvalidContextError if name.endswith(":spawn") else ValueError
    with mpcontext.using(name), pytest.raises(expected):
        mpcontext.ProcessPoolExecutor(1, max_tasks_per_child=1)


def test_executor_runs_on_loky() -> None:
    pytest.importorskip("loky")
    with mpcontext.ProcessPoolExecutor(1, "loky") as pool:
        assert pool.submit(targets.square, 6).result(TIMEOUT) == 36
    with mpcontext.executor(1, mp_context="loky") as pool:
        assert pool.submit(targets.square, 7).result(TIMEOUT) == 49


@pytest.mark.parametrize("name", _names("multiprocess", methods=("fork", "spawn")))
def test_an_injected_stdlib_executor_on_the_family(name: str) -> None:
    family = family_of(name)
    context = importlib.import_module(family).get_context(name.partition(":")[2])
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as injected:
        with mpcontext.using(executor=injected):
            if name.endswith(":spawn"):
                with pytest.raises(InvalidContextError, match=f"context '{name}'"):
                    with mpcontext.executor():
                        pass
                return
            with mpcontext.executor() as pool:
                assert pool.submit(targets.square, 2).result(TIMEOUT) == 4
                with pytest.raises(PreflightError, match="lambda"):
                    pool.submit(lambda: 1)


# -- the family's own global start method ---------------------------------------------


@pytest.mark.parametrize("name", _names(*BOTH, methods=("spawn", "forkserver")))
def test_starting_leaves_the_family_s_global_start_method_unset(name: str) -> None:
    # Their spawn preparation asks their global get_start_method(), which fixes
    # it (as the stdlib's did before 3.14): mpcontext's starts undo that.
    family = importlib.import_module(family_of(name))
    family.context._default_context._actual_context = None
    run(targets.put, mpcontext.SimpleQueue(mp_context=name), 1, context=name)
    with mpcontext.Pool(1, mp_context=name) as pool:
        assert pool.apply_async(abs, (-3,)).get(TIMEOUT) == 3
    if not name.startswith("multiprocess:") or dill_can_send_code():
        with mpcontext.Manager(mp_context=name) as manager:
            assert manager.dict(a=1)["a"] == 1
    assert family.get_start_method(allow_none=True) is None
    family.set_start_method(family.get_all_start_methods()[0])  # still works
    family.set_start_method(None, force=True)
    # Without mpcontext, the same start fixes it.
    context = family.get_context(name.partition(":")[2])
    child = context.Process(target=abs, args=(-1,))
    child.start()
    child.join(TIMEOUT)
    assert family.get_start_method(allow_none=True) is not None
    family.set_start_method(None, force=True)
