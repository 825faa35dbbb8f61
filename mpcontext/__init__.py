"""Let the callers of your library choose how its processes start.

mpcontext is for library authors whose code starts processes: take a
multiprocessing context from your caller in one line, document the start
methods you require, and catch in the parent what would kill a child.
See the README for a tour.
"""

# No ``from __future__ import annotations`` here nor in the two modules below:
# it imports ``__future__``, and a bare ``import mpcontext`` loads only these.

# Not on first access: the environment is read when mpcontext is imported (README).
from ._core.env import refresh_environment
from ._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._core.context_like import ContextLike
    from ._core.errors import (
        BrokenPoolError,
        ConfigurationError,
        InvalidContextError,
        MPContextError,
        PreflightError,
        StartMethodError,
    )
    from ._core.resolve import current_choice, current_context, explain_context, resolve_context
    from ._core.scope import carry, using
    from ._core.start_methods import available_start_methods
    from ._core.types import Choice, ContextParam, Requirement, StartMethod
    from ._declare.decorate import accepts_context
    from ._declare.field import ContextField
    from ._declare.registry import Registry, registry
    from ._executors.executor import executor
    from ._executors.pool import Pool
    from ._preflight.check import check_picklable
    from ._start.factories import (
        Array,
        Barrier,
        BoundedSemaphore,
        Condition,
        Event,
        JoinableQueue,
        Lock,
        Manager,
        Queue,
        RLock,
        Semaphore,
        SimpleQueue,
        Value,
    )
    from ._start.process_pool_executor import ProcessPoolExecutor
    from ._start.processes import Process

__all__ = [
    "Array",
    "Barrier",
    "BoundedSemaphore",
    "BrokenPoolError",
    "Choice",
    "Condition",
    "ConfigurationError",
    "ContextField",
    "ContextLike",
    "ContextParam",
    "Event",
    "InvalidContextError",
    "JoinableQueue",
    "Lock",
    "MPContextError",
    "Manager",
    "Pool",
    "PreflightError",
    "Process",
    "ProcessPoolExecutor",
    "Queue",
    "RLock",
    "Registry",
    "Requirement",
    "Semaphore",
    "SimpleQueue",
    "StartMethod",
    "StartMethodError",
    "Value",
    "__version__",
    "accepts_context",
    "available_start_methods",
    "carry",
    "check_picklable",
    "current_choice",
    "current_context",
    "executor",
    "explain_context",
    "refresh_environment",
    "registry",
    "resolve_context",
    "using",
]


# Imported on first access (PEP 562), each from the module the ``TYPE_CHECKING``
# block names: ``import mpcontext`` costs a library that imports it almost
# nothing beyond ``import multiprocessing`` (benchmarks/bench_import.py), and
# what it never uses (the pre-flight, the executors, ``ProcessPoolExecutor``
# and its ``concurrent.futures.process``, ``StartMethod`` and its ``typing``...)
# costs it nothing.
_LAZY = {
    "ContextLike": "_core.context_like",
    "BrokenPoolError": "_core.errors",
    "ConfigurationError": "_core.errors",
    "InvalidContextError": "_core.errors",
    "MPContextError": "_core.errors",
    "PreflightError": "_core.errors",
    "StartMethodError": "_core.errors",
    "current_choice": "_core.resolve",
    "current_context": "_core.resolve",
    "explain_context": "_core.resolve",
    "resolve_context": "_core.resolve",
    "carry": "_core.scope",
    "using": "_core.scope",
    "available_start_methods": "_core.start_methods",
    "Choice": "_core.types",
    "ContextParam": "_core.types",
    "Requirement": "_core.types",
    "StartMethod": "_core.types",
    "accepts_context": "_declare.decorate",
    "ContextField": "_declare.field",
    "Registry": "_declare.registry",
    "registry": "_declare.registry",
    "executor": "_executors.executor",
    "Pool": "_executors.pool",
    "check_picklable": "_preflight.check",
    "Array": "_start.factories",
    "Barrier": "_start.factories",
    "BoundedSemaphore": "_start.factories",
    "Condition": "_start.factories",
    "Event": "_start.factories",
    "JoinableQueue": "_start.factories",
    "Lock": "_start.factories",
    "Manager": "_start.factories",
    "Queue": "_start.factories",
    "RLock": "_start.factories",
    "Semaphore": "_start.factories",
    "SimpleQueue": "_start.factories",
    "Value": "_start.factories",
    "ProcessPoolExecutor": "_start.process_pool_executor",
    "Process": "_start.processes",
}

# Hidden from type checkers, which see the names above instead: a misspelt
# ``mpcontext.Procss`` stays an error for them rather than an ``object``.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        # What ``from .module import name`` runs; importlib.import_module would
        # import ``importlib`` itself, which multiprocessing does not before 3.14.
        value = getattr(__import__(module, globals(), None, (name,), 1), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
