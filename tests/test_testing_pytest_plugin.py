"""The pytest plugin, tested by running pytest on small test files (pytester).

Most runs are in-process (``runpytest_inprocess``), so that what the plugin
does to this process's multiprocessing state can be checked afterwards;
the runs that must see a fresh interpreter (nothing loaded without ``-p``,
pytest-xdist) are subprocesses.
"""

from __future__ import annotations

import importlib
import multiprocessing
import multiprocessing.context
import sys
from collections.abc import Iterator
from importlib import metadata
from multiprocessing.context import BaseContext

import pytest

from mpcontext import available_start_methods
from mpcontext._core import start_methods

pytest_plugins = ["pytester"]

# pytester's in-process runs forget the modules first imported during a run;
# multiprocessing's pickler would then keep functions of a forgotten module
# ("PicklingError: ... not the same object as ..."). Import them once here.
for _name in (
    "connection",
    "forkserver",
    "popen_fork",
    "popen_forkserver",
    "popen_spawn_posix",
    "popen_spawn_win32",
    "queues",
    "resource_tracker",
    "spawn",
    "synchronize",
    "util",
):
    try:
        importlib.import_module(f"multiprocessing.{_name}")
    except ImportError:  # not on this platform
        pass

PLUGIN = ("-p", "mpcontext.pytest_plugin")
# Inner runs without the plugins they do not need; hypothesis's would be
# imported again by every in-process run (pytester forgets it after each).
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
KNOWN = "Start methods: 'fork', 'spawn', 'forkserver'"
PROCESS_CLASSES = {
    "fork": "ForkProcess",
    "spawn": "SpawnProcess",
    "forkserver": "ForkServerProcess",
}

# A test file whose test starts a real process under the fixture's context
# and checks, in the parent, what the child reported.
CHILD_TEST = """
    import os
    import multiprocessing
    import mpcontext

    def report(queue):
        process = multiprocessing.current_process()
        queue.put((os.getpid(), type(process).__name__, multiprocessing.get_start_method()))

    def test_child(mp_context):
        assert mpcontext.current_context() is mp_context
        queue = mp_context.SimpleQueue()
        process = mp_context.Process(target=report, args=(queue,))
        process.start()
        pid, kind, method = queue.get()
        process.join()
        assert process.exitcode == 0
        assert pid == process.pid != os.getpid()
        assert kind == {classes!r}[mp_context.get_start_method()]
        print("child ran under", mp_context.get_start_method())
"""


