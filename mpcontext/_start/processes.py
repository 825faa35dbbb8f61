"""``mpcontext.Process``: the stdlib's process class of the context in force.

A ``multiprocessing`` context's ``Process`` is a class of its own
(``SpawnProcess``, ``ForkProcess``...), known once the context is. So
``mpcontext.Process`` resolves its ``mp_context`` when an instance is made
(in ``__new__``), and makes the instance of a class derived from both the
class called (``mpcontext.Process``, or a subclass of it) and the context's
own process class: ``isinstance(p, ctx.Process)`` holds, ``start()`` starts
it the way that context does, and a subclass's ``run()`` runs in the child.
Those classes are made once per pair and take the name of the class called
(``mpcontext.Process`` itself takes the context's class name, so process
names are the stdlib's: ``SpawnProcess-1``).

``start()`` runs the pre-flight check (``PreflightError`` in the parent
rather than a child dying of what it cannot unpickle), then starts inside
``mp_default.preparing()``, which leaves multiprocessing's global start
method as it was. An instance pickles as "the class called, on that context
class", so that a spawn or forkserver child rebuilds the same class (the
class called is pickled by reference, like any stdlib ``Process``
subclass).

``multiprocess`` and ``billiard`` have process classes of their own, which
are not the stdlib's ``BaseProcess``: given one of their contexts,
``mpcontext.Process`` makes an instance of that context's class instead
(see ``families``), checked at ``start()`` the same way. A subclass of
``mpcontext.Process`` is a stdlib process class, and refuses their
contexts. loky's process class is a stdlib one, and is used as above.

Pools, executors and managers start their processes with
``context.Process``: ``context_with_mpcontext_process`` gives them a copy of their context
whose ``Process`` is such a class, so that processes they start from
background threads (a pool replacing a worker, an executor with
``max_tasks_per_child``) leave the global start method as it was too.
"""

from __future__ import annotations

import sys
import threading
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess

from .._core.errors import InvalidContextError
from .._core.messages import methods_text, short_repr
from .._core.mp_default import PREPARATION_FIXES_DEFAULT, concrete_context, preparing
from .._core.resolve import current_context
from .._core.start_methods import context_from_value, context_label, family_of_context
from .._families.contexts import family_of
from .._preflight.check import journey_of, preflight_start
from .compat import KWARGS_DEFAULT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any, SupportsIndex, TypeVar

    from typing_extensions import Self

    from .._core.types import ContextParam

    _C = TypeVar("_C", bound=BaseContext)

__all__ = ["Process", "forkserver_died", "pool_with_mpcontext_process", "context_with_mpcontext_process", "process_class"]

# The instance attribute holding the context a process made by calling
# ``mpcontext.Process`` (or a subclass) is checked against when it starts.
# Not pickled: the child has no use for it.
_CHECK = "_mpcontext_context"

# The instance attribute holding a context of multiprocess or billiard that
# was in force when a subclass was made: refused by __init__ unless it
# chooses another context.
_REFUSED = "_mpcontext_refused"

# What BaseProcess.__init__ and start() keep in an instance (3.10-3.15); the
# rest of an instance's dict is what a subclass added, pickled with it.
_OWN_ATTRIBUTES = frozenset(
    {
        "_identity", "_config", "_parent_pid", "_parent_name", "_popen", "_closed",
        "_target", "_args", "_kwargs", "_name", _CHECK,
    }
)  # fmt: skip


def _resolved(mp_context: ContextParam, called: type[BaseProcess]) -> BaseContext:
    if mp_context is None:
        context = current_context()
    else:
        where = f"the mp_context argument of {_name_of(called)}()"
        context = context_from_value(mp_context, where)
    return concrete_context(context)


def _name_of(cls: type[BaseProcess]) -> str:
    if cls is Process:
        return "mpcontext.Process"
    return f"{cls.__module__}.{cls.__qualname__}"


def _own_process_class(context: BaseContext) -> bool:
    """Whether the process class of `context` is its family's own, not a stdlib ``BaseProcess``."""
    process = getattr(context, "Process")
    return isinstance(process, type) and not issubclass(process, BaseProcess)


