"""What a child started from torch.multiprocessing's context runs (tests/test_families.py)."""

from __future__ import annotations

from typing import Any


def total_of(tensor: Any, results: Any) -> None:
    """Put the sum of `tensor` (shared with the parent by torch's reductions) on `results`."""
    results.put(float(tensor.sum()))
