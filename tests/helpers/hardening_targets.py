"""What the children of the hardening tests run, and values the tests pass around.

A spawn or forkserver child imports its target by name, so targets live in
this importable module rather than in the test modules.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import mpcontext
from mpcontext import ContextParam
from mpcontext._core.start_methods import start_method_of


def double(x: int) -> int:
    return 2 * x


def pid() -> int:
    """Return the pid of the worker that runs this."""
    return os.getpid()


def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def kill_self() -> None:
    """Die at once, as a worker killed by the OOM killer or ``kill -9`` does."""
    os.kill(os.getpid(), signal.SIGKILL)


def start_method() -> str:
    """Return the start method of the process this runs in, as its class says."""
    import multiprocessing

    method: str = getattr(type(multiprocessing.current_process()), "_start_method", None) or ""
    return method


@mpcontext.accepts_context
def library_function(*, mp_context: ContextParam = None) -> str:
    """A library function that reports the start method it was given.

    Read without fixing anything: ``get_start_method()`` of multiprocessing's
    ``DefaultContext`` (a valid value too) would fix the global start method.
    """
    return start_method_of(mpcontext.resolve_context(mp_context))


class Plain:
    """An instance any child can unpickle: its class is found by import."""

    def __init__(self, value: int = 0) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plain) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


LAMBDA: Callable[[], int] = lambda: 0  # noqa: E731 - a lambda on purpose


def make_local() -> Callable[[], int]:
    """Return a local function: no child can find it by name."""

    def local() -> int:
        return 1

    return local