def _subclass_refused(called: type[BaseProcess], context: BaseContext) -> InvalidContextError:
    """Return the error for a subclass of ``mpcontext.Process`` on multiprocess or billiard."""
    family = family_of_context(context).name
    label = context_label(context)
    own: type[object] = getattr(context, "Process")
    return InvalidContextError(
        f"{_name_of(called)} cannot start with the context {label!r}: a subclass of "
        f"mpcontext.Process is a process class of the stdlib's multiprocessing, and {family}'s "
        f"processes are of its own classes ({own.__module__}.{own.__qualname__}). Derive "
        f"{called.__qualname__} from that context's class (ctx.Process of "
        f"{family}.get_context(...)) to start it with {family}, or give it a context of "
        f"multiprocessing ('spawn', 'fork'...) or loky ('loky'); mpcontext.Process itself "
        f"takes {label!r}."
    )


class Process(BaseProcess):
    """A process of the context `mp_context`: the stdlib's class, found at construction.

    A drop-in for ``multiprocessing.Process`` and ``ctx.Process``: the
    parameters before `mp_context` are theirs, in their order. Subclass it
    as you would ``multiprocessing.Process`` (override ``run()``, call
    ``super().__init__(...)`` from your ``__init__``); define the subclass
    at the top level of an importable module, as for the stdlib, so that a
    spawn or forkserver child can import it.

    Parameters
    ----------
    group, target, name, args, kwargs, daemon
        As for ``multiprocessing.Process``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context whose process class starts it: a start method name, a
        context, or ``None`` for the context in force when the instance is
        made. Given to the class or, by a subclass's ``__init__``, to
        ``super().__init__``. Contexts of multiprocess, billiard and loky
        are accepted too, as objects or by name (``"multiprocess:spawn"``,
        ``"billiard:fork"``, ``"loky"``).

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context; or
        it is a context of multiprocess or billiard given to a subclass of
        ``mpcontext.Process`` (a stdlib process class).

    Notes
    -----
    An instance is an instance of the class called and of the context's own
    process class (``isinstance(p, ctx.Process)``), with the name of the
    class called (``mpcontext.Process`` takes the context's: processes are
    named ``SpawnProcess-1`` as in the stdlib). ``start()`` first runs the
    pre-flight check (``PreflightError`` when the target, its arguments,
    the subclass or what the subclass's ``__init__`` stored could not reach
    the child), and leaves multiprocessing's global start method as it was.
    What Python adds to its process class is there too (``interrupt()``,
    from Python 3.14).

    A context of multiprocess or billiard, whose process classes are their
    own rather than the stdlib's, makes an instance of a class derived from
    that context's ``Process`` alone: ``isinstance(p, ctx.Process)`` holds,
    ``isinstance(p, mpcontext.Process)`` does not; ``start()`` runs the same
    check, with how that family pickles (multiprocess sends the target by
    value, with dill). Subclasses of ``mpcontext.Process`` refuse those
    contexts. loky's process class is a stdlib one: its contexts behave as
    the stdlib's.

    Examples
    --------
    >>> import mpcontext
    >>> p = mpcontext.Process(target=print, args=("hello",), mp_context="spawn")
    >>> type(p).__name__, p.name.startswith("SpawnProcess-")
    ('SpawnProcess', True)
    """

    def __new__(cls, *args: Any, mp_context: ContextParam = None, **kwargs: Any) -> Self:
        """Make the instance, of the class of `cls` on the context's process class."""
        if "_mpcontext_base" in cls.__dict__:  # a class of one context, as pools call it
            return object.__new__(cls)
        context = _resolved(mp_context, cls)
        if _own_process_class(context):  # multiprocess's, billiard's
            if cls is Process:
                from .families import family_process

                # Not an instance of cls: its __init__ is not called again.
                made: Self = family_process(context, args, kwargs)
                return made
            if mp_context is not None:
                raise _subclass_refused(cls, context)
            # The context in force: the subclass's __init__ may still choose a
            # stdlib one (super().__init__(mp_context=...)); else it refuses.
            pending: Self = object.__new__(cls)
            pending.__dict__[_REFUSED] = context
            return pending
        instance: Self = object.__new__(process_class(cls, getattr(context, "Process")))  # type: ignore[assignment]
        instance.__dict__[_CHECK] = context
        return instance

    def __init__(
        self,
        group: None = None,
        target: Callable[..., object] | None = None,
        name: str | None = None,
        args: Iterable[Any] = (),
        kwargs: Mapping[str, Any] | None = KWARGS_DEFAULT,
        *,
        daemon: bool | None = None,
        mp_context: ContextParam = None,
    ) -> None:
        refused: BaseContext | None = self.__dict__.pop(_REFUSED, None)
        if mp_context is not None:
            # Given by a subclass's __init__ rather than to the class: its
            # context may differ from the one the instance was made for.
            called = type(self) if refused is not None else type(self)._mpcontext_called
            context = _resolved(mp_context, called)
            if _own_process_class(context):
                raise _subclass_refused(called, context)
            if context is not self.__dict__.get(_CHECK):
                made = process_class(called, getattr(context, "Process"))
                self.__class__ = made  # pyright: ignore[reportAttributeAccessIssue]
                self.__dict__[_CHECK] = context
        elif refused is not None:
            raise _subclass_refused(type(self), refused)
        super().__init__(group, target, name, args, {} if kwargs is None else kwargs, daemon=daemon)

    # Set on each class made by process_class(): the class called, the stdlib's base.
    _mpcontext_called: type[Process]
    _mpcontext_base: type[BaseProcess]

    def start(self) -> None:
        """Check what the child would receive, then start it as the context's class does.

        Raises
        ------
        PreflightError
            The target, its arguments, the class (a subclass of
            ``mpcontext.Process``) or an attribute it set could not reach
            the child.
        """
        context: BaseContext | None = self.__dict__.get(_CHECK)
        if context is not None:
            error = preflight_start(self, journey_of(context, False), self._sent_along())
            if error is not None:
                raise error
        with preparing():
            try:
                super().start()
            except (ConnectionError, EOFError) as error:
                if getattr(self, "_start_method", None) != "forkserver":
                    raise
                raise forkserver_died(error) from error

    def _sent_along(self) -> list[tuple[str, object]]:
        """Return what a child receives with this process besides its target and arguments."""
        called = type(self)._mpcontext_called
        if called is Process:
            return []
        found: list[tuple[str, object]] = [("the process class", called)]
        found.extend(
            (f"the attribute {name!r} of the process", value)
            for name, value in self.__dict__.items()
            if name not in _OWN_ATTRIBUTES
        )
        return found

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        state = dict(self.__dict__)
        state.pop(_CHECK, None)
        cls = type(self)
        return (_rebuild, (cls._mpcontext_called, cls._mpcontext_base), state)


