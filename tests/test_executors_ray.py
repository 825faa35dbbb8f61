"""Ray's pool, injected with ``using(pool=...)``, on a real local Ray cluster.

One cluster for the module, on loopback: two CPUs, no dashboard, shut down
at the end. Ray has no wheel for every Python mpcontext supports (none for
3.15 yet): there this module skips, with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import mpcontext
from mpcontext import StartMethodError, using

import executor_targets as targets

TESTS = Path(__file__).resolve().parent
EXAMPLES = TESTS.parent / "examples"
HELPERS_PATH = os.pathsep.join([str(TESTS / "helpers"), str(EXAMPLES), *sys.path[1:]])
# Read as Ray is imported: no token asked on its own local cluster (else a warning
# logged), no usage report, and loopback only (Ray's single-machine mode, the one
# it uses on macOS and Windows, where it would otherwise take this host's address).
RAY_ENV = {
    "RAY_AUTH_MODE": "disabled",
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
}
os.environ.update(RAY_ENV)

ray = pytest.importorskip(
    "ray",
    reason=(
        "Ray is not installed (pip install 'mpcontext[ray]'; Ray publishes no wheel for "
        f"Python {sys.version_info[0]}.{sys.version_info[1]} yet)"
    ),
)
from ray.util.multiprocessing import Pool as RayPool  # noqa: E402 - once Ray is known to be here

# Whichever test comes first waits for the cluster to start (seconds; more under load).
pytestmark = pytest.mark.timeout(120)

RAY_INIT = "num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address='127.0.0.1'"


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """A local Ray cluster for the module's tests, started fresh and shut down at the end."""
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
        # Ray's workers import the tasks by name, as spawn's do.
        runtime_env={"env_vars": {"PYTHONPATH": HELPERS_PATH}},
    )
    assert {node["NodeManagerAddress"] for node in ray.nodes()} == {"127.0.0.1"}
    try:
        yield
    finally:
        ray.shutdown()


def test_library_pool_tasks_run_in_ray_workers(cluster: None) -> None:
    with using(pool=RayPool):
        said = mpcontext.explain_context()
        found = targets.pool_fan_out(list(range(6)))
    assert said.endswith(
        "; mpcontext.Pool() gives the pool made by <class 'ray.util.multiprocessing.pool.Pool'> "
        "(type), injected with using(pool=...)"
    )
    assert len(found) == 6 and os.getpid() not in {f["pid"] for f in found}
    actors = {f["ray_actor"] for f in found}
    assert None not in actors, "each task ran in an actor of Ray's pool"
    assert {f["start_method"] for f in found} == {None}, "not a multiprocessing child"
    # After the block, a local pool again.
    local = targets.pool_fan_out([1], mp_context="spawn")
    assert local[0]["ray_actor"] is None and local[0]["start_method"] == "spawn"


def test_lambdas_reach_ray_workers_unchecked(cluster: None) -> None:
    """Ray pickles functions by value: the pre-flight is skipped for its pools."""
    with using(pool=RayPool), mpcontext.Pool(2) as pool:
        assert sorted(pool.imap_unordered(lambda x: x * 10, [1, 2, 3])) == [10, 20, 30]
        assert pool.starmap(pow, [(2, 3)]) == [8]
        assert pool.apply_async(targets.square, (5,)).get(timeout=60) == 25


def test_a_requirement_refuses_the_ray_pool(cluster: None) -> None:
    with using(pool=RayPool), pytest.raises(StartMethodError) as caught:
        targets.pool_fresh_only([1])
    message = str(caught.value)
    assert message.startswith(
        "executor_targets.pool_fresh_only() cannot send its work to the pool made by "
        "<class 'ray.util.multiprocessing.pool.Pool'> (type), injected with using(pool=...): "
        "it is a Ray pool, which runs its tasks in the worker processes of Ray."
    )
    assert "or pass mp_context='spawn' to executor_targets.pool_fresh_only()" in message


def test_the_initializer_runs_in_each_ray_worker(cluster: None) -> None:
    with using(pool=RayPool), mpcontext.Pool(1, targets.initialize, ("ray",)) as pool:
        pid, seen = pool.apply(targets.initialized)
    assert pid != os.getpid()
    assert seen == {"ray": 1}


def test_the_example_librarys_pool_function_runs_on_ray(cluster: None, tmp_path: Path) -> None:
    """README, "Scaling out": ``wordfreq.count_each`` unchanged, on the Ray cluster."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        import wordfreq
    finally:
        sys.path.remove(str(EXAMPLES))
    paths = []
    for name, text in {"a.txt": "the cat", "b.txt": "the dog the end"}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    with using(pool=RayPool):
        counts = wordfreq.count_each(paths, processes=2)
    assert {path: dict(found) for path, found in counts.items()} == {
        paths[0]: {"the": 1, "cat": 1},
        paths[1]: {"the": 2, "dog": 1, "end": 1},
    }


@pytest.mark.timeout(180)
def test_a_function_typed_at_the_repl_reaches_ray_workers() -> None:
    """A real interactive interpreter: the function is compiled from ``<stdin>`` in ``__main__``."""
    typed = textwrap.dedent(
        f"""\
        import os, ray, mpcontext, executor_targets
        from ray.util.multiprocessing import Pool as RayPool
        _ = ray.init(address="local", {RAY_INIT})
        def typed_in_the_repl(x):
            return x + 1, os.getpid()

        with mpcontext.using(pool=RayPool):
            found = executor_targets.pool_fan_out([1, 2, 3], typed_in_the_repl)

        print("RESULTS", sorted(value for value, _ in found))
        print("IN THIS PROCESS", os.getpid() in {{pid for _, pid in found}})
        ray.shutdown()
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPCONTEXT_", "PYTHON"))}
    env.update(RAY_ENV, PYTHONPATH=HELPERS_PATH)
    done = subprocess.run(
        [sys.executable, "-i", "-q"],
        input=typed,
        capture_output=True,
        text=True,
        timeout=150,
        env=env,
        cwd=TESTS,
    )
    assert done.returncode == 0, done.stderr
    assert "RESULTS [2, 3, 4]" in done.stdout, done.stdout + done.stderr
    assert "IN THIS PROCESS False" in done.stdout, done.stdout + done.stderr
