"""A hint for a test that failed because a child could not import its target.

Under ``--import-mode=importlib`` pytest imports test modules without putting
their directory on ``sys.path``; a spawn or forkserver child, which finds
the function it runs by importing its module by name, then fails. The
failure shows in the test's output as an ``ImportError`` or, from the
child's unpickling, an ``AttributeError``.
"""

from __future__ import annotations

import re
import sys

__all__ = ["importlib_hint"]

_NO_MODULE = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
# What a child's unpickling says of a function its module lacks: up to 3.13, then from 3.14.
_NO_ATTRIBUTE = re.compile(
    r"AttributeError: (?:Can't get attribute '(?P<old>\w+)' on <module '(?P<old_module>[\w.]+)'"
    r"|module '(?P<module>[\w.]+)' has no attribute '(?P<attribute>\w+)')"
)


def importlib_hint(output: str) -> str | None:
    """Return the hint for a test whose child could not import what this process has.

    `output` is the failed test's captured output and report; ``None`` when
    it shows no such failure.
    """
    missing = _missing_module(output)
    if missing is None:
        return None
    return (
        f"A child process could not import {missing!r}, which this test process has "
        f"imported. Under --import-mode=importlib pytest imports test modules without "
        f"putting their directory on sys.path, so a spawn or forkserver child, which "
        f"finds the function it runs by importing its module by name, cannot import a "
        f"target defined in a test module. Move the target to a module the child can "
        f"import (your package, or a helper module in a directory listed in the "
        f"'pythonpath' ini option), or use the default --import-mode=prepend."
    )


def _missing_module(output: str) -> str | None:
    for match in _NO_MODULE.finditer(output):
        if match.group(1) in sys.modules:
            return match.group(1)
    for match in _NO_ATTRIBUTE.finditer(output):
        name = match.group("old_module") or match.group("module")
        attribute = match.group("old") or match.group("attribute")
        if hasattr(sys.modules.get(name), attribute):
            return name
    return None
