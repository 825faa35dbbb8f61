"""Run a library's tests under every start method: mpcontext's pytest plugin.

The plugin is opt-in: installing mpcontext changes nothing in a pytest run
(there is no ``pytest11`` entry point, since libraries ship mpcontext to
their users). Enable it on the command line::

    pytest -p mpcontext.pytest_plugin

or in the ``conftest.py`` at the root of your tests::

    pytest_plugins = ["mpcontext.pytest_plugin"]

It needs pytest 7.4 or newer, and works with pytest-xdist: each worker
loads it (``-p`` and ``pytest_plugins`` reach the workers) and
parametrizes, simulates the default and guards in its own process.

The ``mp_context`` fixture
--------------------------
A test that asks for ``mp_context`` runs once per start method available
on this platform, with the method as its id (``test_pool[fork]``,
``test_pool[spawn]``, ``test_pool[forkserver]`` on Linux). The value is a
``multiprocessing.context.BaseContext``, and it is the context in force
for the test, as inside ``mpcontext.using()``: code that resolves
``mp_context=None`` (``mpcontext.current_context()``, functions decorated
with ``accepts_context``, the factories) uses it. The previous context is
restored after the test. Tests that do not ask for it, directly or through
another fixture, are not parametrized.

``@pytest.mark.start_methods("spawn", "forkserver")`` restricts the fixture
for one test (or, through ``pytestmark``, a class or module; the closest
marker wins). A method this platform lacks (``fork`` on Windows) gives a
skipped test whose reason names the platform; a name that is no start
method at all is a collection error. The marker is registered, so
``--strict-markers`` accepts it. To choose the values yourself, parametrize
``mp_context`` indirectly (``@pytest.mark.parametrize("mp_context",
["spawn"], indirect=True)``; ``None`` stands for the context in force); the
plugin then leaves that test alone.

The marker and ``--start-methods`` (below) also take the contexts of the
libraries that stand in for multiprocessing, by the names
``mpcontext.using()`` takes: ``"multiprocess:spawn"``, ``"billiard:fork"``,
``"loky"``. The test id is the name given (``test_pool[multiprocess:spawn]``)
and the value that library's context (typed ``BaseContext``, as everywhere
in mpcontext). When the library is not installed, the tests under its
contexts are skipped, the reason saying how to install it; a misspelt name
(``"multiprocess:spwan"``, ``"dask:spawn"``) is an error. Without either,
the fixture runs under the standard library's start methods only.

Options
-------
``--start-methods=spawn,forkserver`` (ini: ``mpcontext_start_methods``,
names separated by commas or spaces) restricts the fixture in every test;
the command line wins over the ini file. A name that is no start method is
a usage error listing the valid ones; a method unavailable here gives
skipped tests with the reason. A marked test runs the methods that both
select; when they select none, its methods are reported as skipped.

``--default-start-method=forkserver`` (ini:
``mpcontext_default_start_method``) runs the whole session as if that were
the platform's default start method of the standard library's
multiprocessing (the other families' defaults are left alone, and their
names refused), so that a library can test what another Python's default
does to its ``mp_context=None`` paths: Python 3.14's ``forkserver`` on an
older Python, or the ``fork`` of 3.13 and before on 3.14 and newer.
Without the option, the session runs under the real default
(``forkserver`` on Linux from Python 3.14).
The plugin swaps multiprocessing's default context for the session and
restores it at the end, without fixing the global start method:
``multiprocessing.get_start_method(allow_none=True)`` stays ``None`` and
``multiprocessing.set_start_method()`` still works, as on a platform whose
default it is. Children see what they would see there: CPython fixes the
global start method inside every child, to the method of the context that
started it, and for a plain ``multiprocessing.Process`` (started by the
default) to its parent's default, which a ``fork`` child inherits and a
``spawn`` or ``forkserver`` child receives in spawn's preparation data. So
under ``--default-start-method=forkserver``, ``multiprocessing.Process``
and ``multiprocessing.Pool()`` start their children with ``forkserver``,
and ``multiprocessing.get_start_method()`` answers ``'forkserver'`` inside
them. A method unavailable here is a usage error. When something fixed the
global start method before the plugin was configured (a
``set_start_method()`` call in a ``conftest.py``, for instance), that
choice still wins, and the plugin warns that the option has no effect.

The guard
---------
A test that changes or fixes multiprocessing's global start method by
calling its global functions, ``multiprocessing.set_start_method()``, or
``multiprocessing.get_context()`` / ``multiprocessing.get_start_method()``
without an argument (both fix it), fails with a message naming the test,
the call and where it was made, and how to avoid it. That covers calls made
by the code under test and by the test's function-scoped fixtures (a call
in a fixture's teardown is an error at teardown). After every test the
global start method is restored to what it was when the tests began, so one
test never changes what the next one runs under.

What is not blamed: calls made inside the standard library on a test's
behalf. CPython fixes the global start method when it starts a ``spawn`` or
``forkserver`` process, even from an explicit context; and the module-level
conveniences (``multiprocessing.Queue()``, ``multiprocessing.Pool()``,
``multiprocessing.Process(...).start()``) and
``concurrent.futures.ProcessPoolExecutor()`` without ``mp_context`` fix it
through their own ``get_context()``. Those are restored after the test
without failing it. So are the global start methods of ``multiprocess`` and
``billiard``: starting one of their ``spawn`` or ``forkserver`` children
fixes theirs, to their platform default, on every Python version (their
copy of spawn's preparation asks ``get_start_method()``), and their
``set_start_method()`` would then raise in later tests. Their own global
functions are not watched, and starting their processes never touches the
standard library's. Reading the start method without fixing it,
``multiprocessing.get_start_method(allow_none=True)`` or
``mpcontext.current_context()``, is never blamed.

A test that means to change the global start method is marked
``@pytest.mark.allow_global_start_method``; it is still restored afterwards.
``mpcontext_guard = false`` in the ini file turns the guard off: nothing is
blamed or restored. A fixture wider than a function cannot set the global
start method for several tests, since the guard restores it after each: use
``--default-start-method``, or pass contexts explicitly.

``--import-mode=importlib``
---------------------------
A ``spawn`` or ``forkserver`` child finds the function it runs by importing
its module by name. Under ``--import-mode=importlib`` pytest imports test
modules without putting their directory on ``sys.path``, so a child usually
cannot import a target defined in a test module, and dies with
``ModuleNotFoundError`` (or ``AttributeError``, when it finds another
module of that name). ``fork`` children are not affected. Define such
targets in a module the children can import (your package, or a helper
module in a directory listed in the ``pythonpath`` ini option), or keep the
default import mode. When a test fails under importlib mode and its
captured output shows a child that could not import a module the test
process has imported, the plugin adds a section to the failure report
saying so. (With ``-s`` the output is not captured, and there is nothing
to inspect.)
"""

