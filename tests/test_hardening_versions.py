"""Python versions: 3.14's forkserver default simulated, and the version matrix of CI.

Python 3.14 made ``forkserver`` the default start method on Linux (3.10 to
3.13 have ``fork``). ``hardening_py314`` makes a start method the platform
default in a fresh interpreter the way 3.14 does (multiprocessing's
``DefaultContext._default_context``, with the global start method left
unset) and reports what mpcontext does with it; the tests here check it for
``forkserver`` (3.14 on Linux), ``fork`` (3.13 and before on Linux, the
control) and ``spawn`` (macOS and Windows).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import mpcontext

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
METHODS = mpcontext.available_start_methods()
PROCESS_CLASSES = {
    "fork": "ForkProcess",
    "spawn": "SpawnProcess",
    "forkserver": "ForkServerProcess",
}
WHERE = "hardening_py314.observe.<locals>"


def observe(default: str) -> dict[str, Any]:
    """Run ``hardening_py314.main(default)`` in a fresh interpreter; return what it saw."""
    code = f"import sys; sys.path.insert(0, {str(TESTS / 'helpers')!r}); import hardening_py314 as h; h.main({default!r})"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    facts: dict[str, Any] = json.loads(done.stdout)
    return facts


def expected_for(default: str, requires: tuple[str, ...], name: str) -> tuple[str, str]:
    """The start method a function with `requires` gets, and the start of its explanation."""
    if default in requires:
        return default, f"{default}: multiprocessing's default, the platform default here"
    method = next(m for m in requires if m in METHODS)
    return method, (
        f"{method}: a requirement's fallback: nothing chose a start method, and "
        f"{WHERE}.{name}() does not support the default {default!r}"
    )


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    "default",
    [
        pytest.param("forkserver", id="forkserver-as-python-3.14-on-linux"),
        pytest.param("fork", id="fork-as-python-3.13-on-linux"),
        pytest.param("spawn", id="spawn-as-macos-and-windows"),
    ],
)
def test_mpcontext_under_a_simulated_default(default: str) -> None:
    if default not in METHODS:
        pytest.skip(f"{default!r} is not available on this platform ({sys.platform})")
    facts = observe(default)
    platform = f"{default}: multiprocessing's default, the platform default here ({sys.platform})"

    # Resolution and explain_context, without fixing the global start method.
    assert facts["global before"] is None
    assert facts["resolved"] == [default, platform]
    assert facts["any"] == [default, platform]
    assert facts["global after"] is None
    assert facts["after set_start_method('spawn')"] == (
        "spawn: multiprocessing's default, set with multiprocessing's set_start_method()"
    )

    # Requirements: the default when allowed, else the first allowed (a fallback).
    for name, requires in [
        ("needs fork", ("fork",)),
        ("no fork", ("spawn", "forkserver")),
        ("fork or spawn", ("fork", "spawn")),
    ]:
        method, explanation = expected_for(default, requires, name.replace(" ", "_"))
        assert facts[name][0] == method, name
        assert facts[name][1].startswith(explanation), (name, facts[name][1])
    assert facts["field"] == "fork"
    # An explicit choice is never overridden, whatever the default.
    assert facts["no fork under using('fork')"].startswith(
        f"StartMethodError: {WHERE}.no_fork() cannot use the start method 'fork', "
        f"chosen by using('fork')"
    )

    # The factories start their processes with the default.
    assert facts["process"] == [PROCESS_CLASSES[default], default]
    assert facts["pool"] == default
    assert facts["executor"] == [default, default]

    # executor(): a local pool of the context in force, a requirement's fallback included.
    assert facts["executor()"] == [default]
    assert facts["executor() needs fork"] == ["fork"]
    assert facts["executor() no fork"] == ["spawn" if default == "fork" else default]

    # The pre-flight: what 3.14 breaks (a lambda reaching a forkserver child).
    if default == "fork":
        assert facts["lambda target"] == "started, exit code 0"
    else:
        assert facts["lambda target"].startswith("PreflightError: the target <function <lambda>")
        assert f"started by {default!r}" in facts["lambda target"]

    # max_tasks_per_child without a choice spawns, whatever the default, as the stdlib does.
    if sys.version_info >= (3, 11):
        assert facts["max_tasks_per_child"] == ["spawn", "spawn"]
        assert facts["explicit fork, max_tasks_per_child"].startswith(
            "ValueError: max_tasks_per_child is incompatible with the 'fork'"
        )


# -- the version matrix ---------------------------------------------------------------


def nox_pythons() -> list[str]:
    """The versions ``noxfile.py`` runs, read as ``.ci/run`` reads them."""
    import ast

    tree = ast.parse((ROOT / "noxfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(target, "id", "") == "PYTHONS" for target in node.targets
        ):
            versions: list[str] = ast.literal_eval(node.value)
            return versions
    raise AssertionError("noxfile.py has no PYTHONS")


def test_nox_runs_every_supported_version() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    classifiers = re.findall(r'"Programming Language :: Python :: (3\.\d+)"', pyproject)
    minimum = re.search(r'requires-python = ">=(3\.\d+)"', pyproject)
    assert minimum is not None
    assert nox_pythons() == classifiers
    assert nox_pythons()[0] == minimum.group(1)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_ci_finds_this_interpreter_for_its_version() -> None:
    """``.ci/run``'s ``find_python``: python3.X on PATH if it runs, else pyenv's."""
    script = (ROOT / ".ci" / "run").read_text()
    function = re.search(r"^find_python\(\) \{\n.*?^\}\n", script, re.S | re.M)
    assert function is not None
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        ["bash", "-c", f"{function.group(0)}\nfind_python {version}; find_python 3.99"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(TESTS / "no-such-home")},
    )
    assert done.returncode == 0, done.stderr
    found = done.stdout.split()
    assert len(found) == 1  # nothing for 3.99
    check = subprocess.run(
        [found[0], "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip() == str(sys.version_info[:2])


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["3.9"], "unsupported version '3.9'"),
        (["3.14", "3.15"], "usage:"),
        ([], "usage:"),
    ],
)
def test_the_interpreter_installer_refuses_what_it_cannot_install(
    arguments: list[str], says: str
) -> None:
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "install-python.sh"), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert says in done.stderr
    assert done.stdout == ""
