"""The factories: the context asked for, drop-in signatures, pre-flight, global state."""

from __future__ import annotations

import concurrent.futures
import contextlib
import inspect
import multiprocessing
import multiprocessing.pool
import os
import pickle
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from multiprocessing.context import BaseContext
from multiprocessing.managers import SyncManager
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import pytest

import mpcontext

import _children
import _leftovers

# A forked child sees this; a spawned one imports _children afresh.
_children.MARK = "parent"

METHODS = mpcontext.available_start_methods()
NOT_FORK = [m for m in METHODS if m != "fork"]
HERE = Path(__file__).resolve().parent
TIMEOUT = 30
WAYS = ["name", "context", "using", "environment"]
DEFAULT = mpcontext._core.resolve.default_context().get_start_method()

needs_314 = pytest.mark.skipif(sys.version_info < (3, 14), reason="Python 3.14's API")
needs_max_tasks = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="max_tasks_per_child is new in Python 3.11"
)


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No mpcontext variable set; and no test fixes the global start method."""
    monkeypatch.delenv("MPCONTEXT_START_METHOD", raising=False)
    monkeypatch.delenv("MPCONTEXT_PREFLIGHT", raising=False)
    mpcontext.refresh_environment()
    before = multiprocessing.get_start_method(allow_none=True)
    yield
    monkeypatch.undo()
    mpcontext.refresh_environment()
    assert multiprocessing.get_start_method(allow_none=True) == before


@contextlib.contextmanager
def chosen(way: str, method: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Choose `method` in `way`; yield the keyword arguments that go with it."""
    if way == "name":
        yield {"mp_context": method}
    elif way == "context":
        yield {"mp_context": multiprocessing.get_context(method)}
    elif way == "using":
        with mpcontext.using(method):
            yield {}
    else:
        monkeypatch.setenv("MPCONTEXT_START_METHOD", method)
        mpcontext.refresh_environment()
        yield {}


def assert_started_by(report: dict[str, Any], method: str) -> None:
    """Assert that the child which wrote `report` was started by `method`."""
    assert report["start_method"] == method
    # The guarded subclass reached the child (by reference, for spawn).
    assert report["class"].startswith("mpcontext._start.processes.")
    # fork: a copy of this process; spawn: a fresh interpreter, our child;
    # forkserver: a fresh interpreter, child of the fork server.
    fresh = method != "fork"
    assert report["mark"] == ("import" if fresh else "parent")
    assert (report["ppid"] == os.getpid()) == (method != "forkserver")


def started_how(pid: int) -> str | None:
    """How process `pid` started, read from its command line (Linux), else None."""
    path = Path(f"/proc/{pid}/cmdline")
    if not path.exists():
        return None
    cmdline = path.read_bytes()
    if b"spawn_main" in cmdline:
        return "spawn"
    if b"multiprocessing.forkserver" in cmdline:
        return "forkserver"
    return "fork"


# -- the context asked for is the one that starts the child ---------------------


def via_process(**kwargs: Any) -> dict[str, Any]:
    queue = mpcontext.Queue(**kwargs)
    process = mpcontext.Process(target=_children.report_to, args=(queue,), **kwargs)
    process.start()
    try:
        report: dict[str, Any] = queue.get(timeout=TIMEOUT)
    finally:
        process.join(TIMEOUT)
        queue.close()
        queue.join_thread()
    assert process.exitcode == 0
    return report


def via_pool(**kwargs: Any) -> dict[str, Any]:
    with mpcontext.Pool(1, **kwargs) as pool:
        report: dict[str, Any] = pool.apply(_children.report)
    assert "PoolWorker-" in report["name"]  # the stdlib's worker names
    return report


def via_executor(**kwargs: Any) -> dict[str, Any]:
    with mpcontext.ProcessPoolExecutor(1, **kwargs) as executor:
        return executor.submit(_children.report).result(timeout=TIMEOUT)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("run", [via_process, via_pool, via_executor], ids=lambda f: f.__name__)
