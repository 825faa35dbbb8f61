"""The decorated calls running here, told from the stack.

A decorated call changes nothing in force when its argument is left out (or
names the context already in force): setting a context variable for it would
cost more than the rest of the call. What such a call would have carried,
its requirement and the fact that it is running, is read off the frames of
this thread instead, which only the rare paths do (a pre-flight error's hint,
a pool made inside the call, a context handed on).

A decorated function's wrapper runs with globals of its own, which hold its
``Requirement`` under ``REQUIREMENT_KEY``. The steps of a decorated generator
or coroutine run inside a frame of one of ``STEP_CODES``, whose local
``requirement`` holds it.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import CodeType, FrameType

    from .types import Requirement

__all__ = ["REQUIREMENT_KEY", "STEP_CODES", "decorated_call_running", "requirement_in_force"]

REQUIREMENT_KEY = "__mpcontext_requirement__"
"""The key of a wrapper's requirement in the wrapper's own globals."""

STEP_CODES: set[CodeType] = set()
"""The code of the frames that run a decorated generator's or coroutine's steps."""


def _requirement(frame: FrameType) -> Requirement | None:
    requirement: Requirement | None = frame.f_globals.get(REQUIREMENT_KEY)
    if requirement is None and frame.f_code in STEP_CODES:
        requirement = frame.f_locals.get("requirement")
    return requirement


def requirement_in_force() -> Requirement | None:
    """Return the requirement whose parameter and start methods apply here.

    That of the innermost decorated call running in this thread that
    requires start methods; else that of the outermost decorated call,
    whose parameter the pre-flight's hints name; ``None`` outside decorated
    calls.
    """
    outermost = None
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        requirement = _requirement(frame)
        if requirement is not None:
            if requirement.start_methods is not None:
                return requirement
            outermost = requirement
        frame = frame.f_back
    return outermost


def decorated_call_running(own: Requirement | None = None) -> bool:
    """Whether a decorated call is running in this thread.

    `own` is the requirement of the decorated call asking, whose innermost
    frame is that call itself and does not count.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        requirement = _requirement(frame)
        if requirement is not None:
            if requirement is not own:
                return True
            own = None  # a recursive call of the same function counts
        frame = frame.f_back
    return False
