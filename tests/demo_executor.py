"""A stand-in for ``mpcontext.executor`` while the version under test has none.

It follows DESIGN.md's rules only as far as the demo needs: an injected
``Executor`` instance is used as it is (never shut down), a callable is
called with ``max_workers``, else a local process pool with the context in
force is made and shut down on exit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Executor

import mpcontext
from mpcontext._scope import SCOPE


@contextlib.contextmanager
def executor(
    max_workers: int | None = None, *, mp_context: mpcontext.ContextParam = None
) -> Iterator[Executor]:
    injected = SCOPE.get().executor
    if isinstance(injected, Executor):
        yield injected
    elif injected is not None:
        with injected(max_workers) as made:
            yield made
    else:
        with mpcontext.ProcessPoolExecutor(max_workers, mp_context=mp_context) as pool:
            yield pool
