"""The pool library code gets from ``mpcontext.Pool`` when the application injected a factory.

``using(pool=factory)`` puts a factory in force; ``mpcontext.Pool(...)``
called inside the block, unless a context was chosen explicitly there,
returns what it makes::

    mpcontext.Pool(processes, initializer, initargs, maxtasksperchild)
        └─ factory(processes, initializer, initargs, maxtasksperchild)
             ──kinds.pool_workers_of()──> the requirement in force checked
             ──> returned as it is; a stdlib pool of the factory's making
                 checks each task from then on (``checked_pools.check_tasks``)

Imported on first use by ``mpcontext.Pool``, inside an injection only.
"""

from __future__ import annotations

from .._core.calls import requirement_in_force
from .._core.messages import describe_value
from .._core.mp_default import preparing
from .._core.scope import SCOPE
from .._preflight.check import check_initializer, journey_of
from .._start.checked_pools import check_tasks
from .executor import check_requirement
from .kinds import pool_workers_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    from .._core.scope import Scope

__all__ = ["injected_pool"]

_INJECTED = "injected with using(pool=...)"

# What library code calls on the pool it gets: what a factory's result must have.
_POOL_METHODS = (
    "map", "imap", "imap_unordered", "starmap", "apply_async", "close", "join", "terminate",
)


def injected_pool(
    scope: Scope,
    processes: int | None,
    initializer: Callable[..., object] | None,
    initargs: Iterable[Any],
    maxtasksperchild: int | None,
) -> Any:
    """Return the pool the factory injected in `scope` makes for these arguments.

    The factory runs with no pool injected, so that an ``mpcontext.Pool``
    it calls makes a local pool. An error it raises propagates as it is,
    with a note naming the factory.

    Raises
    ------
    TypeError
        The factory returned something without ``Pool``'s methods.
    StartMethodError
        A function declared with ``requires`` is running, and the pool is
        not a local process pool of a start method it allows (the pool is
        ended first).
    PreflightError
        The pool is a stdlib pool the factory made, whose workers cannot
        receive `initializer` or `initargs` (the pool is ended first).
    """
    factory = scope.pool
    assert factory is not None  # called only when one is injected
    args = tuple(initargs)
    token = SCOPE.set(scope.with_pool(None))
    try:
        # A stdlib pool it makes starts its first workers here, fixing nothing.
        with preparing():
            made: Any = factory(processes, initializer, args, maxtasksperchild)
    except Exception as error:
        _add_note(
            error,
            f"raised by the pool factory {describe_value(factory)}, {_INJECTED}, called by "
            f"mpcontext.Pool() as factory(processes, initializer, initargs, maxtasksperchild)",
        )
        raise
    finally:
        SCOPE.reset(token)
    missing = [f"{name}()" for name in _POOL_METHODS if not callable(getattr(made, name, None))]
    if missing:
        raise TypeError(
            f"the pool factory {describe_value(factory)}, {_INJECTED}, returned "
            f"{describe_value(made)}, which has no {', '.join(missing)}; it must return a pool "
            f"with multiprocessing.pool.Pool's methods (it is called as factory(processes, "
            f"initializer, initargs, maxtasksperchild) for each mpcontext.Pool() call)"
        )
    workers = pool_workers_of(made)
    try:
        check_requirement(
            requirement_in_force(),
            f"the pool made by {describe_value(factory)}",
            workers,
            via="pool",
        )
        # The pre-flight is for the stdlib's pools (others pickle by value, or
        # not at all); mpcontext's own check their tasks already.
        if not workers.stdlib_pool or workers.context is None or hasattr(made, "_mpcontext"):
            return made
        refused = check_initializer(initializer, args, journey_of(workers.context, False))
        if refused is not None:
            raise refused.with_traceback(None)
        check_tasks(made, journey_of(workers.context, True))
        return made
    except BaseException:
        made.terminate()
        made.join()
        raise


def _add_note(error: BaseException, note: str) -> None:
    """Add `note` to `error` as ``BaseException.add_note`` does (Python 3.11+), also on 3.10."""
    add_note = getattr(error, "add_note", None)
    if add_note is not None:
        add_note(note)
        return
    try:
        notes = error.__dict__.setdefault("__notes__", [])
        notes.append(note)
    except (AttributeError, TypeError):  # an exception without a __dict__, or odd __notes__
        pass
