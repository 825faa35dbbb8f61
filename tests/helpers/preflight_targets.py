"""Importable targets and arguments for the pre-flight tests.

Spawn and forkserver children import this module by name to find what the
tests send them, so everything here lives at the top level.
"""

from __future__ import annotations

import ctypes
import functools
import operator
import threading
from collections import OrderedDict, namedtuple
from dataclasses import dataclass
from enum import Enum
from typing import Any

UNPICKLED: list[str] = []
"""Filled by ``record_unpickling``: proves that a check unpickled nothing."""


def work(x: object = None) -> str:
    """A module-level function."""
    return f"work({x!r})"


def report(*values: object) -> list[str]:
    """Return the type of each value received (what the child got)."""
    return [type(value).__name__ for value in values]


def use_lock(lock: Any) -> None:
    """Acquire and release `lock` in the child: a crossed-context lock crashes here."""
    with lock:
        pass


def record_unpickling(tag: str) -> str:
    """Called only when an object made by ``Reduced`` is unpickled."""
    UNPICKLED.append(tag)
    return tag


class Reduced:
    """An object with its own ``__reduce__``."""

    def __init__(self, tag: str = "reduced") -> None:
        self.tag = tag

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (record_unpickling, (self.tag,))


class Plain:
    """A module-level class, with every kind of method."""

    def __init__(self, value: object = 1) -> None:
        self.value = value

    def method(self) -> object:
        return self.value

    @classmethod
    def build(cls) -> Plain:
        return cls()

    @staticmethod
    def helper() -> int:
        return 2

    def __call__(self) -> object:
        return self.value


class Outer:
    """A module-level class with a nested class."""

    class Inner:
        def method(self) -> int:
            return 3


@dataclass
class Point:
    x: int = 0
    y: int = 0


Pair = namedtuple("Pair", "left right")


class Color(Enum):
    RED = 1


class Failure(Exception):
    """An exception class, pickled by ``BaseException.__reduce__``."""


@functools.lru_cache(maxsize=None)
def cached(x: int) -> int:
    return x * 2


def _decorate(fn: Any) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    return wrapper


@_decorate
def decorated(x: int) -> int:
    return x + 1


def make_local() -> Any:
    """Return a function defined inside a function."""

    def local(x: object = None) -> object:
        return x

    return local


def make_local_class() -> type:
    """Return a class defined inside a function."""

    class Local:
        def method(self) -> int:
            return 4

    return Local


def make_local_reduced() -> object:
    """An instance of a local class whose ``__reduce__`` rebuilds it from here."""

    class LocalReduced:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (record_unpickling, ("local",))

    return LocalReduced()


class RefusesPickling:
    """An importable class whose instances refuse to be pickled, with an error of their own."""

    def __reduce__(self) -> tuple[object, ...]:
        raise RuntimeError("cannot pickle")


def make_local_refusing() -> object:
    """An instance of a local class refusing to be pickled (as in CPython's ``test_map_unplicklable``)."""

    class LocalRefusing:
        def __reduce__(self) -> tuple[object, ...]:
            raise RuntimeError("cannot pickle")

    return LocalRefusing()


class HoldsLock:
    """An instance of an importable class holding an unpicklable attribute."""

    def __init__(self) -> None:
        self.name = "holder"
        self.lock = threading.Lock()


def importable_things() -> list[tuple[str, object]]:
    """Everything the pre-flight must accept, under any method, pool or not."""
    plain = Plain()
    return [
        ("module function", work),
        ("module class", Plain),
        ("nested class", Outer.Inner),
        ("method of a nested class", Outer.Inner.method),
        ("builtin function", len),
        ("builtin class", dict),
        ("operator function", operator.add),
        ("operator.itemgetter", operator.itemgetter(1)),
        ("function of a module-level class", Plain.method),
        ("bound method", plain.method),
        ("classmethod", Plain.build),
        ("staticmethod", Plain.helper),
        ("callable instance", plain),
        ("method descriptor", str.upper),
        ("bound builtin method", [1, 2].append),
        ("object with __reduce__", Reduced()),
        ("local class instance rebuilt by __reduce__", make_local_reduced()),
        ("dataclass instance", Point(1, 2)),
        ("namedtuple instance", Pair(1, 2)),
        ("enum member", Color.RED),
        ("exception instance", Failure("boom")),
        ("OrderedDict", OrderedDict(a=1)),
        ("partial of a module function", functools.partial(work, 1)),
        ("partial of a partial", functools.partial(functools.partial(work), x=2)),
        ("lru_cache function", cached),
        ("functools.wraps decorated function", decorated),
        ("None as a value", None),
        ("type(None)", type(None)),
        ("range iterator", iter(range(3))),
        ("generic alias (a class on 3.10)", list[int]),
        ("union type", int | None),
        ("plain containers", [{"a": (1, 2.0, "s", b"b")}, {3}, frozenset()]),
    ]


def double(x: int) -> int:
    return 2 * x


def failing_initializer() -> None:
    """An initializer that stops every worker it runs in."""
    raise ValueError("bad configuration")


def exiting_initializer() -> None:
    """An initializer that ends its worker with no Python error."""
    import os

    os._exit(3)


def fail_first_initializer(counter: Any) -> None:
    """Fail in the first worker only: `counter` is a shared ``Value('i')``."""
    with counter.get_lock():
        counter.value += 1
        first = counter.value == 1
    if first:
        raise ValueError("only the first worker fails")


class CPoint(ctypes.Structure):
    """A ctypes structure, shared with ``Value(CPoint, ...)`` behind a lock."""

    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]


def move_point(point: Any) -> None:
    """Move the shared `point` by (1, 1), under its lock."""
    with point.get_lock():
        point.x += 1
        point.y += 1


def verbose_initializer() -> None:
    """An initializer whose error message is larger than a pipe's buffer (64 KiB)."""
    raise ValueError("x" * 200_000)


def slow_failing_initializer() -> None:
    """Fail after a moment: the pool breaks while tasks are being submitted."""
    import time

    time.sleep(0.05)
    raise ValueError("bad configuration")


def kill_self(_: object = None) -> None:
    """Die at once, as a worker killed by the OOM killer or ``kill -9`` does."""
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def exit_with(code: int) -> None:
    """End the worker abruptly with `code`, as a C extension calling exit() does."""
    import os

    os._exit(code)


def worker_pid(_: object = None) -> int:
    import os

    return os.getpid()