def test_child_runs_under_the_method_chosen(
    run: Callable[..., dict[str, Any]], way: str, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with chosen(way, method, monkeypatch) as kwargs:
        report = run(**kwargs)
    assert_started_by(report, method)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("way", WAYS)
def test_manager_server_runs_under_the_method_chosen(
    way: str, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with chosen(way, method, monkeypatch) as kwargs:
        manager = mpcontext.Manager(**kwargs)
    with manager:
        assert isinstance(manager, SyncManager)
        server: BaseProcess = manager._process  # type: ignore[attr-defined]
        assert isinstance(server, multiprocessing.get_context(method).Process)
        how = started_how(server.pid or 0)
        assert how in (None, method)
        shared = manager.list([1])
        shared.append(2)
        assert list(shared) == [1, 2]


def test_none_without_a_choice_is_multiprocessing_default() -> None:
    assert_started_by(via_process(), DEFAULT)


def test_the_innermost_choice_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    inner = METHODS[-1]
    outer = METHODS[0]
    monkeypatch.setenv("MPCONTEXT_START_METHOD", outer)
    mpcontext.refresh_environment()
    with mpcontext.using(outer), mpcontext.using(inner):
        assert_started_by(via_process(), inner)
        assert_started_by(via_process(mp_context=outer), outer)


# -- what is returned -------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_process_is_an_instance_of_the_context_class(method: str) -> None:
    context = multiprocessing.get_context(method)
    process = mpcontext.Process(target=_children.double, args=(1,), mp_context=method)
    assert isinstance(process, context.Process)
    assert type(process).__name__ == context.Process.__name__
    assert process.name.startswith(f"{context.Process.__name__}-")
    assert pickle.loads(pickle.dumps(type(process))) is type(process)


@pytest.mark.parametrize("method", METHODS)
def test_pools_are_instances_of_the_stdlib_classes(method: str) -> None:
    with mpcontext.Pool(1, mp_context=method) as pool:
        assert isinstance(pool, multiprocessing.pool.Pool)
    with mpcontext.ProcessPoolExecutor(1, method) as executor:
        assert isinstance(executor, concurrent.futures.ProcessPoolExecutor)
        assert isinstance(executor._mp_context, type(multiprocessing.get_context(method)))


PRIMITIVES: dict[str, tuple[Any, ...]] = {
    "Queue": (),
    "JoinableQueue": (),
    "SimpleQueue": (),
    "Lock": (),
    "RLock": (),
    "Event": (),
    "Condition": (),
    "Semaphore": (2,),
    "BoundedSemaphore": (2,),
    "Barrier": (2,),
    "Value": ("i", 3),
    "Array": ("i", 3),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_primitive_is_what_the_context_makes(name: str, method: str) -> None:
    context = multiprocessing.get_context(method)
    ours = getattr(mpcontext, name)(*PRIMITIVES[name], mp_context=method)
    theirs = getattr(context, name)(*PRIMITIVES[name])
    assert type(ours) is type(theirs)


def test_raw_shared_memory_with_lock_false() -> None:
    import ctypes

    value = mpcontext.Value(ctypes.c_double, 1.5, lock=False)
    array = mpcontext.Array("i", [1, 2, 3], lock=False)
    assert isinstance(value, ctypes.c_double)
    assert value.value == 1.5
    assert list(array) == [1, 2, 3]


def test_application_context_class_is_kept() -> None:
    context = _children.CustomContext()
    report = via_process(mp_context=context)
    assert_started_by(report, "spawn")
    assert "_children.CustomProcess" in report["bases"]
    with mpcontext.Pool(1, mp_context=context) as pool:
        assert "_children.CustomProcess" in pool.apply(_children.report)["bases"]
    process = mpcontext.Process(mp_context=context)
    assert isinstance(process, _children.CustomProcess)


def test_multiprocessing_default_context_object_does_not_fix_the_default() -> None:
    default = multiprocessing.context._default_context
    lock = mpcontext.Lock(mp_context=default)
    assert type(lock) is type(multiprocessing.get_context(DEFAULT).Lock())
    assert_started_by(via_process(mp_context=default), DEFAULT)


# -- drop-in: the stdlib's parameters, in its order --------------------------------


def parameters(func: Callable[..., Any]) -> list[tuple[str, Any, Any]]:
    return [
        (p.name, p.kind, p.default)
        for p in inspect.signature(func).parameters.values()
        if p.name not in ("self", "mp_context")
    ]


STDLIB: dict[str, Callable[..., Any]] = {
    name: getattr(BaseContext, name)
    for name in (
        "Pool",
        "Manager",
        "Queue",
        "SimpleQueue",
        "JoinableQueue",
        "Lock",
        "RLock",
        "Event",
        "Condition",
        "Semaphore",
        "BoundedSemaphore",
        "Barrier",
        "Value",
        "Array",
    )
}
STDLIB["Process"] = BaseProcess.__init__


@pytest.mark.parametrize("name", sorted(STDLIB))
def test_signature_is_the_stdlib_one_plus_keyword_mp_context(name: str) -> None:
    factory = getattr(mpcontext, name)
    assert parameters(factory) == parameters(STDLIB[name])
    last = list(inspect.signature(factory).parameters.values())[-1]
    assert (last.name, last.kind, last.default) == ("mp_context", last.KEYWORD_ONLY, None)


def test_executor_signature_is_the_class_one() -> None:
    ours = inspect.signature(mpcontext.ProcessPoolExecutor).parameters.values()
    theirs = inspect.signature(concurrent.futures.ProcessPoolExecutor).parameters.values()
    assert [(p.name, p.kind, p.default) for p in ours] == [
        (p.name, p.kind, p.default) for p in theirs
    ]
    assert [p.name for p in ours][1] == "mp_context"


@pytest.mark.parametrize("method", METHODS)
def test_positional_arguments_as_in_the_stdlib(method: str) -> None:
    queue = mpcontext.Queue(5, mp_context=method)
    process = mpcontext.Process(
        None, _children.report_to, "named", (queue,), {}, daemon=True, mp_context=method
    )
    assert (process.name, process.daemon) == ("named", True)
    process.start()
    assert queue.get(timeout=TIMEOUT)["name"] == "named"
    process.join(TIMEOUT)
    queue.close()
    queue.join_thread()

    with mpcontext.Pool(1, _children.remember, ("pool",), 3, mp_context=method) as pool:
        assert pool.apply(_children.report)["mark"] == "initialized with 'pool'"
    with mpcontext.ProcessPoolExecutor(1, method, _children.remember, ("executor",)) as executor:
        report = executor.submit(_children.report).result(timeout=TIMEOUT)
        assert report["mark"] == "initialized with 'executor'"


def test_primitives_take_positional_arguments() -> None:
    assert mpcontext.Value("i", 7).value == 7
    assert list(mpcontext.Array("d", 2)) == [0.0, 0.0]
    barrier = mpcontext.Barrier(1, None, 5.0)
    assert (barrier.parties, barrier.wait()) == (1, 0)
    semaphore = mpcontext.BoundedSemaphore(1)
    semaphore.acquire()
    semaphore.release()
    with pytest.raises(ValueError):
        semaphore.release()
    lock = mpcontext.RLock()
    condition = mpcontext.Condition(lock)
    with condition:
        assert condition.wait(0.01) is False
    queue = mpcontext.JoinableQueue(1)
    assert queue.empty()
    queue.close()


# -- pre-flight: refused in the parent, before anything starts ------------------------


def children() -> set[int]:
    return {p.pid or 0 for p in multiprocessing.active_children()}


@pytest.mark.parametrize("method", METHODS)
def test_process_lambda_is_refused_unless_forked(method: str) -> None:
    before = children()
    process = mpcontext.Process(target=lambda: None, mp_context=method)
    if method == "fork":
        process.start()  # a fork child pickles nothing: the lambda runs
        process.join(TIMEOUT)
        assert process.exitcode == 0
        return
    with pytest.raises(mpcontext.PreflightError) as info:
        process.start()
    assert isinstance(info.value, pickle.PicklingError)
    assert process.pid is None
    assert children() == before


@pytest.mark.parametrize("method", METHODS)
def test_initializer_is_checked_before_any_worker_starts(method: str) -> None:
    before = children()
    if method == "fork":
        with mpcontext.Pool(1, lambda: None, mp_context=method) as pool:
            assert pool.apply(_children.double, (2,)) == 4
        return
    with pytest.raises(mpcontext.PreflightError):
        mpcontext.Pool(1, lambda: None, mp_context=method)
    with pytest.raises(mpcontext.PreflightError):
        mpcontext.ProcessPoolExecutor(1, method, lambda: None)
    assert children() == before


POOL_CALLS: dict[str, Callable[[Any, Callable[..., Any]], Any]] = {
    "apply": lambda pool, fn: pool.apply(fn, (1,)),
    "apply_async": lambda pool, fn: pool.apply_async(fn, (1,)).get(TIMEOUT),
    "map": lambda pool, fn: pool.map(fn, [1]),
    "map_async": lambda pool, fn: pool.map_async(fn, [1]).get(TIMEOUT),
    "starmap": lambda pool, fn: pool.starmap(fn, [(1,)]),
    "starmap_async": lambda pool, fn: pool.starmap_async(fn, [(1,)]).get(TIMEOUT),
    "imap": lambda pool, fn: list(pool.imap(fn, [1])),
    "imap_unordered": lambda pool, fn: list(pool.imap_unordered(fn, [1])),
}
EXECUTOR_CALLS: dict[str, Callable[[Any, Callable[..., Any]], Any]] = {
    "submit": lambda executor, fn: [executor.submit(fn, 1).result(TIMEOUT)],
    "map": lambda executor, fn: list(executor.map(fn, [1], timeout=TIMEOUT)),
    "map_chunked": lambda executor, fn: list(executor.map(fn, [1, 1, 1], chunksize=2))[:1],
}


@pytest.fixture(scope="class", params=METHODS)
def shared_pool(request: pytest.FixtureRequest) -> Iterator[multiprocessing.pool.Pool]:
    with mpcontext.Pool(1, mp_context=request.param) as pool:
        yield pool


@pytest.fixture(scope="class", params=METHODS)
def shared_executor(
    request: pytest.FixtureRequest,
) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    with mpcontext.ProcessPoolExecutor(1, request.param) as executor:
        yield executor


class TestTasksAreChecked:
    """Pool tasks are pickled by reference under every method: lambdas never go."""

    @pytest.mark.parametrize("call", POOL_CALLS)
    def test_pool(self, shared_pool: multiprocessing.pool.Pool, call: str) -> None:
        with pytest.raises(mpcontext.PreflightError):
            POOL_CALLS[call](shared_pool, lambda x: x)
        assert POOL_CALLS[call](shared_pool, _children.double) in (2, [2])

    @pytest.mark.parametrize("call", EXECUTOR_CALLS)
    def test_executor(
        self, shared_executor: concurrent.futures.ProcessPoolExecutor, call: str
    ) -> None:
        with pytest.raises(mpcontext.PreflightError):
            EXECUTOR_CALLS[call](shared_executor, lambda x: x)
        assert EXECUTOR_CALLS[call](shared_executor, _children.double) == [2]


@pytest.mark.parametrize("method", METHODS)
def test_refused_submit_starts_no_worker(method: str) -> None:
    before = children()
    with mpcontext.ProcessPoolExecutor(1, method) as executor:
        with pytest.raises(mpcontext.PreflightError):
            executor.submit(lambda: None)
        assert children() == before


# -- primitives work across processes -------------------------------------------------


@contextlib.contextmanager
def child(method: str, target: Callable[..., None], *args: Any) -> Iterator[None]:
    """Run `target(*args)` in a child started by `method` around the block."""
    process = mpcontext.Process(target=target, args=args, mp_context=method)
    process.start()
    try:
        yield
    finally:
        process.join(TIMEOUT)
        if process.exitcode is None:
            process.terminate()
            process.join()
    assert process.exitcode == 0


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["Lock", "RLock"])
def test_lock_excludes(name: str, method: str) -> None:
    lock = getattr(mpcontext, name)(mp_context=method)
    results = mpcontext.SimpleQueue(mp_context=method)
    with lock, child(method, _children.try_lock, lock, results):
        assert results.get() is False
    assert lock.acquire(False)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["Queue", "SimpleQueue"])
def test_queue_carries(name: str, method: str) -> None:
    queue = getattr(mpcontext, name)(mp_context=method)
    with child(method, _children.put, queue, {"answer": [42]}):
        got = queue.get(timeout=TIMEOUT) if name == "Queue" else queue.get()
    assert got == {"answer": [42]}
    queue.close()
    if name == "Queue":
        queue.join_thread()


@pytest.mark.parametrize("method", METHODS)
def test_joinable_queue_joins(method: str) -> None:
    queue = mpcontext.JoinableQueue(mp_context=method)
    queue.put("work")
    with child(method, _children.consume, queue):
        queue.join()
    queue.close()
    queue.join_thread()


@pytest.mark.parametrize("method", METHODS)
def test_value_and_array_are_shared(method: str) -> None:
    value = mpcontext.Value("i", 0, mp_context=method)
    array = mpcontext.Array("i", 4, mp_context=method)
    with child(method, _children.increment, value, 50):
        pass
    with child(method, _children.fill, array):
        pass
    assert value.value == 50
    assert list(array) == [0, 1, 4, 9]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["Semaphore", "BoundedSemaphore"])
