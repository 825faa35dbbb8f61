"""The pre-flight on real scripts: what a spawn or forkserver child of a script cannot find.

Each verdict is checked against the stdlib with a real child: what mpcontext
refuses kills the child, and what it allows runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mpcontext

ROOT = Path(mpcontext.__file__).resolve().parent.parent
METHODS = mpcontext.available_start_methods()
NON_FORK = [method for method in METHODS if method != "fork"]
needs_fork = pytest.mark.skipif("fork" not in METHODS, reason="no fork start method here")

pytestmark = pytest.mark.timeout(60)

# The one script of each test: {start} is how it starts `work`.
GUARDED = """
import multiprocessing, sys
sys.path.insert(0, {root!r})
import mpcontext

def outside():
    pass

if __name__ == "__main__":
    def work():
        pass

    {start}
"""

LOOSE_MODULE = "def work():\n    pass\n"

LOADED_BY_PATH = """
import importlib.util, multiprocessing, sys
sys.path.insert(0, {root!r})
import mpcontext

if __name__ == "__main__":
    spec = importlib.util.spec_from_file_location("loose", {module!r})
    loose = importlib.util.module_from_spec(spec)
    sys.modules["loose"] = loose
    spec.loader.exec_module(loose)
    work = loose.work
    {start}
"""

MPCONTEXT_START = """try:
        p = mpcontext.Process(target={target}, mp_context={method!r})
        p.start(); p.join()
        print("exit", p.exitcode)
    except mpcontext.PreflightError as error:
        print("refused", error)"""

STDLIB_START = """p = multiprocessing.get_context({method!r}).Process(target={target})
    p.start(); p.join()
    print("exit", p.exitcode)"""


def _script(tmp_path: Path, template: str, start: str, **names: str) -> subprocess.CompletedProcess[str]:
    module = tmp_path / "elsewhere" / "loose.py"
    module.parent.mkdir(exist_ok=True)
    module.write_text(LOOSE_MODULE)
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(template).format(
            root=str(ROOT), module=str(module), start=start.format(**names)
        )
    )
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=50, cwd=tmp_path
    )


@pytest.mark.parametrize("method", NON_FORK)
def test_a_function_under_the_main_guard_is_refused(tmp_path: Path, method: str) -> None:
    result = _script(tmp_path, GUARDED, MPCONTEXT_START, target="work", method=method)
    assert result.stdout.startswith("refused "), (result.stdout, result.stderr)
    assert 'is defined under `if __name__ == "__main__":` of the main module' in result.stdout
    assert f"which a {method} child runs again as __mp_main__, without that block" in result.stdout
    assert "outside `if __name__ == \"__main__\":`" in result.stdout


@pytest.mark.parametrize("method", NON_FORK)
def test_without_the_check_a_function_under_the_main_guard_kills_the_child(
    tmp_path: Path, method: str
) -> None:
    result = _script(tmp_path, GUARDED, STDLIB_START, target="work", method=method)
    assert result.stdout.split() == ["exit", "1"], result.stderr
    # Python 3.14 words it otherwise.
    assert re.search(
        r"AttributeError: (Can't get attribute 'work' on <module '__mp_main__'"
        r"|module '__mp_main__' has no attribute 'work')",
        result.stderr,
    ), result.stderr


@pytest.mark.parametrize("method", METHODS)
def test_a_function_outside_the_main_guard_is_allowed(tmp_path: Path, method: str) -> None:
    result = _script(tmp_path, GUARDED, MPCONTEXT_START, target="outside", method=method)
    assert result.stdout.split() == ["exit", "0"], result.stderr


@needs_fork
def test_under_fork_a_function_under_the_main_guard_is_allowed(tmp_path: Path) -> None:
    result = _script(tmp_path, GUARDED, MPCONTEXT_START, target="work", method="fork")
    assert result.stdout.split() == ["exit", "0"], result.stderr


@pytest.mark.parametrize("method", NON_FORK)
def test_a_module_loaded_by_path_is_refused(tmp_path: Path, method: str) -> None:
    result = _script(tmp_path, LOADED_BY_PATH, MPCONTEXT_START, target="work", method=method)
    assert result.stdout.startswith("refused "), (result.stdout, result.stderr)
    assert "cannot be imported by a child: module 'loose' was loaded from" in result.stdout
    assert "is not importable by that name from sys.path" in result.stdout
    assert "make the module importable by name from sys.path" in result.stdout


@pytest.mark.parametrize("method", NON_FORK)
def test_without_the_check_a_module_loaded_by_path_kills_the_child(
    tmp_path: Path, method: str
) -> None:
    result = _script(tmp_path, LOADED_BY_PATH, STDLIB_START, target="work", method=method)
    assert result.stdout.split() == ["exit", "1"], result.stderr
    assert "No module named 'loose'" in result.stderr


@needs_fork
def test_under_fork_a_module_loaded_by_path_is_allowed(tmp_path: Path) -> None:
    result = _script(tmp_path, LOADED_BY_PATH, MPCONTEXT_START, target="work", method="fork")
    assert result.stdout.split() == ["exit", "0"], result.stderr


# -- a pool checks each task for the start method it was made with ---------------------

POOL_MADE_UNDER = """with mpcontext.using({made!r}):
        pool = {make}
    with mpcontext.using({submitted!r}):
        try:
            print("ran", {run})
        except mpcontext.PreflightError:
            print("refused")
    {close}"""

POOLS = {
    "ProcessPoolExecutor": (
        "mpcontext.ProcessPoolExecutor(1)",
        "pool.submit(work).result(timeout=30)",
        "pool.shutdown()",
    ),
    "Pool": (
        "mpcontext.Pool(1)",
        "pool.apply_async(work).get(timeout=30)",
        "pool.close(); pool.join()",
    ),
}


@needs_fork
@pytest.mark.skipif(not NON_FORK, reason="no spawn or forkserver here")
@pytest.mark.parametrize("kind", sorted(POOLS))
def test_a_pool_checks_its_tasks_for_its_own_start_method(tmp_path: Path, kind: str) -> None:
    # The pool resolved its context once, when made: the context in force when
    # a task is submitted does not change what that task is checked for.
    make, run, close = POOLS[kind]
    verdicts = []
    for made, submitted in ((NON_FORK[0], "fork"), ("fork", NON_FORK[0])):
        result = _script(
            tmp_path,
            GUARDED,
            POOL_MADE_UNDER,
            made=made,
            submitted=submitted,
            make=make,
            run=run,
            close=close,
        )
        assert result.returncode == 0, result.stderr
        verdicts.append(result.stdout.split())
    assert verdicts == [["refused"], ["ran", "None"]]
