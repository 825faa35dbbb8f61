"""``python -m mpcontext demo``: a tour of mpcontext on this machine.

The tour runs the functions of ``mpcontext._demo_lib``, a small library
written with mpcontext, under every start method available here, and shows
what each part of mpcontext does for it: the context in force and why, the
caller's choice (an argument or ``using``), the generated docstring note, a
requirement, the registry report, the pre-flight check and the fan-out
that the application sends to a local pool or, if installed, to loky.
It changes nothing global and leaves no process behind.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

from . import _demo_lib as lib
from ._core.errors import MPContextError, PreflightError
from ._core.mp_default import default_context
from ._core.resolve import explain_context
from ._core.scope import using
from ._core.start_methods import available_start_methods, start_method_of
from ._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from ._demo_lib import Facts

__all__ = ["run_demo"]

_INDENT = "    "


def run_demo() -> int:
    """Print the tour; return the exit status."""
    before = multiprocessing.get_start_method(allow_none=True)
    print(f"mpcontext {__version__} on Python {sys.version.split()[0]} ({sys.platform})")
    for section in _SECTIONS:
        section()
    _heading("9. Nothing changed behind your back")
    unchanged = multiprocessing.get_start_method(allow_none=True) == before
    state = "unset" if before is None else "as it was"
    _say(f"multiprocessing's global start method: {state if unchanged else 'CHANGED'}")
    left = multiprocessing.active_children()
    _say(f"processes still running: {', '.join(map(str, left)) if left else 'none'}")
    return 0 if unchanged and not left else 1


def _heading(title: str) -> None:
    print()
    print(title)
    print("-" * len(title))


def _say(text: str = "") -> None:
    print(f"{_INDENT}{text}".rstrip())


def _attempt(call: Callable[[], str]) -> str:
    """Return what `call` returns, or the mpcontext error it raises, as text."""
    try:
        return call()
    except MPContextError as error:
        return f"{type(error).__name__}: {error}"


def started_by(facts: Facts) -> str:
    """Say how the process that reported `facts` was started, from its command line."""
    pid, ppid, argv = facts
    line = " ".join(argv)
    if "multiprocessing.forkserver" in line:
        how = f"forkserver (forked by the fork server, pid {ppid})"
    elif "--multiprocessing-fork" in argv:
        how = "spawn (a fresh interpreter running spawn_main)"
    elif ppid == os.getpid() and argv == tuple(sys.orig_argv):
        # Before loky: a forked worker has this process's command line, which
        # may name loky (pytest tests/test_executors_loky.py).
        how = "fork (a copy of this process, with its command line)"
    elif "loky" in line:
        how = "loky (a fresh interpreter started by loky)"
    else:
        how = f"unknown (command line {line!r})"
    return f"worker {pid} says: {how}"


def _worker(call: Callable[[], tuple[str, Facts]]) -> str:
    def run() -> str:
        in_force, facts = call()
        return f"{started_by(facts)}\n{_INDENT}  in force in the call: {in_force}"

    return _attempt(run)


# -- the sections -------------------------------------------------------------------------


def _start_methods() -> None:
    _heading("1. The start methods here, and the one in force")
    _say(f"available: {', '.join(available_start_methods())}")
    _say(f"platform default: {start_method_of(default_context())}")
    _say(f"in force: {_attempt(explain_context)}")
    _say("(explain_context() says which context is in force and why.)")


def _every_method() -> None:
    _heading("2. One library function, under every start method")
    _say("mpcontext._demo_lib.start_worker() takes its caller's context:")
    print()
    _say("@mpcontext.accepts_context")
    _say("def start_worker(*, mp_context: ContextParam = None):")
    _say("    with mpcontext.ProcessPoolExecutor(1, mp_context=mp_context) as pool:")
    _say("        return mpcontext.explain_context(), pool.submit(where_am_i).result()")
    print()
    for method in available_start_methods():
        _say(f"start_worker(mp_context={method!r}):")
        _say(f"  {_worker(lambda: lib.start_worker(mp_context=method))}")


def _using() -> None:
    _heading("3. using(): the application chooses, for every library at once")
    for method in available_start_methods():
        with using(method):
            _say(f"with using({method!r}): start_worker()")
            _say(f"  {_worker(lib.start_worker)}")
    _say("outside any block: start_worker()")
    _say(f"  {_worker(lib.start_worker)}")


def _note() -> None:
    _heading("4. The note accepts_context writes in the docstring")
    _say("help(mpcontext._demo_lib.fresh_worker) shows:")
    print()
    doc = lib.fresh_worker.__doc__
    if not doc:
        _say("(no docstring: python -OO drops them, and the note with them)")
        return
    import inspect  # a tool: the cost of import does not matter here

    for line in inspect.cleandoc(doc).splitlines():
        _say(line)


def _requirement() -> None:
    _heading("5. A requirement: refused when chosen, a fallback when not")
    _say('fresh_worker() declares requires=("spawn", "forkserver").')
    refused = [m for m in available_start_methods() if m not in ("spawn", "forkserver")]
    for method in refused:
        _say(f"fresh_worker(mp_context={method!r}):")
        _say(f"  {_worker(lambda: lib.fresh_worker(mp_context=method))}")
    if not refused:
        _say("every start method here is allowed: there is none to refuse")
    _say("fresh_worker(), nothing chosen:")
    _say(f"  {_worker(lib.fresh_worker)}")


def _report() -> None:
    from ._report import render_text, report_entries

    _heading("6. The registry: python -m mpcontext report mpcontext._demo_lib")
    for line in render_text(report_entries(lib.__name__), lib.__name__).splitlines():
        _say(line)


def _preflight() -> None:
    from ._preflight.check import check_picklable
    from ._start.processes import Process

    _heading("7. The pre-flight check: caught in the parent, before the child dies")
    _say("mpcontext.Process(target=lambda: None, mp_context='spawn').start():")
    process = Process(target=lambda: None, mp_context="spawn")
    try:
        process.start()
    except PreflightError as error:
        _say(f"  PreflightError: {error}")
    else:  # pragma: no cover - the pre-flight refuses a lambda under spawn
        process.join()
        _say("  (not refused: the child started)")
    _say("A function defined in __main__ (here python -m mpcontext), sent to a spawn child:")
    namespace = {"__name__": "__main__"}
    exec("def score(x):\n    return x * x\n", namespace)  # as if typed in __main__
    try:
        check_picklable(namespace["score"], (3,), context="spawn")
    except PreflightError as error:
        _say(f"  PreflightError: {error}")
    else:
        _say("  (not refused by this version's pre-flight)")


def _executors() -> None:
    _heading("8. executor(): the application decides where the fan-out runs")
    _say("squares() fans out with `with mpcontext.executor(2) as pool: pool.map(...)`.")
    _say("squares([1, 2, 3, 4]), nothing injected (a local process pool):")
    _fan_out()
    loky = _loky()
    if loky is None:
        _say("loky not installed: skipped")
        return
    shared = loky.get_reusable_executor(max_workers=2)
    try:
        _say("with using(executor=loky.get_reusable_executor(max_workers=2)): squares(...)")
        _say("(an Executor instance the application shares: library code never shuts it down)")
        with using(executor=shared):
            _fan_out()
    finally:
        # Not kill_workers=True: once in a CI run, killed workers left loky's
        # resource tracker warning at exit of a semaphore already unlinked.
        shared.shutdown(wait=True)


def _loky() -> Any:
    """Return the module ``loky``, ``None`` when it is not installed."""
    import importlib

    try:
        return importlib.import_module("loky")
    except ImportError:
        return None


def _fan_out() -> None:
    def run() -> str:
        results = lib.squares([1, 2, 3, 4])
        workers = sorted({started_by(facts) for _, facts in results})
        return f"{[value for value, _ in results]}, computed by\n" + "\n".join(
            f"{_INDENT}    {worker}" for worker in workers
        )

    _say(f"  {_attempt(run)}")


_SECTIONS = (
    _start_methods,
    _every_method,
    _using,
    _note,
    _requirement,
    _report,
    _preflight,
    _executors,
)
