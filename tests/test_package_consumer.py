"""A library that adopts mpcontext adds exactly one package to its users' installs.

In a fresh virtual environment, mpcontext is installed from its wheel with no
index to fetch anything else from: that it installs at all proves it has no
runtime dependency. There, without ``typing_extensions``, mpcontext imports,
its demo runs, and a small consumer project passes ``mypy --strict`` and
pyright (strict) checked against that environment (type checkers ship the
``typing_extensions`` stubs).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

import mpcontext

ROOT = Path(mpcontext.__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

CONSUMER = '''
"""A library that takes its caller's context: what an adopter writes."""

from __future__ import annotations

import concurrent.futures

import mpcontext
from mpcontext import ContextParam


def square(x: int) -> int:
    return x * x


@mpcontext.accepts_context(requires=("spawn", "forkserver"), reason="it loads a model")
def squares(values: list[int], *, mp_context: ContextParam = None) -> list[int]:
    """Square values in worker processes."""
    ctx = mpcontext.resolve_context(mp_context)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as pool:
        return list(pool.map(square, values))


@mpcontext.accepts_context
def fan_out(values: list[int], *, mp_context: ContextParam = None) -> list[int]:
    with mpcontext.executor(2, mp_context=mp_context) as ex:
        return list(ex.map(square, values))


def method_in_force() -> tuple[str, bool]:
    choice: mpcontext.Choice = mpcontext.current_choice()
    return choice.context.get_start_method(), choice.explicit


class Worker(mpcontext.Process):
    def run(self) -> None:
        print(square(3))


lengths: list[int] = squares([1, 2], mp_context="spawn")
'''


def _run(args: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, **options)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with mpcontext installed from its wheel, and nothing else."""
    work = tmp_path_factory.mktemp("consumer")
    wheels = work / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)])
    env = work / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    # No index: a dependency would have nowhere to come from, and the install would fail.
    _run([str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels),
          "mpcontext"])  # fmt: skip
    return python


def test_nothing_but_mpcontext_is_installed(environment: Path) -> None:
    listed = _run([str(environment), "-m", "pip", "list", "--format=freeze"]).stdout.split()
    names = {line.split("==")[0].lower() for line in listed}
    assert "mpcontext" in names
    assert "typing_extensions" not in names and "typing-extensions" not in names
    assert names <= {"mpcontext", "pip", "setuptools"}, names


def test_it_imports_and_runs_its_demo_there(environment: Path, tmp_path: Path) -> None:
    probe = "import importlib.util, mpcontext; print(importlib.util.find_spec('typing_extensions'))"
    assert _run([str(environment), "-c", probe], cwd=tmp_path).stdout.strip() == "None"
    demo = _run([str(environment), "-m", "mpcontext", "demo"], cwd=tmp_path)
    assert demo.stdout.strip()


@pytest.fixture
def consumer(tmp_path: Path) -> Path:
    project = tmp_path / "consumer"
    project.mkdir()
    (project / "consumer.py").write_text(textwrap.dedent(CONSUMER))
    return project


def test_mypy_strict_passes_on_a_consumer_there(environment: Path, consumer: Path) -> None:
    done = _run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--python-executable", str(environment), "consumer.py"],
        cwd=consumer,
    )  # fmt: skip
    assert "Success" in done.stdout


def test_pyright_strict_passes_on_a_consumer_there(environment: Path, consumer: Path) -> None:
    pyright = shutil.which("pyright", path=str(Path(sys.executable).parent))
    if pyright is None:
        pytest.skip("pyright is not installed beside this interpreter")
    (consumer / "pyrightconfig.json").write_text('{"typeCheckingMode": "strict"}')
    done = _run([pyright, "--pythonpath", str(environment), "consumer.py"], cwd=consumer)
    assert "0 errors" in done.stdout
