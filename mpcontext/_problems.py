"""What the pre-flight found wrong, and the message that says so.

A check returns a ``Problem`` (or ``None``); ``check_picklable`` turns it into
the ``PreflightError`` message: what, why under this start method, and two
ways to fix it.
"""

from __future__ import annotations

import sys

from ._methods import available_start_methods, describe_value

__all__ = [
    "CROSS_CONTEXT",
    "INTERACTIVE",
    "LAMBDA",
    "LOCAL",
    "NOT_FOUND",
    "POOL_PRIMITIVE",
    "UNPICKLABLE",
    "Problem",
    "render",
]

INTERACTIVE = "interactive"
LAMBDA = "lambda"
LOCAL = "local"
NOT_FOUND = "not found"
CROSS_CONTEXT = "cross context"
POOL_PRIMITIVE = "pool primitive"
UNPICKLABLE = "unpicklable"


class Problem:
    """One thing that could not reach the child.

    Attributes
    ----------
    label : str
        Where it was passed: ``"the target"``, ``"args[1]['conn']"``...
    obj : object
        The value found there.
    kind : str
        One of the constants of this module.
    detail : str
        What the kind alone does not say (which ``__main__``, which error).
    culprit : object
        What cannot be found or pickled: `obj` itself, its class, or an object
        it refers to.
    """

    __slots__ = ("label", "obj", "kind", "detail", "culprit")

    def __init__(
        self,
        label: str,
        obj: object,
        kind: str,
        detail: str = "",
        culprit: object = None,
    ) -> None:
        self.label = label
        self.obj = obj
        self.kind = kind
        self.detail = detail
        self.culprit = obj if culprit is None else culprit

    def at(self, label: str, obj: object) -> Problem:
        """Return the same problem found inside `obj`, passed as `label`."""
        return Problem(label, obj, self.kind, self.detail, self.culprit)

    def __repr__(self) -> str:
        return f"Problem({self.label!r}, kind={self.kind!r}, culprit={self.culprit!r})"


def render(problem: Problem, method: str, pool: bool) -> str:
    """Return the message of the ``PreflightError`` for `problem`."""
    journey = "a pool task run by" if pool else "a child process started by"
    return (
        f"{problem.label} {describe_value(problem.obj)} cannot reach {journey} "
        f"{method!r}: {_subject(problem)} {_predicate(problem, method, pool)}. "
        f"{_fixes(problem, method, pool)}"
    )


def _subject(problem: Problem) -> str:
    culprit = problem.culprit
    if culprit is problem.obj:
        return "it"
    if culprit is type(problem.obj):
        return f"its class {culprit!r}"
    return f"it refers to {describe_value(culprit)}, which"


def _name_of(obj: object) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    return f"{module}.{qualname}"


def _predicate(problem: Problem, method: str, pool: bool) -> str:
    kind = problem.kind
    if kind == INTERACTIVE:
        return (
            f"is defined in __main__, {problem.detail}, so a {method} child would "
            f"not find {_name_of(problem.culprit)}"
        )
    by_reference = "a child finds functions and classes by module and name"
    if pool:
        by_reference += ", and pool tasks are pickled that way under every start method"
    if kind == LAMBDA:
        return f"is a lambda, which has no name to import it by ({by_reference})"
    if kind == LOCAL:
        return (
            f"is defined inside a function ({getattr(problem.culprit, '__qualname__', '?')!r}), "
            f"so it cannot be imported by name ({by_reference})"
        )
    if kind == NOT_FOUND:
        return f"cannot be found again by import: {problem.detail} ({by_reference})"
    if kind == CROSS_CONTEXT:
        return (
            f"was made by a 'fork' context, and a lock, semaphore or queue made by "
            f"fork cannot be shared with a {method} child (CPython refuses it from "
            f"3.11.5; before, the child can crash)"
        )
    if kind == POOL_PRIMITIVE:
        return (
            "is a multiprocessing lock, semaphore, queue or shared value, which can "
            "only be passed to a child when it starts, not in a pool task"
        )
    return f"cannot be pickled: {problem.detail}"


_USE_FORK = "use the 'fork' start method (e.g. mp_context='fork')"


def _fixes(problem: Problem, method: str, pool: bool) -> str:
    first, second = _two_fixes(problem.kind, method, pool)
    if second is None:
        return (
            f"Fix: {first}. (The other way, the 'fork' start method, is not available "
            f"on this platform: {sys.platform}.)"
        )
    return f"Fix: {first}; or {second}."


def _two_fixes(kind: str, method: str, pool: bool) -> tuple[str, str | None]:
    """Return the fix that always works, and one with ``fork`` (``None``: no fork here)."""
    fork = "fork" in available_start_methods()
    if kind == CROSS_CONTEXT:
        return (
            "make it from the same context as the process (ctx.Lock(), ctx.Queue()...)",
            f"start the process with 'fork' instead of {method!r}",
        )
    if kind == POOL_PRIMITIVE:
        return (
            "pass it to the workers when they start, through the pool's initializer and initargs",
            "use a Manager's version (manager.Lock(), manager.Queue()...), which can travel in a task",
        )
    if kind == UNPICKLABLE:
        first = "pass something picklable instead (create it in the child, or give its class __reduce__)"
        with_fork = "hand it to the workers through the pool's initializer and initargs, which fork does not pickle"
    else:
        how = "with def " if kind == LAMBDA else ""
        first = f"define it {how}at the top level of an importable module (a .py file you import)"
        with_fork = f"define it {how}at the top level of the interactive session, which forked workers have"
        if pool and kind == INTERACTIVE:
            return first, f"{_USE_FORK}, whose pool workers have the interactive session's functions" if fork else None
    if not pool:
        return first, f"{_USE_FORK}, where a Process pickles nothing" if fork else None
    if method == "fork":
        return first, f"under fork, {with_fork}"
    return first, f"{_USE_FORK} and {with_fork}" if fork else None