def default_state() -> tuple[object, object]:
    default = multiprocessing.context._default_context
    return vars(default)["_default_context"], vars(default).get("_actual_context")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run pytest in this process with the plugin, and check it left no trace."""
    before = default_state()
    result = pytester.runpytest_inprocess(*PLUGIN, *QUIET, *args)
    assert default_state() == before
    return result


def platform_default() -> str:
    context = default_state()[0]
    assert isinstance(context, BaseContext)
    return start_methods.start_method_of(context)


def literal(text: str) -> str:
    """Return `text` as an fnmatch pattern matching itself (up to ``*`` and ``?``)."""
    return text.replace("[", "[[]")


@pytest.fixture
def without_a_method() -> Iterator[str]:
    """Make one start method unavailable to mpcontext, as on another platform."""
    methods = available_start_methods()
    missing = "fork" if "fork" in methods else methods[-1]
    saved = dict(start_methods._contexts)
    del start_methods._contexts[missing]
    yield missing
    start_methods._contexts.clear()
    start_methods._contexts.update(saved)


# --- The fixture -----------------------------------------------------------------


def test_fixture_runs_once_per_available_method_and_starts_a_process(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_child=CHILD_TEST.format(classes=PROCESS_CLASSES))
    result = run(pytester, "-v", "-s")
    methods = available_start_methods()
    result.assert_outcomes(passed=len(methods))
    result.stdout.fnmatch_lines(
        [f"test_child.py::test_child[[]{m}[]] *child ran under {m}*" for m in methods]
    )
    result.stdout.fnmatch_lines([f"mpcontext: start methods {', '.join(methods)};*guard on"])


def test_fixture_is_in_force_for_the_test_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import mpcontext

        @pytest.fixture
        def pool_method(mp_context):
            return mp_context.get_start_method()

        def test_in_force(mp_context):
            assert mpcontext.current_context() is mp_context
            assert mpcontext.explain_context() == (
                f"{mp_context.get_start_method()}: "
                "chosen by the mp_context fixture of mpcontext.pytest_plugin"
            )

        def test_through_a_fixture(pool_method):
            assert pool_method == mpcontext.current_context().get_start_method()

        def test_after():
            assert "mp_context fixture" not in mpcontext.explain_context()

        @pytest.mark.parametrize("mp_context", ["spawn"], indirect=True)
        def test_parametrized_by_hand(mp_context):
            assert mpcontext.current_context().get_start_method() == "spawn"

        @pytest.mark.parametrize("mp_context", [None], indirect=True, ids=["none"])
        def test_parametrized_with_none(mp_context):
            assert mpcontext.current_context() is mp_context
            assert "mp_context fixture" in mpcontext.explain_context()

        def test_getfixturevalue(request):
            request.getfixturevalue("mp_context")
        """
    )
    result = run(pytester, "-v")
    methods = available_start_methods()
    result.assert_outcomes(passed=2 * len(methods) + 3, failed=1)
    result.stdout.fnmatch_lines(
        [
            *(f"*::test_through_a_fixture[[]{method}[]] PASSED*" for method in methods),
            "*::test_after PASSED*",
            "*::test_parametrized_by_hand[[]spawn[]] PASSED*",
            "*::test_parametrized_with_none[[]none[]] PASSED*",
            "*::test_getfixturevalue FAILED*",
        ]
    )
    result.stdout.fnmatch_lines(["*mp_context fixture is parametrized when tests are collected*"])


# --- The marker ------------------------------------------------------------------


