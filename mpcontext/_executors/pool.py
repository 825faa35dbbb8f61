"""``Pool``: library code asks for a process pool; the application may choose it.

By default a local pool of the context in force, with the pre-flight (the
stdlib's ``multiprocessing.pool.Pool`` made by ``_start.pools``, or the
pool of another family's context made by ``_start.families``). Inside
``using(pool=factory)`` the application's factory makes it instead, unless
the caller chose a context explicitly inside the injection::

    mpcontext.Pool(processes, initializer, initargs, maxtasksperchild)  (library code)
        ├─ nothing injected, or an explicit inner choice ──> a local pool
        └─ using(pool=factory) ──> injected_pool.injected_pool(): the
                                   factory's pool, checked against the
                                   requirement in force
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

from .._core.messages import describe_value
from .._core.mp_default import concrete_context
from .._core.resolve import current_context
from .._core.scope import SCOPE
from .._core.start_methods import context_from_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    import multiprocessing.pool
    from collections.abc import Callable, Iterable
    from typing import Any

    from .._core.types import ContextParam

__all__ = ["Pool"]


def Pool(  # noqa: N802
    processes: int | None = None,
    initializer: Callable[..., object] | None = None,
    initargs: Iterable[Any] = (),
    maxtasksperchild: int | None = None,
    *,
    mp_context: ContextParam = None,
) -> multiprocessing.pool.Pool:
    """Return a process pool of the context `mp_context`, or the one the application chose.

    A drop-in for ``multiprocessing.Pool`` and ``ctx.Pool``. Inside
    ``using(pool=factory)`` it returns the application's pool instead (see
    Notes).

    Parameters
    ----------
    processes, initializer, initargs, maxtasksperchild
        As for ``multiprocessing.Pool``.
    mp_context : None, str or BaseContext, keyword-only, optional
        The context that starts the workers: a start method name, a context,
        or ``None`` for the context in force. Contexts of multiprocess,
        billiard and loky are accepted too, as objects or by name
        (``"multiprocess:spawn"``, ``"billiard:fork"``, ``"loky"``).
        Passing the function's own `mp_context` on is the idiom: it is not a
        new choice, and only matters when the application injected no pool.

    Returns
    -------
    multiprocessing.pool.Pool
        An instance of a subclass that runs the pre-flight check on the
        initializer (before any worker starts) and on each task before
        queueing it, and starts workers without fixing the global start
        method. For a context of multiprocess or billiard, the pool is that
        library's own (``multiprocess.pool.Pool``, ``billiard.pool.Pool``:
        the stdlib's cannot use their queues), of a subclass that checks the
        initializer and each task the same way, with how that library
        pickles tasks (multiprocess sends lambdas by value, billiard does
        not, and its pool would wait for ever on one); what the stdlib's
        pool adds here (a task its workers cannot unpickle failing, a pool
        whose workers keep dying breaking) is the stdlib pool's alone.
        Inside ``using(pool=factory)``: what the factory returns.

    Raises
    ------
    InvalidContextError
        `mp_context` is not a start method available here or a context.
    PreflightError
        `initializer` or `initargs` could not reach a worker.
    TypeError
        `processes` is not an int or None; an injected factory returned
        something without ``Pool``'s methods.
    StartMethodError
        Inside a function declared with ``requires``: the injected factory
        made a pool that is not a local process pool of a start method the
        function allows (a Ray pool, a thread pool, a pool of unknown kind).

    Notes
    -----
    Inside ``using(pool=factory)``, unless a context was chosen explicitly
    inside it (an inner ``using``, the decorated function's argument), the
    pool is ``factory(processes, initializer, initargs, maxtasksperchild)``:
    for instance Ray's ``ray.util.multiprocessing.Pool``, which runs the
    tasks on a Ray cluster. Library code ends it as it would a local pool
    (its ``with`` block, ``close()`` and ``join()``). The pre-flight runs
    on stdlib pools only: a plain ``multiprocessing.pool.Pool`` the factory
    made is returned as a subclass of its own class that checks each task
    (the same object), and Ray pickles functions by value, so that a
    function defined at the REPL reaches its workers. The factory runs with no pool injected (an
    ``mpcontext.Pool`` it calls makes a local pool); an error it raises
    propagates as it is, with a note (``__notes__``) naming the factory.
    """
    if mp_context is None:
        context = current_context()
    else:
        context = context_from_value(mp_context, "the mp_context argument of mpcontext.Pool()")
    context = concrete_context(context)
    if processes is not None and (not isinstance(processes, int) or isinstance(processes, bool)):
        raise TypeError(
            f"mpcontext.Pool(): processes must be an int (the number of worker processes) "
            f"or None (os.process_cpu_count()), got {describe_value(processes)}"
        )
    scope = SCOPE.get()
    if scope.pool is not None and not scope.pool_inner:
        from .injected_pool import injected_pool

        made: multiprocessing.pool.Pool = injected_pool(
            scope, processes, initializer, initargs, maxtasksperchild
        )
        return made
    from .._preflight.check import check_initializer, journey_of
    from .._start.pools import Pool as _Pool

    error = check_initializer(initializer, initargs, journey_of(context, False))
    if error is not None:
        raise error
    if not isinstance(context, BaseContext):  # multiprocess's, billiard's
        from .._start.families import family_pool

        pool: multiprocessing.pool.Pool = family_pool(
            context, processes, initializer, initargs, maxtasksperchild
        )
        return pool
    return _Pool(processes, initializer, initargs, maxtasksperchild, mp_context=context)