def test_semaphore_is_released_by_the_child(name: str, method: str) -> None:
    semaphore = getattr(mpcontext, name)(1, mp_context=method)
    assert semaphore.acquire(timeout=TIMEOUT)
    with child(method, _children.release, semaphore):
        assert semaphore.acquire(timeout=TIMEOUT)


@pytest.mark.parametrize("method", METHODS)
def test_event_is_set_by_the_child(method: str) -> None:
    event = mpcontext.Event(mp_context=method)
    with child(method, _children.set_event, event):
        assert event.wait(TIMEOUT)


@pytest.mark.parametrize("method", METHODS)
def test_condition_is_notified_by_the_child(method: str) -> None:
    condition = mpcontext.Condition(mp_context=method)
    value = mpcontext.Value("i", 0, mp_context=method)
    with condition:
        with child(method, _children.notify, condition, value):
            assert condition.wait_for(lambda: value.value == 1, TIMEOUT)


@pytest.mark.parametrize("method", METHODS)
def test_barrier_waits_for_the_child(method: str) -> None:
    barrier = mpcontext.Barrier(2, mp_context=method)
    results = mpcontext.SimpleQueue(mp_context=method)
    with child(method, _children.wait_barrier, barrier, results):
        mine = barrier.wait(timeout=TIMEOUT)
        theirs = results.get()
    assert {mine, theirs} == {0, 1}


