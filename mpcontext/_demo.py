"""``python -m mpcontext demo``: a tour of mpcontext on this machine."""

from __future__ import annotations

import multiprocessing

from ._methods import available_start_methods
from ._resolve import current_context, explain_context, resolve_context
from ._scope import using

__all__ = ["run_demo"]


def _section(title: str) -> None:
    print()
    print(title)
    print("-" * len(title))


def run_demo() -> int:
    """Print the tour; return the exit status."""
    _section("Start methods on this machine")
    print(f"available: {', '.join(available_start_methods())}")
    print(f"in force:  {explain_context()}")

    _section("Resolution")
    for method in available_start_methods():
        context = resolve_context(method)
        print(f"resolve_context({method!r:13}) -> {type(context).__name__}")

    _section("using(): an application chooses for every library at once")
    for method in available_start_methods():
        with using(method):
            print(f"inside using({method!r:13}): {current_context().get_start_method():10}"
                  f" ({explain_context()})")
    print(f"after the blocks: {explain_context()}")
    fixed = multiprocessing.get_start_method(allow_none=True)
    print(f"multiprocessing's global start method is still unset: {fixed is None}")
    return 0
