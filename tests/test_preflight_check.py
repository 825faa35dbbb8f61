"""The pre-flight checks: ``check_picklable`` and the level the factories use."""

from __future__ import annotations

import concurrent.futures
import functools
import multiprocessing
import os
import pickle
import socket
import subprocess
import sys
import textwrap
import threading
import types
from collections.abc import Callable, Iterator
from multiprocessing import context as mp_context
from pathlib import Path
from typing import Any

import pytest

import mpcontext
from mpcontext._core.errors import ConfigurationError
from mpcontext._preflight.check import Journey, preflight, preflight_level

import preflight_targets as targets

METHODS = mpcontext.available_start_methods()
NON_FORK = [method for method in METHODS if method != "fork"]
needs_fork = pytest.mark.skipif("fork" not in METHODS, reason="no fork start method here")
TESTS = Path(__file__).parent


def refused(
    target: object,
    args: tuple[object, ...] = (),
    kwargs: dict[str, object] | None = None,
    **options: Any,
) -> str:
    """Return the message of the PreflightError the check must raise."""
    with pytest.raises(mpcontext.PreflightError) as caught:
        mpcontext.check_picklable(target, args, kwargs, **options)
    message = str(caught.value)
    # Its traceback holds this frame, which holds it: break the cycle now, or
    # a semaphore in `args` dies in some later garbage collection, maybe
    # inside multiprocessing's resource tracker (which 3.12 refuses).
    del caught
    return message


def run_process(context: str, target: Callable[..., object], *args: object) -> int | None:
    process = multiprocessing.get_context(context).Process(target=target, args=args)
    process.start()
    process.join(30)
    if process.exitcode is None:  # pragma: no cover - only on a hang
        process.kill()
        process.join()
    return process.exitcode


# -- what a child cannot find -------------------------------------------------


def unreachable() -> list[tuple[str, object]]:
    """What a spawn child cannot find, each as it would be passed."""
    local_class = targets.make_local_class()
    local_function = targets.make_local()
    return [
        ("lambda", lambda: None),
        ("local function", local_function),
        ("partial of a lambda", functools.partial(lambda x: x, 1)),
        ("partial of a local function", functools.partial(local_function, 1)),
        ("partial with a lambda argument", functools.partial(targets.work, lambda: None)),
        ("bound method of a local class", local_class().method),
        ("local class", local_class),
        ("instance of a local class", local_class()),
    ]


UNREACHABLE_IDS = [name for name, _ in unreachable()]


@pytest.mark.parametrize("method", NON_FORK)
@pytest.mark.parametrize("pool", [False, True], ids=["process", "pool"])
@pytest.mark.parametrize("index", range(len(UNREACHABLE_IDS)), ids=UNREACHABLE_IDS)
def test_unreachable_is_refused_as_target_and_argument(method: str, pool: bool, index: int) -> None:
    _, obj = unreachable()[index]
    if callable(obj):
        message = refused(obj, context=method, pool=pool)
        assert message.startswith("the target")
    message = refused(targets.work, (1, obj), context=method, pool=pool)
    assert message.startswith("args[1]")
    assert f"started by {method!r}" in message or f"run by {method!r}" in message
    assert "at the top level of an importable module (a .py file you import)" in message


@needs_fork
@pytest.mark.parametrize("index", range(len(UNREACHABLE_IDS)), ids=UNREACHABLE_IDS)
def test_a_forked_process_refuses_nothing(index: int) -> None:
    _, obj = unreachable()[index]
    mpcontext.check_picklable(targets.work, (obj,), context="fork")
    mpcontext.check_picklable(targets.work, (obj,), context="fork", full=True)
    if callable(obj):
        mpcontext.check_picklable(obj, context="fork", full=True)


@needs_fork
def test_a_forked_process_really_runs_a_lambda_and_a_local_function() -> None:
    assert run_process("fork", lambda: None) == 0
    assert run_process("fork", targets.make_local()) == 0


@needs_fork
@pytest.mark.parametrize("index", range(len(UNREACHABLE_IDS)), ids=UNREACHABLE_IDS)
def test_pool_tasks_are_pickled_by_reference_under_fork_too(index: int) -> None:
    _, obj = unreachable()[index]
    message = refused(targets.work, (obj,), context="fork", pool=True)
    assert "pool tasks are pickled that way under every start method" in message
    assert "cannot reach a pool task run by 'fork'" in message