class _InitSignature:
    """``__signature__``: a process class's signature is its ``__init__``'s.

    ``inspect.signature`` (hence ``help()``) would otherwise show
    ``Process.__new__``, which takes anything so that subclasses may take
    what they like.
    """

    def __get__(self, instance: object, owner: type[object]) -> object:
        if instance is not None:
            return None  # an instance is not called
        import inspect  # asked by inspect itself: it is imported already

        signature = inspect.signature(owner.__init__)
        return signature.replace(
            parameters=list(signature.parameters.values())[1:],
            return_annotation=inspect.Signature.empty,
        )


Process.__signature__ = _InitSignature()  # type: ignore[attr-defined]

_classes: dict[tuple[type[Process], type[BaseProcess]], type[Process]] = {}
_classes_lock = threading.Lock()


def process_class(called: type[Process], base: type[BaseProcess]) -> type[Process]:
    """Return the class of `called`'s instances on the context process class `base`.

    Made once per pair. A class already made, or `called` when it derives
    from `base` already, is its own answer.
    """
    if "_mpcontext_base" in called.__dict__:
        called = called._mpcontext_called
    if issubclass(base, Process):  # the class of a context_with_mpcontext_process, given again
        base = base._mpcontext_base
    key = (called, base)
    try:
        return _classes[key]
    except KeyError:
        pass
    with _classes_lock:
        made = _classes.get(key)
        if made is None:
            own = called is Process
            namespace = {
                "__module__": __name__ if own else called.__module__,
                "__qualname__": base.__qualname__ if own else called.__qualname__,
                "__doc__": base.__doc__ if own else called.__doc__,
                "_mpcontext_called": called,
                "_mpcontext_base": base,
            }
            bases = (called,) if issubclass(called, base) else (called, base)
            name = base.__name__ if own else called.__name__
            # type() builds it with the metaclass of `base`, if it has its own.
            made = type(name, bases, namespace)
            _classes[key] = made
    return made


def _rebuild(called: type[Process], base: type[BaseProcess]) -> Process:
    """Unpickle a process (in a spawn or forkserver child)."""
    cls = process_class(called, base)
    instance: Process = object.__new__(cls)
    return instance


