"""Start method names: which exist, which this platform has, and checking them.

Nothing here reads or changes multiprocessing's global default: asking
multiprocessing for a context *by name* never fixes it.
"""

from __future__ import annotations

import multiprocessing
import sys
from multiprocessing.context import BaseContext

from .errors import InvalidContextError
from .messages import MAX_REPR, describe_value, did_you_mean, short_repr
from .mp_default import concrete_context

__all__ = [
    "ALL_START_METHODS",
    "available_start_methods",
    "available_text",
    "context_for_name",
    "context_from_value",
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
    raise InvalidContextError(_bad_name_message(name, source))


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
    raise InvalidContextError(_bad_type_message(value, source))


# The start method of each concrete context class, filled as they are met.
_method_of_type: dict[type[BaseContext], str] = {}


def start_method_of(context: BaseContext) -> str:
    """Return the start method of `context` without fixing any global state.

    ``DefaultContext.get_start_method()`` would fix multiprocessing's global
    start method; this reads what it would answer instead. Concrete
    contexts name their method in the class attribute ``_name``, and the
    answer is kept per class; a ``DefaultContext``, which follows the
    global default, is asked each time.
    """
    try:
        return _method_of_type[type(context)]
    except KeyError:
        pass
    concrete = concrete_context(context)
    name = getattr(concrete, "_name", None)
    method: str = name if isinstance(name, str) else concrete.get_start_method()
    if getattr(type(context), "_name", None) == method:
        _method_of_type[type(context)] = method
    return method


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
    hint = did_you_mean(name, available_start_methods())
    message += hint or "."
    if hint and name.lower() in available_start_methods():
        message += " Start method names are case-sensitive, as in multiprocessing."
    return f"{message} Start methods available here: {available_text()}."


def _bad_type_message(value: object, source: str | None) -> str:
    message = (
        f"expected None, a start method name (str) or a multiprocessing context "
        f"(BaseContext), got {describe_value(value)}{_of_source(source)}"
    )
    decoded = ""
    if isinstance(value, (bytes, bytearray)) and len(value) <= MAX_REPR:
        decoded = bytes(value).decode("ascii", "replace")
    if decoded in available_start_methods():
        message += f"; did you mean {decoded!r} (a str)?"
    else:
        message += "."
    return f"{message} Start methods available here: {available_text()}."