@needs_fork
def test_under_fork_the_pool_really_refuses_a_lambda() -> None:
    # The premise: the stdlib fails too, only later and less clearly.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        with pytest.raises((pickle.PicklingError, AttributeError)):
            pool.apply(targets.work, (lambda: None,))


def test_the_message_says_what_why_and_two_fixes() -> None:
    local = targets.make_local()
    message = refused(local, context="spawn")
    assert message == (
        f"the target {local!r} (function) cannot reach a child process started by "
        f"'spawn': it is defined inside a function ('make_local.<locals>.local'), so it "
        f"cannot be imported by name (a child finds functions and classes by module and "
        f"name). Fix: define it at the top level of an importable module (a .py "
        f"file you import); or use the 'fork' start method (e.g. mp_context='fork'), "
        f"where a Process pickles nothing."
    )


def test_without_fork_the_message_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    # As on Windows: the one fix left, and why the other is not offered.
    import mpcontext._preflight.problems

    monkeypatch.setattr(mpcontext._preflight.problems, "available_start_methods", lambda: ("spawn",))
    message = refused(lambda: None, context="spawn")
    assert message.endswith(
        "Fix: define it with def at the top level of an importable module (a .py file you "
        f"import). (The other way, the 'fork' start method, is not available on this "
        f"platform: {sys.platform}.)"
    )


@needs_fork
def test_under_fork_the_pool_fix_does_not_ask_for_fork() -> None:
    # A library module's lambda: the fixes are in that module, not in a session.
    message = refused(targets.work, (lambda: None,), context="fork", pool=True)
    assert message.endswith(
        "; or pass a picklable callable instead (functools.partial of a module-level function)."
    )
    assert "interactive session" not in message
    message = refused(targets.work, (threading.Lock(),), context="fork", pool=True, full=True)
    assert message.endswith(
        "; or under fork, hand it to the workers through the pool's initializer and "
        "initargs, which fork does not pickle."
    )


def test_the_class_of_an_instance_is_named() -> None:
    local_class = targets.make_local_class()
    message = refused(targets.work, (), {"item": local_class()}, context="spawn")
    assert message.startswith("kwargs['item'] <")
    assert f"its class {local_class!r} is defined inside a function" in message


def test_a_name_that_leads_to_another_object_is_refused() -> None:
    def work(x: object = None) -> None:
        pass

    work.__module__ = targets.__name__
    work.__qualname__ = "work"  # targets.work is another function
    message = refused(work, context="spawn")
    assert "cannot be found again by import: preflight_targets.work is another object" in message
    work.__qualname__ = "no_such_function"
    message = refused(work, context="spawn")
    assert "preflight_targets.no_such_function does not exist" in message
    work.__module__ = "no_such_module_for_mpcontext"
    message = refused(work, context="spawn")
    assert "module 'no_such_module_for_mpcontext' cannot be imported" in message


def test_a_pool_s_journey_sees_each_change_to_what_it_found_reachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A pool's journey remembers the functions it found reachable (each task
    # sends the same one), and still refuses one its module rebinds, one
    # renamed, or one whose module is replaced, at its next task.
    def work(x: object = None) -> None:
        pass

    work.__module__ = targets.__name__
    work.__qualname__ = "rebound_for_the_test"
    monkeypatch.setattr(targets, "rebound_for_the_test", work, raising=False)
    journey = Journey("spawn", True)
    for _ in range(2):
        assert preflight(work, (1,), {}, journey) is None
    monkeypatch.setattr(targets, "rebound_for_the_test", targets.work)
    assert "rebound_for_the_test is another object" in str(preflight(work, (), None, journey))
    monkeypatch.setattr(targets, "rebound_for_the_test", work)
    assert preflight(work, (), None, journey) is None
    work.__qualname__ = "no_such_function"
    assert "no_such_function does not exist" in str(preflight(work, (), None, journey))
    work.__qualname__ = "rebound_for_the_test"
    assert preflight(work, (), None, journey) is None
    monkeypatch.setitem(sys.modules, targets.__name__, types.ModuleType(targets.__name__))
    assert "rebound_for_the_test does not exist" in str(preflight(work, (), None, journey))


def test_the_innermost_partial_part_is_named() -> None:
    inner = functools.partial(targets.work, x=lambda: None)
    message = refused(functools.partial(inner), context="spawn")
    # CPython flattens a partial of a partial.
    assert message.startswith("the target.keywords['x'] <function ")


