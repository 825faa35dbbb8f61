"""The exceptions mpcontext raises.

Each is also the builtin exception a caller would already catch for the same
mistake, so code written against the stdlib keeps working: a bad context is a
``ValueError`` (and, for a value of the wrong type, a ``TypeError``), a
start method a function cannot use is a ``ValueError``, and what would not
reach a child is a ``pickle.PicklingError``.
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
    ``AttributeError`` that would otherwise kill the child unseen.
    """


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