from __future__ import annotations

import re
import sys
from multiprocessing.context import BaseContext

import pytest

from ._core.errors import InvalidContextError
from ._core.messages import describe_value, did_you_mean, short_repr
from ._core.mp_default import (
    SavedDefault,
    actual_context,
    restore_platform_default,
    set_actual_context,
    simulate_platform_default,
)
from ._core.resolve import current_context, multiprocessing_default
from ._core.scope import SCOPE
from ._core.start_methods import (
    ALL_START_METHODS,
    available_start_methods,
    available_text,
    context_for_name,
    context_from_value,
    start_method_of,
    unavailable_text,
)
from ._families.catalog import FAMILIES, LOKY, LOKY_NAMES, STDLIB, parse_name
from ._testing.blame import ALLOW_MARKER, DEFAULT_OPTION, FIXTURE, blame_message
from ._testing.family_globals import FamilyGlobals
from ._testing.global_watch import Change, unwatch, watch
from ._testing.importlib_hint import importlib_hint

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Generator, Sequence

__all__ = [
    "mp_context",
    "pytest_addoption",
    "pytest_configure",
    "pytest_generate_tests",
    "pytest_report_header",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "pytest_runtest_setup",
    "pytest_runtest_teardown",
    "pytest_runtestloop",
    "pytest_unconfigure",
]

_MARKER = "start_methods"
_OPTION = "--start-methods"
_INI = "mpcontext_start_methods"
_DEFAULT_INI = "mpcontext_default_start_method"
_GUARD_INI = "mpcontext_guard"
_ORIGIN = "chosen by the mp_context fixture of mpcontext.pytest_plugin"


# --- Options -----------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--start-methods``, ``--default-start-method`` and their ini keys."""
    group = parser.getgroup("mpcontext", "mpcontext: start methods")
    group.addoption(
        _OPTION,
        dest="mpcontext_start_methods",
        metavar="METHODS",
        default=None,
        help="run tests using the mp_context fixture only under these start "
        "methods or contexts (comma-separated, e.g. spawn,forkserver or "
        "spawn,multiprocess:spawn,loky). "
        f"Default: every start method available here; ini: {_INI}.",
    )
    group.addoption(
        DEFAULT_OPTION,
        dest="mpcontext_default_start_method",
        metavar="METHOD",
        default=None,
        help="run the session as if METHOD were this platform's default start "
        f"method of multiprocessing (e.g. forkserver, Linux's default from Python 3.14, or "
        f"fork, its default before). ini: {_DEFAULT_INI}.",
    )
    parser.addini(
        _INI, f"start methods or contexts for the mp_context fixture, as {_OPTION}.", default=""
    )
    parser.addini(
        _DEFAULT_INI, f"the simulated default start method, as {DEFAULT_OPTION}.", default=""
    )
    parser.addini(
        _GUARD_INI,
        "fail tests that change or fix multiprocessing's global start method "
        "(default: true).",
        type="bool",
        default=True,
    )


class _Settings:
    """The plugin's configuration for one pytest run, checked."""

    __slots__ = ("default_method", "guard", "source", "start_methods")

    def __init__(self, config: pytest.Config) -> None:
        self.start_methods: tuple[str, ...] | None = None
        self.source = ""
        option = config.getoption("mpcontext_start_methods")
        ini = str(config.getini(_INI))
        if option is not None:
            self.source = f"{_OPTION}={option}"
            self.start_methods = _parse_methods(str(option), self.source)
        elif ini.strip():
            self.source = f"{_INI} = {ini.strip()} (ini)"
            self.start_methods = _parse_methods(ini, self.source)
        self.default_method = _default_method(config)
        self.guard = bool(config.getini(_GUARD_INI))


def _parse_methods(text: str, source: str) -> tuple[str, ...]:
    names = [name for name in re.split(r"[\s,]+", text) if name]
    if not names:
        raise pytest.UsageError(
            f"{source}: expected one or more start methods separated by commas, "
            f"from {_known_text()}"
        )
    for name in names:
        _require_known(name, f"{source}: ")
    return tuple(dict.fromkeys(names))


def _default_method(config: pytest.Config) -> str | None:
    option = config.getoption("mpcontext_default_start_method")
    ini = str(config.getini(_DEFAULT_INI)).strip()
    if option is not None:
        name, source = str(option), f"{DEFAULT_OPTION}={option}"
    elif ini:
        name, source = ini, f"{_DEFAULT_INI} = {ini} (ini)"
    else:
        return None
    name = _stdlib_method(name, source)
    if name not in available_start_methods():
        raise pytest.UsageError(
            f"{source}: {unavailable_text(name)}. Leave the option out on this platform."
        )
    return name


def _stdlib_method(name: str, source: str) -> str:
    """Return the stdlib start method `name` names, for ``--default-start-method``.

    The option swaps multiprocessing's default context, which is what
    ``mp_context=None`` resolves to; the other families' defaults are theirs.
    """
    _require_known(name, f"{source}: ")
    parts = parse_name(name)
    if parts is None:
        return name
    family_name, method = parts
    if FAMILIES[family_name] is STDLIB:  # "multiprocessing:spawn"
        return method
    raise pytest.UsageError(
        f"{source}: {short_repr(name)} is a context of {family_name}; the option takes a start "
        f"method of the standard library's multiprocessing ({_known_text()}), whose default "
        f"it simulates: the one that mp_context=None resolves to. To run tests under "
        f"{short_repr(name)}, use {_OPTION}={name} or "
        f"@pytest.mark.{_MARKER}({short_repr(name)})."
    )