# -- nothing importable is refused ---------------------------------------------


IMPORTABLE_IDS = [name for name, _ in targets.importable_things()]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("pool", [False, True], ids=["process", "pool"])
@pytest.mark.parametrize("full", [False, True], ids=["cheap", "full"])
def test_nothing_importable_is_refused(method: str, pool: bool, full: bool) -> None:
    things = targets.importable_things()
    for _, thing in things:
        if callable(thing):
            mpcontext.check_picklable(thing, context=method, pool=pool, full=full)
        mpcontext.check_picklable(targets.work, (thing,), context=method, pool=pool, full=full)
    values = [thing for _, thing in things]
    mpcontext.check_picklable(targets.report, values, context=method, pool=pool, full=full)


@pytest.mark.parametrize("method", NON_FORK)
def test_what_is_accepted_really_reaches_a_child(method: str) -> None:
    # The other side of "no false positives": a real child unpickles it all.
    values = [thing for _, thing in targets.importable_things()]
    context = multiprocessing.get_context(method)
    assert run_process(method, targets.report, *values) == 0
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as executor:
        names = executor.submit(targets.report, *values).result(timeout=30)
        assert names == [type(pickle.loads(pickle.dumps(value))).__name__ for value in values]
        assert executor.submit(targets.cached, 2).result(timeout=30) == 4
        assert executor.submit(targets.Plain.helper).result(timeout=30) == 2


# -- REPL objects, with a __main__ made like the interpreter makes it --------


MAIN_SOURCE = "def knigit():\n    print('Ni!')\n\nclass Knight:\n    def ni(self):\n        pass\n"

# Stands for a script that exists: written where the test wants it.
SCRIPT = "<a script file>"


def _make_main(
    monkeypatch: pytest.MonkeyPatch,
    file: str | None = None,
    spec_name: str | None = None,
    source_file: str = "<stdin>",
    script: Path | None = None,
) -> types.ModuleType:
    """Install a ``__main__`` like the interpreter's, with ``knigit`` typed in it.

    `SCRIPT` as `file` or `source_file` is `script`, written with the source.
    """
    if SCRIPT in (file, source_file):
        assert script is not None
        script.write_text(MAIN_SOURCE)
        file = str(script) if file == SCRIPT else file
        source_file = str(script) if source_file == SCRIPT else source_file
    main = types.ModuleType("__main__")
    if file is not None:
        main.__file__ = file
    main.__spec__ = types.SimpleNamespace(name=spec_name) if spec_name else None  # type: ignore[assignment]
    exec(compile(MAIN_SOURCE, source_file, "exec"), main.__dict__)
    monkeypatch.setitem(sys.modules, "__main__", main)
    return main


REPL_MAINS = {
    "python -i or a REPL (no file)": {},
    "python - < script": {"file": "<stdin>"},
    "Python 3.13's REPL": {
        "file": os.path.join(os.path.dirname(os.__file__), "_pyrepl", "__main__.py"),
        "spec_name": "_pyrepl.__main__",
        "source_file": "<python-input-0>",
    },
    "python -m pkg": {"file": "/src/pkg/__main__.py", "spec_name": "pkg.__main__"},
    "IPython": {"file": "/usr/bin/ipython"},
    "code.interact() in a script": {"file": SCRIPT, "source_file": "<console>"},
}


@pytest.mark.parametrize("method", NON_FORK)
@pytest.mark.parametrize("main_kind", list(REPL_MAINS))
def test_interactive_main_objects_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, method: str, main_kind: str
) -> None:
    main = _make_main(monkeypatch, **REPL_MAINS[main_kind], script=tmp_path / "script.py")
    for pool in (False, True):
        message = refused(main.knigit, context=method, pool=pool)
        if main_kind == "python - < script" and not pool:
            # No child can start at all: it would run a main named '<stdin>' again.
            assert message.startswith("the main module <module '__main__'")
            assert "was read from <stdin> (python - < script)" in message
            continue
        assert "is defined in __main__, " in message
        assert f"so a {method} child would not find __main__.knigit" in message
        message = refused(targets.work, (main.Knight(),), context=method, pool=pool, full=True)
        assert "its class <class '__main__.Knight'> is defined in __main__" in message