def __getattr__(name: str) -> type[Process]:
    # The classes of mpcontext.Process on multiprocessing's own process
    # classes are found by name, like any class, so that pickling the class
    # itself works (the name is the stdlib's: SpawnProcess...).
    import multiprocessing.context

    base = getattr(multiprocessing.context, name, None)
    if isinstance(base, type) and issubclass(base, BaseProcess):
        return process_class(Process, base)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def forkserver_died(error: ConnectionError | EOFError) -> ConnectionError | EOFError:
    """Return `error`, raised by the fork server's end of a start, with what it means.

    The fork server imports its preload modules before it forks anything
    (``set_forkserver_preload`` defaults to ``['__main__']``); a main module
    that starts processes at its top level, or a preloaded module that
    raises, kills it there, and the parent's next read of the connection
    fails (``ConnectionResetError`` from Python 3.13.8 and 3.14.1, which
    stopped ignoring errors in that import; on 3.15 with
    ``set_forkserver_preload(..., on_error="fail")``).
    """
    preload = _forkserver_preload()
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    shown = [
        f"the main module ({main})" if name == "__main__" and main else short_repr(name)
        for name in preload
    ]
    imports = methods_text(shown, "and", "{}")
    fixes: list[str] = []
    if "__main__" in preload:
        fixes.append("guard the main module's top level with if __name__ == '__main__':")
    if any(name != "__main__" for name in preload):
        fixes.append("make the preloaded modules import without error")
    fixes.append("change multiprocessing.set_forkserver_preload(), or use another start method")
    main_kills = ", as a main module that starts processes at its top level does"
    message = (
        f"the fork server died before it could start this process "
        f"({type(error).__name__}: {error}). Before it forks anything it imports "
        f"{imports or 'what set_forkserver_preload() names'}; an error there kills it"
        f"{main_kills if '__main__' in preload else ''}. "
        f"Its traceback went to stderr. Fix: {', '.join(fixes)}."
    )
    if isinstance(error, OSError):
        return type(error)(error.errno, message)
    return type(error)(message)


def _forkserver_preload() -> list[str]:
    """Return the modules the fork server imports before it forks (``['__main__']`` unless set)."""
    import multiprocessing.forkserver

    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    preload: object = getattr(server, "_preload_modules", None)
    if not isinstance(preload, (list, tuple)):
        return ["__main__"]
    names: list[object] = list(preload)  # pyright: ignore[reportUnknownArgumentType]
    return [name if isinstance(name, str) else short_repr(name) for name in names]


def context_with_mpcontext_process(context: _C) -> _C:
    """Return a copy of `context` whose ``Process`` is ``mpcontext.Process``'s class on it.

    For pools, executors and managers, which start their processes with
    ``context.Process``. The copy is of the same class, so ``isinstance``
    and ``get_start_method()`` answer as for `context`. Processes made from
    it are not checked by the pre-flight (the pool checks its tasks). A
    context whose ``Process`` is no stdlib process class (a mock, a factory
    function, multiprocess's or billiard's own classes, whose processes
    leave the stdlib's global alone) is returned as it is: pools call
    whatever is there.
    """
    process = getattr(context, "Process")
    if not (isinstance(process, type) and issubclass(process, BaseProcess)):
        return context
    copy: _C = object.__new__(type(context))
    copy.__dict__.update(vars(context))
    copy.Process = process_class(Process, process)  # type: ignore[attr-defined]
    return copy


def pool_with_mpcontext_process(pool: object) -> bool:
    """Make a stdlib ``ProcessPoolExecutor`` the application injected start mpcontext's processes.

    It starts them with its context's ``Process``, lazily, in the thread
    that submits or in its own manager thread (the workers that replace
    those ``max_tasks_per_child`` ended): giving it a ``context_with_mpcontext_process``
    keeps every one of those starts from fixing the global start method.
    Only where starting a child fixes it (Python 3.10-3.13); the pool is
    otherwise unchanged.

    Returns whether the pool's starts now leave the global start method as
    it was: ``False`` when its context could not be given mpcontext's
    processes (not a context, or a ``Process`` that is no process class);
    ``True`` for a context of multiprocess or billiard, whose processes
    leave the stdlib's alone.
    """
    if not PREPARATION_FIXES_DEFAULT:
        return True
    context = getattr(pool, "_mp_context", None)
    process = getattr(context, "Process", None)
    if isinstance(process, type) and issubclass(process, Process):
        return True  # adopted already, or mpcontext's own pool
    if not isinstance(context, BaseContext):
        # multiprocess's and billiard's processes never touch the stdlib's global.
        return family_of(context) is not None
    adopted = context_with_mpcontext_process(context)
    setattr(pool, "_mp_context", adopted)
    return adopted is not context
