"""The hooks of ``.pre-commit-hooks.yaml``, run by the real pre-commit (issue 17).

``pre-commit try-repo`` installs mpcontext from a throw-away git repository
holding the package (pip builds it with hatchling, from the package index or
pip's cache) and runs a hook on a throw-away project: about 10 s.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        importlib.util.find_spec("pre_commit") is None or shutil.which("git") is None,
        reason="needs pre-commit (pip install '.[test]') and git",
    ),
]

LIBRARY = (
    "import multiprocessing as mp\n"
    "\n"
    "\n"
    "def start(target):\n"
    "    queue = mp.Queue()\n"
    "    return mp.Process(target=target, args=(queue,)), queue\n"
)


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("precommit-home")
    return {
        **os.environ,
        "PRE_COMMIT_HOME": str(home / "cache"),
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }


@pytest.fixture(scope="module")
def hooks_repository(
    tmp_path_factory: pytest.TempPathFactory, environment: dict[str, str]
) -> Path:
    """A git repository with mpcontext and its hooks file, committed."""
    repository = tmp_path_factory.mktemp("mpcontext-repository")
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, repository / name)
    shutil.copytree(
        ROOT / "mpcontext", repository / "mpcontext", ignore=shutil.ignore_patterns("__pycache__")
    )
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "mpcontext"]):
        subprocess.run(["git", *args], cwd=repository, env=environment, check=True, timeout=60)
    return repository


def try_repo(
    hooks: Path, hook: str, project: Path, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), hook, "--all-files"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path, environment: dict[str, str]) -> Path:
    (tmp_path / "mylib").mkdir()
    (tmp_path / "mylib" / "parallel.py").write_text(LIBRARY)
    (tmp_path / "README.txt").write_text("not python\n")
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=environment, check=True, timeout=60)
    return tmp_path


def test_lint_hook_reports(
    hooks_repository: Path, project: Path, environment: dict[str, str]
) -> None:
    done = try_repo(hooks_repository, "mpcontext-lint", project, environment)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "mpcontext lint" in done.stdout and "Failed" in done.stdout
    assert "mylib/parallel.py:5:13: MPC002 mp.Queue()" in done.stdout
    assert "mylib/parallel.py:6:12: MPC002 mp.Process()" in done.stdout


def test_fix_hook_fixes(
    hooks_repository: Path, project: Path, environment: dict[str, str]
) -> None:
    done = try_repo(hooks_repository, "mpcontext-fix", project, environment)
    # pre-commit fails a hook that changed files, and the files are fixed.
    assert done.returncode == 1, done.stdout + done.stderr
    assert "files were modified by this hook" in done.stdout
    fixed = (project / "mylib" / "parallel.py").read_text()
    assert "mpcontext.Queue()" in fixed and "mpcontext.Process(" in fixed
    subprocess.run(["git", "add", "-A"], cwd=project, env=environment, check=True, timeout=60)
    again = try_repo(hooks_repository, "mpcontext-lint", project, environment)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout
