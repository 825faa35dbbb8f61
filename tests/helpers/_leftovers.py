"""Which child processes of this process are still alive: the leak check.

Used by ``conftest.py`` at the end of the session and by the hardening tests.
Two views: ``multiprocessing.active_children()`` (what multiprocessing
started and has not joined) and the operating system's (``/proc``: every
child, whoever started it: a pool's workers, a manager's server, a
``subprocess`` left running). multiprocessing's own helpers, the fork server
and the resource tracker, and loky's resource tracker live until the
interpreter exits by design and are not leaks.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from multiprocessing import resource_tracker

try:
    from multiprocessing import forkserver
except ImportError:  # pragma: no cover - Windows
    forkserver = None  # type: ignore[assignment]

__all__ = ["children_left", "describe", "helper_pids", "is_helper", "os_children"]


# The helpers run ``python -c "from multiprocessing.X import main; main(...)"``; loky
# (and joblib's copy of it) has a resource tracker of its own, kept alive the same way.
_HELPER_COMMANDS = (
    "from multiprocessing.resource_tracker import main",
    "from multiprocessing.forkserver import main",
    "loky.backend.resource_tracker import main",
    # The same helpers of the other families (tests/test_families*.py).
    "from multiprocess.resource_tracker import main",
    "from multiprocess.forkserver import main",
    "from billiard.semaphore_tracker import main",
    "from billiard.forkserver import main",
)


def helper_pids() -> set[int]:
    """Return the pids of multiprocessing's fork server and resource tracker, if running."""
    pids: set[int] = set()
    for pid in (
        getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None),
        getattr(resource_tracker._resource_tracker, "_pid", None),
    ):
        if isinstance(pid, int):
            pids.add(pid)
    return pids


def is_helper(pid: int, cmdline: str) -> bool:
    """Whether the child `pid` running `cmdline` is one of multiprocessing's helpers.

    Known by pid, or by command line: pytester's in-process runs forget the
    modules first imported during a run, and with them the pid of a helper
    that a module imported again does not know.
    """
    return pid in helper_pids() or any(command in cmdline for command in _HELPER_COMMANDS)


def os_children(parent: int | None = None) -> dict[int, str]:
    """Return ``{pid: command line}`` of the live (not zombie) children of `parent`.

    Empty where there is no ``/proc`` (macOS, Windows).
    """
    parent = os.getpid() if parent is None else parent
    found: dict[int, str] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as file:
                stat = file.read().decode("utf-8", "replace")
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                cmdline = file.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) >= 2 and fields[1] == str(parent) and fields[0] != "Z":
            found[int(entry)] = cmdline
    return found


def children_left(grace: float = 5.0) -> dict[int, str]:
    """Return the children still alive after waiting up to `grace` seconds for them.

    Processes being shut down (a pool's workers after ``terminate()``) get
    the grace period to exit. ``multiprocessing.active_children()`` also
    joins the children of multiprocessing that have ended.
    """
    deadline = time.monotonic() + grace
    while True:
        left = {
            process.pid: f"{process!r} (multiprocessing.active_children())"
            for process in multiprocessing.active_children()
            if process.pid is not None
        }
        for pid, cmdline in os_children().items():
            if not is_helper(pid, cmdline):
                left.setdefault(pid, cmdline)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def describe(left: dict[int, str]) -> list[str]:
    """Return one line per process of `left`, for a report."""
    return [f"pid {pid}: {text}" for pid, text in sorted(left.items())]