@pytest.mark.parametrize(
    "main_kind",
    [
        {"file": SCRIPT, "source_file": SCRIPT},
        {"file": "/src/pkg/mod.py", "spec_name": "pkg.mod", "source_file": "/src/pkg/mod.py"},
    ],
    ids=["python script.py", "python -m pkg.mod"],
)
def test_a_main_run_from_a_file_or_a_module_is_importable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, main_kind: dict[str, str]
) -> None:
    main = _make_main(monkeypatch, **main_kind, script=tmp_path / "script.py")
    for method in METHODS:
        mpcontext.check_picklable(main.knigit, (main.Knight(),), context=method, full=True)


@needs_fork
def test_interactive_main_functions_reach_forked_pool_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main = _make_main(monkeypatch)
    mpcontext.check_picklable(main.knigit, (main.Knight(),), context="fork", pool=True, full=True)
    message = refused(main.knigit, context="spawn", pool=True)
    assert "mp_context='fork'), whose pool workers have the interactive session's" in message
    # Really: the forked worker has this __main__.
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(main.knigit) is None
        assert type(pool.apply(targets.work, (main.Knight(),))) is str


@needs_fork
def test_interactive_main_functions_run_in_a_forked_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main = _make_main(monkeypatch)
    mpcontext.check_picklable(main.knigit, context="fork")
    assert run_process("fork", main.knigit) == 0


def test_a_nested_interactive_function_is_found_only_at_the_full_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main = _make_main(monkeypatch)
    args = ({"callbacks": [targets.work, main.knigit]},)
    mpcontext.check_picklable(targets.work, args, context="spawn")
    message = refused(targets.work, args, context="spawn", full=True)
    assert message.startswith("args[0]['callbacks'][1] <function knigit")


# -- the full level ------------------------------------------------------------


def _ssl_socket() -> Iterator[object]:
    ssl = pytest.importorskip("ssl")
    with socket.socket() as raw:
        wrapped = ssl.create_default_context().wrap_socket(
            raw, server_hostname="localhost", do_handshake_on_connect=False
        )
        try:
            yield wrapped
        finally:
            wrapped.close()


@pytest.mark.parametrize("method", NON_FORK)
@pytest.mark.parametrize("pool", [False, True], ids=["process", "pool"])
def test_full_names_the_path_of_what_does_not_pickle(method: str, pool: bool) -> None:
    options: dict[str, Any] = {"context": method, "pool": pool, "full": True}
    message = refused(targets.work, (1, {"conn": threading.Lock()}), **options)
    assert message.startswith("args[1]['conn'] <unlocked _thread.lock object")
    assert "cannot be pickled: TypeError: cannot pickle '_thread.lock' object" in message
    message = refused(targets.work, (), {"items": (x for x in "ab")}, **options)
    assert message.startswith("kwargs['items'] <generator object")
    message = refused(targets.work, (targets.HoldsLock(),), **options)
    assert message.startswith("args[0].lock <unlocked _thread.lock object")
    message = refused(targets.work, ([1, 2, [3, lambda: None]],), **options)
    assert message.startswith("args[0][2][1] <function ")
    assert "it is a lambda" in message
    for ssl_socket in _ssl_socket():
        message = refused(targets.work, ({"peer": [ssl_socket]},), **options)
        assert message.startswith("args[0]['peer'][0] <ssl.SSLSocket")
        assert "cannot pickle 'SSLSocket' object" in message


def test_full_refuses_a_cycle_without_looping() -> None:
    cycle: list[object] = [threading.Lock()]
    cycle.append(cycle)
    message = refused(targets.work, (cycle,), context="spawn", full=True)
    assert message.startswith("args[0][0] <unlocked _thread.lock")


def test_the_cheap_level_does_not_descend() -> None:
    deep = (1, {"conn": threading.Lock()}, [lambda: None])
    mpcontext.check_picklable(targets.work, deep, context="spawn")


def test_the_cheap_level_refuses_top_level_values_that_cannot_pickle() -> None:
    # Their class cannot be found, and they have no __reduce__ either.
    message = refused(targets.work, ((x for x in "ab"),), context="spawn")
    assert message.startswith("args[0] <generator object")
    assert "cannot be pickled: TypeError: cannot pickle 'generator' object" in message