def test_marker_restricts_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.start_methods("forkserver")

        @pytest.mark.start_methods("spawn", "forkserver", "spawn")
        def test_two(mp_context):
            pass

        def test_module_wide(mp_context):
            assert mp_context.get_start_method() == "forkserver"
        """
    )
    result = run(pytester, "-v", "--strict-markers")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*::test_two[[]spawn[]] PASSED*",
            "*::test_two[[]forkserver[]] PASSED*",
            "*::test_module_wide[[]forkserver[]] PASSED*",
        ]
    )


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.start_methods(*methods):*", "@pytest.mark.allow_global_start_method:*"]
    )


def test_marker_method_unavailable_here_is_skipped(
    pytester: pytest.Pytester, without_a_method: str
) -> None:
    other = next(m for m in available_start_methods() if m != without_a_method)
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.start_methods({without_a_method!r}, {other!r})
        def test_x(mp_context):
            pass
        """
    )
    result = run(pytester, "-v", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            f"*::test_x[[]{without_a_method}[]] SKIPPED*",
            f"SKIPPED * start method {without_a_method!r} is not available on this "
            f"platform ({sys.platform}); available here: *",
        ]
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ('"spwan"', f"unknown start method 'spwan'; did you mean 'spawn'? {KNOWN}*"),
        ('"Fork"', "unknown start method 'Fork'; did you mean 'fork'?*"),
        ("", "expected one or more start methods, from 'fork', 'spawn', 'forkserver'"),
        ('["spawn"]', "expected start method names (str), got ['spawn'] (list)*"),
        ('methods="spawn"', "takes start method names as arguments, not keywords*"),
    ],
    ids=["typo", "case", "empty", "list", "keyword"],
)
def test_marker_with_a_bad_method_is_a_collection_error(
    pytester: pytest.Pytester, arguments: str, message: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.start_methods({arguments})
        def test_x():
            pass
        """
    )
    result = run(pytester)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting*",
            f"test_*.py::test_x: @pytest.mark.start_methods: {literal(message)}",
        ]
    )


# --- The options -----------------------------------------------------------------

SELECTION_TESTS = """
    import pytest

    def test_all(mp_context):
        pass

    @pytest.mark.start_methods("fork", "spawn")
    def test_marked(mp_context):
        pass

    @pytest.mark.start_methods("fork")
    def test_excluded(mp_context):
        pass

    def test_without_fixture():
        pass
"""


def test_option_restricts_every_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SELECTION_TESTS)
    result = run(pytester, "-v", "-rs", "--start-methods=forkserver, spawn")
    result.assert_outcomes(passed=4, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*::test_all[[]forkserver[]] PASSED*",
            "*::test_all[[]spawn[]] PASSED*",
            "*::test_marked[[]spawn[]] PASSED*",
            "*::test_excluded[[]fork[]] SKIPPED*",
            "*::test_without_fixture PASSED*",
            "SKIPPED * @pytest.mark.start_methods('fork') selects none of "
            "--start-methods=forkserver, spawn",
        ]
    )
    result.stdout.fnmatch_lines(["mpcontext: start methods forkserver, spawn;*"])


def test_ini_key_restricts_every_test_and_the_option_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SELECTION_TESTS)
    pytester.makeini("[pytest]\nmpcontext_start_methods = spawn\n")
    result = run(pytester, "-v", "-rs", "--strict-config")
    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*::test_all[[]spawn[]] PASSED*",
            "*selects none of mpcontext_start_methods = spawn (ini)",
        ]
    )
    result = run(pytester, "-v", "--start-methods=fork")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*::test_all[[]fork[]] PASSED*"])


def test_option_method_unavailable_here_is_skipped(
    pytester: pytest.Pytester, without_a_method: str
) -> None:
    pytester.makepyfile("def test_x(mp_context):\n    pass\n")
    result = run(pytester, "-v", "-rs", f"--start-methods={without_a_method},spawn")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [f"SKIPPED * start method {without_a_method!r} is not available on this platform*"]
    )


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (
            ["--start-methods=spawn,spwan"],
            "",
            f"--start-methods=spawn,spwan: unknown start method 'spwan'; did you mean "
            f"'spawn'? {KNOWN} (available here: *); contexts of other families are named "
            f"'multiprocess:spawn', 'billiard:fork'..., or 'loky'",
        ),
        (
            ["--start-methods="],
            "",
            "--start-methods=: expected one or more start methods separated by commas, "
            "from 'fork', 'spawn', 'forkserver'",
        ),
        (
            [],
            "mpcontext_start_methods = thread",
            f"mpcontext_start_methods = thread (ini): unknown start method 'thread'. {KNOWN}*",
        ),
        (
            ["--default-start-method=forksrv"],
            "",
            "--default-start-method=forksrv: unknown start method 'forksrv'; "
            "did you mean 'forkserver'?*",
        ),
        (
            [],
            "mpcontext_default_start_method = Spawn",
            "mpcontext_default_start_method = Spawn (ini): unknown start method 'Spawn'*",
        ),
    ],
    ids=["option", "empty", "ini", "default", "default-ini"],
)
def test_bad_option_is_a_usage_error(
    pytester: pytest.Pytester, args: list[str], ini: str, message: str
) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])


def test_default_method_unavailable_here_is_a_usage_error(
    pytester: pytest.Pytester, without_a_method: str
) -> None:
    result = run(pytester, f"--default-start-method={without_a_method}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"ERROR: --default-start-method={without_a_method}: start method "
            f"{without_a_method!r} is not available on this platform ({sys.platform});*"
        ]
    )


def test_options_are_documented(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--help")
    result.stdout.fnmatch_lines(
        [
            "mpcontext: start methods:",
            "*--start-methods=METHODS*",
            "*--default-start-method=METHOD*",
            "*mpcontext_start_methods (string):*",
            "*mpcontext_default_start_method (string):*",
            "*mpcontext_guard (bool):*",
        ]
    )


# --- The simulated platform default -----------------------------------------------

DEFAULT_TESTS = """
    import multiprocessing
    import sys
    import pytest
    import mpcontext

    def report(queue):
        queue.put(multiprocessing.get_start_method())

    def test_reads_as_the_default():
        assert multiprocessing.get_start_method(allow_none=True) is None
        assert mpcontext.current_context().get_start_method() == {method!r}
        assert mpcontext.explain_context() == (
            f"{method}: multiprocessing's default, the platform default here "
            f"({{sys.platform}})"
        )

    def test_children_see_it():
        queue = multiprocessing.SimpleQueue()
        process = multiprocessing.Process(target=report, args=(queue,))
        process.start()
        seen = queue.get()
        process.join()
        assert type(process._popen).__module__.startswith("multiprocessing.popen_{method}")
        assert seen == {method!r}

    def test_children_of_a_context_see_its_method(mp_context):
        # As in any CPython: a child's global start method is the one that started it.
        queue = mp_context.SimpleQueue()
        process = mp_context.Process(target=report, args=(queue,))
        process.start()
        seen = queue.get()
        process.join()
        assert seen == mp_context.get_start_method()

    @pytest.mark.allow_global_start_method
    def test_set_start_method_still_works():
        assert multiprocessing.get_start_method(allow_none=True) is None
        multiprocessing.set_start_method("spawn")
        assert mpcontext.current_context().get_start_method() == "spawn"
"""


OTHER_METHODS = [m for m in available_start_methods() if m != platform_default()]


@pytest.mark.parametrize("method", OTHER_METHODS)
@pytest.mark.parametrize("where", ["option", "ini"])
def test_default_start_method_simulates_the_platform_default(
    pytester: pytest.Pytester, where: str, method: str
) -> None:
    # fork too: how a library on Python 3.14 tests what 3.13's default does.
    pytester.makepyfile(DEFAULT_TESTS.format(method=method))
    if where == "ini":
        pytester.makeini(f"[pytest]\nmpcontext_default_start_method = {method}\n")
        args: tuple[str, ...] = ()
    else:
        args = (f"--default-start-method={method}",)
    result = run(pytester, "-v", *args)
    result.assert_outcomes(passed=3 + len(available_start_methods()))
    result.stdout.fnmatch_lines(
        [f"mpcontext: *default start method {method} (simulated by --default-start-method)*"]
    )


def test_without_the_option_the_real_default_is_used(pytester: pytest.Pytester) -> None:
    method = platform_default()
    if sys.platform == "linux":  # forkserver from Python 3.14, when a temporary file can be made
        assert method == ("forkserver" if sys.version_info >= (3, 14) else "fork")
    pytester.makepyfile(DEFAULT_TESTS.format(method=method))
    result = run(pytester, "-v")
    result.assert_outcomes(passed=3 + len(available_start_methods()))
    result.stdout.fnmatch_lines([f"mpcontext: *default start method {method} (platform default)*"])


@pytest.mark.allow_global_start_method  # the inner conftest sets it in this process
def test_default_start_method_warns_when_the_global_is_already_set(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest("import multiprocessing\nmultiprocessing.set_start_method('spawn')\n")
    pytester.makepyfile(
        """
        import multiprocessing

        def test_x():
            assert multiprocessing.get_start_method(allow_none=True) == "spawn"
        """
    )
    result = pytester.runpytest_inprocess(*PLUGIN, *QUIET, "--default-start-method=forkserver")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*PytestConfigWarning: --default-start-method=forkserver: multiprocessing's "
            "global start method was already set to 'spawn' before mpcontext's plugin was "
            "configured*the option has no effect*"
        ]
    )


# --- The guard -------------------------------------------------------------------


def test_guard_fails_tests_that_fix_the_global_start_method(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import multiprocessing
        import threading

        def test_set_start_method():
            multiprocessing.set_start_method("spawn")

        def test_get_context():
            from multiprocessing import get_context
            get_context()

        def test_get_start_method():
            multiprocessing.get_start_method()

        def test_in_a_thread():
            thread = threading.Thread(target=multiprocessing.get_context, name="worker")
            thread.start()
            thread.join()

        def test_restored_for_the_next_test():
            assert multiprocessing.get_start_method(allow_none=True) is None
        """
    )
    result = run(pytester, "-v")
    result.assert_outcomes(failed=4, passed=1)
    default = platform_default()
    result.stdout.fnmatch_lines(
        [
            "test_guard_fails_tests_that_fix_the_global_start_method.py::test_set_start_method "
            "fixed multiprocessing's global start method (None -> 'spawn'):",
            "  multiprocessing.set_start_method('spawn') at test_guard_*.py:5 "
            "in test_set_start_method()",
            "*mpcontext's guard restored it for the next test.",
            "To avoid it, give the code under test a context instead: "
            "multiprocessing.get_context('spawn'), mpcontext.using('spawn') or the "
            "mp_context fixture;*--default-start-method=spawn. If this test means to change "
            "the global start method, mark it @pytest.mark.allow_global_start_method.",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            f"*::test_get_context fixed multiprocessing's global start method "
            f"(None -> {default!r}):",
            "  multiprocessing.get_context() at test_*.py:9 in test_get_context()",
            "*",
            "To avoid it, ask for a context by name (multiprocessing.get_context('spawn')), "
            "take the one in force without fixing it (mpcontext.current_context()), or use "
            "the mp_context fixture.*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "  multiprocessing.get_start_method() at test_*.py:12 in test_get_start_method()",
            "*",
            "To avoid it, read the start method without fixing it: "
            "multiprocessing.get_start_method(allow_none=True)*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["  multiprocessing.get_context() at *threading.py:* in run() (thread 'worker')"]
    )
    result.stdout.fnmatch_lines(["*::test_restored_for_the_next_test PASSED*"])


def test_guard_names_library_code_and_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        mylib="""
        import multiprocessing

        def start_method():
            return multiprocessing.get_context().get_start_method()
        """,
        test_lib="""
        import multiprocessing
        import pytest
        import mylib

        @pytest.fixture
        def fixes_in_setup():
            multiprocessing.get_start_method()

        @pytest.fixture
        def fixes_in_teardown():
            yield
            multiprocessing.set_start_method("spawn", force=True)

        def test_library():
            mylib.start_method()

        def test_setup(fixes_in_setup):
            pass

        def test_teardown(fixes_in_teardown):
            pass

        def test_failing_anyway():
            multiprocessing.get_context()
            assert 1 == 2
        """,
    )
    result = run(pytester, "-v")
    result.assert_outcomes(failed=3, passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*::test_library fixed*",
            "  multiprocessing.get_context() at mylib.py:4 in start_method()",
        ]
    )
    result.stdout.fnmatch_lines(
        ["  multiprocessing.get_start_method() at test_lib.py:7 in fixes_in_setup()"]
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_teardown*",
            "  multiprocessing.set_start_method('spawn', force=True) at test_lib.py:12 "
            "in fixes_in_teardown()",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*assert 1 == 2",
            "*- mpcontext guard -*",
            "test_lib.py::test_failing_anyway fixed multiprocessing's global start method*",
        ]
    )


