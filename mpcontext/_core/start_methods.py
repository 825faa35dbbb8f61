"""Start method names: which exist, which this platform has, and checking them.

Nothing here reads or changes multiprocessing's global default: asking
multiprocessing for a context *by name* never fixes it. Names and contexts of
other multiprocessing libraries (``"multiprocess:spawn"``, ``"loky"``, a
``billiard`` context) are told apart by ``_families``; their family is imported
only when a name names it.
"""

from __future__ import annotations

import multiprocessing
import sys
from multiprocessing.context import BaseContext

from .._families.catalog import COLON_FAMILIES, FAMILIES, LOKY, LOKY_NAMES, STDLIB, parse_name
from .._families.contexts import (
    FamilyNotInstalled,
    concrete_of,
    context_named,
    family_of,
    methods_of,
    own_method_of,
    start_method_of_family,
)
from .errors import InvalidContextError
from .messages import MAX_REPR, describe_value, did_you_mean, short_repr
from .mp_default import concrete_context

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .._families.catalog import Family

__all__ = [
    "ALL_START_METHODS",
    "available_start_methods",
    "available_text",
    "context_for_name",
    "context_from_value",
    "context_label",
    "family_of_context",
    "start_method_of",
    "unavailable_text",
]

ALL_START_METHODS = ("fork", "spawn", "forkserver")
"""Every start method CPython knows, on any platform."""

# Filled once, whole, by the first call: a thread reading it meanwhile sees
# it empty or complete, never in part.
_contexts: dict[str, BaseContext] = {}


def available_start_methods() -> tuple[str, ...]:
    """Return the start methods this platform supports.

    Returns
    -------
    tuple of str
        The stdlib's start methods (``fork``, ``spawn``, ``forkserver``)
        available here, in multiprocessing's order (the platform default
        first). Others that a library registers with multiprocessing (loky
        adds ``loky`` and ``loky_init_main`` on Python 3.14) are not
        listed: the pytest plugin parametrizes over these names, and the
        notes document them.
    """
    global _contexts
    if not _contexts:
        _contexts = {
            method: multiprocessing.get_context(method)
            for method in multiprocessing.get_all_start_methods()
            if method in ALL_START_METHODS
        }
    return tuple(_contexts)


def context_for_name(name: str, source: str | None = None) -> BaseContext:
    """Return the context of the start method `name`.

    Parameters
    ----------
    name : str
        A start method name. Case-sensitive, as in multiprocessing.
    source : str, optional
        Where the name came from, for the message (for example "the
        environment variable MPCONTEXT_START_METHOD").

    Raises
    ------
    InvalidContextError
        The name is not a start method, or not one available here.
    """
    try:
        return _contexts[name]
    except KeyError:
        pass
    # A miss may be a list not filled yet, or filled by another thread since
    # this one read it: fill it if need be, and read it again.
    available_start_methods()
    context = _contexts.get(name)
    if context is not None:
        return context
    parts = parse_name(name)
    if parts is None:
        raise InvalidContextError(_bad_name_message(name, source))
    return _family_context(name, *parts, source)


# Contexts of other families by name ("multiprocess:spawn"), as they are asked for.
_family_contexts: dict[str, BaseContext] = {}


def _family_context(name: str, family_name: str, method: str, source: str | None) -> BaseContext:
    try:
        return _family_contexts[name]
    except KeyError:
        pass
    family = FAMILIES.get(family_name)
    if family is None:
        raise InvalidContextError(_unknown_family_message(name, family_name, source))
    if family is LOKY and name not in LOKY_NAMES:  # "loky:spawn"
        raise InvalidContextError(
            f"unknown context name {short_repr(name)}{_of_source(source)}; did you mean "
            f"'loky'? loky's contexts are named "
            f"{', '.join(map(repr, LOKY_NAMES))}, without a family prefix. "
            f"Start methods available here: {available_text()}."
        )
    try:
        methods = methods_of(family)
    except FamilyNotInstalled as error:
        raise InvalidContextError(
            f"{short_repr(name)}{_of_source(source)} names a context of {family.name}, which "
            f"cannot be imported here ({error.error}). Install it: {family.install}. "
            f"Start methods available here: {available_text()}."
        ) from None
    if family is STDLIB:
        methods = tuple(m for m in methods if m in ALL_START_METHODS)
    if method not in methods:
        names = [family.label(m) if family is not STDLIB else f"{family.name}:{m}" for m in methods]
        raise InvalidContextError(
            f"unknown start method {short_repr(method)} of {family.name} in "
            f"{short_repr(name)}{_of_source(source)}{did_you_mean(name, names) or '.'} "
            f"Its start methods here: {', '.join(map(repr, names))}; the stdlib's: "
            f"{available_text()}."
        )
    context: BaseContext = context_named(family, method)  # type: ignore[assignment]
    _family_contexts[name] = context
    return context


