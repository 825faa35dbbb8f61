"""Library functions that start processes, as the REPL tests call them.

They take their caller's context and start processes with mpcontext's
factories, which run the pre-flight check: the REPL tests drive them from a
real interactive interpreter on a pty.
"""

from __future__ import annotations

from collections.abc import Callable

import mpcontext


def start_child(target: Callable[[], object], mp_context: mpcontext.ContextParam = None) -> int | None:
    """Run `target` in a child process started by `mp_context`; return its exit code."""
    process = mpcontext.Process(target=target, mp_context=mp_context)
    process.start()
    process.join(30)
    if process.exitcode is None:  # pragma: no cover - only on a hang
        process.kill()
        process.join()
    return process.exitcode


def pool_apply(fn: Callable[[], object], mp_context: mpcontext.ContextParam = None) -> object:
    """Return ``fn()`` run by a worker of a pool started by `mp_context`."""
    with mpcontext.Pool(1, mp_context=mp_context) as pool:
        return pool.apply(fn)
