"""The flake8 plugin reports what ``lint`` reports, run through flake8 for real."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mpcontext._lint.flake8 import Plugin
from mpcontext._lint.rules import FIX_MARK, RULES

from test_lint_rules import CORPUS, EXPECTED

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("flake8") is None,
    reason="flake8 is not installed (pip install 'mpcontext[flake8]' or '.[test]')",
)

LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<text>.*)$")


def flake8(*args: str) -> list[dict[str, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "MPC,E999", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    assert result.stderr == ""
    return [m.groupdict() for m in map(LINE.match, result.stdout.splitlines()) if m]


def lint(*args: str) -> list[dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-m", "mpcontext", "lint", "--format", "json", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    found: list[dict[str, object]] = json.loads(result.stdout)
    return found


def flake8_hint(finding: dict[str, object]) -> str:
    """The hint flake8 shows for a finding of ``lint --format json``."""
    hint = str(finding["hint"])
    if finding["fixable"]:
        assert hint.endswith(FIX_MARK)
        return hint.removesuffix(FIX_MARK) + " (python -m mpcontext lint --fix)"
    return hint


def test_same_findings_as_lint_on_the_corpus() -> None:
    by_flake8 = flake8(str(CORPUS))
    by_lint = lint(str(CORPUS))
    assert len(by_lint) == sum(len(found) for found in EXPECTED.values())
    mpc = sorted(
        (Path(f["path"]).name, int(f["line"]), int(f["col"]), f["code"], f["text"])
        for f in by_flake8
        if f["code"].startswith("MPC")
    )
    expected = sorted(
        (
            Path(str(f["path"])).name,
            f["line"],
            f["column"],
            f["code"],
            f"{f['message']}; {flake8_hint(f)}",
        )
        for f in by_lint
        if f["code"] != "MPC000"
    )
    assert mpc == expected
    # A file that does not parse is flake8's own E999, on the same line.
    assert [
        (Path(f["path"]).name, f["code"], int(f["line"])) for f in by_flake8 if f["code"] == "E999"
    ] == [(Path(str(f["path"])).name, "E999", f["line"]) for f in by_lint if f["code"] == "MPC000"]


def test_no_option_flake8_lacks() -> None:
    # flake8 has no --fix: a fixable finding names the command that has one.
    texts = [f["text"] for f in flake8(str(CORPUS / "aliases.py"))]
    assert texts and all(text.endswith("(python -m mpcontext lint --fix)") for text in texts)
    assert not any(" (--fix)" in text for text in texts)


def test_flake8_applies_noqa_and_select() -> None:
    found = flake8(str(CORPUS / "noqa.py"))
    assert [(int(f["line"]), f["code"]) for f in found] == [(10, "MPC002"), (11, "MPC003")]
    found = flake8("--extend-ignore", "MPC002", str(CORPUS / "noqa.py"))
    assert [(int(f["line"]), f["code"]) for f in found] == [(11, "MPC003")]


def test_plugin_is_registered() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, check=True
    )
    assert "mpcontext:" in result.stdout


def test_plugin_directly() -> None:
    import ast

    source = "import multiprocessing as mp\r\nX = 'é'; mp.Queue()  # noqa\r\n"
    plugin = Plugin(ast.parse(source), source.splitlines(keepends=True), "x.py")
    # flake8, not the plugin, applies noqa; columns are 0-based for flake8.
    assert [(line, col, text.split()[0]) for line, col, text, _ in plugin.run()] == [
        (2, 9, "MPC002")
    ]
    assert set(RULES) >= {text.split()[0] for *_, text, _ in plugin.run()}


def test_mpcontext_does_not_import_flake8() -> None:
    code = "import sys, mpcontext, mpcontext._lint.flake8; print('flake8' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
