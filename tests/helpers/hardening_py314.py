"""Python 3.14's default start method, simulated: what mpcontext does with it.

Python 3.14 made ``forkserver`` the platform default on Linux. Run in a fresh
interpreter (``test_hardening_versions`` does), ``main(method)`` makes
`method` multiprocessing's platform default the way 3.14 has it (the
``_default_context`` of multiprocessing's ``DefaultContext``; the global start
method stays unset), then prints, as JSON, what mpcontext's resolution,
``explain_context``, requirements, factories and pre-flight do with it.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.context
import sys
from typing import Any


def simulate_default(method: str) -> None:
    """Make `method` the platform default, as Python 3.14 does for forkserver on Linux."""
    default = multiprocessing.context._default_context
    assert default._actual_context is None, "the global start method is already fixed"
    default._default_context = multiprocessing.get_context(method)


def _attempt(call: Any) -> Any:
    try:
        return call()
    except Exception as error:  # reported, for the test to judge
        return f"{type(error).__name__}: {error}"


def observe() -> dict[str, Any]:
    """Return what mpcontext does under the simulated default."""
    import mpcontext
    from mpcontext import ContextField, ContextParam, accepts_context
    from mpcontext._core.start_methods import start_method_of

    import _children
    import hardening_targets as targets

    def facts(context: ContextParam) -> list[str]:
        return [start_method_of(mpcontext.resolve_context(context)), mpcontext.explain_context()]

    @accepts_context
    def any_method(*, mp_context: ContextParam = None) -> list[str]:
        return facts(mp_context)

    @accepts_context(requires=("fork",), reason="it shares a CUDA-free model by fork")
    def needs_fork(*, mp_context: ContextParam = None) -> list[str]:
        return facts(mp_context)

    @accepts_context(requires=("spawn", "forkserver"))
    def no_fork(*, mp_context: ContextParam = None) -> list[str]:
        return facts(mp_context)

    @accepts_context(requires=("fork", "spawn"))
    def fork_or_spawn(*, mp_context: ContextParam = None) -> list[str]:
        return facts(mp_context)

    class Service:
        mp_context: ContextField = ContextField(requires=("fork",))

    def no_fork_under_using_fork() -> list[str]:
        with mpcontext.using("fork"):
            return no_fork()

    def process() -> list[str]:
        queue = mpcontext.Queue()
        child = mpcontext.Process(target=_children.report_to, args=(queue,))
        child.start()
        report = queue.get(timeout=30)
        child.join(30)
        queue.close()
        queue.join_thread()
        return [type(child).__name__, report["start_method"]]

    def pool() -> str:
        with mpcontext.Pool(1) as workers:
            method: str = workers.apply(targets.start_method)
            workers.close()
            workers.join()
        return method

    def executor(**options: Any) -> list[str]:
        with mpcontext.ProcessPoolExecutor(1, **options) as workers:
            return [workers.submit(targets.start_method).result(30) for _ in range(2)]

    def fan_out() -> list[str]:
        with mpcontext.executor(1) as workers:
            return [workers.submit(targets.start_method).result(30)]

    @accepts_context(requires=("fork",))
    def fan_out_needs_fork(*, mp_context: ContextParam = None) -> list[str]:
        return fan_out()

    @accepts_context(requires=("spawn", "forkserver"))
    def fan_out_no_fork(*, mp_context: ContextParam = None) -> list[str]:
        return fan_out()

    def explicit_fork_with_max_tasks() -> list[str]:
        with mpcontext.using("fork"):
            return executor(max_tasks_per_child=1)

    def lambda_target() -> str:
        child = mpcontext.Process(target=targets.LAMBDA)
        child.start()  # a PreflightError under spawn and forkserver
        child.join(30)
        return f"started, exit code {child.exitcode}"

    observed: dict[str, Any] = {
        "global before": multiprocessing.get_start_method(allow_none=True),
        "resolved": facts(None),
        "any": any_method(),
        "needs fork": needs_fork(),
        "no fork": no_fork(),
        "fork or spawn": fork_or_spawn(),
        "no fork under using('fork')": _attempt(no_fork_under_using_fork),
        "field": start_method_of(Service().mp_context),
        "process": _attempt(process),
        "pool": _attempt(pool),
        "executor": _attempt(executor),
        "lambda target": _attempt(lambda_target),
        "executor()": _attempt(fan_out),
        "executor() needs fork": _attempt(fan_out_needs_fork),
        "executor() no fork": _attempt(fan_out_no_fork),
    }
    if sys.version_info >= (3, 11):
        observed["max_tasks_per_child"] = _attempt(lambda: executor(max_tasks_per_child=1))
        observed["explicit fork, max_tasks_per_child"] = _attempt(explicit_fork_with_max_tasks)
    observed["global after"] = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn")  # still possible: nothing fixed it
    observed["after set_start_method('spawn')"] = mpcontext.explain_context()
    return observed


def main(method: str) -> None:
    """Simulate `method` as the platform default; print what mpcontext does, as JSON."""
    simulate_default(method)
    print(json.dumps(observe()))


if __name__ == "__main__":
    main(sys.argv[1])
