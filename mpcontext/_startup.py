"""Pool workers that die as they start: what no pre-flight can predict.

``multiprocessing.Pool`` replaces a dead worker at once, forever: a worker
whose initializer raises (or whose main module fails when a spawn child
imports it again) dies, is replaced, dies... and the pool's tasks wait for
ever. ``StartupWatch`` wraps the initializer so that each worker reports, to
the parent, that it started or the last line of what stopped it; the pool
asks the watch for each new worker, and when workers keep dying before they
have started, the watch declares the pool broken: pending tasks fail with
``BrokenPoolError`` (carrying the child's error line), new ones are refused,
and no worker is started again.
"""

from __future__ import annotations

import os
import threading
import weakref
from multiprocessing.pool import ApplyResult, IMapIterator, MapResult

from ._errors import BrokenPoolError
from ._methods import start_method_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from multiprocessing.context import BaseContext
    from multiprocessing.pool import Pool
    from multiprocessing.process import BaseProcess
    from multiprocessing.queues import SimpleQueue
    from typing import Any

    _Report = tuple[int, "str | None"]

__all__ = ["StartupWatch"]


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

    return traceback.format_exception_only(type(error), error)[-1].strip()


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
        The context of the pool, for the report queue and the message.
    initializer : callable or None
        The application's initializer.
    processes : int or None
        The pool's size (``None``: the stdlib's default).

    Notes
    -----
    The pool is broken once ``max(3, 2 * processes)`` workers in a row have
    ended with a non-zero exit code before reporting that they started; a
    worker that started, or ended with exit code 0 (``maxtasksperchild``),
    resets the count. One worker failing now and then breaks nothing.
    """

    def __init__(
        self,
        context: BaseContext,
        initializer: Callable[..., object] | None,
        processes: int | None,
    ) -> None:
        self._reports: SimpleQueue[_Report] = context.SimpleQueue()
        self._method = start_method_of(context)
        self._user_initializer = initializer
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
        self._pool: weakref.ref[Pool] | None = None

    def attach(self, pool: Pool) -> None:
        """Fail the tasks of `pool` when it breaks (once its ``__init__`` is done)."""
        # Weakly: the pool holds the watch, and must die (and terminate its
        # workers) when dropped, as the stdlib's does.
        self._pool = weakref.ref(pool)

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

    def raise_if_broken(self) -> None:
        """Raise ``BrokenPoolError`` if the pool is broken."""
        if self.error is not None:
            raise BrokenPoolError(str(self.error))

    def _review(self) -> None:
        """Account for the workers that have ended since the last review."""
        self._drain_reports()
        running: list[BaseProcess] = []
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
            else:
                self._failures += 1
                self._last = (code, line)
        self._workers = running
        if self._failures >= self.limit and self.error is None:
            self.error = BrokenPoolError(self._message())
            self._fail_pending()

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
            last = f"The last one's error, raised by the initializer {self._user_initializer!r}: {line}."
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

    def _fail_pending(self) -> None:
        # Through the pool's own result queue, so that the thread that sets
        # results (and no other) sets these too.
        pool = None if self._pool is None else self._pool()
        if pool is None:
            return
        cache: Mapping[int, object] = getattr(pool, "_cache")
        outqueue: Any = getattr(pool, "_outqueue")
        for job in list(cache.values()):
            failure = (False, BrokenPoolError(str(self.error)))
            number: int = getattr(job, "_job")
            kind = type(job)
            if issubclass(kind, MapResult):  # done when each of its chunks is
                for _ in range(max(1, getattr(job, "_number_left", 1))):
                    outqueue.put((number, 0, failure))
            elif issubclass(kind, IMapIterator):  # takes the result it waits for next
                outqueue.put((number, getattr(job, "_index", 0), failure))
            elif issubclass(kind, ApplyResult):
                outqueue.put((number, 0, failure))


def _default_size() -> int:
    count = getattr(os, "process_cpu_count", os.cpu_count)()
    return count or 1