def _require_known(name: str, prefix: str) -> None:
    message = _unknown_message(name)
    if message is not None:
        raise pytest.UsageError(prefix + message)


def _unknown_message(name: str) -> str | None:
    """Say why `name` names no context; ``None`` when it names one, here or elsewhere.

    A family that is not installed, or a method this platform lacks, is not
    told here: the tests under it are skipped, with the reason.
    """
    if name in ALL_START_METHODS or name in LOKY_NAMES:
        return None
    parts = parse_name(name)
    if parts is None:
        what = "empty start method name" if not name else "unknown start method"
        hint = did_you_mean(name, (*ALL_START_METHODS, *LOKY_NAMES)) or "."
        return (
            f"{what} {short_repr(name)}{hint} Start methods: {_known_text()} "
            f"(available here: {available_text()}); contexts of other families are named "
            f"'multiprocess:spawn', 'billiard:fork'..., or 'loky'"
        )
    family_name, method = parts
    family = FAMILIES.get(family_name)
    if family is None or family is LOKY:  # "dask:spawn", "loky:spawn"
        try:
            context_for_name(name)  # refuses these before importing anything
        except InvalidContextError as error:
            return str(error)
        return None
    if method in ALL_START_METHODS:
        return None
    labels = [f"{family.name}:{m}" for m in ALL_START_METHODS]
    what = f"unknown start method {short_repr(method)}" if method else "empty start method"
    return (
        f"{what} of {family.name} in {short_repr(name)}{did_you_mean(name, labels) or '.'} "
        f"Its start methods: {', '.join(map(repr, labels))} (those the platform supports)."
    )


def _known_text() -> str:
    return ", ".join(map(repr, ALL_START_METHODS))


_SETTINGS = pytest.StashKey[_Settings]()


def pytest_configure(config: pytest.Config) -> None:
    """Check the options, register the markers, swap the default, start the guard."""
    settings = _Settings(config)
    config.stash[_SETTINGS] = settings
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(*methods): run this test's mp_context fixture only under these "
        "start methods (those unavailable here are skipped).",
    )
    config.addinivalue_line(
        "markers",
        f"{ALLOW_MARKER}: this test may change or fix multiprocessing's global start "
        "method; mpcontext's guard restores it afterwards instead of failing the test.",
    )
    guard = _Guard(settings.guard)
    config.stash[_GUARD] = guard
    watch(guard.record)
    if settings.default_method is not None:
        guard.simulated = _simulate_default(config, settings.default_method)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Restore multiprocessing's default context and stop the guard."""
    guard = config.stash.get(_GUARD, None)
    if guard is not None:
        guard.restore_entry()
        unwatch(guard.record)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say which start methods the session uses, for CI logs."""
    settings = config.stash[_SETTINGS]
    methods = settings.start_methods or available_start_methods()
    guard = "on" if settings.guard else f"off ({_GUARD_INI})"
    return [
        f"mpcontext: start methods {', '.join(methods)}; default start method "
        f"{_describe_default(settings)}; guard {guard}"
    ]


# --- Parametrization: the fixture, the marker ---------------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``mp_context`` over the start methods selected for the test."""
    marker = metafunc.definition.get_closest_marker(_MARKER)
    marked = None if marker is None else _marker_methods(marker, metafunc.definition.nodeid)
    if FIXTURE not in metafunc.fixturenames or _parametrized_by_user(metafunc):
        return
    settings = metafunc.config.stash[_SETTINGS]
    params = _params(marked, settings.start_methods, settings.source)
    metafunc.parametrize(FIXTURE, params, indirect=True)


