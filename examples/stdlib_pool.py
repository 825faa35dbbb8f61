"""A library function that uses its caller's context where a ``BaseContext`` is typed.

The body of a decorated function receives the resolved ``BaseContext`` in
place of its ``mp_context`` argument, but a type checker sees the parameter's
annotation, ``ContextParam``. ``mpcontext.resolve_context(mp_context)`` gives
the same object back, typed as a ``BaseContext``, for almost nothing (see
``benchmarks/bench_decorate.py``).

Run: ``python examples/stdlib_pool.py``.
"""

from __future__ import annotations

import mpcontext
from mpcontext import ContextParam


def square(x: int) -> int:
    return x * x


@mpcontext.accepts_context
def squares(values: list[int], *, mp_context: ContextParam = None) -> tuple[str, list[int]]:
    """Square `values` in worker processes started as the caller chose."""
    ctx = mpcontext.resolve_context(mp_context)  # the body's context, typed as a BaseContext
    with mpcontext.ProcessPoolExecutor(2, ctx) as pool:
        return ctx.get_start_method(), list(pool.map(square, values))


if __name__ == "__main__":
    print(squares([1, 2, 3], mp_context="spawn"))
