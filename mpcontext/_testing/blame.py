"""The guard's message: which call of a test changed the global start method, and the way out.

The pytest plugin's guard records each change (``global_watch``) while a
test runs; a test that made one fails with this message::

    watch(Change) ──> the test running ──> blame_message() ──> pytest.fail()
"""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from .global_watch import Change

__all__ = ["ALLOW_MARKER", "DEFAULT_OPTION", "FIXTURE", "blame_message"]

FIXTURE = "mp_context"
"""The pytest plugin's fixture."""

ALLOW_MARKER = "allow_global_start_method"
"""The marker of a test that may change the global start method."""

DEFAULT_OPTION = "--default-start-method"
"""The option that runs a session under a simulated default start method."""

HOW_TO_ALLOW = (
    f"If this test means to change the global start method, mark it @pytest.mark.{ALLOW_MARKER}."
)


def blame_message(nodeid: str, rootpath: Path, changes: Sequence[Change]) -> str:
    """Say which calls of the test `nodeid` changed the global start method, and what to do.

    `changes` are in the order made; file names are shown relative to `rootpath`.
    """
    first = changes[0]
    verb = "fixed" if first.before is None else "changed"
    lines = [
        f"{nodeid} {verb} multiprocessing's global start method "
        f"({first.before!r} -> {first.after!r}):"
    ]
    lines.extend(f"  {_describe(rootpath, change)}" for change in changes[:5])
    if len(changes) > 5:
        lines.append(f"  ... and {len(changes) - 5} more")
    lines.append(
        "Every later test in this process would run under it, and "
        "multiprocessing.set_start_method() would raise RuntimeError; mpcontext's "
        "guard restored it for the next test."
    )
    lines.append(f"{_how_to_avoid(first)} {HOW_TO_ALLOW}")
    return "\n".join(lines)


def _describe(rootpath: Path, change: Change) -> str:
    text = change.call
    if change.location is not None:
        filename, line, function = change.location
        text += f" at {_relative(rootpath, filename)}:{line} in {function}()"
    if change.thread != "MainThread":
        text += f" (thread {change.thread!r})"
    return text


def _relative(rootpath: Path, filename: str) -> str:
    try:
        return str(Path(filename).relative_to(rootpath))
    except ValueError:
        return filename


def _how_to_avoid(change: Change) -> str:
    if change.function == "set_start_method":
        return (
            f"To avoid it, give the code under test a context instead: "
            f"multiprocessing.get_context({change.after!r}), mpcontext.using({change.after!r}) "
            f"or the {FIXTURE} fixture; to run the whole session under another default, "
            f"use {DEFAULT_OPTION}={change.after}."
        )
    if change.function == "get_start_method":
        return (
            "To avoid it, read the start method without fixing it: "
            "multiprocessing.get_start_method(allow_none=True) (None until someone sets "
            "it) or mpcontext.current_context().get_start_method()."
        )
    return (
        "To avoid it, ask for a context by name (multiprocessing.get_context('spawn')), "
        "take the one in force without fixing it (mpcontext.current_context()), "
        f"or use the {FIXTURE} fixture."
    )
