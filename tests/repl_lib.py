"""A library function that starts a process, as the REPL tests call it.

It checks before it starts, as ``mpcontext.Process`` will: the REPL tests
drive it from a real interactive interpreter on a pty.
"""

from __future__ import annotations

from collections.abc import Callable

import mpcontext


def start_child(target: Callable[[], object], mp_context: mpcontext.ContextParam = None) -> int | None:
    """Run `target` in a child process started by `mp_context`; return its exit code."""
    context = mpcontext.resolve_context(mp_context)
    mpcontext.check_picklable(target, context=context)
    process = context.Process(target=target)
    process.start()
    process.join(30)
    if process.exitcode is None:  # pragma: no cover - only on a hang
        process.kill()
        process.join()
    return process.exitcode
