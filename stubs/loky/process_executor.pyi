import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor, Future
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from typing_extensions import ParamSpec

_P = ParamSpec("_P")
_T = TypeVar("_T")

_Reducers = Mapping[type[Any], Callable[[Any], Any]]

class ProcessPoolExecutor(Executor):
    def __init__(
        self,
        max_workers: int | None = None,
        job_reducers: _Reducers | None = None,
        result_reducers: _Reducers | None = None,
        timeout: float | None = None,
        context: BaseContext | None = None,
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        env: Mapping[str, str] | None = None,
    ) -> None: ...
    # `fn` may be passed by keyword here, unlike in concurrent.futures.
    def submit(  # type: ignore[override]
        self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> Future[_T]: ...
    if sys.version_info >= (3, 14):
        # loky's map takes **kwargs, and ignores buffersize.
        def map(
            self,
            fn: Callable[..., _T],
            *iterables: Iterable[Any],
            timeout: float | None = None,
            chunksize: int = 1,
            buffersize: int | None = None,
        ) -> Iterator[_T]: ...
    else:
        def map(
            self,
            fn: Callable[..., _T],
            *iterables: Iterable[Any],
            timeout: float | None = None,
            chunksize: int = 1,
        ) -> Iterator[_T]: ...
    # loky's own signature: it kills its workers rather than cancelling futures.
    def shutdown(self, wait: bool = True, kill_workers: bool = False) -> None: ...  # type: ignore[override]