def test_guard_does_not_blame_the_standard_library(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import multiprocessing
        import sys
        import mpcontext

        def nothing():
            pass

        def test_start_from_explicit_context(mp_context):
            process = mp_context.Process(target=nothing)
            process.start()
            process.join()
            if mp_context.get_start_method() != "fork" and sys.version_info < (3, 14):
                # CPython's start fixed it (before 3.14), and that is not the test's fault.
                assert multiprocessing.get_start_method(allow_none=True) is not None

        def test_module_level_conveniences():
            multiprocessing.Lock()
            assert multiprocessing.get_start_method(allow_none=True) is not None

        def test_reading_without_fixing():
            assert multiprocessing.get_start_method(allow_none=True) is None
            mpcontext.current_context()
            mpcontext.explain_context()
            multiprocessing.get_context("spawn")

        def test_restored():
            assert multiprocessing.get_start_method(allow_none=True) is None
        """
    )
    result = run(pytester, "-v")
    result.assert_outcomes(passed=len(available_start_methods()) + 3)


def test_guard_can_be_told_a_test_means_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import multiprocessing
        import pytest

        @pytest.mark.allow_global_start_method
        def test_allowed():
            multiprocessing.set_start_method("spawn")

        def test_restored():
            assert multiprocessing.get_start_method(allow_none=True) is None
        """
    )
    result = run(pytester, "--strict-markers")
    result.assert_outcomes(passed=2)