def _marker_methods(marker: pytest.Mark, nodeid: str) -> tuple[str, ...]:
    prefix = f"{nodeid}: @pytest.mark.{_MARKER}: "
    if marker.kwargs:
        pytest.fail(
            f"{prefix}takes start method names as arguments, not keywords "
            f"(got {', '.join(marker.kwargs)}=...); for example "
            f"@pytest.mark.{_MARKER}('spawn', 'forkserver')",
            pytrace=False,
        )
    if not marker.args:
        pytest.fail(
            f"{prefix}expected one or more start methods, from {_known_text()}", pytrace=False
        )
    for name in marker.args:
        if not isinstance(name, str):
            pytest.fail(
                f"{prefix}expected start method names (str), got {describe_value(name)}; "
                f"for example "
                f"@pytest.mark.{_MARKER}('spawn', 'forkserver')",
                pytrace=False,
            )
        message = _unknown_message(name)
        if message is not None:
            pytest.fail(prefix + message, pytrace=False)
    return tuple(dict.fromkeys(marker.args))


def _parametrized_by_user(metafunc: pytest.Metafunc) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        argnames = marker.args[0] if marker.args else marker.kwargs.get("argnames", ())
        if isinstance(argnames, str):
            argnames = [name.strip() for name in argnames.split(",")]
        if FIXTURE in argnames:
            return True
    return False


def _params(
    marked: Sequence[str] | None, selected: Sequence[str] | None, source: str
) -> list[object]:
    if marked is None:
        methods: Sequence[str] = available_start_methods() if selected is None else selected
    else:
        methods = [name for name in marked if selected is None or name in selected]
        if not methods:
            listed = ", ".join(map(repr, marked))
            reason = f"@pytest.mark.{_MARKER}({listed}) selects none of {source}"
            return [_param(name, reason) for name in marked]
    return [_param(name) for name in methods]


def _param(name: str, reason: str | None = None) -> object:
    if reason is None:
        reason = _unavailable(name)
    if reason is None:
        return pytest.param(name, id=name)
    return pytest.param(name, id=name, marks=pytest.mark.skip(reason=reason))


def _unavailable(name: str) -> str | None:
    """Say why the context `name` (a known name) cannot be had here; ``None`` when it can."""
    if name in ALL_START_METHODS:
        return None if name in available_start_methods() else unavailable_text(name)
    try:
        context_for_name(name)  # imports the family named
    except InvalidContextError as error:
        parts = parse_name(name)
        family = None if parts is None else FAMILIES.get(parts[0])
        if family is not None and sys.modules.get(family.module) is not None:
            # Installed, so it lacks the method on this platform.
            return f"{short_repr(name)} is not available on this platform ({sys.platform}): {error}"
        return str(error)
    return None


@pytest.fixture
def mp_context(request: pytest.FixtureRequest) -> Generator[BaseContext, None, None]:
    """A multiprocessing context, one per start method, in force for the test.

    Tests asking for it run once per start method available here (or those
    selected by ``@pytest.mark.start_methods`` and ``--start-methods``,
    which may name other families' contexts: ``"multiprocess:spawn"``),
    with the name as the test id. The context is also the one in force,
    as inside ``mpcontext.using()``, until the test ends.
    """
    if not hasattr(request, "param"):
        pytest.fail(
            f"the {FIXTURE} fixture is parametrized when tests are collected: request it "
            f"as an argument of the test or of a fixture, not with getfixturevalue()",
            pytrace=False,
        )
    param: object = request.param
    if param is None:  # parametrized by hand with None: the context in force
        context = current_context()
    else:
        context = context_from_value(param, f"the {FIXTURE} fixture")
    token = SCOPE.set(SCOPE.get().with_context(context, True, _ORIGIN))
    try:
        yield context
    finally:
        SCOPE.reset(token)


# --- The simulated platform default -------------------------------------------


