# Stubs for what mpcontext and its typing tests use of loky (checked against
# loky at run time by tests/test_executors_loky.py with mypy.stubtest).
from concurrent.futures import Executor as Executor

from .process_executor import ProcessPoolExecutor as ProcessPoolExecutor
from .reusable_executor import get_reusable_executor as get_reusable_executor

__version__: str
