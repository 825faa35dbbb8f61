"""Every message quotes what it was given shortened: a 10 MB value is not a 10 MB message."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

import mpcontext
from mpcontext import ContextParam, accepts_context

HUGE = "x" * 10**7
HUGE_INT = -(10**5000)  # its repr raises ValueError on Python 3.11+
LIMIT = 2_000


def _huge_param() -> None:
    def library(*, mp_context: ContextParam = None) -> None:
        pass

    accepts_context(param=HUGE)(library)


def _huge_requires() -> None:
    @accepts_context(requires=HUGE)  # type: ignore[arg-type]
    def library(*, mp_context: ContextParam = None) -> None:
        pass


def _huge_reason() -> None:
    @accepts_context(reason=HUGE)
    def library(*, mp_context: ContextParam = None) -> None:
        pass


def _huge_reason_refused() -> None:
    @accepts_context(requires=("spawn",), reason=HUGE)
    def library(*, mp_context: ContextParam = None) -> None:
        pass

    others = [m for m in mpcontext.available_start_methods() if m != "spawn"]
    if not others:
        pytest.skip("spawn is the only start method here")
    library(mp_context=others[0])


CALLS: dict[str, Callable[[], object]] = {
    "resolve_context(huge str)": lambda: mpcontext.resolve_context(HUGE),
    "resolve_context(huge bytes)": lambda: mpcontext.resolve_context(HUGE.encode()),  # type: ignore[arg-type]
    "using(huge str)": lambda: mpcontext.using(HUGE),
    "Pool(processes=huge str)": lambda: mpcontext.Pool(HUGE),  # type: ignore[arg-type]
    "Pool(processes=huge int)": lambda: mpcontext.Pool(HUGE_INT),
    "executor(max_workers=huge int)": lambda: mpcontext.executor(HUGE_INT),
    "executor(initargs=huge, no initializer)": lambda: mpcontext.executor(initargs=(HUGE,)),  # type: ignore[call-overload]
    "accepts_context(param=huge)": _huge_param,
    "accepts_context(requires=huge)": _huge_requires,
    "accepts_context(reason=huge, no requires)": _huge_reason,
    "check_picklable(kwargs with a huge key)": lambda: mpcontext.check_picklable(
        os.getpid, kwargs={HUGE: lambda: None}, context="spawn"
    ),
}


@pytest.mark.parametrize("call", list(CALLS), ids=list(CALLS))
def test_the_message_is_bounded(call: str) -> None:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - each raises its own kind
        CALLS[call]()
    message = str(raised.value)
    assert len(message) < LIMIT, message[:300]
    assert "x" * 100 not in message


def test_the_environment_variable_is_quoted_shortened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPCONTEXT_START_METHOD", HUGE)
    mpcontext.refresh_environment()
    try:
        with pytest.raises(mpcontext.InvalidContextError) as raised:
            mpcontext.resolve_context()
    finally:
        monkeypatch.undo()
        mpcontext.refresh_environment()
    assert len(str(raised.value)) < LIMIT


def test_a_huge_reason_is_cut_in_an_error() -> None:
    # A reason is the author's prose, shown whole in the note: cut longer than a value.
    with pytest.raises(mpcontext.StartMethodError) as raised:
        _huge_reason_refused()
    message = str(raised.value)
    assert len(message) < LIMIT, message[:300]
    assert f"... ({len(HUGE)} characters in all)" in message


def test_the_repr_of_an_executor_is_bounded() -> None:
    described = repr(mpcontext.executor(initializer=os.getpid, initargs=(HUGE,)))
    assert len(described) < LIMIT and "x" * 100 not in described

