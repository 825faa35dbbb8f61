"""The full pre-flight level: pickle everything, unpickle nothing.

Each value is pickled as the family that sends it would (multiprocessing's
``ForkingPickler``, the default protocol; dill for ``multiprocess``,
cloudpickle for a loky ``Process``) into a sink that keeps nothing.
Functions and classes met on the way get the checks of the cheap level,
which pickle alone cannot do (a function typed at a REPL pickles fine in the
parent). On a failure, the
value's parts are pickled one by one to name the innermost part that fails,
by its path: ``args[1]['conn']``.

Nothing leaves a trace: file descriptors and handles are never duplicated,
and multiprocessing's resource sharer is never started.
"""

from __future__ import annotations

import pickle
import sys
import types
from multiprocessing.reduction import ForkingPickler

from .._core.messages import short_repr
from .family_picklers import pickler_of
from .importable import reference_problem
from .problems import UNPICKLABLE, Journey, Problem
from .semlocks import MP_PRIMITIVE_MODULES, primitive_problem, semlock_classes
from .shallow import PLAIN_TYPES, by_reference, is_partial, partial_parts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from typing_extensions import TypeGuard

__all__ = ["full_problem"]

_MAX_DEPTH = 100
_ATOMS = PLAIN_TYPES - {list, tuple, dict, set, frozenset}


class _Refusal(Exception):
    """Raised out of the pickler to stop at the first problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.kind)
        self.problem = problem


class _Sink:
    """A file that keeps nothing: only pickling is tested."""

    __slots__ = ()

    def write(self, data: bytes) -> int:
        return len(data)


class _SpawningStandIn:
    """Stands in for the ``Popen`` of a child being spawned.

    Objects that may only be pickled while a child starts
    (``assert_spawning``) look for one; descriptors and handles it would
    duplicate are passed through untouched instead.
    """

    def duplicate_for_child(self, handle: int) -> int:
        return handle

    def DupFd(self, fd: int) -> int:  # multiprocessing's name
        return fd


# The families with modules of their own: connections, heaps, the Popen being spawned.
_FAMILY_MODULES = ("multiprocessing", "multiprocess", "billiard")


def _fd_types() -> tuple[type, ...]:
    # Reduced by duplicating a descriptor (through the spawning Popen or the
    # resource sharer): legal in both kinds of journey, but not to try here.
    names = (
        ("socket", "socket"),
        *((f"{family}.connection", "Connection") for family in _FAMILY_MODULES),
        *((f"{family}.connection", "PipeConnection") for family in _FAMILY_MODULES),
        *((f"{family}.heap", "Arena") for family in _FAMILY_MODULES),
    )
    found = (getattr(sys.modules.get(module), name, None) for module, name in names)
    return tuple(kind for kind in found if isinstance(kind, type))


def _spawning_setters() -> list[tuple[Callable[[object], None], object]]:
    """Return each loaded family's ``set_spawning_popen``, with what it holds now."""
    found: list[tuple[Callable[[object], None], object]] = []
    for family in _FAMILY_MODULES:
        module = sys.modules.get(f"{family}.context")
        getter = getattr(module, "get_spawning_popen", None)
        setter = getattr(module, "set_spawning_popen", None)
        if getter is not None and setter is not None:
            found.append((setter, getter()))
    return found


class _Checks:
    """The pre-flight's look at each object, before the pickler's own reduction.

    Mixed into the pickler of the family that sends the values (see
    ``_pickler_class``).
    """

    def __init__(self, journey: Journey) -> None:
        super().__init__(_Sink())  # type: ignore[call-arg]
        self._journey = journey
        self._semlocks = semlock_classes()
        self._fd_types = _fd_types()
        # cloudpickle's pickler has one of its own (functions and classes by value).
        self._then: Callable[[object], Any] | None = getattr(super(), "reducer_override", None)

    def reducer_override(self, obj: object) -> Any:
        # NotImplemented: pickle as usual; a reduction: a harmless stand-in.
        if by_reference(obj):
            problem = reference_problem(obj, "", self._journey)
            if problem is not None:
                raise _Refusal(problem)
        elif type(obj).__module__ in MP_PRIMITIVE_MODULES:
            problem = primitive_problem(obj, "", self._journey)
            if problem is not None:
                raise _Refusal(problem)
        if type(obj) in self._fd_types or isinstance(obj, self._semlocks):
            return (int, ())  # its own reduction would duplicate a descriptor for a real child
        return NotImplemented if self._then is None else self._then(obj)

    def error_of(self, value: object) -> Exception | None:
        """Return what pickling `value` on its own raises, or ``None``."""
        pickler: Any = self
        # A fresh memo: an object met by an earlier dump is checked again.
        pickler.clear_memo()
        # A Process's arguments are pickled while it starts; a pool task is not.
        stand_in: Any = None if self._journey.pool else _SpawningStandIn()
        setters = _spawning_setters()
        for setter, _ in setters:
            setter(stand_in)
        try:
            pickler.dump(value)
        except Exception as error:  # what pickling raises is the answer
            return error.with_traceback(None)  # keep no frame, nor the values they hold
        finally:
            for setter, previous in setters:
                setter(previous)
        return None


