"""Pre-flight checks: catch in the parent what would kill the child.

A first cut: the interface the factories call. The full check (interactive
``__main__`` objects, partials, bound methods, cross-context primitives, the
``full`` level) is being built in its own issue.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

from ._env import ENV, PREFLIGHT_VAR
from ._errors import MPContextError, PreflightError
from ._methods import describe_value, start_method_of
from ._resolve import resolve_context

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ._types import ContextParam

__all__ = ["LEVELS", "check_picklable", "preflight", "preflight_level"]

LEVELS = ("off", "cheap", "full")


def preflight_level() -> str:
    """Return the level ``MPCONTEXT_PREFLIGHT`` chooses (``"cheap"`` when unset).

    Raises
    ------
    MPContextError
        The variable holds something else than ``off``, ``cheap`` or ``full``.
    """
    level = ENV.preflight
    if level is None:
        return "cheap"
    if level not in LEVELS:
        raise MPContextError(
            f"{PREFLIGHT_VAR}={level!r} is not a pre-flight level; "
            f"expected one of {', '.join(map(repr, LEVELS))}"
        )
    return level


def check_picklable(
    target: object,
    args: Iterable[object] = (),
    kwargs: Mapping[str, object] | None = None,
    *,
    context: ContextParam = None,
    full: bool = False,
    pool: bool = False,
) -> None:
    """Raise ``PreflightError`` when `target` could not reach a child.

    Parameters
    ----------
    target : callable
        What the child would run.
    args, kwargs
        What it would be called with.
    context : None, str or BaseContext, optional
        The context that would start the child (``None``: the one in force).
    full : bool
        Pickle every argument too, and name the first that fails.
    pool : bool
        The call is a pool task, pickled by reference under every method.
    """
    ctx = resolve_context(context)
    if not pool and start_method_of(ctx) == "fork":
        return
    qualname = getattr(target, "__qualname__", "")
    if "<lambda>" in qualname or "<locals>" in qualname:
        raise PreflightError(
            f"{describe_value(target)} cannot reach a child process started by "
            f"{start_method_of(ctx)!r}: it is found by name and this one has none"
        )


def preflight(
    target: object,
    args: Iterable[object],
    kwargs: Mapping[str, object] | None,
    context: BaseContext,
    *,
    pool: bool,
) -> None:
    """Run the check at the level ``MPCONTEXT_PREFLIGHT`` chooses.

    This is what the factories call before ``start()``, ``submit()``,
    ``map()`` and ``apply_async()``.
    """
    level = preflight_level()
    if level != "off":
        check_picklable(target, args, kwargs, context=context, full=level == "full", pool=pool)
