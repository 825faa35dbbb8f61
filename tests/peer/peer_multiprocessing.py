"""CPython's processes-type multiprocessing tests, on the stdlib or on mpcontext.

Imported by ``peer_one.py`` (and by the spawn and forkserver children, which
find the test classes here by name). ``MPCONTEXT_PEER_METHOD`` is the start
method; with ``MPCONTEXT_PEER_IMPL=mpcontext``, the mixin's ``Process`` and
factories are mpcontext's, bound to that start method; with ``stdlib`` the
suite runs as CPython ships it. The suite's own ``setUpModule`` still sets
multiprocessing's global start method, as for the stdlib.
"""

from __future__ import annotations

import functools
import os
import sys
import unittest
from collections.abc import Callable
from typing import Any, cast

import test._test_multiprocessing as suite  # pyright: ignore[reportMissingTypeStubs]

import mpcontext

METHOD = os.environ["MPCONTEXT_PEER_METHOD"]
IMPL = os.environ["MPCONTEXT_PEER_IMPL"]

# What the mixin takes from multiprocessing and mpcontext has a factory for;
# the rest (Pipe, RawValue, RawArray, connection, ...) involve no context.
FACTORIES = (
    "Pool",
    "Queue",
    "JoinableQueue",
    "Lock",
    "RLock",
    "Semaphore",
    "BoundedSemaphore",
    "Condition",
    "Event",
    "Barrier",
    "Value",
    "Array",
)


class Process(mpcontext.Process):
    """``mpcontext.Process`` of the start method under test, as the mixin's ``Process``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("mp_context", METHOD)
        super().__init__(*args, **kwargs)


if IMPL == "mpcontext":
    suite.ProcessesMixin.Process = Process  # pyright: ignore[reportAttributeAccessIssue]
    for _name in FACTORIES:
        _factory = functools.partial(getattr(mpcontext, _name), mp_context=METHOD)
        setattr(suite.ProcessesMixin, _name, staticmethod(_factory))

install = cast("Callable[..., None]", suite.install_tests_in_module_dict)  # pyright: ignore[reportUnknownMemberType]
install(globals(), METHOD, only_type="processes")


def load_peer_tests(loader: unittest.TestLoader) -> unittest.TestSuite:
    """The processes-type test classes installed above."""
    return loader.loadTestsFromModule(sys.modules[__name__])
