"""Types of the pre-flight check: checked by mypy and pyright, never run by pytest."""

from __future__ import annotations

import multiprocessing
import pickle

from typing_extensions import assert_type

import mpcontext


def work(x: int) -> str:
    return str(x)


assert_type(mpcontext.check_picklable(work), None)
assert_type(mpcontext.check_picklable(work, (1,), {"y": 2}), None)
assert_type(mpcontext.check_picklable(work, [1], context="spawn", full=True, pool=True), None)
mpcontext.check_picklable(None, context=multiprocessing.get_context("spawn"))
mpcontext.check_picklable(work, range(3), None, context=None)


def from_configuration(name: str, param: mpcontext.ContextParam) -> None:
    mpcontext.check_picklable(work, context=name)
    mpcontext.check_picklable(work, context=param)


error: pickle.PicklingError = mpcontext.PreflightError("message")
base: mpcontext.MPContextError = error  # type: ignore[assignment]

mpcontext.check_picklable(work, 1)  # type: ignore[arg-type]
mpcontext.check_picklable(work, (), {1: 2})  # type: ignore[dict-item]
mpcontext.check_picklable(work, (), None, "spawn")  # type: ignore[call-arg]
mpcontext.check_picklable(work, context=3)  # type: ignore[arg-type]
mpcontext.check_picklable(work, full="yes")  # type: ignore[arg-type]
mpcontext.check_picklable(work, pol=True)  # type: ignore[call-arg]
