"""What the children started by the factory tests run.

A spawn or forkserver child imports its target by name, so targets live here
rather than in the test module. ``MARK`` tells how a child started: the test
module sets it to ``"parent"`` before starting anything, so a forked child
sees ``"parent"`` and a spawned one, which imports this module afresh,
``"import"``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

import mpcontext

MARK = "import"


def report() -> dict[str, Any]:
    """Describe the process this runs in."""
    process = multiprocessing.current_process()
    return {
        "start_method": getattr(type(process), "_start_method", None),
        "class": f"{type(process).__module__}.{type(process).__qualname__}",
        "bases": [f"{c.__module__}.{c.__qualname__}" for c in type(process).__mro__],
        "name": process.name,
        "mark": MARK,
        "ppid": os.getppid(),
    }


def report_to(queue: Any) -> None:
    queue.put(report())


def double(x: int) -> int:
    return 2 * x


def add(x: int, y: int) -> int:
    return x + y


def remember(value: Any) -> None:
    """A pool initializer: keep `value` for ``remembered``."""
    global MARK
    MARK = f"initialized with {value!r}"


def try_lock(lock: Any, results: Any) -> None:
    """Report whether `lock` could be taken without waiting."""
    got = lock.acquire(False)
    if got:
        lock.release()
    results.put(got)


def try_rlock(rlock: Any, results: Any) -> None:
    got = rlock.acquire(False)
    if got:
        rlock.release()
    results.put(got)


def put(queue: Any, value: Any) -> None:
    queue.put(value)


def consume(queue: Any) -> None:
    """Take one item of a JoinableQueue and mark it done."""
    queue.get(timeout=30)
    queue.task_done()


def increment(value: Any, times: int) -> None:
    for _ in range(times):
        with value.get_lock():
            value.value += 1


def fill(array: Any) -> None:
    for i in range(len(array)):
        array[i] = i * i


def release(semaphore: Any) -> None:
    semaphore.release()


def set_event(event: Any) -> None:
    event.set()


def wait_for_interrupt(ready: Any) -> None:
    """Tell the parent it is ready, then sleep until interrupted (``Process.interrupt()``)."""
    import signal
    import time

    # A run started in the background of a shell (`nohup ... &`) has SIGINT ignored,
    # and Python then leaves it so in every child: listen for it, as the test expects.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        ready.set()
        time.sleep(60)
    except KeyboardInterrupt:
        sys.exit(3)


def notify(condition: Any, value: Any) -> None:
    with condition:
        value.value = 1
        condition.notify_all()


def wait_barrier(barrier: Any, results: Any) -> None:
    results.put(barrier.wait(timeout=30))


def store(mapping: Any, key: str, value: Any) -> None:
    mapping[key] = value


def start_in_threads(method: str, threads: int) -> None:
    """Start processes from several threads at once, all overlapping."""
    import mpcontext

    go = threading.Barrier(threads)

    def start_one() -> None:
        process = mpcontext.Process(target=double, args=(1,), mp_context=method)
        go.wait(timeout=30)
        process.start()
        process.join(30)

    workers = [threading.Thread(target=start_one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)


def use_every_factory(method: str) -> None:
    """Create, start, use and shut down what every factory returns."""
    import mpcontext

    queue = mpcontext.Queue(mp_context=method)
    process = mpcontext.Process(target=report_to, args=(queue,), mp_context=method)
    process.start()
    queue.get(timeout=30)
    process.join(30)
    queue.close()
    queue.join_thread()

    with mpcontext.Pool(1, remember, ("x",), 1, mp_context=method) as pool:
        # maxtasksperchild=1: the worker handler thread starts the next workers.
        assert pool.map(double, range(4), 1) == [0, 2, 4, 6]
        assert list(pool.imap(double, range(2))) == [0, 2]
        pool.close()
        pool.join()

    with mpcontext.ProcessPoolExecutor(1, method) as executor:
        assert list(executor.map(double, range(3))) == [0, 2, 4]
        assert executor.submit(add, 1, 2).result() == 3
    if method != "fork" and sys.version_info >= (3, 11):
        with mpcontext.ProcessPoolExecutor(1, method, max_tasks_per_child=1) as executor:
            # The executor's manager thread replaces each worker.
            assert [executor.submit(double, i).result() for i in range(3)] == [0, 2, 4]

    with mpcontext.Manager(mp_context=method) as manager:
        shared = manager.dict()
        child = mpcontext.Process(target=store, args=(shared, "k", 1), mp_context=method)
        child.start()
        child.join(30)
        assert shared["k"] == 1

    for name in ("Lock", "RLock", "Event", "Condition", "Semaphore", "BoundedSemaphore"):
        getattr(mpcontext, name)(mp_context=method)
    mpcontext.SimpleQueue(mp_context=method)
    joinable = mpcontext.JoinableQueue(mp_context=method)
    joinable.close()
    mpcontext.Barrier(2, mp_context=method)
    mpcontext.Value("i", 1, mp_context=method)
    mpcontext.Array("i", 3, mp_context=method)
    start_in_threads(method, 4)


class CustomProcess(SpawnProcess):
    """A process class of the application's own."""


class CustomContext(SpawnContext):
    """A context of the application's own, with its own process class."""

    Process = CustomProcess


class Worker(mpcontext.Process):
    """A subclass of ``mpcontext.Process`` as an application writes one: its own ``run()``."""

    def __init__(self, queue: Any, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queue = queue
        self.n = n

    def run(self) -> None:
        facts = report()
        facts["doubled"] = 2 * self.n
        self.queue.put(facts)


class Chooser(mpcontext.Process):
    """A subclass whose ``__init__`` chooses the context, given to ``super().__init__``."""

    def __init__(self, queue: Any, method: str) -> None:
        super().__init__(target=report_to, args=(queue,), mp_context=method)


class Pinger(Worker):
    """A subclass of a subclass."""

    def run(self) -> None:
        self.queue.put(("ping", type(self).__name__, self.n))