def test_guard_can_be_turned_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import multiprocessing

        def test_fixes():
            multiprocessing.get_context()

        def test_not_restored():
            assert multiprocessing.get_start_method(allow_none=True) is not None
        """
    )
    pytester.makeini("[pytest]\nmpcontext_guard = false\n")
    result = run(pytester)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["mpcontext: *guard off (mpcontext_guard)"])


# --- --import-mode=importlib --------------------------------------------------------

IMPORTLIB_TEST = """
    import pytest

    def nothing():
        pass

    @pytest.mark.start_methods("spawn")
    def test_spawn(mp_context):
        process = mp_context.Process(target=nothing)
        process.start()
        process.join()
        assert process.exitcode == 0
"""


def test_importlib_mode_failure_says_why(pytester: pytest.Pytester) -> None:
    pytester.mkdir("checks")
    pytester.path.joinpath("checks", "test_targets.py").write_text(
        IMPORTLIB_TEST.replace("\n    ", "\n")
    )
    result = run(pytester, "--import-mode=importlib")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "ModuleNotFoundError: No module named 'checks*'",
            "*- mpcontext: --import-mode=importlib -*",
            "A child process could not import 'checks*', which this test "
            "process has imported. Under --import-mode=importlib*",
        ]
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)


# --- Without -p, and with pytest-xdist (fresh interpreters) --------------------------


def test_installed_but_not_enabled_changes_nothing(pytester: pytest.Pytester) -> None:
    distribution = metadata.distribution("mpcontext")
    assert not [e for e in distribution.entry_points if e.group == "pytest11"]
    pytester.makepyfile(
        test_fixture="def test_x(mp_context):\n    pass\n",
        test_marker="""
        import pytest

        @pytest.mark.start_methods("spawn")
        def test_x():
            pass
        """,
        test_global="""
        import multiprocessing
        import multiprocessing.context

        def test_set_start_method():
            multiprocessing.set_start_method("spawn")
            assert type(multiprocessing.context._default_context).__name__ == "DefaultContext"

        def test_not_restored():
            assert multiprocessing.get_start_method(allow_none=True) == "spawn"
        """,
    )
    result = pytester.runpytest_subprocess(
        *QUIET, "--strict-markers", "--continue-on-collection-errors", "-v"
    )
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(["*fixture 'mp_context' not found*"])
    result.stdout.fnmatch_lines(["*'start_methods' not found in `markers` configuration option*"])
    result.stdout.no_fnmatch_line("mpcontext:*")
    help_text = pytester.runpytest_inprocess(*QUIET, "--help")
    help_text.stdout.no_fnmatch_line("*start-method*")
    help_text.stdout.no_fnmatch_line("*mpcontext*")


def test_works_with_xdist(pytester: pytest.Pytester) -> None:
    method = next(m for m in ("forkserver", "spawn") if m != platform_default())
    pytester.makepyfile(
        test_child=CHILD_TEST.format(classes=PROCESS_CLASSES),
        test_default=DEFAULT_TESTS.format(method=method),
        test_guard="""
        import multiprocessing

        def test_fixes():
            multiprocessing.get_context()
        """,
    )
    result = pytester.runpytest_subprocess(
        *PLUGIN, *QUIET, "-n", "2", "-v", f"--default-start-method={method}"
    )
    methods = available_start_methods()
    result.assert_outcomes(passed=2 * len(methods) + 3, failed=1)
    for method in methods:
        result.stdout.fnmatch_lines([f"*PASSED test_child.py::test_child[[]{method}[]]*"])
    result.stdout.fnmatch_lines(["*test_guard.py::test_fixes fixed multiprocessing's global*"])


# --- Contexts of other families ------------------------------------------------------
# Run in fresh interpreters: an in-process run would forget these libraries'
# modules after it, and mpcontext keeps their contexts by name.

FAMILY_TEST = """
    import multiprocessing
    import os
    import sys
    import pytest
    import mpcontext

    # The library each test id names, as the root of its contexts' module.
    ROOTS = {"fork": "multiprocessing", "spawn": "multiprocessing",
             "forkserver": "multiprocessing", "multiprocess": "multiprocess",
             "billiard": "billiard", "loky": "loky"}

    def report(queue):
        queue.put(os.getpid())

    def test_child(mp_context, request):
        root = ROOTS[request.node.callspec.id.partition(":")[0]]
        assert type(mp_context).__module__.partition(".")[0] == root
        assert mpcontext.current_context() is mp_context
        assert mpcontext.explain_context() == (
            f"{request.node.callspec.id}: chosen by the mp_context fixture of "
            f"mpcontext.pytest_plugin"
        )
        queue = mp_context.SimpleQueue()
        process = mp_context.Process(target=report, args=(queue,))
        process.start()
        pid = queue.get()
        process.join()
        assert process.exitcode == 0
        assert pid == process.pid != os.getpid()
        assert type(process).__module__.partition(".")[0] == root
        if root != "multiprocessing":  # another library's start leaves the stdlib's alone
            assert multiprocessing.get_start_method(allow_none=True) is None
        print("child of", type(mp_context).__module__, "ran")
