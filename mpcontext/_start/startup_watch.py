"""Pool workers that die as they start: what no pre-flight can predict.

``multiprocessing.Pool`` replaces a dead worker at once, forever: a worker
whose initializer raises (or whose main module fails when a spawn child
imports it again) dies, is replaced, dies... and the pool's tasks wait for
ever. ``StartupWatch`` wraps the initializer so that each worker reports, to
the parent, that it started or the last line of what stopped it (shortened:
a worker must never block writing it); the pool asks the watch for each new
worker, and when workers keep dying before they have started, the watch
declares the pool broken: no worker is started again, and the pool (told
through ``on_break``) fails its pending tasks with ``BrokenPoolError``
(carrying the child's error line) and refuses new ones.

A worker that had started and then dies abruptly (killed by a signal, or
ending with a non-zero exit code) breaks the pool too, as a
``concurrent.futures`` process pool breaks: the task it was running would
never finish, and the stdlib's pool cannot tell which one it was; idle, it
may have died holding the lock of the task queue, which no other worker
could then take.
"""

from __future__ import annotations

import os
import threading

from .._core.errors import BrokenPoolError
from .._core.messages import short_repr

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.context import BaseContext
    from multiprocessing.process import BaseProcess
    from multiprocessing.queues import SimpleQueue
    from typing import Any

    _Report = tuple[int, "str | None"]

__all__ = ["StartupWatch"]

# What a worker reports of its error: its pipe to the parent holds 64 KiB,
# read only when the pool starts another worker.
_MAX_LINE = 500


class _Starter:
    """The initializer a watched pool gives its workers (picklable).

    Runs the application's initializer, then tells the parent that this
    worker started, or the last line of the error that stops it.
    """

    def __init__(
        self, initializer: Callable[..., object] | None, reports: SimpleQueue[_Report]
    ) -> None:
        self.initializer = initializer
        self.reports = reports

    def __call__(self, *initargs: object) -> None:
        try:
            if self.initializer is not None:
                self.initializer(*initargs)
        except BaseException as error:
            self._report(_last_line(error))
            raise
        self._report(None)

    def _report(self, line: str | None) -> None:
        try:
            self.reports.put((os.getpid(), line))
        except (OSError, ValueError):  # the parent is gone, or the queue closed
            pass


def _last_line(error: BaseException) -> str:
    import traceback  # in the child, only when it fails

    try:
        line = traceback.format_exception_only(type(error), error)[-1].strip()
    except Exception:  # an exception whose str() raises
        line = f"{type(error).__name__} (its message could not be read)"
    if len(line) > _MAX_LINE:
        line = f"{line[: _MAX_LINE - 50]}... ({len(line)} characters in all)"
    return line


class _Stub:
    """Stands in a broken pool for a worker it will not start."""

    pid = None
    exitcode = None
    daemon = True
    name = "not started: the pool is broken"

    def start(self) -> None:
        """Start nothing."""

    def join(self, timeout: float | None = None) -> None:
        """Return at once."""

    def is_alive(self) -> bool:
        return False

    def terminate(self) -> None:
        """Nothing to end."""

    kill = close = terminate


