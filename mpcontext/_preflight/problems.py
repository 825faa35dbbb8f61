"""What the pre-flight found wrong, and the message that says so.

A check returns a ``Problem`` (or ``None``); ``check_picklable`` turns it into
the ``PreflightError`` message: what, why under this start method, and two
ways to fix it.
"""

from __future__ import annotations

import sys

from .._core.messages import describe_value, short_repr, short_text
from .._core.start_methods import available_start_methods
from .._families.catalog import LOKY, STDLIB, parse_name
from .family_picklers import sends_code

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType

    from .._families.catalog import Family

__all__ = [
    "AFTER_FORK",
    "CROSS_CONTEXT",
    "CROSS_FAMILY",
    "INTERACTIVE",
    "Journey",
    "LAMBDA",
    "LOCAL",
    "MAIN_GUARDED",
    "MAIN_UNREADABLE",
    "NOT_FOUND",
    "NOT_IMPORTABLE",
    "POOL_PRIMITIVE",
    "UNPICKLABLE",
    "Problem",
    "render",
]

INTERACTIVE = "interactive"
LAMBDA = "lambda"
LOCAL = "local"
NOT_FOUND = "not found"
NOT_IMPORTABLE = "not importable"
MAIN_GUARDED = "main guarded"
MAIN_UNREADABLE = "main unreadable"
AFTER_FORK = "after fork"
CROSS_CONTEXT = "cross context"
CROSS_FAMILY = "cross family"
POOL_PRIMITIVE = "pool primitive"
UNPICKLABLE = "unpicklable"


