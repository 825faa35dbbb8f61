"""Cost of ``accepts_context``: per call, and per decoration.

Per call, a decorated trivial function is timed against the same function
undecorated and against a plain ``functools.wraps`` pass-through wrapper, in
the same run: several interleaved repeats, the minimum of each kept (timeit
style), printed with the ratios. Cases: the common call (argument left out),
an explicit argument, and a function with ``requires``. Then the cost of
decorating a function.

Also what the typed idiom adds to a decorated call (``ctx =
resolve_context(mp_context)`` in the body, which gives the same context back).

Run: ``python benchmarks/bench_decorate.py [--repeat N] [--number N]``.
Targets, decorated / pass-through: <= 1.0 for the common call, <= 1.5 given
a context or with ``requires`` (``benchmarks/run.py`` measures these rows
steadier, on CPU time); decorating a function <= 20 us (with or without
options; the docstring note included). The exit status is 1 when the
decoration target is missed.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import timeit
from collections.abc import Callable

from mpcontext import ContextParam, accepts_context, resolve_context


def plain(x: int, *, mp_context: ContextParam = None) -> int:
    return x


def passthrough(func: Callable[..., int]) -> Callable[..., int]:
    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> int:
        return func(*args, **kwargs)

    return wrapper


wrapped = passthrough(plain)
def typed(x: int, *, mp_context: ContextParam = None) -> int:
    resolve_context(mp_context)  # the README's typed idiom: the same context back
    return x


decorated = accepts_context(plain)
decorated_typed = accepts_context(typed)
required = accepts_context(requires=("fork", "spawn", "forkserver"))(plain)
SPAWN = multiprocessing.get_context("spawn")

CASES: dict[str, dict[str, str]] = {
    "common call (argument left out)": {
        "undecorated": "plain(1)",
        "pass-through": "wrapped(1)",
        "decorated": "decorated(1)",
    },
    "explicit argument (a context)": {
        "undecorated": "plain(1, mp_context=SPAWN)",
        "pass-through": "wrapped(1, mp_context=SPAWN)",
        "decorated": "decorated(1, mp_context=SPAWN)",
    },
    "with requires (argument left out)": {
        "undecorated": "plain(1)",
        "pass-through": "wrapped(1)",
        "decorated": "required(1)",
    },
}


def best_per_call(statements: dict[str, str], repeat: int, number: int) -> dict[str, float]:
    """Time each statement `repeat` times, interleaved; return the minimum per call."""
    timers = {name: timeit.Timer(stmt, globals=globals()) for name, stmt in statements.items()}
    best = dict.fromkeys(timers, float("inf"))
    for _ in range(repeat):
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(number) / number)
    return best


DECORATE_TARGET = 20e-6
"""Decorating a function costs at most this, in seconds."""

DECORATIONS: dict[str, Callable[[Callable[..., int]], object]] = {
    "bare, @accepts_context": accepts_context,
    "requires and reason": accepts_context(
        requires=("spawn", "forkserver"), reason="its workers load a model unsafe to fork"
    ),
    "note=False": accepts_context(note=False),
}


def decoration_cost(repeat: int, number: int) -> dict[str, float]:
    """Return the best cost of each decoration of ``DECORATIONS``, and of a pass-through."""
    source = (
        "def f(x, *, mp_context=None):\n"
        '    """Summary.\n\n    Parameters\n    ----------\n    x : int\n        X.\n    """\n'
        "    return x\n"
    )
    namespace: dict[str, Callable[..., int]] = {}
    exec(source, {"__name__": "bench_decorate_target"}, namespace)
    function = namespace["f"]
    timers = {
        name: timeit.Timer(lambda decorate=decorate: decorate(function))
        for name, decorate in DECORATIONS.items()
    }
    timers["pass-through"] = timeit.Timer(lambda: passthrough(function))
    best = dict.fromkeys(timers, float("inf"))
    for _ in range(repeat):
        for name, timer in timers.items():
            best[name] = min(best[name], timer.timeit(number) / number)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description="Cost of accepts_context, per call and per decoration.")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=200_000)
    args = parser.parse_args()
    print(f"per call: best of {args.repeat} interleaved repeats of {args.number} calls")
    for case, statements in CASES.items():
        best = best_per_call(statements, args.repeat, args.number)
        base, through, deco = best["undecorated"], best["pass-through"], best["decorated"]
        print(
            f"  {case:36} undecorated {base * 1e9:6.1f} ns  pass-through {through * 1e9:6.1f} ns"
            f"  decorated {deco * 1e9:6.1f} ns  decorated/pass-through {deco / through:4.2f}"
            f"  decorated/undecorated {deco / base:4.2f}"
        )
    idiom = {"decorated": "decorated(1)", "with the typed idiom": "decorated_typed(1)"}
    best = best_per_call(idiom, args.repeat, args.number)
    added = best["with the typed idiom"] - best["decorated"]
    print(
        f"  {'ctx = resolve_context(mp_context) in the body':52} adds {added * 1e9:5.1f} ns "
        f"to a decorated call ({best['with the typed idiom'] / best['decorated']:4.2f}x)"
    )
    best = decoration_cost(args.repeat, max(args.number // 100, 100))
    through = best.pop("pass-through")
    print(f"decorating a function (target <= {DECORATE_TARGET * 1e6:.0f} us):")
    for name, cost in best.items():
        ratio = cost / through
        print(f"  {name:36} {cost * 1e6:5.1f} us  ({ratio:4.1f}x a functools.wraps pass-through)")
    return 0 if max(best.values()) <= DECORATE_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
