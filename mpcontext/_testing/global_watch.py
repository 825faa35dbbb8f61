"""Who changes multiprocessing's global start method, and from where.

multiprocessing's global functions (``set_start_method``, ``get_context``,
``get_start_method``) are methods bound to one ``DefaultContext`` object
when multiprocessing is imported, and code often imports them by name
before anyone could wrap them. Every change of the global start method is
an assignment to that object's ``_actual_context``, though, which
``mp_default.watch`` reports with the frame that made it; this module
tells who made it, and through which global function. Only the pytest
plugin's guard uses this.
"""

from __future__ import annotations

import threading
from multiprocessing.context import BaseContext, DefaultContext

from .._core import mp_default
from .._core.start_methods import start_method_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType

    from typing_extensions import TypeAlias

    Listener: TypeAlias = "Callable[[Change], None]"

__all__ = ["Change", "unwatch", "watch"]


class Change:
    """A call of one of multiprocessing's global functions that changed its start method.

    Attributes
    ----------
    function : str
        ``"set_start_method"``, ``"get_context"`` or ``"get_start_method"``.
    call : str
        The call as written, e.g. ``"multiprocessing.set_start_method('spawn')"``.
    before, after : str or None
        The global start method before and after (``None``: not set).
    location : tuple of (str, int, str) or None
        The caller's file, line and function.
    thread : str
        The name of the thread that made the call.
    """

    __slots__ = ("after", "before", "call", "function", "location", "thread")

    def __init__(self, entry: FrameType, before: str | None, after: str | None) -> None:
        self.function = entry.f_code.co_name
        self.call = _call_text(entry)
        self.before = before
        self.after = after
        caller = entry.f_back
        self.location = (
            None
            if caller is None
            else (caller.f_code.co_filename, caller.f_lineno, caller.f_code.co_name)
        )
        self.thread = threading.current_thread().name


def _call_text(entry: FrameType) -> str:
    name = entry.f_code.co_name
    if name != "set_start_method":
        return f"multiprocessing.{name}()"
    method: object = entry.f_locals.get("method")
    force = ", force=True" if entry.f_locals.get("force") else ""
    return f"multiprocessing.set_start_method({method!r}{force})"


def watch(listener: Listener) -> None:
    """Call `listener` with each ``Change`` made through the global functions.

    Listeners nest: only the one added last is called, until it is removed
    (pytester runs pytest inside a test, and a change belongs to the
    innermost run).
    """
    mp_default.watch(_noticer(listener))


def unwatch(listener: Listener) -> None:
    """Stop calling `listener`; the last one removed stops the watching."""
    noticer = _noticers.pop(listener, None)
    if noticer is not None:
        mp_default.unwatch(noticer)


# The ``mp_default`` listener of each listener: it turns writes into changes.
_noticers: dict[Listener, mp_default.Listener] = {}


def _noticer(listener: Listener) -> mp_default.Listener:
    def noticer(before: BaseContext | None, value: object, frame: FrameType | None) -> None:
        _notice(listener, before, value, frame)

    return _noticers.setdefault(listener, noticer)


_GLOBAL_FUNCTIONS = frozenset(
    function.__code__
    for function in (
        DefaultContext.set_start_method,
        DefaultContext.get_context,
        DefaultContext.get_start_method,
    )
)


def _notice(
    listener: Listener, before: BaseContext | None, value: object, frame: FrameType | None
) -> None:
    entry = _entry_frame(frame)
    if entry is None or entry.f_code not in _GLOBAL_FUNCTIONS:
        return  # the standard library's own call, on its caller's behalf
    after = value if isinstance(value, BaseContext) else None
    listener(
        Change(
            entry,
            None if before is None else start_method_of(before),
            None if after is None else start_method_of(after),
        )
    )


def _entry_frame(frame: FrameType | None) -> FrameType | None:
    """Return the outermost standard-library frame: the call made from outside."""
    entry = None
    while frame is not None and _in_stdlib_multiprocessing(frame):
        entry = frame
        frame = frame.f_back
    return entry


def _in_stdlib_multiprocessing(frame: FrameType) -> bool:
    module: object = frame.f_globals.get("__name__")
    return isinstance(module, str) and (
        module.split(".", 1)[0] == "multiprocessing" or module.startswith("concurrent.futures")
    )
