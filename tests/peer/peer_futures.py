"""CPython's process-pool tests of ``concurrent.futures``, on the stdlib or on mpcontext.

Imported by ``peer_one.py``. With ``MPCONTEXT_PEER_IMPL=mpcontext``,
``concurrent.futures.ProcessPoolExecutor`` is mpcontext's before the test
modules are imported, so every test class (their mixins take the class when
they are defined) and every test that names the class itself uses it; with
``stdlib`` the suites run as CPython ships them. ``load_peer_tests`` gives
the tests of the start method ``MPCONTEXT_PEER_METHOD``.
"""

from __future__ import annotations

import concurrent.futures
import importlib
import os
import unittest

import mpcontext

METHOD = os.environ["MPCONTEXT_PEER_METHOD"]
IMPL = os.environ["MPCONTEXT_PEER_IMPL"]

# The suites where a process pool runs (not the thread pool's, nor Future's own).
MODULES = (
    "test_process_pool",
    "test_init",
    "test_as_completed",
    "test_wait",
    "test_shutdown",
    "test_deadlock",
)

if IMPL == "mpcontext":
    concurrent.futures.ProcessPoolExecutor = mpcontext.ProcessPoolExecutor  # type: ignore[misc]


def load_peer_tests(loader: unittest.TestLoader) -> list[unittest.TestSuite]:
    """The process-pool test classes of `MODULES` for `METHOD`, each as a suite.

    ``test_init.FailingInitializerResourcesTest`` (no ``ctx`` of its own) runs
    one method per start method: its ``test_spawn`` and ``test_forkserver``.
    """
    found: list[unittest.TestSuite] = []
    for name in MODULES:
        module = importlib.import_module(f"test.test_concurrent_futures.{name}")
        for value in vars(module).values():
            if not (isinstance(value, type) and issubclass(value, unittest.TestCase)):
                continue
            if value.__module__ != module.__name__:
                continue
            if getattr(value, "ctx", None) == METHOD:
                found.append(loader.loadTestsFromTestCase(value))
            elif value.__name__ == "FailingInitializerResourcesTest" and hasattr(value, f"test_{METHOD}"):
                found.append(unittest.TestSuite([value(f"test_{METHOD}")]))
    return found
