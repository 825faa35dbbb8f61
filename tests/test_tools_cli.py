"""``python -m mpcontext``: the help of each command, ``--version``, usage errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mpcontext
from mpcontext._cli import main

COMMANDS = ("report", "lint", "demo")


def exit_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[object, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = exit_of(["--help"], capsys)
    assert status == 0
    assert out.startswith("usage: python -m mpcontext [-h] [--version] COMMAND ...")
    for command in COMMANDS:
        assert f"\n    {command} " in out


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("report", ["PACKAGE", "--format {text,markdown,rst,json}", "--path DIR", "kind"]),
        ("lint", ["PATH [PATH ...]", "--select CODES", "--fix", "MPC001"]),
        ("demo", ["A tour of mpcontext on this machine"]),
    ],
)
def test_help_of_each_command(
    command: str, expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = exit_of([command, "--help"], capsys)
    assert (status, err) == (0, "")
    assert out.startswith(f"usage: python -m mpcontext {command} [-h]")
    for text in expected:
        assert text in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_of(["--version"], capsys) == (0, f"mpcontext {mpcontext.__version__}\n", "")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["serve"], "argument COMMAND: invalid choice: 'serve'"),
        (["--frobnicate", "demo"], "unrecognized arguments: --frobnicate"),
        (["demo", "extra"], "unrecognized arguments: extra"),
        (["report"], "the following arguments are required: PACKAGE"),
        (["report", "pkg", "--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
        (["lint"], "the following arguments are required: PATH"),
        (["lint", "--format", "xml", "x.py"], "argument --format: invalid choice: 'xml'"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = exit_of(argv, capsys)
    assert (status, out) == (2, "")
    assert err.startswith("usage: python -m mpcontext")
    assert message in err


def test_in_a_real_process() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "mpcontext", "--version"], capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert (version.returncode, version.stdout) == (0, f"mpcontext {mpcontext.__version__}\n")
    usage = subprocess.run(
        [sys.executable, "-m", "mpcontext"], capture_output=True, text=True, timeout=60
    )
    assert usage.returncode == 2
    assert "required: COMMAND" in usage.stderr
