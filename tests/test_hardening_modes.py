"""Interpreter modes: ``python -OO``, ``-W error`` and ``-X dev``.

Each mode runs a subset of the suite in a fresh interpreter (the flags are
the interpreter's, so they reach its import of mpcontext, the collection,
the teardown, the interpreter's exit and, through multiprocessing, the
children it starts):

- ``-W error`` and ``-X dev`` (``ResourceWarning``s, asyncio's debug mode,
  the fault handler, checks of the memory allocators): the tests of
  resolution, ``using``, the decorator, the field, the registry, the notes,
  the pre-flight, the factories, pool start-up and ``executor()`` (every
  start method), and the hardening stress and property tests. mpcontext itself emits no
  warning, and a warning anywhere fails the run.
- ``-OO`` (no docstrings, no ``assert``): the same, less the tests that read
  the notes written into docstrings (``test_declare_notes``, ``test_declare_field``,
  ``test_core_using``, which check docstring text that ``-OO`` removes), plus the
  command line, the report and the demo. And a script that decorates
  documented functions and classes under ``-OO`` and uses them, ``help()``
  and the report included.

The rest of the suite (lint, fix, flake8, the pytest plugin's pytester runs,
the REPL, loky and dask) is left to the normal run, to keep the suite's time
reasonable.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _nested import ROOT, resource_tracker_lines, run_pytest, skip_when_nested, summary

TESTS = Path(__file__).resolve().parent

CORE = [
    "tests/test_core_resolve.py",
    "tests/test_core_using.py",
    "tests/test_declare_decorate.py",
    "tests/test_declare_field.py",
    "tests/test_declare_registry.py",
    "tests/test_declare_notes.py",
    "tests/test_preflight_check.py",
    "tests/test_start_factories.py",
    "tests/test_start_startup_watch.py",
    "tests/test_executors.py",
    "tests/test_executors_pools.py",
    "tests/test_hardening_stress.py",
    "tests/test_hardening_properties.py",
]
READS_DOCSTRINGS = {"tests/test_declare_notes.py", "tests/test_declare_field.py", "tests/test_core_using.py"}
OPTIMIZED = [
    *(path for path in CORE if path not in READS_DOCSTRINGS),
    "tests/test_tools_cli.py",
    "tests/test_tools_report.py",
    "tests/test_tools_demo.py",
]
# pytest warns that assert statements outside test modules are not executed
# (the project's filterwarnings turn that into an error): expected under -O.
NO_ASSERT_WARNING = ["-W", "ignore:assertions not in test modules:pytest.PytestConfigWarning"]

MODES = {
    "-OO": (["-OO"], OPTIMIZED, NO_ASSERT_WARNING),
    "-W error": (["-W", "error"], CORE, []),
    "-X dev": (["-X", "dev"], CORE, []),
}


@pytest.mark.slow
@skip_when_nested
@pytest.mark.timeout(600)
@pytest.mark.parametrize("mode", list(MODES))
def test_the_suite_passes_under(mode: str) -> None:
    flags, files, options = MODES[mode]
    done = run_pytest(files, flags=flags, options=options)
    assert done.returncode == 0, summary(done)
    last = done.stdout.splitlines()[-1]
    assert " passed" in last and "warning" not in last and "error" not in last, summary(done)
    # Nothing printed outside the tests: no warning at import or exit, no
    # "Exception ignored", no leak reported by the resource tracker.
    assert "Warning" not in done.stderr, summary(done)
    assert "Exception ignored" not in done.stdout + done.stderr, summary(done)
    assert resource_tracker_lines(done.stdout + done.stderr) == [], summary(done)


WITHOUT_DOCSTRINGS = textwrap.dedent(
    '''
    import contextlib, dataclasses, inspect, io, json, pydoc, sys
    import attrs
    import mpcontext
    from mpcontext._cli import main
    from mpcontext._core.start_methods import start_method_of


    @mpcontext.accepts_context(requires=("spawn", "forkserver"), reason="it uses CUDA")
    def numpy_style(x, *, mp_context: mpcontext.ContextParam = None):
        """Score `x`.

        Parameters
        ----------
        x : int
            What to score.
        """
        return start_method_of(mpcontext.resolve_context(mp_context))


    @mpcontext.accepts_context
    async def coroutine(*, mp_context: mpcontext.ContextParam = None):
        """A coroutine."""
        return start_method_of(mpcontext.resolve_context(mp_context))


    class Service:
        """A service.

        Notes
        -----
        Already has notes.
        """

        mp_context: mpcontext.ContextField = mpcontext.ContextField(
            requires=("spawn",), reason="it uses CUDA"
        )


    @dataclasses.dataclass
    class Data:
        """Data."""

        mp_context: mpcontext.ContextField = mpcontext.ContextField()


    @attrs.define
    class Attrs:
        """Attrs."""

        mp_context: mpcontext.ContextField = mpcontext.ContextField(requires=("fork", "spawn"))


    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        status = main(["report", "--path", sys.argv[1], "--format", "json", "reportpkg"])
    import asyncio
    print(json.dumps({
        "optimize": sys.flags.optimize,
        "docstrings": [numpy_style.__doc__, coroutine.__doc__, Service.__doc__, Data.__doc__],
        "call": numpy_style(1),
        "coroutine": asyncio.run(coroutine(mp_context="spawn")),
        "signature": str(inspect.signature(numpy_style)),
        "help": pydoc.render_doc(numpy_style, renderer=pydoc.plaintext).splitlines()[2:],
        "entry": repr(mpcontext.registry.lookup(numpy_style)),
        "field": start_method_of(Service().mp_context),
        "dataclass": start_method_of(Data(mp_context="spawn").mp_context),
        "attrs": start_method_of(Attrs(mp_context="spawn").mp_context),
        "report": [status, len(json.loads(report.getvalue()))],
    }))
    '''
)


def test_decorating_without_docstrings() -> None:
    """Under ``-OO`` there are no docstrings to add notes to: nothing else changes."""
    done = subprocess.run(
        [sys.executable, "-OO", "-W", "error", "-c", WITHOUT_DOCSTRINGS, str(TESTS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout)
    assert facts["optimize"] == 2
    *documented, data = facts["docstrings"]
    assert documented == [None, None, None]
    # dataclass writes one from the signature when there is none; no note.
    assert data == "Data(mp_context: mpcontext._declare.field.ContextField = None)"
    assert facts["call"] in ("spawn", "forkserver")
    assert facts["coroutine"] == "spawn"
    signature = "(x, *, mp_context: str | multiprocessing.context.BaseContext | None = None)"
    assert facts["signature"] == signature
    # The signature and no docstring (3.13's pydoc wraps a long signature;
    # 3.14's shows annotations as written, PEP 649).
    if sys.version_info >= (3, 14):
        signature = "(x, *, mp_context: mpcontext.ContextParam = None)"
    assert re.sub(r"\s+", "", "".join(facts["help"])) == re.sub(
        r"\s+", "", f"numpy_style{signature}"
    )
    assert facts["entry"] == (
        "Requirement(module='__main__', qualname='numpy_style', param='mp_context', "
        "start_methods=['forkserver', 'spawn'], reason='it uses CUDA', kind='function')"
    )
    assert facts["field"] == "spawn"
    assert facts["dataclass"] == facts["attrs"] == "spawn"
    status, entries = facts["report"]
    assert status == 0 and entries > 0


@skip_when_nested
def test_the_demo_runs_without_docstrings() -> None:
    done = subprocess.run(
        [sys.executable, "-OO", "-W", "error", "-m", "mpcontext", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "python -OO drops them" in done.stdout
    assert done.stderr == ""
