"""Types of other families' contexts: checked by mypy and pyright, never run by pytest."""

from __future__ import annotations

from multiprocessing.context import BaseContext, SpawnContext
from typing import Any

import multiprocess
import multiprocess.context
from typing_extensions import assert_type

import mpcontext
from mpcontext import ContextLike

# A context of another family keeps its type; the stdlib's keep theirs.
spawn_of_multiprocess = multiprocess.get_context("spawn")
assert_type(mpcontext.resolve_context(spawn_of_multiprocess), multiprocess.context.SpawnContext)
assert_type(mpcontext.resolve_context("spawn"), SpawnContext)
# A name the type checker cannot read is typed as the stdlib's.
assert_type(mpcontext.resolve_context("multiprocess:spawn"), BaseContext)

# Every concrete context, of any family, is a ContextLike.
like: ContextLike = spawn_of_multiprocess
like = mpcontext.resolve_context("spawn")
like = multiprocess.get_context()


def uses(like: ContextLike) -> None:
    """What a library calls on one."""
    assert_type(mpcontext.resolve_context(like), ContextLike)
    assert_type(like.get_start_method(), str)
    assert_type(like.get_start_method(allow_none=True), str | None)
    assert_type(like.Process(target=print), Any)
    with like.Pool(2) as pool:
        pool.map(abs, [1])
    like.Queue(3).put(1)
    like.Lock().acquire()
    like.Value("i", 0)
    like.Queue("three")  # type: ignore[arg-type]


# The abstract BaseContext is not one: typeshed gives it no Process.
abstract: BaseContext = mpcontext.resolve_context("multiprocess:spawn")
not_like: ContextLike = abstract  # type: ignore[assignment]
