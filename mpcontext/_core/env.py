"""The environment variables mpcontext reads, and when it reads them.

They are read when mpcontext is imported and again by
``refresh_environment()``, never per call: looking a variable up costs more
than a whole decorated call. Values are checked where they are used, so a bad
value never breaks ``import mpcontext``.
"""

# No ``from __future__ import annotations``: ``import mpcontext`` loads this
# module, and that line would import ``__future__`` too (CONTRIBUTING, "Import cost").
import os

__all__ = ["ENV", "PREFLIGHT_VAR", "START_METHOD_VAR", "refresh_environment"]

START_METHOD_VAR = "MPCONTEXT_START_METHOD"
PREFLIGHT_VAR = "MPCONTEXT_PREFLIGHT"


class _Environment:
    """The values read; ``None`` for a variable unset or empty."""

    __slots__ = ("preflight", "start_method")

    def __init__(self) -> None:
        self.start_method: str | None = None
        self.preflight: str | None = None


ENV = _Environment()


def refresh_environment() -> None:
    """Read mpcontext's environment variables again.

    ``MPCONTEXT_START_METHOD`` (a start method for mpcontext-aware code when
    nothing else chose one) and ``MPCONTEXT_PREFLIGHT`` (``off``, ``cheap``
    or ``full``) are read when mpcontext is imported. Call this after
    changing ``os.environ`` for the change to take effect. An empty value
    counts as unset.
    """
    ENV.start_method = os.environ.get(START_METHOD_VAR) or None
    ENV.preflight = os.environ.get(PREFLIGHT_VAR) or None


refresh_environment()