# An object whose own pickling raises: the stdlib lets that error through
# (pool.map raises it, a future holds it), so the refusal is that error too
# and code catching it keeps working (CPython's test_map_unplicklable).


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("pool", [False, True], ids=["process", "pool"])
def test_an_object_refusing_pickling_is_refused_with_its_own_error_too(method: str, pool: bool) -> None:
    if method == "fork" and not pool:
        pytest.skip("a forked Process pickles nothing")
    cases: list[tuple[object, dict[str, Any], type[Exception]]] = [
        (targets.make_local_refusing(), {}, RuntimeError),
        ([targets.RefusesPickling()], {"full": True}, RuntimeError),
        ((x for x in "ab"), {}, TypeError),
    ]
    for value, options, raised in cases:
        with pytest.raises(mpcontext.PreflightError) as caught:
            mpcontext.check_picklable(targets.work, (value,), context=method, pool=pool, **options)
        error = caught.value
        del caught
        assert isinstance(error, raised)
        assert isinstance(error.__cause__, raised)
        assert str(error).startswith("args[0]")
        assert type(error).__name__ == "PreflightError"
        again = pickle.loads(pickle.dumps(error))
        assert isinstance(again, mpcontext.PreflightError)
        assert isinstance(again, raised)
        assert str(again) == str(error)


class _Picky(Exception):
    def __init__(self, code: int, text: str) -> None:
        super().__init__(code, text)


class _RefusesPicky:
    def __reduce__(self) -> tuple[object, ...]:
        raise _Picky(1, "no")


def test_an_error_that_cannot_be_made_from_a_message_is_the_cause() -> None:
    with pytest.raises(mpcontext.PreflightError) as caught:
        mpcontext.check_picklable(targets.work, (_RefusesPicky(),), context="spawn", full=True)
    assert not isinstance(caught.value, _Picky)
    assert isinstance(caught.value.__cause__, _Picky)
    del caught


@pytest.mark.usefixtures("mp_context")  # in force: the pool's context
def test_pool_map_raises_the_error_of_an_object_refusing_pickling() -> None:
    values = [targets.make_local_refusing()] * 3
    with mpcontext.Pool(1) as pool:
        with pytest.raises(RuntimeError, match="cannot pickle"):
            pool.map(targets.double, values)
        assert pool.map(targets.double, [1, 2]) == [2, 4]


@pytest.mark.usefixtures("mp_context")
def test_submit_raises_the_error_of_an_object_refusing_pickling() -> None:
    with mpcontext.ProcessPoolExecutor(1) as executor:
        with pytest.raises(RuntimeError, match="cannot pickle"):
            executor.submit(targets.double, targets.make_local_refusing())
        assert executor.submit(targets.double, 2).result() == 4


def test_full_unpickles_nothing() -> None:
    targets.UNPICKLED.clear()
    values = [targets.Reduced("one"), {"two": targets.Reduced("two")}]
    for method in METHODS:
        for pool in (False, True):
            mpcontext.check_picklable(targets.work, values, context=method, pool=pool, full=True)
    assert targets.UNPICKLED == []