class Journey:
    """How what is checked travels to a child: the start method, and what carries it.

    Made once for a pool (its start method is known from its construction)
    and given to each of its checks.

    Attributes
    ----------
    method : str
        The start method of the child.
    pool : bool
        A pool task, pickled under every start method (``fork`` included),
        rather than what a ``Process`` (or a pool's worker, as it starts)
        receives.
    forked_main : dict or None
        For a ``fork`` pool, ``__main__``'s names when its workers were
        forked: what they have of it.
    initializer : bool
        The initializer pair of an injected executor, which travels with each
        task (a pool's own initializer travels with each worker as it starts).
    param : str
        The name of the parameter that chooses the start method, for the
        fixes (the decorated function's in force, else ``mp_context``).
    family : Family
        The multiprocessing library that starts the child: how it pickles
        and whose locks it takes (the stdlib's, ``multiprocess``...).
    label : str
        The context's name for messages: the method, or with its family
        (``"multiprocess:spawn"``, ``"loky"``).
    by_value : bool
        Functions and classes travel by value (dill, cloudpickle): what this
        process cannot find by name reaches the child all the same. By
        default, what the family does: a ``Process`` of ``multiprocess`` or
        loky, a ``Pool`` task of ``multiprocess``.
    reachable : dict
        The functions and classes already found reachable by reference on
        this journey (see ``importable.reference_problem``): a pool sends
        the same function with each task.
    """

    __slots__ = (
        "by_value",
        "family",
        "forked_main",
        "initializer",
        "label",
        "method",
        "param",
        "pool",
        "reachable",
    )

    def __init__(
        self,
        method: str,
        pool: bool,
        *,
        forked_main: dict[str, object] | None = None,
        initializer: bool = False,
        param: str = "mp_context",
        family: Family = STDLIB,
        label: str | None = None,
        by_value: bool | None = None,
    ) -> None:
        self.method = method
        self.pool = pool
        self.family = family
        self.label = method if label is None else label
        if by_value is None:
            by_value = family.pool_pickles_by_value if pool else family.pickles_by_value
            by_value = by_value and sends_code(family)
        self.by_value = by_value
        self.forked_main = forked_main
        self.initializer = initializer
        self.param = param
        self.reachable: dict[int, tuple[object, str, str, ModuleType, dict[str, object]]] = {}

    def __repr__(self) -> str:
        return f"Journey({self.label!r}, pool={self.pool!r})"


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
        What the kind alone does not say (which ``__main__``, which error;
        for ``CROSS_FAMILY``, the name of a context whose children can take
        the primitive: ``"multiprocess:spawn"``, ``"fork"``).
    culprit : object
        What cannot be found or pickled: `obj` itself, its class, or an object
        it refers to.
    raised : BaseException or None
        For ``UNPICKLABLE``, the error pickling it raised.
    """

    __slots__ = ("label", "obj", "kind", "detail", "culprit", "raised")

    def __init__(
        self,
        label: str,
        obj: object,
        kind: str,
        detail: str = "",
        culprit: object = None,
        raised: BaseException | None = None,
    ) -> None:
        self.label = label
        self.obj = obj
        self.kind = kind
        self.detail = detail
        self.culprit = obj if culprit is None else culprit
        self.raised = raised

    def at(self, label: str, obj: object) -> Problem:
        """Return the same problem found inside `obj`, passed as `label`."""
        return Problem(label, obj, self.kind, self.detail, self.culprit, self.raised)

    def __repr__(self) -> str:
        return f"Problem({self.label!r}, kind={self.kind!r}, culprit={self.culprit!r})"


def render(problem: Problem, journey: Journey) -> str:
    """Return the message of the ``PreflightError`` for `problem`."""
    carried = "a pool task run by" if journey.pool else "a child process started by"
    return (
        f"{problem.label} {describe_value(problem.obj)} cannot reach {carried} "
        f"{journey.label!r}: {_subject(problem)} {_predicate(problem, journey)}. "
        f"{_fixes(problem, journey)}"
    )


def _subject(problem: Problem) -> str:
    culprit = problem.culprit
    if culprit is problem.obj:
        return "it"
    if culprit is type(problem.obj):
        return f"its class {short_repr(culprit)}"
    return f"it refers to {describe_value(culprit)}, which"


def _name_of(obj: object) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    return f"{module}.{qualname}"


# The pickler of each family that sends functions by value, for messages.
_PICKLERS = {"multiprocess": "dill", "loky": "cloudpickle"}

# What becomes of a lock made by fork sent to a spawn child, by the family of the lock.
_FORK_LOCK_FATES = {
    "multiprocessing": "CPython refuses it from 3.11.5; before, the child can crash",
    "multiprocess": "multiprocess refuses it",
}


def _how_found(journey: Journey) -> str:
    """Say how a child finds the functions and classes it receives, on `journey`."""
    if journey.by_value:
        pickler = _PICKLERS.get(journey.family.name, journey.family.name)
        return (
            f"{pickler} sends by value only what this process cannot find by name; a "
            f"child imports the rest by module and name"
        )
    found = "a child finds functions and classes by module and name"
    family = journey.family
    if family.pool_pickles_by_value if journey.pool else family.pickles_by_value:
        pickler = _PICKLERS.get(family.name, family.name)
        version = ".".join(map(str, sys.version_info[:2]))
        found = f"{pickler} cannot send a function by value on Python {version}, so {found}"
    if journey.pool:
        found += ", and pool tasks are pickled that way under every start method"
    return found


def _family_of_label(label: str) -> str:
    """The family of the context named `label` (``"multiprocess:spawn"``, ``"fork"``)."""
    parsed = parse_name(label)
    return STDLIB.name if parsed is None else parsed[0]


def _predicate(problem: Problem, journey: Journey) -> str:
    kind, method = problem.kind, journey.method
    if kind == INTERACTIVE:
        return (
            f"is defined in __main__, {problem.detail}, so a {method} child would "
            f"not find {_name_of(problem.culprit)}"
        )
    by_reference = _how_found(journey)
    if kind == LAMBDA:
        return f"is a lambda, which has no name to import it by ({by_reference})"
    if kind == LOCAL:
        return (
            f"is defined inside a function ({getattr(problem.culprit, '__qualname__', '?')!r}), "
            f"so it cannot be imported by name ({by_reference})"
        )
    if kind == NOT_FOUND:
        return f"cannot be found again by import: {problem.detail} ({by_reference})"
    if kind == NOT_IMPORTABLE:
        return f"cannot be imported by a child: {problem.detail} ({by_reference})"
    if kind == MAIN_GUARDED:
        return (
            f"is defined under `if __name__ == \"__main__\":` of the main module "
            f"({problem.detail}), which a {method} child runs again as __mp_main__, without "
            f"that block, so it would not find {_name_of(problem.culprit)}"
        )
    if kind == MAIN_UNREADABLE:
        return (
            f"{problem.detail}, and a {method} child runs the main module again from its "
            f"file before anything else: every {method} child dies as it starts, whatever "
            f"it runs"
        )
    if kind == AFTER_FORK:
        return (
            f"is defined in __main__ and {problem.detail} after this pool's workers were "
            f"forked: they have __main__ as it was then, so they would not find "
            f"{_name_of(problem.culprit)}"
        )
    if kind == CROSS_CONTEXT:
        primitives = journey.family.primitives
        fate = _FORK_LOCK_FATES.get(primitives, "the child can crash")
        made_by = journey.family.label("fork") if primitives == journey.family.name else "fork"
        return (
            f"was made by a {made_by!r} context, and a lock, semaphore or queue made by "
            f"fork cannot be shared with a {journey.label} child ({fate})"
        )
    if kind == CROSS_FAMILY:
        return (
            f"is a lock, semaphore, queue or shared value of "
            f"{_family_of_label(problem.detail)}, and a child started by {journey.label!r} "
            f"can only receive {journey.family.primitives}'s as it starts (the library that "
            f"starts a child hands over only the primitives it knows)"
        )
    if kind == POOL_PRIMITIVE:
        return (
            "is a multiprocessing lock, semaphore, queue or shared value, which can "
            "only be passed to a child when it starts, not in a pool task"
        )
    return f"cannot be pickled: {short_text(problem.detail)}"


def _fixes(problem: Problem, journey: Journey) -> str:
    first, second = _two_fixes(problem, journey)
    if second is None:
        return (
            f"Fix: {first}. (The other way, the 'fork' start method, is not available "
            f"on this platform: {sys.platform}.)"
        )
    return f"Fix: {first}; or {second}."


def _two_fixes(problem: Problem, journey: Journey) -> tuple[str, str | None]:
    """Return the fix that always works, and another (``None``: only one fits here)."""
    kind, method, pool, param = problem.kind, journey.method, journey.pool, journey.param
    fork = "fork" in available_start_methods()
    fork_label = journey.family.label("fork")  # in the family's form: 'multiprocess:fork'
    use_fork = f"use the 'fork' start method (e.g. {param}={fork_label!r})"
    same_context = (
        "make it from the same context as the process (ctx.Lock(), ctx.Queue()..., "
        "or mpcontext.Lock(mp_context=ctx))"
    )
    if kind == CROSS_CONTEXT:
        return same_context, f"start the process with {fork_label!r} instead of {journey.label!r}"
    if kind == CROSS_FAMILY:
        family = _family_of_label(problem.detail)
        return (
            same_context,
            f"start the process with a context of {family} ({param}={problem.detail!r})",
        )
    if kind == POOL_PRIMITIVE:
        manager = "use a Manager's version (manager.Lock(), manager.Queue()...), which can travel in a task"
        if journey.initializer:
            return manager, "make it inside the initializer, in each worker"
        return (
            "pass it to the workers when they start, through the pool's initializer and initargs",
            manager,
        )
    if kind == MAIN_UNREADABLE:
        return (
            "save the script to a file and run that file (python script.py)",
            f"{use_fork}, which copies this process instead" if fork else None,
        )
    if kind == MAIN_GUARDED:
        return (
            "define it at the top level of the main module, outside `if __name__ == \"__main__\":`, "
            "or in an importable module",
            f"{use_fork}, whose children are copies of this process" if fork else None,
        )
    if kind == AFTER_FORK:
        return (
            "create the pool after defining it (or after redefining it)",
            "define it in an importable module, which workers import by name",
        )
    if kind == NOT_IMPORTABLE:
        first = (
            "make the module importable by name from sys.path (a package or a directory on "
            "sys.path, or PYTHONPATH) rather than loading it from its file"
        )
        if journey.by_value and journey.family is LOKY:
            module = getattr(problem.culprit, "__module__", "?")
            return first, (
                f"have cloudpickle send it by value: "
                f"cloudpickle.register_pickle_by_value(sys.modules[{module!r}])"
            )
        return first, f"{use_fork}, whose children are copies of this process" if fork and not pool else None
    interactive = _in_interactive_main(problem.culprit)
    if kind == UNPICKLABLE:
        first = "pass something picklable instead (create it in the child, or give its class __reduce__)"
        with_fork = "hand it to the workers through the pool's initializer and initargs, which fork does not pickle"
    else:
        how = "with def " if kind == LAMBDA else ""
        first = f"define it {how}at the top level of an importable module (a .py file you import)"
        if not interactive:
            # Library code: the fix is in that module; fork changes nothing for a pool task.
            if not pool:
                return first, f"{use_fork}, where a Process pickles nothing" if fork else None
            return first, "pass a picklable callable instead (functools.partial of a module-level function)"
        with_fork = f"define it {how}at the top level of the interactive session, which forked workers have"
        if pool and kind == INTERACTIVE:
            return first, f"{use_fork}, whose pool workers have the interactive session's functions" if fork else None
    if not pool:
        return first, f"{use_fork}, where a Process pickles nothing" if fork else None
    if method == "fork":
        return first, f"under fork, {with_fork}"
    return first, f"{use_fork} and {with_fork}" if fork else None


def _in_interactive_main(culprit: object) -> bool:
    """Whether `culprit` comes from an interactive ``__main__`` (not a file, not a library)."""
    if getattr(culprit, "__module__", None) != "__main__":
        return False
    main = sys.modules.get("__main__")
    return not isinstance(getattr(main, "__file__", None), str)
