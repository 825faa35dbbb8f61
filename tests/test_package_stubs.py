"""``stubs/`` matches the packages it stands for: ``mypy.stubtest`` against each installed one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import mpcontext

STUBS = Path(mpcontext.__file__).resolve().parent.parent / "stubs"


@pytest.mark.parametrize("package", sorted(path.name for path in STUBS.iterdir() if path.is_dir()))
def test_stubs_match_the_package(package: str, tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    pytest.importorskip(package)
    config = tmp_path / "mypy.ini"
    config.write_text(f"[mypy]\nmypy_path = {STUBS}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", package, "--ignore-missing-stub",
         "--mypy-config-file", str(config)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout
