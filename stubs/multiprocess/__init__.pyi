# Stubs for what mpcontext's typing tests use of multiprocess (untyped), checked
# against multiprocess at run time by tests/test_package_stubs.py (mypy.stubtest).
from typing import Literal, overload

from .context import BaseContext, DefaultContext, SpawnContext

@overload
def get_context(method: None = None) -> DefaultContext: ...
@overload
def get_context(method: Literal["spawn"]) -> SpawnContext: ...
@overload
def get_context(method: str) -> BaseContext: ...
