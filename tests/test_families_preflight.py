"""The pre-flight for the other families: multiprocess, billiard and loky, for real.

Each family pickles in its own way (dill, cloudpickle, or by reference as the
stdlib) and hands over only its own locks and queues. Every refusal here is
shown right by the family itself (what starting that child does without
mpcontext), and every call allowed runs in a real child.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import pickle
import subprocess
import sys
import textwrap
import threading
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from types import ModuleType
from typing import Any

import family_preflight_targets as targets
import pytest

import mpcontext
from mpcontext._families.catalog import MULTIPROCESS
from mpcontext._preflight.check import journey_of
from mpcontext._preflight.family_picklers import sends_code

METHODS = mpcontext.available_start_methods()
NON_FORK = [method for method in METHODS if method != "fork"]
needs_fork = pytest.mark.skipif("fork" not in METHODS, reason="no fork start method here")
HELPERS = Path(__file__).parent / "helpers"


@pytest.fixture
def multiprocess() -> ModuleType:
    return pytest.importorskip("multiprocess", reason="multiprocess is not installed")


@pytest.fixture
def billiard() -> ModuleType:
    return pytest.importorskip("billiard", reason="billiard is not installed")


@pytest.fixture
def loky_context() -> Any:
    pytest.importorskip("loky", reason="loky is not installed")
    from loky.backend.context import get_context

    return get_context("loky")


def run(process: Any) -> int | None:
    """Start `process`, wait for it, and return its exit code."""
    process.start()
    process.join(30)
    if process.exitcode is None:  # pragma: no cover - only on a hang
        process.kill()
        process.join()
    exitcode: int | None = process.exitcode
    return exitcode


def refused(target: object, args: tuple[object, ...] = (), **options: Any) -> str:
    """Return the message of the PreflightError the check must raise."""
    with pytest.raises(mpcontext.PreflightError) as caught:
        mpcontext.check_picklable(target, args, **options)
    message = str(caught.value)
    del caught  # its traceback holds the arguments (semaphores): let them go now
    return message


def start_fails(process: Any, error: type[BaseException], match: str) -> None:
    """Starting `process` raises `error` in this process: nothing is started."""
    with pytest.raises(error, match=match):
        process.start()
    assert process.exitcode is None


# CPython refuses a fork-made lock in a spawn child from 3.11.5; multiprocess's copy
# of multiprocessing for each Python version does as that version does.
FORK_LOCKS_REFUSED = sys.version_info >= (3, 11, 5)


def fork_lock_fails(process: Any) -> None:
    """`process`, sent a lock made by fork, cannot use it: refused at start, or the child fails."""
    if FORK_LOCKS_REFUSED:
        start_fails(process, RuntimeError, "fork context")
    else:
        assert run(process) != 0


# -- functions and classes: by value for multiprocess and loky's Process -------------------


def dill_sends_code() -> bool:
    """Whether dill can send a function by value here (not on 3.15, with dill 0.4.1)."""
    return sends_code(MULTIPROCESS)


def needs_dill_sending_code() -> None:
    if not dill_sends_code():
        pytest.skip(
            "dill cannot send a function by value on this Python: "
            "see test_where_dill_cannot_send_code_multiprocess_goes_by_reference"
        )


def test_a_journey_sends_by_value_as_its_family_does(
    multiprocess: ModuleType, billiard: ModuleType, loky_context: Any
) -> None:
    dill = dill_sends_code()
    expected = {
        "spawn": (False, False),
        "multiprocess:spawn": (dill, dill),
        "billiard:spawn": (False, False),
        "loky": (True, False),
    }
    for name, (process, pool) in expected.items():
        context = mpcontext.resolve_context(name)
        assert journey_of(context, False).by_value is process, name
        assert journey_of(context, True).by_value is pool, name
        assert journey_of(context, False).label == name


def test_a_lambda_reaches_a_multiprocess_spawn_child(multiprocess: ModuleType) -> None:
    needs_dill_sending_code()
    ctx = multiprocess.get_context("spawn")
    local = targets.local_exit_with(8)
    for context in ("multiprocess:spawn", ctx, "multiprocess:forkserver"):
        for full in (False, True):
            mpcontext.check_picklable(targets.EXIT_WITH, (7,), context=context, full=full)
            mpcontext.check_picklable(local, context=context, full=full)
    assert run(ctx.Process(target=targets.EXIT_WITH, args=(7,))) == 7
    assert run(ctx.Process(target=local)) == 8


@pytest.mark.parametrize("method", NON_FORK)
def test_the_same_lambda_is_refused_under_the_stdlib(method: str) -> None:
    message = refused(targets.EXIT_WITH, (7,), context=method)
    assert f"cannot reach a child process started by {method!r}: it is a lambda" in message
    refused(targets.local_exit_with(8), context=method)
    with pytest.raises(pickle.PicklingError):  # why: the stdlib pickles it by reference
        ForkingPickler.dumps(targets.EXIT_WITH)


def test_billiard_sends_functions_by_reference(billiard: ModuleType) -> None:
    message = refused(targets.EXIT_WITH, (7,), context="billiard:spawn")
    assert "started by 'billiard:spawn': it is a lambda" in message
    if "fork" in METHODS:
        assert "(e.g. mp_context='billiard:fork')" in message
    refused(targets.local_exit_with(8), context=billiard.get_context("spawn"))
    # Without mpcontext, billiard itself refuses as the child starts.
    process = billiard.get_context("spawn").Process(target=targets.EXIT_WITH, args=(7,))
    start_fails(process, pickle.PicklingError, "lambda")


def test_a_lambda_reaches_a_loky_process_but_not_a_loky_pool_task(loky_context: Any) -> None:
    for full in (False, True):
        mpcontext.check_picklable(targets.EXIT_WITH, (7,), context=loky_context, full=full)
        mpcontext.check_picklable(targets.EXIT_WITH, (7,), context="loky", full=full)
    assert run(loky_context.Process(target=targets.EXIT_WITH, args=(7,))) == 7
    # Its Pool's tasks go through the stdlib's pickler.
    message = refused(targets.SQUARE, (3,), context=loky_context, pool=True)
    assert "cannot reach a pool task run by 'loky': it is a lambda" in message
    with loky_context.Pool(1) as pool:
        with pytest.raises((pickle.PicklingError, AttributeError)):
            pool.apply_async(targets.SQUARE, (3,)).get(30)
        assert pool.apply_async(targets.square, (3,)).get(30) == 9


def test_where_dill_cannot_send_code_multiprocess_goes_by_reference(
    multiprocess: ModuleType,
) -> None:
    if dill_sends_code():
        pytest.skip("dill sends functions by value on this Python")
    version = ".".join(map(str, sys.version_info[:2]))
    for pool in (False, True):
        message = refused(targets.EXIT_WITH, (7,), context="multiprocess:spawn", pool=pool)
        assert "it is a lambda" in message
        assert f"dill cannot send a function by value on Python {version}" in message
    # The refusal is right: multiprocess itself cannot send it.
    process = multiprocess.get_context("spawn").Process(target=targets.EXIT_WITH, args=(7,))
    with pytest.raises(AttributeError, match="co_lnotab"):
        process.start()
    # What it finds by name still reaches its child.
    assert run(multiprocess.get_context("spawn").Process(target=targets.exit_with, args=(7,))) == 7


def test_a_multiprocess_pool_task_goes_by_value(multiprocess: ModuleType) -> None:
    needs_dill_sending_code()
    contexts = ["multiprocess:spawn", *(["multiprocess:fork"] if "fork" in METHODS else [])]
    for context in contexts:
        for full in (False, True):
            mpcontext.check_picklable(targets.SQUARE, (3,), context=context, pool=True, full=full)
    with multiprocess.get_context("spawn").Pool(1) as pool:
        assert pool.apply_async(targets.SQUARE, (3,)).get(30) == 9
        assert pool.map(targets.local_square(), [1, 2]) == [1, 4]


def test_a_billiard_pool_task_goes_by_reference(billiard: ModuleType) -> None:
    for method in METHODS:
        message = refused(targets.SQUARE, (3,), context=f"billiard:{method}", pool=True)
        assert f"cannot reach a pool task run by 'billiard:{method}': it is a lambda" in message
    # billiard's Pool would wait for that task for ever: its pickler refuses it.
    from billiard.reduction import ForkingPickler as BilliardPickler

    with pytest.raises(pickle.PicklingError):
        BilliardPickler.dumps(targets.SQUARE)


def test_a_module_loaded_from_its_file_is_still_sent_by_reference(
    multiprocess: ModuleType, loky_context: Any, tmp_path: Path
) -> None:
    module = load_from_file(tmp_path, "family_side_module", "def main():\n    sys.exit(4)\n")
    try:
        for context, pickler in (("multiprocess:spawn", "dill"), ("loky", "cloudpickle")):
            message = refused(module.main, context=context)
            assert "is not importable by that name from sys.path" in message
            if pickler == "cloudpickle" or dill_sends_code():
                assert f"({pickler} sends by value only what this process cannot find" in message
        # The refusal is right: the children do not find it.
        assert run(multiprocess.get_context("spawn").Process(target=module.main)) == 1
        assert run(loky_context.Process(target=module.main)) == 1
        # cloudpickle's own way out, which the message for loky gives.
        assert "cloudpickle.register_pickle_by_value(sys.modules['family_side_module'])" in message
        import cloudpickle

        cloudpickle.register_pickle_by_value(module)
        try:
            mpcontext.check_picklable(module.main, context="loky")
            assert run(loky_context.Process(target=module.main)) == 4
            refused(module.main, context="multiprocess:spawn")  # dill does not read it
        finally:
            cloudpickle.unregister_pickle_by_value(module)
    finally:
        del sys.modules[module.__name__]


def load_from_file(directory: Path, name: str, body: str) -> ModuleType:
    path = directory / f"{name}.py"
    path.write_text(f"import sys\n\n{body}")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# -- interactive mains ------------------------------------------------------------------


def run_python(*args: str, stdin: str | None = None) -> list[str]:
    result = subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=50,
        check=True,
        cwd=HELPERS,
    )
    return result.stdout.split()


INTERACTIVE_SCRIPT = textwrap.dedent(
    """
    import sys
    import mpcontext

    def typed_here():
        raise SystemExit(6)

    def verdict(context):
        try:
            mpcontext.check_picklable(typed_here, context=context)
        except mpcontext.PreflightError as error:
            return "refused:" + ("main" if "runs the main module again" in str(error) else "it")
        return "allowed"

    if __name__ == "__main__":
        names = sys.argv[1:] if len(sys.argv) > 1 else ["spawn", "multiprocess:spawn", "loky"]
        print(*(verdict(name) for name in names))
        for name in names:
            if verdict(name) == "allowed":
                process = mpcontext.resolve_context(name).Process(target=typed_here)
                process.start()
                process.join(30)
                print(process.exitcode)
    """
)


def test_a_function_typed_at_python_c_goes_by_value(
    multiprocess: ModuleType, loky_context: Any
) -> None:
    found = run_python("-c", INTERACTIVE_SCRIPT)
    if dill_sends_code():
        assert found == ["refused:it", "allowed", "allowed", "6", "6"]
    else:
        assert found == ["refused:it", "refused:it", "allowed", "6"]


def test_a_main_read_from_stdin_stops_only_the_children_that_run_it_again(
    multiprocess: ModuleType, loky_context: Any
) -> None:
    # spawn and multiprocess:spawn run the main module again (and die of
    # it); loky's children do not, and get the function by value.
    found = run_python("-", stdin=INTERACTIVE_SCRIPT)
    assert found == ["refused:main", "refused:main", "allowed", "6"]


# -- locks, queues and shared values across families --------------------------------------


@needs_fork
def test_a_fork_lock_cannot_reach_a_multiprocess_spawn_child(multiprocess: ModuleType) -> None:
    lock = multiprocessing.get_context("fork").Lock()
    ctx = multiprocess.get_context("spawn")
    for full in (False, True):
        message = refused(targets.use_lock, (lock,), context=ctx, full=full)
        assert message.startswith(
            "args[0] <Lock(owner=None)> (Lock) cannot reach a child process started by "
            "'multiprocess:spawn': it is a lock, semaphore, queue or shared value of "
            "multiprocessing, and a child started by 'multiprocess:spawn' can only receive "
            "multiprocess's as it starts"
        )
        assert message.endswith(
            "Fix: make it from the same context as the process (ctx.Lock(), ctx.Queue()..., "
            "or mpcontext.Lock(mp_context=ctx)); or start the process with a context of "
            "multiprocessing (mp_context='fork')."
        )
    # The refusal is right: multiprocess cannot hand it over.
    start_fails(ctx.Process(target=targets.use_lock, args=(lock,)), RuntimeError, "inheritance")
    # Both fixes work.
    assert run(ctx.Process(target=targets.use_lock, args=(ctx.Lock(), 3))) == 3
    fork = multiprocessing.get_context("fork")
    assert run(fork.Process(target=targets.use_lock, args=(lock, 3))) == 3


def test_a_multiprocess_lock_cannot_reach_a_stdlib_child(multiprocess: ModuleType) -> None:
    made = multiprocess.get_context("spawn")
    primitives = {"Lock": made.Lock(), "Queue": made.Queue(), "Value": made.Value("i", 1)}
    for method in NON_FORK:
        for primitive in primitives.values():
            message = refused(targets.use_lock, (primitive,), context=method)
            assert (
                f"({type(primitive).__name__}) cannot reach a child process started by "
                f"{method!r}: it is a lock, semaphore, queue or shared value of multiprocess, "
                f"and a child started by {method!r} can only receive multiprocessing's"
            ) in message, message
            assert f"a context of multiprocess (mp_context='multiprocess:{method}')" in message
    stdlib = multiprocessing.get_context(NON_FORK[0])
    start_fails(
        stdlib.Process(target=targets.use_lock, args=(primitives["Lock"],)),
        RuntimeError,
        "inheritance",
    )
    primitives["Queue"].close()


@needs_fork
@pytest.mark.parametrize("made_by", METHODS)
def test_a_stdlib_lock_reaches_a_multiprocess_fork_child(
    multiprocess: ModuleType, made_by: str
) -> None:
    lock = multiprocessing.get_context(made_by).Lock()
    for full in (False, True):
        mpcontext.check_picklable(
            targets.use_lock, (lock, 5), context="multiprocess:fork", full=full
        )
    fork = multiprocess.get_context("fork")
    assert run(fork.Process(target=targets.use_lock, args=(lock, 5))) == 5


def test_stdlib_and_loky_locks_go_both_ways(loky_context: Any) -> None:
    stdlib = multiprocessing.get_context("spawn")
    lock, loky_lock = stdlib.Lock(), loky_context.Lock()
    for full in (False, True):
        mpcontext.check_picklable(targets.use_lock, (lock, 2), context=loky_context, full=full)
        mpcontext.check_picklable(targets.use_lock, (loky_lock, 2), context="spawn", full=full)
    assert run(loky_context.Process(target=targets.use_lock, args=(lock, 2))) == 2
    assert run(stdlib.Process(target=targets.use_lock, args=(loky_lock, 2))) == 2


@needs_fork
def test_a_fork_lock_cannot_reach_a_loky_process(loky_context: Any) -> None:
    lock = multiprocessing.get_context("fork").Lock()
    message = refused(targets.use_lock, (lock,), context=loky_context)
    assert "started by 'loky': it was made by a 'fork' context" in message
    assert message.endswith("or start the process with 'fork' instead of 'loky'.")
    fork_lock_fails(loky_context.Process(target=targets.use_lock, args=(lock,)))


def test_a_loky_lock_cannot_reach_a_multiprocess_child(
    multiprocess: ModuleType, loky_context: Any
) -> None:
    lock = loky_context.Lock()
    message = refused(targets.use_lock, (lock,), context="multiprocess:spawn")
    assert "of multiprocessing, and a child started by 'multiprocess:spawn'" in message
    process = multiprocess.get_context("spawn").Process(target=targets.use_lock, args=(lock,))
    start_fails(process, RuntimeError, "inheritance")


@needs_fork
def test_a_fork_lock_of_a_family_cannot_reach_its_spawn_child(
    multiprocess: ModuleType, billiard: ModuleType
) -> None:
    for family, module, fate in (
        ("multiprocess", multiprocess, "multiprocess refuses it"),
        ("billiard", billiard, "the child can crash"),
    ):
        lock = module.get_context("fork").Lock()
        message = refused(targets.use_lock, (lock,), context=f"{family}:spawn", full=True)
        assert (
            f"started by '{family}:spawn': it was made by a '{family}:fork' context, and a "
            f"lock, semaphore or queue made by fork cannot be shared with a {family}:spawn "
            f"child ({fate})"
        ) in message
        assert message.endswith(
            f"start the process with '{family}:fork' instead of '{family}:spawn'."
        )
        # Crossed to another family, it is named by the context it needs.
        message = refused(targets.use_lock, (lock,), context="spawn")
        assert f"a context of {family} (mp_context='{family}:fork')" in message
    # The refusals are right.
    process = multiprocess.get_context("spawn").Process(
        target=targets.use_lock, args=(multiprocess.get_context("fork").Lock(),)
    )
    fork_lock_fails(process)
    crossed = billiard.get_context("spawn").Process(
        target=targets.use_lock, args=(billiard.get_context("fork").Lock(),)
    )
    assert run(crossed) != 0  # billiard does not check: the child crashes


def test_a_family_queue_reaches_its_own_spawn_child(
    multiprocess: ModuleType, billiard: ModuleType
) -> None:
    for module in (multiprocess, billiard):
        ctx = module.get_context("spawn")
        queue = ctx.Queue()
        name = f"{module.__name__}:spawn"
        mpcontext.check_picklable(targets.put, (queue, name), context=name, full=True)
        assert run(ctx.Process(target=targets.put, args=(queue, name))) == 0
        assert queue.get(timeout=30) == name
        queue.close()
        queue.join_thread()


def test_no_family_primitive_travels_in_a_pool_task(
    multiprocess: ModuleType, billiard: ModuleType, loky_context: Any
) -> None:
    primitives = [
        multiprocess.get_context("spawn").Lock(),
        billiard.get_context("spawn").Lock(),
        loky_context.Lock(),
        multiprocessing.get_context("spawn").Lock(),
    ]
    for context in ("spawn", "multiprocess:spawn", "billiard:spawn", "loky"):
        for primitive in primitives:
            message = refused(targets.use_lock, (primitive,), context=context, pool=True)
            assert (
                "which can only be passed to a child when it starts, not in a pool task" in message
            )


# -- the full level: the family's own pickler -------------------------------------------------


def test_the_full_level_pickles_with_dill_for_multiprocess(multiprocess: ModuleType) -> None:
    needs_dill_sending_code()
    import dill

    generator = (i for i in range(3))
    thread_lock = threading.Lock()
    for pool in (False, True):
        message = refused(
            targets.put,
            ({"items": [1, thread_lock, generator]},),
            context="multiprocess:spawn",
            full=True,
            pool=pool,
        )
        assert message.startswith("args[0]['items'][2] <generator object")
        assert "cannot be pickled: TypeError: cannot pickle 'generator' object" in message
        # dill pickles a thread lock, which the stdlib's pickler does not.
        mpcontext.check_picklable(
            targets.put, (thread_lock,), context="multiprocess:spawn", full=True, pool=pool
        )
    message = refused(targets.put, ([thread_lock],), context="spawn", full=True)
    assert message.startswith("args[0][0] <unlocked _thread.lock object")
    # What dill itself does with them.
    with pytest.raises(TypeError, match="generator"):
        dill.dumps(generator)
    dill.dumps(thread_lock)
    # The cheap level does not look inside.
    mpcontext.check_picklable(targets.put, ({"items": [generator]},), context="multiprocess:spawn")


def test_the_full_level_pickles_with_cloudpickle_for_a_loky_process(loky_context: Any) -> None:
    message = refused(targets.put, ([1, threading.Lock()],), context=loky_context, full=True)
    assert message.startswith("args[0][1] <unlocked _thread.lock object")
    assert "started by 'loky'" in message
    mpcontext.check_picklable(
        targets.EXIT_WITH, ([targets.SQUARE],), context=loky_context, full=True
    )