"""

GLOBALS_AFTER = """
    import multiprocessing
    import multiprocess

    def test_globals_restored():
        assert multiprocessing.get_start_method(allow_none=True) is None
        assert multiprocess.get_start_method(allow_none=True) is None
        multiprocess.set_start_method("spawn")  # raises once something fixed it
"""


def run_fresh(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run pytest with the plugin in a fresh interpreter."""
    return pytester.runpytest_subprocess(*PLUGIN, *QUIET, *args)


def test_option_runs_the_fixture_under_other_families(pytester: pytest.Pytester) -> None:
    pytest.importorskip("multiprocess")
    pytester.makepyfile(test_child=FAMILY_TEST, test_later=GLOBALS_AFTER)
    result = run_fresh(pytester, "-v", "-s", "--start-methods=multiprocess:spawn,spawn")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "mpcontext: start methods multiprocess:spawn, spawn;*guard on",
            "test_child.py::test_child[[]multiprocess:spawn[]] child of multiprocess.context ran",
            "PASSED",
            "test_child.py::test_child[[]spawn[]] child of multiprocessing.context ran",
            "PASSED",
            # multiprocess fixed its own global start method as it started its spawn
            # child: the guard put it back, blaming no one.
            "test_later.py::test_globals_restored PASSED",
        ]
    )


