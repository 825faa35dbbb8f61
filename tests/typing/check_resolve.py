"""Types of resolution: checked by mypy and pyright, never run by pytest."""

from __future__ import annotations

import sys
from collections.abc import Callable
from multiprocessing.context import BaseContext, SpawnContext

from typing_extensions import assert_type

import mpcontext

assert_type(mpcontext.resolve_context("spawn"), SpawnContext)
assert_type(mpcontext.resolve_context(), BaseContext)
assert_type(mpcontext.resolve_context(None), BaseContext)
assert_type(mpcontext.current_context(), BaseContext)

if sys.platform != "win32":
    from multiprocessing.context import ForkContext, ForkServerContext

    assert_type(mpcontext.resolve_context("fork"), ForkContext)
    assert_type(mpcontext.resolve_context("forkserver"), ForkServerContext)
    fork: ForkContext = mpcontext.resolve_context("fork")
    assert_type(mpcontext.resolve_context(fork), ForkContext)



def from_configuration(name: str, param: mpcontext.ContextParam) -> None:
    # A plain str (read from configuration) type-checks; it is checked at run time.
    assert_type(mpcontext.resolve_context(name), BaseContext)
    assert_type(mpcontext.resolve_context(param), BaseContext)


method: mpcontext.StartMethod = "forkserver"
bad_method: mpcontext.StartMethod = "spwan"  # type: ignore[assignment]

mpcontext.resolve_context(3)  # type: ignore[call-overload]
mpcontext.resolve_context(b"spawn")  # type: ignore[call-overload]

with mpcontext.using("spawn"):
    pass
with mpcontext.using(executor=None):
    pass
mpcontext.using(3)  # type: ignore[arg-type]

explained: str = mpcontext.explain_context()
methods: tuple[str, ...] = mpcontext.available_start_methods()


def work(x: int) -> str:
    return str(x)


carried: Callable[[int], str] = mpcontext.carry(work)
mpcontext.carry(work)("one")  # type: ignore[arg-type]

choice = mpcontext.current_choice()
assert_type(choice, mpcontext.Choice)
assert_type(choice.context, BaseContext)
assert_type(choice.explicit, bool)
assert_type(choice.origin, str)
choice.explicit = True  # type: ignore[misc]
