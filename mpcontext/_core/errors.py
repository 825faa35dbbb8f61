"""The exceptions mpcontext raises.

Each is also the builtin exception a caller would already catch for the same
mistake, so code written against the stdlib keeps working: a bad context is a
``ValueError`` (and, for a value of the wrong type, a ``TypeError``), a
start method a function cannot use is a ``ValueError``, and what would not
reach a child is a ``pickle.PicklingError`` (and, when an object's own
pickling raised, an instance of that error's class too: see ``preflight_error``).
"""

from __future__ import annotations

import pickle

__all__ = [
    "BrokenPoolError",
    "ConfigurationError",
    "InvalidContextError",
    "MPContextError",
    "PreflightError",
    "StartMethodError",
    "preflight_error",
]


class MPContextError(Exception):
    """Base class of every exception mpcontext raises on purpose."""


class InvalidContextError(MPContextError, ValueError, TypeError):
    """A value cannot be used as a multiprocessing context.

    Raised for a start method name that does not exist or is not available on
    this platform, and for a value that is neither ``None``, a ``str`` nor a
    ``multiprocessing.context.BaseContext``. The message quotes the value and
    lists what is accepted.
    """


class StartMethodError(MPContextError, ValueError):
    """A function was asked to run under a start method it does not support.

    The message names the function, the start method it was given, the ones
    it allows and the reason it gave for its requirement.
    """


class ConfigurationError(MPContextError, ValueError):
    """A setting of mpcontext's (an environment variable) holds a bad value.

    Raised where the setting is used, never at import: for example a
    ``MPCONTEXT_PREFLIGHT`` other than ``off``, ``cheap`` or ``full``. The
    message names the setting, quotes the value and lists those accepted.
    """


class BrokenPoolError(MPContextError, RuntimeError):
    """A process pool cannot run tasks: its workers keep dying as they start.

    ``multiprocessing.Pool`` would start new workers forever while its tasks
    wait; a pool made by ``mpcontext.Pool`` raises this instead, from its
    pending tasks and for new ones. The message carries the last line of the
    error that stopped the last worker, when it reached its initializer.
    """


class PreflightError(MPContextError, pickle.PicklingError):
    """What a process was asked to run could not reach the child.

    Raised in the parent, before anything starts, in place of the
    ``AttributeError`` that would otherwise kill the child unseen. When an
    object refused to be pickled with an error of its own (a ``__reduce__``
    raising ``RuntimeError``, ``TypeError: cannot pickle 'generator'
    object``...), the error raised is also an instance of that error's class,
    caused by it: the stdlib lets that error through, so code catching it
    keeps working.
    """


# PreflightError combined with the class of an error pickling raised, per class.
_ALSO: dict[type[Exception], type[PreflightError]] = {}


def preflight_error(message: str, raised: BaseException | None = None) -> PreflightError:
    """Return a ``PreflightError`` saying `message`, caused by `raised` (what pickling raised).

    The error is also an instance of the class of `raised` when that class
    can be combined with ``PreflightError`` and made from a message alone;
    else a plain ``PreflightError``.
    """
    error: PreflightError | None = None
    if isinstance(raised, Exception) and not isinstance(raised, PreflightError):
        kind = type(raised)
        if not issubclass(PreflightError, kind):
            try:
                error = _also(kind)(message)
            except Exception:  # the class takes other arguments, or cannot be a base
                error = None
    if error is None:
        error = PreflightError(message)
    error.__cause__ = raised
    return error


def _also(kind: type[Exception]) -> type[PreflightError]:
    made = _ALSO.get(kind)
    if made is None:
        namespace = {
            "__module__": "mpcontext",
            "__qualname__": "PreflightError",
            "__doc__": PreflightError.__doc__,
            "__str__": Exception.__str__,  # a KeyError's would quote the message
            "__reduce__": _reduce_also,
        }
        made = type("PreflightError", (PreflightError, kind), namespace)
        _ALSO[kind] = made
    return made


def _reduce_also(error: PreflightError) -> tuple[object, ...]:
    also = next(base for base in type(error).__bases__ if base is not PreflightError)
    return (_rebuild_also, (error.args[0] if error.args else "", also), error.__dict__ or None)


def _rebuild_also(message: str, also: type[Exception]) -> PreflightError:
    """Unpickle a ``PreflightError`` that is also an `also` (found here by name)."""
    return _also(also)(message)


# Tracebacks and pickles name them where users import them from.
for _error in (
    MPContextError,
    InvalidContextError,
    StartMethodError,
    ConfigurationError,
    BrokenPoolError,
    PreflightError,
):
    _error.__module__ = "mpcontext"
del _error
