from collections.abc import Callable, Mapping
from multiprocessing.context import BaseContext
from typing import Any, Literal

from .process_executor import ProcessPoolExecutor, _Reducers

class _ReusablePoolExecutor(ProcessPoolExecutor):
    def __init__(
        self,
        max_workers: int | None = None,
        context: BaseContext | None = None,
        timeout: float | None = None,
        executor_id: int = 0,
        job_reducers: _Reducers | None = None,
        result_reducers: _Reducers | None = None,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        env: Mapping[str, str] | None = None,
    ) -> None: ...

def get_reusable_executor(
    max_workers: int | None = None,
    context: BaseContext | str | None = None,
    timeout: float | None = 10,
    kill_workers: bool = False,
    reuse: bool | Literal["auto"] = "auto",
    job_reducers: _Reducers | None = None,
    result_reducers: _Reducers | None = None,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    env: Mapping[str, str] | None = None,
) -> _ReusablePoolExecutor: ...