def _simulate_default(config: pytest.Config, method: str) -> SavedDefault:
    actual = actual_context()
    if actual is not None:
        config.issue_config_time_warning(
            pytest.PytestConfigWarning(
                f"{DEFAULT_OPTION}={method}: multiprocessing's global start method "
                f"was already set to {start_method_of(actual)!r} before mpcontext's plugin "
                f"was configured (by set_start_method(), or an argument-less get_context() "
                f"or get_start_method()), and it wins over any default: the option has "
                f"no effect. Remove that call, or remove the option."
            ),
            stacklevel=2,
        )
    return simulate_platform_default(context_from_value(method))


def _describe_default(settings: _Settings) -> str:
    if settings.default_method is not None:
        return f"{settings.default_method} (simulated by {DEFAULT_OPTION})"
    context, was_set, _ = multiprocessing_default()
    how = "set with multiprocessing.set_start_method" if was_set else "platform default"
    return f"{start_method_of(context)} ({how})"


# --- The guard ----------------------------------------------------------------


class _Guard:
    """One pytest run's guard: the test running, its changes, what to restore."""

    __slots__ = (
        "allowed",
        "baseline",
        "changes",
        "enabled",
        "entry",
        "families_baseline",
        "families_entry",
        "item",
        "simulated",
    )

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.entry = actual_context()
        self.baseline = self.entry
        # multiprocess's and billiard's, which their spawn and forkserver starts fix.
        self.families_entry = FamilyGlobals()
        self.families_baseline = self.families_entry
        self.simulated: SavedDefault | None = None
        self.item: pytest.Item | None = None
        self.allowed = False
        self.changes: list[Change] = []

    def record(self, change: Change) -> None:
        """Blame `change` on the test running, if any (the ``watch`` listener)."""
        if self.enabled and self.item is not None and not self.allowed:
            self.changes.append(change)

    def begin(self, item: pytest.Item) -> None:
        self.item = item
        self.allowed = item.get_closest_marker(ALLOW_MARKER) is not None
        self.changes = []

    def take(self) -> list[Change]:
        changes, self.changes = self.changes, []
        return changes

    def end(self) -> None:
        self.item = None
        if self.enabled:
            set_actual_context(self.baseline)
            self.families_baseline.restore()

    def restore_entry(self) -> None:
        if self.simulated is not None:
            restore_platform_default(self.simulated)
            self.simulated = None
        set_actual_context(self.entry)
        self.families_entry.restore()


_GUARD = pytest.StashKey[_Guard]()
_GUARD_SECTION = pytest.StashKey[str]()


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    """Take the global start method as the tests begin as the one to restore."""
    guard = session.config.stash[_GUARD]
    guard.baseline = actual_context()
    guard.families_baseline = FamilyGlobals()
    return (yield)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, object, object]:
    """Start watching for the test (its fixtures included)."""
    item.config.stash[_GUARD].begin(item)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Fail a test that changed the global start method in its setup or body."""
    guard = item.config.stash[_GUARD]
    try:
        result = yield
    except BaseException:
        _note(item, guard.take())
        raise
    _fail(item, guard.take())
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    """Restore the global start method; blame a change made in teardown."""
    guard = item.config.stash[_GUARD]
    try:
        result = yield
    except BaseException:
        _note(item, guard.take())
        raise
    finally:
        guard.end()
    _fail(item, guard.take())
    return result


def _note(item: pytest.Item, changes: Sequence[Change]) -> None:
    if changes:
        item.stash[_GUARD_SECTION] = blame_message(item.nodeid, item.config.rootpath, changes)


def _fail(item: pytest.Item, changes: Sequence[Change]) -> None:
    if changes:
        pytest.fail(blame_message(item.nodeid, item.config.rootpath, changes), pytrace=False)


# --- Reports ------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Add the guard's note and the ``--import-mode=importlib`` hint to a failure."""
    report = yield
    note = item.stash.get(_GUARD_SECTION, None)
    if note is not None:
        del item.stash[_GUARD_SECTION]
        report.sections.append(("mpcontext guard", note))
    if report.failed and item.config.getoption("importmode") == "importlib":
        hint = importlib_hint(report.capstderr + report.capstdout + report.longreprtext)
        if hint is not None:
            report.sections.append(("mpcontext: --import-mode=importlib", hint))
    return report