def _open_fds() -> list[str]:
    return sorted(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
@pytest.mark.parametrize("method", NON_FORK)
def test_full_leaves_no_trace(method: str) -> None:
    from multiprocessing import resource_sharer

    context = multiprocessing.get_context(method)
    with socket.socket() as sock:
        reader, writer = context.Pipe(duplex=False)
        values = ({"sock": sock, "conn": reader, "lock": context.Lock(), "value": context.Value("i")},)
        before = _open_fds()
        mpcontext.check_picklable(targets.work, values, context=context, full=True)
        mpcontext.check_picklable(targets.work, ([sock, writer],), context=context, full=True, pool=True)
        assert _open_fds() == before
        reader.close()
        writer.close()
    assert mp_context.get_spawning_popen() is None
    assert resource_sharer._resource_sharer._listener is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", NON_FORK)
def test_sockets_and_connections_are_not_refused(method: str) -> None:
    # multiprocessing passes their descriptors: a child really gets them.
    context = multiprocessing.get_context(method)
    with socket.socket() as sock:
        reader, writer = context.Pipe(duplex=False)
        for pool in (False, True):
            mpcontext.check_picklable(
                targets.report, ([sock], {"r": reader}), context=method, pool=pool, full=True
            )
        assert run_process(method, targets.report, sock, reader) == 0
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as executor:
            names = executor.submit(targets.report, sock, reader).result(timeout=30)
        assert names == ["socket", "Connection"]
        reader.close()
        writer.close()


# -- multiprocessing primitives ------------------------------------------------


PRIMITIVES: dict[str, Callable[[Any], object]] = {
    "Lock": lambda ctx: ctx.Lock(),
    "RLock": lambda ctx: ctx.RLock(),
    "Semaphore": lambda ctx: ctx.Semaphore(),
    "BoundedSemaphore": lambda ctx: ctx.BoundedSemaphore(),
    "Condition": lambda ctx: ctx.Condition(),
    "Event": lambda ctx: ctx.Event(),
    "Barrier": lambda ctx: ctx.Barrier(2),
    "Queue": lambda ctx: ctx.Queue(),
    "JoinableQueue": lambda ctx: ctx.JoinableQueue(),
    "SimpleQueue": lambda ctx: ctx.SimpleQueue(),
    "Value": lambda ctx: ctx.Value("i", 1),
    "Array": lambda ctx: ctx.Array("i", 3),
}


@needs_fork
@pytest.mark.parametrize("method", NON_FORK)
@pytest.mark.parametrize("kind", list(PRIMITIVES))
def test_a_primitive_made_by_fork_cannot_reach_a_spawn_child(method: str, kind: str) -> None:
    primitive = PRIMITIVES[kind](multiprocessing.get_context("fork"))
    for full in (False, True):
        message = refused(targets.work, (primitive,), context=method, full=full)
        assert message.startswith("args[0] <")
        assert f"({type(primitive).__name__}) cannot reach a child process" in message
        assert "was made by a 'fork' context" in message
        assert f"cannot be shared with a {method} child" in message
        assert "Fix: make it from the same context as the process" in message
    # Deeper than the top level, only the full level looks.
    nested = ({"shared": [primitive]},)
    mpcontext.check_picklable(targets.work, nested, context=method)
    message = refused(targets.work, nested, context=method, full=True)
    assert message.startswith("args[0]['shared'][0] ")


@needs_fork
@pytest.mark.parametrize("method", NON_FORK)
def test_the_default_context_of_multiprocessing_makes_fork_primitives(method: str) -> None:
    # On Linux before 3.14, multiprocessing.Lock() is a fork context's: the
    # common way to get this wrong. Done in a child so as not to fix the
    # global start method here.
    script = textwrap.dedent(
        f"""
        import multiprocessing, mpcontext
        if multiprocessing.get_start_method() == "fork":
            try:
                mpcontext.check_picklable(print, (multiprocessing.Lock(),), context={method!r})
            except mpcontext.PreflightError:
                print("refused")
        else:
            print("refused")  # not this platform's default: nothing to show
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "refused"


@pytest.mark.parametrize(
    ("made_by", "method"),
    [(a, b) for a in METHODS for b in METHODS if a != "fork" and a != b] + [("fork", "fork")],
)
def test_other_directions_work_and_are_not_refused(made_by: str, method: str) -> None:
    lock = multiprocessing.get_context(made_by).Lock()
    queue = multiprocessing.get_context(made_by).Queue()
    mpcontext.check_picklable(targets.use_lock, (lock, queue), context=method, full=True)
    assert run_process(method, targets.use_lock, lock) == 0
    queue.close()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", ["Lock", "Queue", "Value"])
def test_primitives_cannot_travel_in_a_pool_task(method: str, kind: str) -> None:
    primitive = PRIMITIVES[kind](multiprocessing.get_context(method))
    for full in (False, True):
        message = refused(targets.work, (primitive,), context=method, pool=True, full=full)
        assert "can only be passed to a child when it starts, not in a pool task" in message
        assert "through the pool's initializer and initargs" in message


def test_the_stdlib_refuses_a_primitive_in_a_pool_task_too() -> None:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as executor:
        with pytest.raises(RuntimeError, match="through inheritance"):
            executor.submit(targets.work, context.Lock()).result(timeout=30)


@pytest.mark.parametrize("method", NON_FORK)
def test_a_manager_proxy_crosses_contexts(method: str) -> None:
    with multiprocessing.get_context(method).Manager() as manager:
        lock = manager.Lock()
        for pool in (False, True):
            mpcontext.check_picklable(targets.use_lock, (lock,), context=method, pool=pool, full=True)
        assert run_process(method, targets.use_lock, lock) == 0


# -- arguments and resolution --------------------------------------------------


def test_context_resolves_like_resolve_context() -> None:
    lam = lambda: None
    with mpcontext.using("spawn"):
        assert "started by 'spawn'" in refused(lam)
    if "fork" in METHODS:
        with mpcontext.using("fork"):
            mpcontext.check_picklable(lam)
        mpcontext.check_picklable(lam, context=multiprocessing.get_context("fork"))
    assert "started by 'spawn'" in refused(lam, context=multiprocessing.get_context("spawn"))
    with pytest.raises(mpcontext.InvalidContextError, match="did you mean 'spawn'"):
        mpcontext.check_picklable(targets.work, context="spwan")


def test_bad_arguments_are_refused_clearly() -> None:
    with pytest.raises(TypeError, match=r"target must be callable or None, got 3 \(int\)"):
        mpcontext.check_picklable(3, context="spawn")
    with pytest.raises(TypeError, match="which checking would consume; pass tuple"):
        mpcontext.check_picklable(targets.work, iter([1]), context="spawn")


def test_args_can_be_any_sequence_and_target_none() -> None:
    mpcontext.check_picklable(None, context="spawn")
    mpcontext.check_picklable(targets.work, [1], {"x": 2}, context="spawn", full=True)
    message = refused(targets.work, range(1), {"x": lambda: None}, context="spawn")
    assert message.startswith("kwargs['x'] ")
    with pytest.raises(pickle.PicklingError):
        mpcontext.check_picklable(lambda: None, context="spawn")


def test_checking_never_fixes_the_global_start_method() -> None:
    script = textwrap.dedent(
        """
        import multiprocessing, mpcontext, preflight_targets as t
        for method in mpcontext.available_start_methods() + (None,):
            for pool in (False, True):
                for full in (False, True):
                    mpcontext.check_picklable(t.work, (t.Plain(),), context=method,
                                              pool=pool, full=full)
                    try:
                        mpcontext.check_picklable(lambda: 1, context=method, pool=pool)
                    except mpcontext.PreflightError:
                        pass
        print(multiprocessing.get_start_method(allow_none=True))
        multiprocessing.set_start_method("spawn")
        print("set")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=TESTS / "helpers",
    )
    assert result.stdout.split() == ["None", "set"]


# -- the level: MPCONTEXT_PREFLIGHT --------------------------------------------


@pytest.fixture
def preflight_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str | None], None]]:
    def set_level(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("MPCONTEXT_PREFLIGHT", raising=False)
        else:
            monkeypatch.setenv("MPCONTEXT_PREFLIGHT", value)
        mpcontext.refresh_environment()

    yield set_level
    monkeypatch.undo()
    mpcontext.refresh_environment()


def checked(target: object, args: tuple[object, ...], kwargs: Any, method: str, pool: bool) -> None:
    """What the factories do: the check at the level in force, its error raised."""
    error = preflight(target, args, kwargs, Journey(method, pool))
    if error is not None:
        raise error


def test_levels(preflight_env: Callable[[str | None], None]) -> None:
    spawn = "spawn"
    nested = ({"callback": lambda: None},)
    preflight_env(None)
    assert preflight_level() == "cheap"
    checked(targets.work, nested, None, "spawn", pool=False)
    with pytest.raises(mpcontext.PreflightError):
        checked(lambda: None, (), None, "spawn", pool=False)
    preflight_env("")
    assert preflight_level() == "cheap"
    preflight_env("off")
    assert preflight(lambda: None, (), None, Journey("spawn", True)) is None
    preflight_env("full")
    with pytest.raises(mpcontext.PreflightError, match=r"^args\[0\]\['callback'\]"):
        checked(targets.work, nested, None, "spawn", pool=False)
    preflight_env("cheap")
    checked(targets.work, nested, {"x": 1}, "spawn", pool=True)


def test_a_bad_level_is_a_clear_error(preflight_env: Callable[[str | None], None]) -> None:
    import mpcontext  # a bad value never breaks the import

    preflight_env("Full ")
    with pytest.raises(ConfigurationError) as caught:
        checked(targets.work, (), None, "spawn", pool=False)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, mpcontext.MPContextError)
    assert str(caught.value) == (
        "the environment variable MPCONTEXT_PREFLIGHT='Full ' is not a pre-flight level; "
        "expected one of 'off', 'cheap', 'full' (did you mean 'full'?). Set it to one of "
        "those, or unset it for 'cheap'; after changing os.environ, call "
        "mpcontext.refresh_environment()."
    )
    preflight_env("sometimes")
    with pytest.raises(ConfigurationError, match=r"'sometimes' is not a pre-flight level; expected one of 'off', 'cheap', 'full'\. "):
        preflight_level()


