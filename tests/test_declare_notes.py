"""The docstring notes: golden files per style, indentation, help(), python -OO."""

from __future__ import annotations

import inspect
import os
import pydoc
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mpcontext._declare.notes import add_note, function_note

import notes_samples

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("MPCONTEXT_REGENERATE_GOLDEN") == "1"
ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("name", sorted(notes_samples.SAMPLES))
def test_golden(name: str) -> None:
    """``inspect.getdoc`` of each sample is the same on every Python version."""
    doc = inspect.getdoc(notes_samples.SAMPLES[name])
    assert doc is not None
    path = GOLDEN / f"note_{name}.txt"
    if REGENERATE:  # pragma: no cover - MPCONTEXT_REGENERATE_GOLDEN=1 pytest tests/test_declare_notes.py
        path.write_text(doc + "\n", encoding="utf-8")
    assert doc + "\n" == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(notes_samples.SAMPLES))
def test_raw_docstring_keeps_its_own_indentation(name: str) -> None:
    """The note's lines are indented like the lines around them, dedented or not."""
    sample = notes_samples.SAMPLES[name]
    raw = sample.__doc__
    original = getattr(sample, "__wrapped__", sample).__doc__
    assert raw is not None
    lines = raw.splitlines()[1:]
    indents = {len(line) - len(line.lstrip()) for line in lines if line.strip()}
    if original and len(original.strip().splitlines()) > 1:
        before = original.splitlines()[1:]
        margin = min(len(line) - len(line.lstrip()) for line in before if line.strip())
        assert min(indents) == margin  # 4 or 8 on Python 3.10-3.12, 0 on 3.13
    for line in lines:
        assert line == line.rstrip() or not line.strip(), "no trailing whitespace on text lines"
    assert inspect.cleandoc(raw) == inspect.getdoc(sample)


def test_original_function_keeps_its_docstring() -> None:
    original = notes_samples.numpy_plain.__wrapped__  # type: ignore[attr-defined]
    assert "starts processes" not in (original.__doc__ or "")


def test_help_shows_the_note() -> None:
    text = pydoc.render_doc(notes_samples.numpy_with_examples, renderer=pydoc.plaintext)
    # The signature kept (3.14's pydoc shows string annotations unquoted).
    assert re.search(r"numpy_with_examples\(x: '?int'?, \*, mp_context:", text)
    assert "This function starts processes." in text
    assert "workers hold CUDA" in text
    text = pydoc.render_doc(notes_samples.Trainer, renderer=pydoc.plaintext)
    assert "Instances start processes." in text


# -- placement, on docstrings given directly ------------------------------------------

NOTE = ("First paragraph of the note.", "Second paragraph.")


def test_numpy_notes_go_before_examples_when_there_are_no_references() -> None:
    doc = "Summary.\n\nParameters\n----------\nx : int\n\nExamples\n--------\n>>> f()\n"
    assert add_note(doc, NOTE) == (
        "Summary.\n\nParameters\n----------\nx : int\n\n"
        "Notes\n-----\nFirst paragraph of the note.\n\nSecond paragraph.\n\n"
        "Examples\n--------\n>>> f()\n"
    )


def test_numpy_notes_section_at_the_end_of_the_docstring() -> None:
    doc = "Summary.\n\n    Returns\n    -------\n    int\n    "
    assert add_note(doc, NOTE[:1]) == (
        "Summary.\n\n    Returns\n    -------\n    int\n\n"
        "    Notes\n    -----\n    First paragraph of the note.\n    "
    )


def test_numpy_existing_notes_get_the_note_appended() -> None:
    doc = "Summary.\n\nNotes\n-----\nOld.\n\nReferences\n----------\n.. [1] Ref.\n"
    assert add_note(doc, NOTE[:1]) == (
        "Summary.\n\nNotes\n-----\nOld.\n\nFirst paragraph of the note.\n\n"
        "References\n----------\n.. [1] Ref.\n"
    )


def test_google_note_before_examples() -> None:
    doc = "Summary.\n\n  Args:\n      x: An x.\n\n  Example:\n      >>> f()\n  "
    assert add_note(doc, NOTE[:1]) == (
        "Summary.\n\n  Args:\n      x: An x.\n\n"
        "  Note:\n      First paragraph of the note.\n\n"
        "  Example:\n      >>> f()\n  "
    )


def test_rest_note_after_everything() -> None:
    assert add_note("Summary.\n\nMore text.", NOTE) == (
        "Summary.\n\nMore text.\n\n.. note::\n\n"
        "   First paragraph of the note.\n\n   Second paragraph.\n"
    ).rstrip("\n")


def test_a_blank_docstring_becomes_the_note() -> None:
    assert add_note("   \n  ", NOTE) == "First paragraph of the note.\n\nSecond paragraph."
    assert add_note(None, NOTE[:1]) == "First paragraph of the note."


def test_text_is_wrapped_without_breaking_words() -> None:
    (paragraph,) = function_note("a_rather_long_parameter_name", None, None)[:1]
    doc = add_note("Summary.", (paragraph,))
    assert doc is not None
    body = [line for line in doc.splitlines()[3:] if line]
    assert all(len(line) <= 72 for line in body)
    assert " ".join(line.strip() for line in body) == paragraph


def test_a_dashed_line_that_is_no_underline_is_not_a_section() -> None:
    doc = "Summary.\n\nA table:\n\n  ---  ---\n  a    b\n"
    assert add_note(doc, NOTE[:1]).endswith(  # type: ignore[union-attr]
        "  a    b\n\n.. note::\n\n   First paragraph of the note.\n"
    )


# -- python -OO -----------------------------------------------------------------------------


def test_optimized_mode_has_no_docstrings_and_works() -> None:
    script = "\n".join([
        "import sys",
        "import mpcontext, notes_samples, wordfreq, wordfreq.index",
        "assert notes_samples.numpy_plain.__doc__ is None",
        "assert notes_samples.Trainer.__doc__ is None",
        "assert notes_samples.no_docstring.__doc__ is None",
        "assert wordfreq.count_files.__doc__ is None",
        "assert wordfreq.Corpus.__doc__ is None",
        "assert notes_samples.numpy_plain(3, mp_context='spawn') == 9",
        "print(len(mpcontext.registry.entries('notes_samples')), sys.flags.optimize)",
    ])  # fmt: skip
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "helpers"), str(ROOT / "examples")])}
    result = subprocess.run(
        [sys.executable, "-OO", "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["11", "2"]
