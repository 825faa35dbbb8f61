"""Starting processes without fixing multiprocessing's global start method.

On Python 3.10-3.13, CPython fixes the global start method as a side effect of
starting a process under ``spawn`` or ``forkserver``, even from an explicit
context: the spawn preparation data (also built when the fork server starts)
call ``multiprocessing.get_start_method()``. The process classes made here
start inside ``_mp_default.preparing()``, which keeps that fixing to the
starting thread and drops it when the start ends; the contexts made here hand
those classes to pools, executors and managers, which also start processes
from background threads (a pool replacing a worker, an executor with
``max_tasks_per_child``).
"""

from __future__ import annotations

import sys
import threading
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess

from ._mp_default import preparing
from ._preflight import preflight

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, SupportsIndex, TypeVar

    _C = TypeVar("_C", bound=BaseContext)

__all__ = [
    "GuardedProcess",
    "forkserver_died",
    "guarded_context",
    "guarded_process_class",
    "new_process",
]

# The instance attribute holding the context a process made by the
# ``Process`` factory is checked against before it starts. Not pickled.
_CHECK = "_mpcontext_context"


class GuardedProcess(BaseProcess):
    """The part every guarded process class adds to its stdlib base.

    ``start()`` runs the pre-flight check (for processes made by the
    ``Process`` factory) and leaves the global start method as it was.
    Instances pickle as "this guarded class of that base", so a spawn child
    rebuilds the same class whatever the base.
    """

    _mpcontext_base: type[BaseProcess]

    def start(self) -> None:
        """Check what the child would run, then start it as the base class does."""
        context: BaseContext | None = self.__dict__.get(_CHECK)
        if context is not None:
            preflight(
                getattr(self, "_target", None),
                getattr(self, "_args", ()),
                getattr(self, "_kwargs", None),
                context,
                pool=False,
            )
        with preparing():
            try:
                super().start()
            except (ConnectionError, EOFError) as error:
                if getattr(self, "_start_method", None) != "forkserver":
                    raise
                raise forkserver_died(error) from error

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        state = dict(self.__dict__)
        state.pop(_CHECK, None)
        return (_rebuild_process, (type(self)._mpcontext_base,), state)


def forkserver_died(error: ConnectionError | EOFError) -> ConnectionError | EOFError:
    """Return `error`, raised by the fork server's end of a start, with what it means.

    The fork server imports the main module before it forks anything
    (``set_forkserver_preload`` defaults to ``['__main__']``); a main module
    that starts processes at its top level kills it there, and the parent's
    next read of the connection fails (``ConnectionResetError`` from Python
    3.13.8 and 3.14.1, which stopped ignoring errors in that import).
    """
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    which = f"the main module ({main})" if main else "the main module"
    message = (
        f"the fork server died before it could start this process "
        f"({type(error).__name__}: {error}). It imports {which} before it forks "
        f"anything, so a main module that starts processes at its top level kills it; "
        f"its traceback went to stderr. Fix: guard the main module's top level with "
        f"if __name__ == '__main__':, or leave '__main__' out of "
        f"multiprocessing.set_forkserver_preload(), or use another start method."
    )
    if isinstance(error, OSError):
        return type(error)(error.errno, message)
    return type(error)(message)


_classes: dict[type[BaseProcess], type[GuardedProcess]] = {}
_classes_lock = threading.Lock()


def guarded_process_class(base: type[BaseProcess]) -> type[GuardedProcess]:
    """Return the guarded subclass of the process class `base` (made once).

    It has the name of `base`, so that process names (``SpawnProcess-1``,
    ``SpawnPoolWorker-1``) and reprs stay those of the stdlib.
    """
    if issubclass(base, GuardedProcess):
        return base
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
            }
            # type() builds it with the metaclass of `base`, if it has its own.
            made = type(base.__name__, (GuardedProcess, base), namespace)
            _classes[base] = made
    return made


def _rebuild_process(base: type[BaseProcess]) -> GuardedProcess:
    """Unpickle a guarded process (in a spawn or forkserver child)."""
    cls = guarded_process_class(base)
    return cls.__new__(cls)


def __getattr__(name: str) -> type[GuardedProcess]:
    # The guarded classes of multiprocessing's own process classes are found
    # by name, like any class, so that pickling the class itself works.
    import multiprocessing.context

    base = getattr(multiprocessing.context, name, None)
    if isinstance(base, type) and issubclass(base, BaseProcess):
        return guarded_process_class(base)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def guarded_context(context: _C) -> _C:
    """Return a copy of `context` whose ``Process`` is the guarded class.

    For pools, executors and managers, which start their processes with
    ``context.Process``. The copy is of the same class, so ``isinstance``
    and ``get_start_method()`` answer as for `context`.
    """
    copy: _C = object.__new__(type(context))
    copy.__dict__.update(vars(context))
    copy.Process = guarded_process_class(getattr(context, "Process"))  # type: ignore[attr-defined]
    return copy


def new_process(context: BaseContext, *args: Any, **kwargs: Any) -> BaseProcess:
    """Return a process of `context`, checked by the pre-flight when started."""
    process = guarded_process_class(getattr(context, "Process"))(*args, **kwargs)
    process.__dict__[_CHECK] = context
    return process
