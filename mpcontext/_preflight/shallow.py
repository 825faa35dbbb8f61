"""The cheap pre-flight level: the target and the top-level arguments.

Its cost depends on how many arguments there are, never on their size: it
looks at functions, classes, bound methods and ``functools.partial`` objects,
at the class of each instance passed and at multiprocessing's primitives, and
descends into no container.
"""

from __future__ import annotations

import copyreg
import functools
import pickle
import sys
import types

from .._core.messages import short_repr
from .importable import reference_problem
from .problems import UNPICKLABLE, Journey, Problem
from .semlocks import MP_PRIMITIVE_MODULES, primitive_problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing_extensions import TypeGuard

__all__ = [
    "PLAIN_TYPES",
    "by_reference",
    "examine",
    "is_partial",
    "partial_parts",
    "registered_reducer",
]

PLAIN_TYPES = frozenset(
    {
        int, float, complex, bool, str, bytes, bytearray, type(None),
        list, tuple, dict, set, frozenset, range, slice,
    }
)  # fmt: skip
"""Builtin types whose instances need no look: their class is always found."""

# pickle saves these by reference (module and qualname), like functions.
_BY_REFERENCE_TYPES = (types.FunctionType, functools._lru_cache_wrapper)
_DESCRIPTOR_TYPES = (
    types.MethodDescriptorType,
    types.WrapperDescriptorType,
    types.ClassMethodDescriptorType,
)
_BOUND_BUILTIN_TYPES = (types.BuiltinMethodType, types.MethodWrapperType)
_REBUILT_BY_CLASS = (copyreg.__newobj__, copyreg.__newobj_ex__, copyreg._reconstructor)  # type: ignore[attr-defined]
_MAX_DEPTH = 8


def examine(obj: object, label: str, journey: Journey, depth: int = 0) -> Problem | None:
    """Return why `obj`, passed as `label`, could not reach the child, or ``None``.

    The caller has already excluded a ``Process`` under ``fork``, which
    pickles nothing.
    """
    kind = type(obj)
    if kind in PLAIN_TYPES or depth > _MAX_DEPTH:
        return None
    if by_reference(obj):
        return reference_problem(obj, label, journey)
    if is_partial(obj):
        return _partial_problem(obj, label, journey, depth)
    if isinstance(obj, types.MethodType) or isinstance(obj, _BOUND_BUILTIN_TYPES):
        # Pickled as getattr(__self__, name): what matters is __self__. A
        # builtin function of a module has the module there, found by name.
        owner = obj.__self__
        if owner is None or isinstance(owner, types.ModuleType):
            return None
        return examine(owner, f"{label}.__self__", journey, depth + 1)
    if isinstance(obj, _DESCRIPTOR_TYPES):
        return examine(obj.__objclass__, f"{label}.__objclass__", journey, depth + 1)
    if kind.__module__ in MP_PRIMITIVE_MODULES:
        # Their classes may be made at run time (sharedctypes' Synchronized<Name>),
        # and they reduce themselves for a child being started.
        problem = primitive_problem(obj, label, journey)
        if problem is None:
            problem = _shared_ctype_problem(obj, label, journey)
        return problem
    if registered_reducer(kind):
        return None
    return _instance_problem(obj, label, journey, depth)


def _shared_ctype_problem(obj: object, label: str, journey: Journey) -> Problem | None:
    """Return why the ctypes object a shared value wraps could not reach the child, or ``None``.

    A ``Value`` or ``Array`` of a ctypes class pickles that class by
    reference (an array, the class of its items).
    """
    ctypes = sys.modules.get("ctypes")
    inner: object = getattr(obj, "_obj", None)
    if ctypes is None or not isinstance(inner, ctypes._SimpleCData | ctypes.Structure | ctypes.Union | ctypes.Array):
        return None
    cls: object = getattr(inner, "_type_", None)
    if not isinstance(inner, ctypes.Array):
        cls = type(inner)
    if not isinstance(cls, type) or cls.__module__ == "ctypes":
        return None
    problem = reference_problem(cls, label, journey)
    return None if problem is None else problem.at(label, obj)


def by_reference(obj: object) -> bool:
    """Whether pickle saves `obj` by reference: a class or a function."""
    # Not isinstance(obj, type): on 3.10, list[int] passes for a class.
    return issubclass(type(obj), type) or isinstance(obj, _BY_REFERENCE_TYPES)


# isinstance() alone gives a type checker containers of unknown items.


def is_partial(obj: object) -> TypeGuard[functools.partial[object]]:
    """Whether `obj` is a ``functools.partial`` (typed for its parts)."""
    return isinstance(obj, functools.partial)


def _is_tuple(obj: object) -> TypeGuard[tuple[object, ...]]:
    return isinstance(obj, tuple)


def registered_reducer(kind: type) -> bool:
    """Whether pickling `kind` goes through a reducer registered for it.

    Those of ``copyreg`` and of multiprocessing's ``ForkingPickler``
    (sockets, connections, shared ctypes): they do not save the class by
    reference.
    """
    if kind in copyreg.dispatch_table:
        return True
    reduction = sys.modules.get("multiprocessing.reduction")
    pickler = getattr(reduction, "ForkingPickler", None)
    return kind in getattr(pickler, "_extra_reducers", ())


def partial_parts(label: str, obj: functools.partial[object]) -> list[tuple[str, object]]:
    """Return what pickling the partial `obj` (at `label`) pickles too, each with its path."""
    parts: list[tuple[str, object]] = [(f"{label}.func", obj.func)]
    parts.extend((f"{label}.args[{i}]", value) for i, value in enumerate(obj.args))
    parts.extend((f"{label}.keywords[{short_repr(k)}]", value) for k, value in obj.keywords.items())
    return parts


def _partial_problem(
    obj: functools.partial[object], label: str, journey: Journey, depth: int
) -> Problem | None:
    parts = partial_parts(label, obj)
    if type(obj) is not functools.partial:
        parts.append((label, type(obj)))
    for part_label, value in parts:
        problem = examine(value, part_label, journey, depth + 1)
        if problem is not None:
            return problem
    return None


def _instance_problem(obj: object, label: str, journey: Journey, depth: int) -> Problem | None:
    cls = type(obj)
    problem = reference_problem(cls, label, journey)
    if problem is None:
        return None
    # The class cannot be found: it matters only if pickling refers to it.
    # Ask the object how it pickles (cheap for such rare objects); a custom
    # __reduce__ may rebuild it from something importable.
    try:
        reduced = obj.__reduce_ex__(pickle.DEFAULT_PROTOCOL)
    except Exception as error:  # the reason it cannot be pickled
        return Problem(label, obj, UNPICKLABLE, f"{type(error).__name__}: {error}", raised=error)
    if not isinstance(reduced, tuple) or not reduced:
        return None
    rebuild: object = reduced[0]
    arguments: object = reduced[1] if len(reduced) > 1 else ()
    if rebuild in _REBUILT_BY_CLASS and _is_tuple(arguments) and arguments:
        rebuild = arguments[0]
    if rebuild is cls:
        return problem.at(label, obj)
    found = examine(rebuild, label, journey, depth + 1)
    return None if found is None else found.at(label, obj)
