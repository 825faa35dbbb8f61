"""Running a part of the test suite in a fresh interpreter, from a test.

What only shows in a whole interpreter's life (the resource tracker's
warnings at exit, interpreter flags such as ``-OO``, ``-W error`` and
``-X dev``) is checked by running a subset of the suite in a subprocess and
reading its output. The nested run sets ``MPCONTEXT_HARDENING_NESTED`` so
that the tests which start nested runs skip themselves inside one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # tests/helpers/ -> the checkout
NESTED = "MPCONTEXT_HARDENING_NESTED"

# What the resource tracker prints at exit for what was never cleaned up:
# "resource_tracker: There appear to be 1 leaked semaphore objects to clean
# up at shutdown", then one line per object.
RESOURCE_TRACKER_SIGNS = ("resource_tracker", "leaked semaphore", "leaked shared_memory")

skip_when_nested = pytest.mark.skipif(
    bool(os.environ.get(NESTED)), reason="starts a nested run of the suite: not inside one"
)


def run_pytest(
    files: Sequence[str],
    *,
    flags: Sequence[str] = (),
    options: Sequence[str] = (),
    timeout: float = 540,
) -> subprocess.CompletedProcess[str]:
    """Run ``python FLAGS -m pytest OPTIONS FILES`` from the repository root."""
    env = {**os.environ, NESTED: "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    command = [
        sys.executable,
        *flags,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *options,
        *files,
    ]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def resource_tracker_lines(text: str) -> list[str]:
    """Return the lines of `text` in which the resource tracker reports leaks."""
    return [line for line in text.splitlines() if any(s in line for s in RESOURCE_TRACKER_SIGNS)]


def summary(done: subprocess.CompletedProcess[str]) -> str:
    """Return the end of a nested run's output, for an assertion message."""
    return f"exit status {done.returncode}\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"
