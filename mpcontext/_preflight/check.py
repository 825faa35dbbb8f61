"""Pre-flight checks: catch in the parent what would kill the child.

Under ``spawn`` and ``forkserver`` everything a child runs is pickled, and a
function typed at a REPL, a lambda or a local function cannot be found by the
child, which dies with an ``AttributeError`` the parent never sees. The
checks here raise ``PreflightError`` in the parent instead, before anything
starts. The factories call ``preflight`` before ``start()``, ``submit()``,
``map()`` and ``apply_async()``; ``check_picklable`` is the public entry.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._core.calls import requirement_in_force
from .._core.env import ENV, PREFLIGHT_VAR
from .._core.errors import ConfigurationError, PreflightError, preflight_error
from .._core.messages import describe_value, did_you_mean, short_repr
from .._core.resolve import resolve_context
from .._core.start_methods import context_label, family_of_context, start_method_of
from .._families.catalog import LOKY
from .importable import main_problem, reachable
from .problems import Journey, Problem, render
from .shallow import PLAIN_TYPES, examine

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from multiprocessing.context import BaseContext
    from typing import Any

    from typing_extensions import TypeGuard

    from .._core.types import ContextParam

__all__ = [
    "LEVELS",
    "Journey",
    "check_initializer",
    "check_picklable",
    "check_start",
    "first_items",
    "journey_of",
    "preflight",
    "preflight_level",
    "preflight_start",
    "seen_args",
]

LEVELS = ("off", "cheap", "full")
"""The values of ``MPCONTEXT_PREFLIGHT``, from no check to the most thorough."""


def preflight_level() -> str:
    """Return the level ``MPCONTEXT_PREFLIGHT`` chooses (``"cheap"`` when unset).

    The variable is read when mpcontext is imported and again by
    ``refresh_environment()``.

    Raises
    ------
    ConfigurationError
        The variable holds something else than ``off``, ``cheap`` or
        ``full``. It is a ``ValueError``.
    """
    level = ENV.preflight
    if level is None:
        return "cheap"
    if level not in LEVELS:
        raise ConfigurationError(_bad_level_message(level))
    return level


def _bad_level_message(level: str) -> str:
    expected = ", ".join(map(repr, LEVELS))
    return (
        f"the environment variable {PREFLIGHT_VAR}={short_repr(level)} is not a pre-flight "
        f"level; expected one of {expected}{did_you_mean(level, LEVELS, aside=True)}. Set it "
        f"to one of those, or unset it for 'cheap'; after changing os.environ, call "
        f"mpcontext.refresh_environment()."
    )


def check_picklable(
    target: object,
    args: Iterable[object] = (),
    kwargs: Mapping[str, object] | None = None,
    *,
    context: ContextParam = None,
    full: bool = False,
    pool: bool = False,
) -> None:
    """Raise ``PreflightError`` when a call could not reach a child process.

    Checks, in the parent, that ``target(*args, **kwargs)`` can be sent to a
    child started by `context`, where the child would otherwise die (or a
    pool would break) with an error the parent hardly sees. Nothing is
    unpickled, nothing is started, no global state changes.

    Parameters
    ----------
    target : callable or None
        What the child would run (``None``: nothing, as ``Process`` allows).
    args : iterable, optional
        Its positional arguments: a tuple or a list (an iterator would be
        consumed by the check, so it is refused).
    kwargs : mapping, optional
        Its keyword arguments.
    context : None, str or BaseContext, optional
        The context that would start the child: ``None`` for the context in
        force (see ``current_context``), a start method name, or a context,
        also of another family (``"multiprocess:spawn"``, ``"loky"``, or
        such a library's context object).
    full : bool, default False
        Also pickle every argument, as deep as it goes, and name the first
        part that fails by its path (``args[1]['conn']``). Its cost grows with
        the size of the arguments; the default, cheap level's does not.
    pool : bool, default False
        The call is a pool task (``Pool.apply_async``, ``map``,
        ``ProcessPoolExecutor.submit``...), pickled under every start method,
        ``fork`` included. Leave it ``False`` for a ``Process`` and for a
        pool's ``initializer`` and ``initargs``, which travel with each
        worker as it starts.

    Raises
    ------
    PreflightError
        The call could not reach the child. The message says what (and
        where, such as ``args[0]`` or ``the target``), why under this start
        method, and two ways to fix it. It is a ``pickle.PicklingError``;
        when an object's own pickling raised, also an instance of that
        error's class, caused by it.

        - Under ``spawn`` and ``forkserver``: a target, argument or class of
          an argument that cannot be found by import (typed in an
          interactive ``__main__``, a lambda, a local function or class, or
          a name that leads to another object); a ``functools.partial`` or
          bound method made of one; a lock, queue or other multiprocessing
          primitive made by a ``fork`` context.
        - A ``Process`` under ``fork`` pickles nothing: nothing is refused.
        - Pool tasks are pickled by reference under every start method:
          lambdas and local functions are refused under ``fork`` too, while
          functions of an interactive ``__main__`` are allowed there (forked
          workers have them); multiprocessing primitives cannot travel in a
          task.
        - A ``Process`` of ``multiprocess`` or loky, and a ``multiprocess``
          pool task, send functions and classes by value (dill,
          cloudpickle): lambdas, local and interactive functions reach the
          child; what they send by reference must still be importable there.
        - A lock, queue or shared value of another family than the one whose
          primitives the child receives (``multiprocess``'s to a
          multiprocessing child, the stdlib's to a ``multiprocess`` child),
          unless the child is forked.
        - With `full`: anything that does not pickle, at any depth, with the
          pickler of the family that sends it (dill for ``multiprocess``,
          cloudpickle for a loky ``Process``).
    TypeError
        `target` is neither callable nor ``None``, `args` is an iterator or
        not iterable, or `kwargs` is neither a mapping nor ``None``.
    InvalidContextError
        `context` is not a start method available here nor a context.

    Notes
    -----
    By default (the cheap level, what the factories run) it looks at the
    target and at each argument itself, never inside a container or an
    object's attributes, so its cost does not depend on the size of the
    arguments. `full` looks everywhere.

    Examples
    --------
    >>> import mpcontext
    >>> mpcontext.check_picklable(len, ("abc",), context="spawn")
    >>> mpcontext.check_picklable(lambda: 1, context="spawn")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mpcontext.PreflightError: the target <function <lambda> at ...> (function) cannot reach a child process started by 'spawn': it is a lambda, ...
    """
    journey = journey_of(resolve_context(context), pool)
    error = _check(target, args, kwargs, journey, full)
    if error is not None:
        raise error


def _param_in_force() -> str:
    """The parameter that chooses the start method where the check runs, for its fixes."""
    requirement = requirement_in_force()
    param = None if requirement is None else requirement.param
    return "mp_context" if param is None else param


def journey_of(context: BaseContext, pool: bool, **options: Any) -> Journey:
    """Return the journey of what a child started by `context` receives (see ``Journey``)."""
    return Journey(
        start_method_of(context),
        pool,
        param=_param_in_force(),
        family=family_of_context(context),
        label=context_label(context),
        **options,
    )


def _check(
    target: object,
    args: Iterable[object],
    kwargs: Mapping[str, object] | None,
    journey: Journey,
    full: bool,
    more: Iterable[tuple[str, object]] = (),
    labels: tuple[str, str] = ("the target", "args"),
) -> PreflightError | None:
    """``check_picklable`` for `journey`, with `more` labelled values sent along.

    `labels` name the target and the positional arguments (``"initargs"``
    for a pool's initializer). Returns the error, for the public frame to
    raise: a traceback then shows where the user's call went wrong, not the
    check's insides.
    """
    if target is not None and not callable(target):
        raise TypeError(
            f"target must be callable or None, got {describe_value(target)}; "
            f"pass the function the child should run"
        )
    # A task's arguments are a tuple and a dict: no call to find it out.
    positional = args if isinstance(args, tuple) else _positional(args)
    keywords = kwargs if isinstance(kwargs, dict) else _keywords(kwargs)
    method, pool = journey.method, journey.pool
    if method == "fork" and not pool:
        return None  # a forked Process pickles nothing
    problem = None if pool or not _runs_main_again(journey) else main_problem()
    if problem is None and full:
        from .deep import full_problem  # only at the full level

        items = [*_labelled(target, positional, keywords, labels), *more]
        problem = _first_problem(items, journey) or full_problem(items, journey)
    elif problem is None:
        labelled = _labelled(target, positional, keywords, labels, plain=False)
        problem = _first_problem(labelled, journey) or _first_problem(more, journey)
    return None if problem is None else preflight_error(render(problem, journey), problem.raised)


def _runs_main_again(journey: Journey) -> bool:
    """Whether the child runs the parent's main module again as it starts (loky's do not)."""
    return journey.family is not LOKY or journey.label != "loky"


def _positional(args: Iterable[object]) -> tuple[object, ...] | list[object]:
    if isinstance(args, (tuple, list)):
        return args
    try:
        iterator = iter(args)
    except TypeError:
        raise TypeError(
            f"args must be a tuple or a list, got {describe_value(args)}; pass the "
            f"positional arguments of the call as a tuple"
        ) from None
    if iterator is args:
        raise TypeError(
            f"args must be a tuple or a list, got the iterator {describe_value(args)}, "
            f"which checking would consume; pass tuple(args) to both the check and the call"
        )
    return tuple(args)


def _keywords(kwargs: Mapping[str, object] | None) -> Mapping[str, object]:
    if kwargs is None:
        return {}
    if not isinstance(kwargs, Mapping):
        raise TypeError(
            f"kwargs must be a mapping (such as a dict) or None, got {describe_value(kwargs)}; "
            f"pass the keyword arguments of the call as a dict"
        )
    return kwargs


def _labelled(
    target: object,
    args: tuple[object, ...] | list[object],
    kwargs: Mapping[str, object],
    labels: tuple[str, str],
    plain: bool = True,
) -> Iterator[tuple[str, object]]:
    """Yield what is sent, each value with its label; without `plain`, not plain values.

    ``examine`` does not look at a plain value (such as a number), and a
    label costs more to format than that look: the cheap level skips them.
    """
    if target is not None:
        yield labels[0], target
    for index, value in enumerate(args):
        if plain or type(value) not in PLAIN_TYPES:
            yield f"{labels[1]}[{index}]", value
    for key, value in kwargs.items():
        if plain or type(value) not in PLAIN_TYPES:
            yield f"kwargs[{short_repr(key)}]", value


def _first_problem(items: Iterable[tuple[str, object]], journey: Journey) -> Problem | None:
    for label, value in items:
        problem = examine(value, label, journey)
        if problem is not None:
            return problem
    return None


def preflight(
    target: object,
    args: Iterable[object],
    kwargs: Mapping[str, object] | None,
    journey: Journey,
    *,
    more: Iterable[tuple[str, object]] = (),
    labels: tuple[str, str] = ("the target", "args"),
) -> PreflightError | None:
    """Return what ``check_picklable`` would raise, at the level ``MPCONTEXT_PREFLIGHT`` chooses.

    This is what the factories call before ``start()``, ``submit()``,
    ``map()`` and ``apply_async()``, with the `journey` of the pool or
    process (made once for a pool). `more` holds what else is sent along,
    each with its label (a ``Process`` subclass and what its ``__init__``
    stored). The caller raises the error, from the frame its user called.

    Raises
    ------
    ConfigurationError
        ``MPCONTEXT_PREFLIGHT`` is not ``off``, ``cheap`` or ``full``.
    """
    level = ENV.preflight
    if level is None:  # the cheap level, what a task costs in a pool
        if journey.pool and not more and _seen_before(target, args, kwargs, journey):
            return None
        return _check(target, args, kwargs, journey, False, more, labels)
    level = preflight_level()
    if level == "off":
        return None
    return _check(target, args, kwargs, journey, level == "full", more, labels)


def preflight_start(
    process: object, journey: Journey, more: Iterable[tuple[str, object]] = ()
) -> PreflightError | None:
    """Return what ``preflight`` finds in what `process` sends its child as it starts.

    Its target and arguments, as ``BaseProcess.__init__`` stored them (a
    process of the stdlib's or of another family), and `more`.
    """
    return preflight(
        getattr(process, "_target", None),
        getattr(process, "_args", ()),
        getattr(process, "_kwargs", None),
        journey,
        more=more,
    )


def _seen_before(
    target: object, args: Iterable[object], kwargs: Mapping[str, object] | None, journey: Journey
) -> bool:
    """Whether a pool task needs no more look: `journey` saw its function, its values are plain.

    The cheap level's answer for most tasks, in few steps: a task's check runs
    just after the pool's threads and workers had the processor, with little
    of it left in the caches, where each step costs several times what it
    costs in a loop.
    """
    if not isinstance(args, tuple) or not reachable(target, journey):
        return False
    for value in args:
        if type(value) not in PLAIN_TYPES:
            return False
    if kwargs is None:
        return True
    if not isinstance(kwargs, dict):
        return False
    for value in kwargs.values():
        if type(value) not in PLAIN_TYPES:
            return False
    return True


def seen_args(args: Iterable[object]) -> Iterable[object]:
    """Return what of `args` the check may look at: an iterator is left for the call to read."""
    return args if isinstance(args, (tuple, list)) else ()


def check_initializer(
    initializer: object, initargs: Iterable[object], journey: Journey
) -> PreflightError | None:
    """Check what a pool's workers receive as they start: its `initializer` and `initargs`.

    Each worker runs the initializer, as a process its target; with none,
    what a spawn or forkserver worker needs of the main module is still
    checked. Called before the pool is made, so that nothing is left
    half-made (a ``Pool`` whose ``__init__`` did not run complains when
    collected). What is not callable is left to the pool's own ``TypeError``.
    """
    target = initializer if callable(initializer) else None
    return preflight(
        target, seen_args(initargs), None, journey, labels=("the initializer", "initargs")
    )


def check_start(context: BaseContext) -> PreflightError | None:
    """Check that a child of `context` can start here at all, whatever it runs.

    For what starts children with no target of the user's: a manager's
    server process, the workers of a pool the application injected. Under
    ``spawn`` and ``forkserver`` a child runs the main module again, which
    it cannot when the main module was read from stdin.
    """
    return check_initializer(None, (), journey_of(context, False))


def first_items(iterables: Iterable[object], star: bool = False) -> list[tuple[str, object]]:
    """Return what the check can see of a map's `iterables` for free: a list's or tuple's first item.

    With `star` (``starmap``), the arguments in that item.
    """
    found: list[tuple[str, object]] = []
    for iterable in iterables:
        if _is_sequence(iterable) and iterable:
            first = iterable[0]
            if star and _is_sequence(first):
                found.extend(
                    (f"the first item of the iterable, argument {i}", value)
                    for i, value in enumerate(first)
                )
            else:
                found.append(("the first item of the iterable", first))
    return found


def _is_sequence(value: object) -> TypeGuard[list[object] | tuple[object, ...]]:
    # isinstance() alone gives a type checker a sequence of unknown items.
    return isinstance(value, (list, tuple))
