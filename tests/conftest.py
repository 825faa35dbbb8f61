"""The project's own tests run under mpcontext's pytest plugin.

Tests asking for the ``mp_context`` fixture run once per start method, and
the guard fails a test that changes or fixes multiprocessing's global start
method (mark one that means to with ``@pytest.mark.allow_global_start_method``).

At the end of the session, a run that leaves a child process alive fails
(see ``_leftovers``): every test joins, terminates or shuts down what it
starts.
"""

from __future__ import annotations

import pytest

# Imported now, before any pytester in-process run could first import (and
# then forget) multiprocessing's helper modules.
import _leftovers

pytest_plugins = ["mpcontext.pytest_plugin"]


def _is_xdist_controller(config: pytest.Config) -> bool:
    # Its children are pytest-xdist's workers, which check their own children.
    return not hasattr(config, "workerinput") and config.getoption("dist", "no") != "no"


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a child process of this one is still alive."""
    if _is_xdist_controller(session.config):
        return
    import os

    left = _leftovers.children_left(float(os.environ.get("MPCONTEXT_TESTS_LEAK_GRACE", "5")))
    if not left:
        return
    lines = [
        f"{len(left)} child process(es) of the test run still alive at the end of the session:",
        *_leftovers.describe(left),
        "Join, terminate or shut down (use `with`) what a test starts.",
    ]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "child processes left behind", red=True)
        for line in lines:
            reporter.write_line(line, red=True)
    else:  # pragma: no cover - run with -p no:terminal
        import sys

        print("\n".join(lines), file=sys.stderr)
    if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
