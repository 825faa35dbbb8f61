# Stubs for what mpcontext's typing tests use of loky, checked against loky at
# run time by tests/test_package_stubs.py (mypy.stubtest).
from .process_executor import ProcessPoolExecutor as ProcessPoolExecutor
from .reusable_executor import get_reusable_executor as get_reusable_executor
