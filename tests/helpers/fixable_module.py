"""Before ``lint --fix``: copied and fixed by tests/test_lint_fix.py, then run under spawn.

Not imported as it is by any test.
"""

import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import Queue


def how_started(_: object = None) -> str:
    """Return ``"spawn"`` in a child started by spawn, else ``"other"``."""
    return "spawn" if "spawn_main" in " ".join(sys.orig_argv) else "other"


def report(queue: "Queue[str]") -> None:
    queue.put(how_started())


def run() -> list[str]:
    queue = Queue()
    with mp.Pool(1) as pool:
        pooled = pool.map(how_started, [0])
    with ProcessPoolExecutor(1) as executor:
        executed = list(executor.map(how_started, [0]))
    process = mp.Process(target=report, args=(queue,))
    process.start()
    got = queue.get(timeout=30)
    process.join()
    return [*pooled, *executed, got]
