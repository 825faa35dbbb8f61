"""Let the callers of your library choose how its processes start.

mpcontext is for library authors whose code starts processes: take a
multiprocessing context from your caller in one line, document the start
methods you require, and catch in the parent what would kill a child.
See the README for a tour.
"""

from __future__ import annotations

from ._core.env import refresh_environment
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
from ._core.types import Choice, ContextParam, Requirement
from ._declare.decorate import accepts_context
from ._declare.registry import Registry, registry
from ._executors.executor import executor
from ._start.factories import (
    Array,
    Barrier,
    BoundedSemaphore,
    Condition,
    Event,
    JoinableQueue,
    Lock,
    Manager,
    Pool,
    Queue,
    RLock,
    Semaphore,
    SimpleQueue,
    Value,
)
from ._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._core.types import StartMethod
    from ._declare.field import ContextField
    from ._preflight.check import check_picklable
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


# Made on first access (PEP 562), so that ``import mpcontext`` imports neither
# ``typing`` (``StartMethod`` is a ``typing.Literal``) nor
# ``concurrent.futures.process`` (``ProcessPoolExecutor`` subclasses its class),
# and what a library importing mpcontext may never use (the pre-flight, whose
# first check loads it, and ``ContextField``) costs it nothing.
_LAZY = {
    "ContextField": "._declare.field",
    "Process": "._start.processes",
    "ProcessPoolExecutor": "._start.process_pool_executor",
    "StartMethod": "._core.types",
    "check_picklable": "._preflight.check",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