class _StdlibChecks(_Checks, ForkingPickler):
    """multiprocessing's pickler, with the pre-flight's look at each object."""


_classes: dict[type, type[_Checks]] = {}


def _pickler_class(journey: Journey) -> type[_Checks]:
    """Return the checking pickler for `journey`: its family's when it sends by value.

    dill (``multiprocess``) and cloudpickle (a loky ``Process``) are imported
    only here, for a journey of theirs at the full level.
    """
    base = pickler_of(journey.family) if journey.by_value else None
    if base is None:
        return _StdlibChecks
    checks = _classes.get(base)
    if checks is None:
        checks = type(f"_{base.__name__}Checks", (_Checks, base), {})
        _classes[base] = checks
    return checks


def full_problem(items: list[tuple[str, object]], journey: Journey) -> Problem | None:
    """Return the first problem in pickling the labelled `items`, or ``None``."""
    pickler = _pickler_class(journey)(journey)
    for label, value in items:
        error = pickler.error_of(value)
        if error is not None:
            return _locate(pickler, label, value, error, set())
    return None


def _locate(
    pickler: _Checks,
    label: str,
    value: object,
    error: Exception,
    seen: set[int],
) -> Problem:
    """Descend to the innermost part of `value` that fails on its own."""
    seen.add(id(value))
    if len(seen) < _MAX_DEPTH:
        for part_label, part in _parts(label, value):
            if id(part) in seen:
                continue
            part_error = pickler.error_of(part)
            if part_error is not None:
                return _locate(pickler, part_label, part, part_error, seen)
    if isinstance(error, _Refusal):
        return error.problem.at(label, value)
    detail = f"{type(error).__name__}: {error}"
    return Problem(label, value, UNPICKLABLE, detail, raised=error)


def _parts(label: str, value: object) -> Iterator[tuple[str, object]]:
    """Yield what pickling `value` pickles too, each with its path."""
    if type(value) in _ATOMS:
        return
    if _is_sequence(value):
        yield from ((f"{label}[{i}]", item) for i, item in enumerate(value))
    elif _is_dict(value):
        for key, item in value.items():
            yield f"{label}[{short_repr(key)}]", item
            yield f"a key of {label}", key
    elif _is_set(value):
        yield from ((f"an item of {label}", item) for item in value)
    elif is_partial(value):
        yield from partial_parts(label, value)
    elif isinstance(value, types.MethodType):
        yield f"{label}.__self__", value.__self__
    elif type(value).__module__ not in MP_PRIMITIVE_MODULES:  # those are the user's unit
        yield from _state_parts(label, value)


def _state_parts(label: str, value: object) -> Iterator[tuple[str, object]]:
    # The state pickle saves for an object: its __dict__ and slots, as
    # __reduce_ex__ reports them.
    try:
        reduced = value.__reduce_ex__(pickle.DEFAULT_PROTOCOL)
    except Exception:  # then the object itself is the answer
        return
    if not isinstance(reduced, tuple) or len(reduced) < 3:
        return
    state: object = reduced[2]
    for part in state if _is_sequence(state) else (state,):
        if _is_dict(part):
            for name, item in part.items():
                yield f"{label}.{name}", item


# isinstance() alone gives a type checker containers of unknown items.


def _is_sequence(value: object) -> TypeGuard[list[object] | tuple[object, ...]]:
    return isinstance(value, (list, tuple))


def _is_dict(value: object) -> TypeGuard[dict[object, object]]:
    return isinstance(value, dict)


def _is_set(value: object) -> TypeGuard[set[object] | frozenset[object]]:
    return isinstance(value, (set, frozenset))