# -- the level, through mpcontext's factories ------------------------------------


@pytest.mark.parametrize("method", NON_FORK)
def test_the_level_applies_to_the_factories(
    preflight_env: Callable[[str | None], None], method: str
) -> None:
    nested = ({"callback": lambda: None},)
    preflight_env("full")
    process = mpcontext.Process(target=targets.work, args=nested, mp_context=method)
    with pytest.raises(mpcontext.PreflightError, match=r"^args\[0\]\['callback'\] <function "):
        process.start()
    assert process.pid is None
    with mpcontext.Pool(1, mp_context=method) as pool:
        with pytest.raises(mpcontext.PreflightError, match=r"^args\[0\]\['callback'\] "):
            pool.apply(targets.work, nested)
        assert pool.apply(targets.double, (2,)) == 4
    preflight_env("off")
    process = mpcontext.Process(target=lambda: None, mp_context=method)
    with pytest.raises((pickle.PicklingError, AttributeError)) as caught:
        process.start()  # the stdlib's own, later and vaguer, error
    assert not isinstance(caught.value, mpcontext.PreflightError)
    del caught
    preflight_env("everything")
    with pytest.raises(ConfigurationError, match="'everything' is not a pre-flight level"):
        mpcontext.Process(target=targets.work, mp_context=method).start()