def test_a_multiprocess_start_fixes_its_global_start_method(pytester: pytest.Pytester) -> None:
    # What the guard restores: without it, the next test finds multiprocess's fixed.
    pytest.importorskip("multiprocess")
    pytester.makepyfile(test_child=FAMILY_TEST, test_later=GLOBALS_AFTER)
    pytester.makeini("[pytest]\nmpcontext_guard = false\n")
    result = run_fresh(pytester, "-v", "--start-methods=multiprocess:spawn")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [">       assert multiprocess.get_start_method(allow_none=True) is None", "E  *"]
    )


def test_marker_takes_other_families(pytester: pytest.Pytester) -> None:
    pytest.importorskip("billiard")
    pytest.importorskip("loky")
    pytester.makepyfile(
        FAMILY_TEST.replace(
            "def test_child(", '@pytest.mark.start_methods("spawn", "billiard:fork", "loky")\n'
            "    def test_child("
        )
    )
    result = run_fresh(pytester, "-v", "--strict-markers")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*::test_child[[]spawn[]] PASSED*",
            "*::test_child[[]billiard:fork[]] PASSED*",
            "*::test_child[[]loky[]] PASSED*",
        ]
    )


def test_family_not_installed_is_skipped_with_how_to_install(pytester: pytest.Pytester) -> None:
    # None in sys.modules makes "import billiard" fail, as when it is not installed.
    pytester.makeconftest("import sys\nsys.modules['billiard'] = None\n")
    pytester.makepyfile(
        """
        import pytest

        def test_option(mp_context):
            pass

        @pytest.mark.start_methods("billiard:fork", "spawn")
        def test_marker(mp_context):
            pass
        """
    )
    result = run_fresh(pytester, "-v", "-rs", "--start-methods=billiard:spawn,billiard:fork,spawn")
    result.assert_outcomes(passed=2, skipped=3)
    install = "Install it: pip install billiard (or mpcontext[billiard])."
    result.stdout.fnmatch_lines(
        [
            "*::test_option[[]billiard:spawn[]] SKIPPED*",
            "*::test_option[[]billiard:fork[]] SKIPPED*",
            "*::test_option[[]spawn[]] PASSED*",
            "*::test_marker[[]billiard:fork[]] SKIPPED*",
            "*::test_marker[[]spawn[]] PASSED*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            f"SKIPPED * 'billiard:spawn' names a context of billiard, which cannot be imported "
            f"here (*). {literal(install)} Start methods available here: *",
        ]
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "multiprocess:spwan",
            "unknown start method 'spwan' of multiprocess in 'multiprocess:spwan'; did you mean "
            "'multiprocess:spawn'? Its start methods: 'multiprocess:fork', 'multiprocess:spawn', "
            "'multiprocess:forkserver' (those the platform supports).",
        ),
        (
            "dask:spawn",
            "unknown multiprocessing family 'dask' in 'dask:spawn'. A context of another family "
            "is named FAMILY:METHOD with FAMILY one of 'multiprocessing', 'multiprocess', "
            "'billiard' ('multiprocess:spawn'), or 'loky' or 'loky_init_main' for loky's. "
            "Start methods available here: *",
        ),
        (
            "Billiard:fork",
            "unknown multiprocessing family 'Billiard' in 'Billiard:fork'; did you mean "
            "'billiard'?*",
        ),
        ("loky:spawn", "unknown context name 'loky:spawn'*without a family prefix.*"),
        ("lokky", "unknown start method 'lokky'; did you mean 'loky'? Start methods:*"),
    ],
    ids=["method", "family", "case", "loky-method", "loky"],
)
def test_bad_family_name_is_a_usage_error(
    pytester: pytest.Pytester, value: str, message: str
) -> None:
    result = run(pytester, f"--start-methods=spawn,{value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --start-methods=spawn,{value}: {literal(message)}"])
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.start_methods("spawn", {value!r})
        def test_x(mp_context):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*@pytest.mark.start_methods: {literal(message)}"])


def test_default_start_method_takes_no_family(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--default-start-method=multiprocess:spawn")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: --default-start-method=multiprocess:spawn: 'multiprocess:spawn' is a context "
            "of multiprocess; the option takes a start method of the standard library's "
            "multiprocessing ('fork', 'spawn', 'forkserver'), whose default it simulates: the "
            "one that mp_context=None resolves to. To run tests under 'multiprocess:spawn', use "
            "--start-methods=multiprocess:spawn or "
            "@pytest.mark.start_methods('multiprocess:spawn')."
        ]
    )
    result = run(pytester, "--default-start-method=dask:spawn")
    result.stderr.fnmatch_lines(["ERROR: *unknown multiprocessing family 'dask'*"])
    # The stdlib's own family prefix names a stdlib method.
    method = OTHER_METHODS[0] if OTHER_METHODS else platform_default()
    pytester.makepyfile("def test_x():\n    pass\n")
    result = run(pytester, f"--default-start-method=multiprocessing:{method}")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [f"mpcontext: *default start method {method} (simulated by --default-start-method)*"]
    )