class StartupWatch:
    """Watch a pool's workers start, and break the pool when they keep failing to.

    Parameters
    ----------
    context : BaseContext
        The context of the pool, for the report queue.
    method : str
        Its start method, for the message.
    initializer : callable or None
        The application's initializer.
    processes : int or None
        The pool's size (``None``: the stdlib's default).
    on_break : callable
        Called with the ``BrokenPoolError`` when the pool breaks, once, from
        the thread that starts the pool's workers.

    Notes
    -----
    The pool is broken once ``max(3, 2 * processes)`` workers in a row have
    ended with a non-zero exit code before reporting that they started; a
    worker that started, or ended with exit code 0 (``maxtasksperchild``),
    resets the count. One worker failing now and then breaks nothing. A
    worker that started and dies with a non-zero exit code breaks the pool
    at once.
    """

    def __init__(
        self,
        context: BaseContext,
        method: str,
        initializer: Callable[..., object] | None,
        processes: int | None,
        on_break: Callable[[BrokenPoolError], None],
    ) -> None:
        self._reports: SimpleQueue[_Report] = context.SimpleQueue()
        self._method = method
        self._user_initializer = initializer
        self._on_break = on_break
        self.initializer = _Starter(initializer, self._reports)
        size = processes or _default_size()
        self.limit = max(3, 2 * size)
        self.error: BrokenPoolError | None = None
        self._lock = threading.Lock()
        self._workers: list[BaseProcess] = []
        self._started: set[int] = set()
        self._lines: dict[int, str] = {}
        self._failures = 0
        self._last: tuple[int | None, str | None] = (None, None)

    def process_factory(
        self, make: Callable[..., BaseProcess]
    ) -> Callable[..., BaseProcess | _Stub]:
        """Return what the pool calls for each new worker, in place of `make`."""

        def new_worker(*args: Any, **kwargs: Any) -> BaseProcess | _Stub:
            with self._lock:
                self._review()
                if self.error is not None:
                    return _Stub()
                worker = make(*args, **kwargs)
                self._workers.append(worker)
                return worker

        return new_worker

    def _review(self) -> None:
        """Account for the workers that have ended since the last review."""
        self._drain_reports()
        running: list[BaseProcess] = []
        died: int | None = None
        for worker in self._workers:
            code = worker.exitcode
            if code is None:
                running.append(worker)
                continue
            # Forget an ended worker's reports: its pid may be reused by a
            # later worker, which must not pass for one that started.
            pid = worker.pid or 0
            started = pid in self._started
            self._started.discard(pid)
            line = self._lines.pop(pid, None)
            if code == 0 or started:
                self._failures = 0
                if code != 0:
                    died = code
            else:
                self._failures += 1
                self._last = (code, line)
        self._workers = running
        if self.error is not None:
            return
        if self._failures >= self.limit:
            self.error = BrokenPoolError(self._message())
        elif died is not None:
            self.error = BrokenPoolError(_died_message(self._method, died))
        else:
            return
        self._on_break(self.error)

    def _drain_reports(self) -> None:
        while not self._reports.empty():
            pid, line = self._reports.get()
            if line is None:
                self._started.add(pid)
            else:
                self._lines[pid] = line

    def _message(self) -> str:
        code, line = self._last
        if line is not None:
            last = f"The last one's error, raised by the initializer {short_repr(self._user_initializer)}: {line}."
        else:
            last = (
                "The last one reported no error (it died before its initializer ran, "
                "or was ended abruptly): its traceback, if any, went to stderr."
            )
        fix = "the initializer"
        if self._method != "fork":
            fix += (
                f", or the main module, which each {self._method} worker imports again "
                f"(guard its top level with if __name__ == '__main__':)"
            )
        return (
            f"the workers of this pool ({self._method!r}) keep dying as they start: "
            f"{self._failures} in a row ended before finishing their start-up (the last "
            f"with exit code {code}), and multiprocessing would start new ones forever, "
            f"so the pool is broken: its pending tasks fail and new ones are refused. "
            f"{last} Fix what fails as a worker starts: {fix}; then make a new pool."
        )


def _died_message(method: str, code: int) -> str:
    if code < 0:
        import signal  # only for this message

        try:
            how = f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"ended with exit code {code}"
    return (
        f"a worker of this pool ({method!r}) {how}: the task it was running would never "
        f"finish, and multiprocessing cannot tell which one it was (idle, it may have "
        f"held the lock of the task queue, which no other worker could then take), so "
        f"the pool is broken: its pending tasks fail and new ones are refused. Make a "
        f"new pool."
    )


def _default_size() -> int:
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return count or 1
