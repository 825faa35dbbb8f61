"""Start method names: which exist, which this platform has, and checking them.

Nothing here reads or changes multiprocessing's global default: asking
multiprocessing for a context *by name* never fixes it.
"""

from __future__ import annotations

import multiprocessing
import sys
from multiprocessing.context import BaseContext

from .errors import InvalidContextError
from .mp_default import concrete_context

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "ALL_START_METHODS",
    "MAX_REASON",
    "MAX_REPR",
    "available_start_methods",
    "available_text",
    "because",
    "context_for_name",
    "context_from_value",
    "describe_value",
    "methods_text",
    "nearest",
    "short_repr",
    "short_text",
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


def start_method_of(context: BaseContext) -> str:
    """Return the start method of `context` without fixing any global state.

    ``DefaultContext.get_start_method()`` would fix multiprocessing's global
    start method; this reads what it would answer instead.
    """
    concrete = concrete_context(context)
    name = getattr(concrete, "_name", None)
    if isinstance(name, str):
        return name
    method: str = concrete.get_start_method()
    return method


MAX_REPR = 80
"""The longest a value quoted in a message is: a 10 MB string is not a 10 MB message."""

MAX_REASON = 500
"""The longest a requirement's reason is in an error message (a note shows it whole)."""


def short_repr(value: object, limit: int = MAX_REPR) -> str:
    """Return ``repr(value)`` for a message: at most `limit` characters, never raising.

    A ``repr`` that raises (an object half built, an ``int`` too long to
    print) must not replace the error the message is for.
    """
    if isinstance(value, (str, bytes, bytearray)) and len(value) > limit:
        value = value[:limit]  # its repr is cut anyway: do not build all of it
    try:
        text = repr(value)
    except Exception as error:
        text = f"<{type(value).__qualname__} object, whose repr() raised {type(error).__name__}>"
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def short_text(text: str, limit: int = 500) -> str:
    """Return `text` (an error message, say) cut to about `limit` characters, saying so."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters in all)"


def describe_value(value: object) -> str:
    """Return ``repr(value)`` with its type, shortened for a message."""
    return f"{short_repr(value)} ({type(value).__qualname__})"


def methods_text(methods: Iterable[str], joiner: str = "or", form: str = "{!r}") -> str:
    """Return ``'spawn' or 'forkserver'`` for a message, each name written as `form` says."""
    quoted = [form.format(m) for m in methods]
    if len(quoted) < 2:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} {joiner} {quoted[-1]}"


def because(reason: str | None, limit: int | None = None) -> str:
    """Return ``": the reason"`` to end a sentence with, or ``""`` when there is none.

    An error message gives a `limit` (``short_text``); a docstring note
    shows the reason whole.
    """
    if not reason:
        return ""
    reason = reason.rstrip(".")
    return f": {reason if limit is None else short_text(reason, limit)}"


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
    suggestion = nearest(name, available_start_methods())
    if suggestion is not None:
        message += f"; did you mean {suggestion!r}?"
        if name.lower() == suggestion:
            message += " Start method names are case-sensitive, as in multiprocessing."
    else:
        message += "."
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


def nearest(name: str, choices: Sequence[str]) -> str | None:
    """Return the one of `choices` that `name` most likely meant, case and spaces aside."""
    import difflib  # only when building a message

    close = difflib.get_close_matches(name.strip().lower(), choices, n=1)
    return close[0] if close else None