@pytest.mark.parametrize("method", METHODS)
def test_manager_dict_is_shared(method: str) -> None:
    with mpcontext.Manager(mp_context=method) as manager:
        shared = manager.dict()
        with child(method, _children.store, shared, "key", [1, 2]):
            pass
        assert shared.copy() == {"key": [1, 2]}


# -- bad input ------------------------------------------------------------------------

ARGUMENTS: dict[str, tuple[Any, ...]] = {
    **PRIMITIVES,
    "Process": (),
    "Pool": (),
    "ProcessPoolExecutor": (),
    "Manager": (),
}


@pytest.mark.parametrize(
    "bad", ["spwan", "", 3, b"spawn", object()], ids=["spwan", "empty", "3", "bytes", "object"]
)
@pytest.mark.parametrize("name", sorted(ARGUMENTS))
def test_bad_mp_context_is_named(name: str, bad: object) -> None:
    with pytest.raises(mpcontext.InvalidContextError) as info:
        getattr(mpcontext, name)(*ARGUMENTS[name], mp_context=bad)
    message = str(info.value)
    assert repr(bad) in message
    assert f"mpcontext.{name}()" in message
    assert "'spawn'" in message  # what is available
    if bad == "spwan":
        assert "did you mean 'spawn'?" in message


def test_bad_positional_mp_context_of_the_executor() -> None:
    with pytest.raises(mpcontext.InvalidContextError, match="did you mean 'spawn'"):
        mpcontext.ProcessPoolExecutor(1, "spwan")


