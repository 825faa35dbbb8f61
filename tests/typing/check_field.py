"""Types of ContextField: checked by mypy and pyright, never run by pytest."""

from __future__ import annotations

import dataclasses
import multiprocessing
from multiprocessing.context import BaseContext

import attrs
from typing_extensions import assert_type

from mpcontext import ContextField, ContextParam


class Pipeline:
    mp_context: ContextField = ContextField(requires=("spawn", "forkserver"), reason="why")

    def __init__(self, *, mp_context: ContextParam = None) -> None:
        self.mp_context = mp_context

    def start_method(self) -> str:
        return self.mp_context.get_start_method()


pipeline = Pipeline(mp_context="spawn")
assert_type(pipeline.mp_context, BaseContext)
pipeline.mp_context = "forkserver"
pipeline.mp_context = None
pipeline.mp_context = multiprocessing.get_context("spawn")
pipeline.mp_context = 3  # type: ignore[assignment]
assert_type(Pipeline.mp_context, None)

ContextField(requires=("spwan",))  # type: ignore[arg-type]
ContextField(requires=["spawn"], note=False)


@dataclasses.dataclass
class Data:
    size: int = 0
    mp_context: ContextField = ContextField()


assert_type(Data().mp_context, BaseContext)
Data(1, "spawn")
Data(mp_context=multiprocessing.get_context("spawn"))
Data(mp_context=None)
Data(mp_context=3)  # type: ignore[arg-type]


@attrs.define
class Attrs:
    size: int = 0
    mp_context: ContextField = ContextField()


assert_type(Attrs().mp_context, BaseContext)
attrs_instance = Attrs()
attrs_instance.mp_context = "forkserver"  # assignment follows __set__ in both
# mypy's attrs plugin types the __init__ parameter of a descriptor field as the
# descriptor, not as what its __set__ accepts (pyright follows __set__, as PEP
# 681 asks). These lines check with pyright; when mypy learns descriptors,
# warn_unused_ignores will say so here.
Attrs(mp_context=None)  # type: ignore[arg-type]
Attrs(1, mp_context="forkserver")  # type: ignore[arg-type]
Attrs(mp_context=3)  # type: ignore[arg-type]