# -- the parameter the hints name, and where the error is raised -----------------------------


@mpcontext.accepts_context(param="pm_context")
def _renamed(*, pm_context: mpcontext.ContextParam = None) -> None:
    mpcontext.check_picklable(lambda: None)


@needs_fork
@pytest.mark.skipif(not NON_FORK, reason="no spawn or forkserver here")
def test_the_hint_names_the_parameter_of_the_function_in_force() -> None:
    with pytest.raises(mpcontext.PreflightError) as raised:
        _renamed(pm_context=NON_FORK[0])
    message = str(raised.value)
    assert "(e.g. pm_context='fork')" in message, message
    assert "mp_context=" not in message


def _frames_after_the_test(error: BaseException) -> list[str]:
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    return [f"{Path(frame.filename).name}:{frame.name}" for frame in frames[1:]]


@pytest.mark.timeout(30)
@pytest.mark.skipif(not NON_FORK, reason="no spawn or forkserver here")
@pytest.mark.parametrize(
    "call",
    [
        "check_picklable",
        "Process.start",
        "ProcessPoolExecutor.submit",
        "Pool.apply_async",
        "ProcessPoolExecutor.__init__",
        "executor.__enter__",
        "injected executor.__enter__",
        "injected executor.map",
    ],
)
def test_a_preflight_error_is_raised_from_the_public_frame(call: str) -> None:
    method = NON_FORK[0]

    def bad() -> None:
        pass

    with pytest.raises(mpcontext.PreflightError) as raised:
        if call == "check_picklable":
            mpcontext.check_picklable(bad, context=method)
        elif call == "Process.start":
            mpcontext.Process(target=bad, mp_context=method).start()
        elif call == "ProcessPoolExecutor.submit":
            with mpcontext.ProcessPoolExecutor(1, method) as pool:
                pool.submit(bad)
        elif call == "Pool.apply_async":
            with mpcontext.Pool(1, mp_context=method) as pool:
                pool.apply_async(bad)
        elif call == "ProcessPoolExecutor.__init__":
            mpcontext.ProcessPoolExecutor(1, method, initializer=bad)
        elif call == "executor.__enter__":
            with mpcontext.executor(1, mp_context=method, initializer=bad):
                pass
        else:
            spawned = multiprocessing.get_context(method)
            with concurrent.futures.ProcessPoolExecutor(1, spawned) as pool:
                with mpcontext.using(executor=pool):
                    if call == "injected executor.__enter__":
                        with mpcontext.executor(initializer=bad):
                            pass
                    else:
                        with mpcontext.executor() as ex:
                            ex.map(bad, [1])
    # One frame below the test's: the call the user made, none of the check's insides.
    frames = _frames_after_the_test(raised.value)
    del raised
    assert len(frames) == 1, frames
    assert frames[0].endswith(":" + call.rpartition(".")[2]), frames
