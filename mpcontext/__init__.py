"""Let the callers of your library choose how its processes start.

mpcontext is for library authors whose code starts processes: take a
multiprocessing context from your caller in one line, document the start
methods you require, and catch in the parent what would kill a child.
See the README for a tour.
"""

from __future__ import annotations

from ._decorate import accepts_context
from ._env import refresh_environment
from ._errors import (
    BrokenPoolError,
    ConfigurationError,
    InvalidContextError,
    MPContextError,
    PreflightError,
    StartMethodError,
)
from ._executors import executor
from ._factories import (
    Array,
    Barrier,
    BoundedSemaphore,
    Condition,
    Event,
    JoinableQueue,
    Lock,
    Manager,
    Pool,
    Process,
    ProcessPoolExecutor,
    Queue,
    RLock,
    Semaphore,
    SimpleQueue,
    Value,
)
from ._field import ContextField
from ._methods import available_start_methods
from ._preflight import check_picklable
from ._registry import Registry, registry
from ._resolve import current_context, explain_context, resolve_context
from ._scope import carry, using
from ._types import ContextParam, Requirement
from ._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._types import StartMethod

__all__ = [
    "Array",
    "Barrier",
    "BoundedSemaphore",
    "BrokenPoolError",
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
    "current_context",
    "executor",
    "explain_context",
    "refresh_environment",
    "registry",
    "resolve_context",
    "using",
]


def __getattr__(name: str) -> object:
    # ``StartMethod`` is a ``typing.Literal``: built on first use so that
    # ``import mpcontext`` does not import ``typing``.
    if name == "StartMethod":
        from . import _types

        return _types.StartMethod
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
