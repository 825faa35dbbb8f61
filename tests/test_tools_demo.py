"""``python -m mpcontext demo``: its sections, in a real process and in this one."""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys

import pytest

import mpcontext
from mpcontext._demo import run_demo

METHODS = mpcontext.available_start_methods()
SECTIONS = [
    "1. The start methods here, and the one in force",
    "2. One library function, under every start method",
    "3. using(): the application chooses, for every library at once",
    "4. The note accepts_context writes in the docstring",
    "5. A requirement: refused when chosen, a fallback when not",
    "6. The registry: python -m mpcontext report mpcontext._demo_lib",
    "7. The pre-flight check: caught in the parent, before the child dies",
    "8. executor(): the application decides where the fan-out runs",
    "9. Nothing changed behind your back",
]


def sections(output: str) -> dict[str, str]:
    """Split the demo's output into its sections, by their underlined titles."""
    found: dict[str, str] = {}
    parts = re.split(r"\n\n(.+)\n-+\n", output)
    for title, body in zip(parts[1::2], parts[2::2]):
        found[title] = body
    return found


def run(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *options, "-m", "mpcontext", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("MPCONTEXT_")},
    )


@pytest.fixture(scope="module")
def demo() -> dict[str, str]:
    result = run()
    assert (result.returncode, result.stderr) == (0, "")
    return sections(result.stdout)


def test_every_section_in_order(demo: dict[str, str]) -> None:
    assert list(demo) == SECTIONS


def test_start_methods_here(demo: dict[str, str]) -> None:
    body = demo[SECTIONS[0]]
    assert f"available: {', '.join(METHODS)}" in body
    assert "in force: " in body and "multiprocessing's default" in body


@pytest.mark.parametrize("method", METHODS)
def test_the_child_says_how_it_started_under_each_method(
    method: str, demo: dict[str, str]
) -> None:
    body = demo[SECTIONS[1]]
    call = f"start_worker(mp_context={method!r}):"
    said = body.split(call)[1].splitlines()
    assert re.fullmatch(rf"      worker \d+ says: {method} \(.*\)", said[1])
    assert said[2] == (
        f"      in force in the call: {method}: chosen by the mp_context argument of "
        "mpcontext._demo_lib.start_worker()"
    )


@pytest.mark.parametrize("method", METHODS)
def test_using_chooses_for_the_library(method: str, demo: dict[str, str]) -> None:
    said = demo[SECTIONS[2]].split(f"with using({method!r}): start_worker()")[1].splitlines()
    assert re.fullmatch(rf"      worker \d+ says: {method} \(.*\)", said[1])
    assert said[2] == f"      in force in the call: {method}: chosen by using({method!r})"


def test_the_note(demo: dict[str, str]) -> None:
    body = demo[SECTIONS[3]]
    assert "    Notes\n    -----\n    This function starts processes." in body
    assert "its\n    workers load a model that is not safe to fork" in body


def test_the_requirement(demo: dict[str, str]) -> None:
    body = demo[SECTIONS[4]]
    if "fork" in METHODS:
        assert (
            "fresh_worker(mp_context='fork'):\n      StartMethodError: "
            "mpcontext._demo_lib.fresh_worker() cannot use the start method 'fork'"
        ) in body
    said = body.split("fresh_worker(), nothing chosen:")[1].splitlines()
    default = multiprocessing.get_all_start_methods()[0]
    if default in ("spawn", "forkserver"):
        assert f"in force in the call: {default}: multiprocessing's default" in said[2]
    else:
        assert re.fullmatch(r"      worker \d+ says: spawn \(.*\)", said[1])
        assert said[2].startswith("      in force in the call: spawn: a requirement's fallback")


def test_the_registry_report(demo: dict[str, str]) -> None:
    lines = demo[SECTIONS[5]].splitlines()
    assert lines[0].split() == ["Function", "or", "field", "Kind", "Parameter", "Start", "methods"]
    assert lines[1].split() == [
        "mpcontext._demo_lib.fresh_worker", "function", "mp_context", "forkserver,", "spawn",
    ]  # fmt: skip
    assert lines[2] == "        reason: its workers load a model that is not safe to fork"
    assert [line.split()[0] for line in lines[3:]] == [
        "mpcontext._demo_lib.squares",
        "mpcontext._demo_lib.start_worker",
    ]


def test_the_preflight_catch(demo: dict[str, str]) -> None:
    body = demo[SECTIONS[6]]
    assert re.search(
        r"\.start\(\):\n      PreflightError: the target <function .*<lambda>.*'spawn'", body
    ), body
    assert "A function defined in __main__ (here python -m mpcontext), sent to a spawn child:\n"
    "      PreflightError: the target <function score" in body


def test_the_executor_section(demo: dict[str, str]) -> None:
    body = demo[SECTIONS[7]]
    assert "[1, 4, 9, 16], computed by" in body


def test_nothing_changed(demo: dict[str, str]) -> None:
    assert demo[SECTIONS[8]].splitlines() == [
        "    multiprocessing's global start method: unset",
        "    processes still running: none",
    ]


def test_without_docstrings() -> None:
    result = run("-OO")
    assert (result.returncode, result.stderr) == (0, "")
    body = sections(result.stdout)[SECTIONS[3]]
    assert "(no docstring: python -OO drops them, and the note with them)" in body


def test_in_this_process_with_an_executor(capsys: pytest.CaptureFixture[str]) -> None:
    """Section 8 runs locally and on loky's workers; nothing is left."""
    before = multiprocessing.get_start_method(allow_none=True)
    assert run_demo() == 0
    body = sections(capsys.readouterr().out)[SECTIONS[7]]
    assert multiprocessing.get_start_method(allow_none=True) == before
    assert multiprocessing.active_children() == []
    local, _, injected = body.partition("with using(executor=")
    assert "nothing injected (a local process pool):\n      [1, 4, 9, 16], computed by" in local
    default = multiprocessing.get_all_start_methods()[0]
    assert re.search(rf"worker \d+ says: {default} ", local), local
    try:
        import loky  # noqa: F401
    except ImportError:
        assert body.rstrip().endswith("loky not installed: skipped")
    else:
        assert "[1, 4, 9, 16], computed by" in injected
        assert re.search(r"worker \d+ says: loky \(", injected), injected