def _unknown_family_message(name: str, family_name: str, source: str | None) -> str:
    families = [*COLON_FAMILIES, *LOKY_NAMES]
    return (
        f"unknown multiprocessing family {short_repr(family_name)} in {short_repr(name)}"
        f"{_of_source(source)}{did_you_mean(family_name, families) or '.'} A context of "
        f"another family is named FAMILY:METHOD with FAMILY one of "
        f"{', '.join(map(repr, COLON_FAMILIES))} ('multiprocess:spawn'), or "
        f"{' or '.join(map(repr, LOKY_NAMES))} for loky's. Start methods available "
        f"here: {available_text()}."
    )


def context_from_value(value: object, source: str | None = None) -> BaseContext:
    """Return the context `value` stands for; `value` is a name or a context.

    ``None`` is not handled here: what it means depends on the scope.

    Raises
    ------
    InvalidContextError
        `value` is neither a start method name available here nor a
        ``BaseContext``.
    """
    if isinstance(value, BaseContext):
        return value
    if isinstance(value, str):
        return context_for_name(value, source)
    if family_of(value) is not None:  # a context of multiprocess or billiard
        context: BaseContext = value  # type: ignore[assignment]
        return context
    raise InvalidContextError(_bad_type_message(value, source))


# The start method and the label of each concrete context class, filled as they are met.
_method_of_type: dict[type[BaseContext], tuple[str, str]] = {}


def start_method_of(context: BaseContext) -> str:
    """Return the start method of `context` without fixing any global state.

    ``DefaultContext.get_start_method()`` would fix multiprocessing's global
    start method; this reads what it would answer instead. Concrete
    contexts name their method in the class attribute ``_name``, and the
    answer is kept per class; a ``DefaultContext``, which follows the
    global default, is asked each time. A context of another family
    answers the stdlib method it amounts to: ``"spawn"`` for
    ``"multiprocess:spawn"`` and for loky's (see ``context_label``).
    """
    try:
        return _method_of_type[type(context)][0]
    except KeyError:
        return _method_and_label(context)[0]


def context_label(context: BaseContext) -> str:
    """Return the name that chooses `context`: ``"spawn"``, ``"loky"``, ``"multiprocess:spawn"``.

    What messages, notes and ``explain_context()`` show, so that a context of
    another family is named with its family. Fixes nothing.
    """
    try:
        return _method_of_type[type(context)][1]
    except KeyError:
        return _method_and_label(context)[1]


def family_of_context(context: BaseContext) -> Family:
    """Return the family of the resolved `context`: the stdlib's, multiprocess's..."""
    return family_of(context) or STDLIB


def _method_and_label(context: BaseContext) -> tuple[str, str]:
    family = family_of_context(context)
    concrete: object = concrete_context(context) if family is STDLIB else concrete_of(context, family)
    own = own_method_of(concrete)
    answer = (start_method_of_family(family, own), family.label(own))
    if getattr(type(context), "_name", None) == own:
        _method_of_type[type(context)] = answer
    return answer


def available_text() -> str:
    """Return the start methods available here, for messages: ``'fork', 'spawn'``."""
    return ", ".join(repr(m) for m in available_start_methods())


def unavailable_text(name: str, source: str | None = None) -> str:
    """Say that the start method `name` (from `source`) is not available here, without a period."""
    return (
        f"start method {short_repr(name)}{_of_source(source)} is not available on this platform "
        f"({sys.platform}); available here: {available_text()}"
    )


def _of_source(source: str | None) -> str:
    return f" (from {source})" if source else ""


def _bad_name_message(name: str, source: str | None) -> str:
    if name in ALL_START_METHODS:
        return f"{unavailable_text(name, source)}."
    what = "empty start method name" if not name else "unknown start method"
    message = f"{what} {short_repr(name)}{_of_source(source)}"
    if name in FAMILIES and name not in LOKY_NAMES:
        hint = f"; {name!r} is a family: did you mean {name + ':spawn'!r}?"
    else:
        hint = did_you_mean(name, (*available_start_methods(), *LOKY_NAMES))
    message += hint or "."
    if hint and name.lower() in available_start_methods():
        message += " Start method names are case-sensitive, as in multiprocessing."
    return (
        f"{message} Start methods available here: {available_text()}; other families' "
        f"contexts are named 'multiprocess:spawn', 'billiard:fork'..., or 'loky'."
    )


def _bad_type_message(value: object, source: str | None) -> str:
    message = (
        f"expected None, a start method name (str) or a context of multiprocessing "
        f"(BaseContext), multiprocess, billiard or loky, got {describe_value(value)}"
        f"{_of_source(source)}"
    )
    decoded = ""
    if isinstance(value, (bytes, bytearray)) and len(value) <= MAX_REPR:
        decoded = bytes(value).decode("ascii", "replace")
    if decoded in available_start_methods():
        message += f"; did you mean {decoded!r} (a str)?"
    else:
        message += "."
    return f"{message} Start methods available here: {available_text()}."