def test_bad_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPCONTEXT_START_METHOD", "spwan")
    mpcontext.refresh_environment()
    with pytest.raises(mpcontext.InvalidContextError, match="MPCONTEXT_START_METHOD"):
        mpcontext.Lock()


# -- max_tasks_per_child ----------------------------------------------------------------


@needs_max_tasks
def test_max_tasks_per_child_without_a_choice_spawns_as_the_stdlib_does() -> None:
    # The stdlib's pool spawns whenever it is given no context, whatever the default.
    with mpcontext.ProcessPoolExecutor(1, max_tasks_per_child=2) as executor:
        report = executor.submit(_children.report).result(timeout=TIMEOUT)
    assert_started_by(report, "spawn")


@needs_max_tasks
@pytest.mark.skipif("fork" not in METHODS, reason="no fork on this platform")
@pytest.mark.parametrize("way", WAYS)
def test_max_tasks_per_child_with_an_explicit_fork_is_the_stdlib_error(
    way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with chosen(way, "fork", monkeypatch) as kwargs:
        with pytest.raises(ValueError, match="max_tasks_per_child is incompatible with"):
            mpcontext.ProcessPoolExecutor(1, max_tasks_per_child=2, **kwargs)


@needs_max_tasks
@pytest.mark.usefixtures("fork_default")
@pytest.mark.parametrize(("methods", "spawn"), [(["fork"], False), (["fork", "spawn"], True)])
def test_max_tasks_per_child_keeps_to_the_requirement(methods: list[str], spawn: bool) -> None:
    @mpcontext.accepts_context(requires=methods)  # type: ignore[arg-type]
    def pool_of(*, mp_context: mpcontext.ContextParam = None) -> concurrent.futures.Executor:
        return mpcontext.ProcessPoolExecutor(1, max_tasks_per_child=1)

    if spawn:
        with pool_of() as executor:
            assert executor._mp_context.get_start_method() == "spawn"  # type: ignore[attr-defined]
    else:
        with pytest.raises(ValueError, match="incompatible with the 'fork'"):
            pool_of()


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="max_tasks_per_child exists")
def test_max_tasks_per_child_is_a_type_error_before_311() -> None:
    with pytest.raises(TypeError):
        concurrent.futures.ProcessPoolExecutor(1, max_tasks_per_child=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        mpcontext.ProcessPoolExecutor(1, max_tasks_per_child=2)  # type: ignore[call-arg]


# -- the global start method, in fresh interpreters --------------------------------------


def run_python(code: str) -> list[str]:
    """Run `code` in a fresh interpreter with tests/helpers importable; return its output words."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MPCONTEXT_")}
    prelude = f"import sys\nsys.path.insert(0, {str(HERE / 'helpers')!r})\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.timeout(120)
@pytest.mark.parametrize("method", METHODS)
def test_every_factory_leaves_the_global_start_method_unset(method: str) -> None:
    out = run_python(
        f"""
        import multiprocessing, _children
        _children.use_every_factory({method!r})
        print(multiprocessing.get_start_method(allow_none=True))
        multiprocessing.set_start_method("spawn")
        print(multiprocessing.get_start_method())
        """
    )
    assert out == ["None", "spawn"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork on this platform")
def test_a_child_forked_during_a_start_does_not_inherit_it() -> None:
    # Another thread may be inside start() when the application forks: the
    # child has no such thread, and its own starts must still restore.
    from mpcontext._core.mp_default import preparing

    read, write = os.pipe()
    with preparing():  # as if another thread were starting a process
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 1
            try:
                process = mpcontext.Process(target=_children.double, args=(1,), mp_context="spawn")
                process.start()
                process.join(TIMEOUT)
                os.write(write, repr(multiprocessing.get_start_method(allow_none=True)).encode())
                code = 0
            finally:
                os._exit(code)
    os.close(write)
    with os.fdopen(read) as output:
        assert output.read() == "None"
    assert os.waitpid(pid, 0)[1] == 0


@pytest.mark.parametrize("chosen_method", sorted({DEFAULT, METHODS[-1]}))
def test_the_application_choice_is_kept(chosen_method: str) -> None:
    # Also the platform default: set by the application, it is no longer "unset".
    out = run_python(
        f"""
        import multiprocessing, _children
        multiprocessing.set_start_method({chosen_method!r})
        _children.use_every_factory({NOT_FORK[0]!r})
        print(multiprocessing.get_start_method(allow_none=True))
        """
    )
    assert out == [chosen_method]


@pytest.mark.parametrize("method", NOT_FORK)
def test_the_stdlib_alone_fixes_it(method: str) -> None:
    # Why the guard exists on Python 3.10-3.13: the check above fails without
    # it. Python 3.14 prepares the child with get_start_method(allow_none=True).
    out = run_python(
        f"""
        import multiprocessing, _children
        process = multiprocessing.get_context({method!r}).Process(target=_children.double, args=(1,))
        process.start()
        process.join()
        print(multiprocessing.get_start_method(allow_none=True))
        """
    )
    assert out == [DEFAULT if sys.version_info < (3, 14) else "None"]


# -- Python 3.14's API, passed through ----------------------------------------------


@needs_314
@pytest.mark.parametrize("method", METHODS)
def test_executor_map_takes_buffersize(method: str) -> None:
    with mpcontext.ProcessPoolExecutor(2, method) as executor:
        results = executor.map(_children.double, range(6), buffersize=2)
        assert list(results) == [0, 2, 4, 6, 8, 10]


@needs_314
@pytest.mark.parametrize("ending", ["terminate_workers", "kill_workers"])
@pytest.mark.parametrize("method", METHODS)
def test_executor_workers_can_be_ended(method: str, ending: str) -> None:
    executor = mpcontext.ProcessPoolExecutor(2, method)
    try:
        assert executor.submit(_children.double, 2).result(TIMEOUT) == 4
        pids = {worker.pid for worker in executor._processes.values()}
        getattr(executor, ending)()
        # Ended (the executor's own thread may reap them before this one could).
        deadline = time.monotonic() + TIMEOUT
        while pids & set(_leftovers.os_children()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pids & set(_leftovers.os_children())
        with pytest.raises(RuntimeError):
            executor.submit(_children.double, 1)
    finally:
        executor.shutdown(wait=True)


@needs_314
@pytest.mark.parametrize("method", METHODS)
def test_a_process_can_be_interrupted(method: str) -> None:
    ready = mpcontext.Event(mp_context=method)
    process = mpcontext.Process(target=_children.wait_for_interrupt, args=(ready,), mp_context=method)
    process.start()
    try:
        assert ready.wait(TIMEOUT)
        # A SIGINT that reaches a forked child while it is still inside
        # ready.set() can be lost (the stdlib's own Process too, often on 3.15):
        # interrupt it until it is asleep to receive one.
        deadline = time.monotonic() + TIMEOUT
        while process.exitcode is None and time.monotonic() < deadline:
            process.interrupt()
            process.join(0.5)
        assert process.exitcode == 3
    finally:
        if process.is_alive():
            process.kill()
            process.join(TIMEOUT)
