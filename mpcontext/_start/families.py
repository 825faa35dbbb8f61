"""Processes and pools of multiprocess and billiard: their own classes, with the pre-flight.

``multiprocess`` and ``billiard`` are copies of the stdlib's multiprocessing
with classes of their own: their processes derive from their own
``BaseProcess``, which keeps its own list of children, counter and
``_Popen``, not the stdlib's. A class on both ``mpcontext.Process`` (a stdlib
``BaseProcess``) and one of them would mix the two, so ``mpcontext.Process``
given one of their contexts makes an instance of a class derived from that
context's process class alone (made once per class, named as it is, so that
processes are named ``SpawnProcess-1``): ``isinstance(p, ctx.Process)``
holds, ``isinstance(p, mpcontext.Process)`` does not. Its ``start()`` runs
the pre-flight check with the journey of that context, and an instance
pickles as "the family's process class, with what mpcontext adds", so that a
spawn or forkserver child rebuilds it from names it can import.

Their pools are their own as well: the stdlib's pool cannot use billiard's
queues, and the queue mpcontext's pool sends its tasks through is a stdlib
one, which their spawn and forkserver children cannot receive. So
``mpcontext.Pool`` makes the family's ``Pool``, of a subclass that runs the
pre-flight on each task before queueing it (billiard's pool waits for ever on
a task its workers cannot unpickle; ``checked_pools``).

Imported on first use, when a context of one of those families is given.
"""

from __future__ import annotations

import importlib
import sys
import threading

from .._core.start_methods import family_of_context, start_method_of
from .._families.catalog import FAMILIES
from .._families.contexts import KeptGlobal
from .._preflight.check import (
    journey_of,
    preflight_start,
)
from .checked_pools import checked_pool_class
from .compat import KWARGS_DEFAULT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from multiprocessing.context import BaseContext
    from multiprocessing.process import BaseProcess as _ProcessBase
    from typing import Any, SupportsIndex

    from .._families.catalog import Family
else:
    # At run time the mixin goes first on the family's own process class;
    # type checkers see it on the stdlib's, of which that is a copy.
    _ProcessBase = object

__all__ = ["family_pool", "family_process"]

# The instance attribute holding the context a process is checked against
# when it starts. Not pickled: the child has no use for it.
_CONTEXT = "_mpcontext_context"


class _CheckedProcess(_ProcessBase):
    """What mpcontext adds to a family's process class: the pre-flight at ``start()``."""

    # Set on each class made by _process_class(): the family's class it derives
    # from, and that family.
    _mpcontext_base: type[Any]
    _mpcontext_family: Family

    def __init__(
        self,
        group: None = None,
        target: Callable[..., object] | None = None,
        name: str | None = None,
        args: Iterable[Any] = (),
        kwargs: Mapping[str, Any] | None = KWARGS_DEFAULT,
        *,
        daemon: bool | None = None,
    ) -> None:
        # The families' classes take no kwargs=None, which the stdlib's does from 3.14.1.
        super().__init__(group, target, name, args, {} if kwargs is None else kwargs, daemon=daemon)

    def start(self) -> None:
        """Check what the child would receive, then start it as the family's class does.

        Raises
        ------
        PreflightError
            The target or its arguments could not reach the child.
        """
        context: BaseContext | None = self.__dict__.get(_CONTEXT)
        if context is not None:
            error = preflight_start(self, journey_of(context, False))
            if error is not None:
                raise error
        with KeptGlobal(type(self)._mpcontext_family):
            super().start()

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        state = dict(self.__dict__)
        state.pop(_CONTEXT, None)
        return (_rebuild, (type(self)._mpcontext_base,), state)


_classes: dict[type[Any], type[Any]] = {}
_classes_lock = threading.Lock()


def _process_class(base: type[Any]) -> type[Any]:
    """Return the class of mpcontext's processes on the family's process class `base`."""
    try:
        return _classes[base]
    except KeyError:
        pass
    with _classes_lock:
        made = _classes.get(base)
        if made is None:
            namespace = {
                "__module__": __name__,
                "__qualname__": base.__qualname__,
                "__doc__": base.__doc__,
                "_mpcontext_base": base,
                "_mpcontext_family": FAMILIES[base.__module__.partition(".")[0]],
            }
            made = type(base.__name__, (_CheckedProcess, base), namespace)
            _classes[base] = made
    return made


def _rebuild(base: type[Any]) -> Any:
    """Unpickle a process (in a spawn or forkserver child of the family)."""
    return object.__new__(_process_class(base))


def family_process(context: BaseContext, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Return a process of `context`, of multiprocess or billiard, made with `args`, `kwargs`.

    Those are ``mpcontext.Process``'s, `mp_context` left out. The instance's
    class derives from ``context.Process``; its ``start()`` runs the
    pre-flight with the journey of `context`.
    """
    made = _process_class(getattr(context, "Process"))
    process = made(*args, **kwargs)
    process.__dict__[_CONTEXT] = context
    return process


def family_pool(
    context: BaseContext,
    processes: int | None,
    initializer: Callable[..., object] | None,
    initargs: Iterable[Any],
    maxtasksperchild: int | None,
) -> Any:
    """Return the pool of `context`, of multiprocess or billiard, checking each task.

    What ``context.Pool(...)`` returns, of a subclass of the family's
    ``Pool``. The initializer is the caller's to check.
    """
    family = family_of_context(context)
    base: type[Any] = importlib.import_module(f"{family.module}.pool").Pool
    # A fork pool's workers have __main__ as it is now.
    main = sys.modules.get("__main__")
    fork = start_method_of(context) == "fork" and maxtasksperchild is None
    forked_main = dict(vars(main)) if fork and main else None
    journey = journey_of(context, True, forked_main=forked_main)
    # Its first workers start here; those that replace them later start in
    # the pool's own thread, and may fix the family's global start method.
    with KeptGlobal(family):
        return checked_pool_class(base)(
            processes,
            initializer,
            initargs,
            maxtasksperchild,
            context=context,
            mpcontext_journey=journey,
        )
