"""An entry registered by hand, of kind "class"."""

from __future__ import annotations

import mpcontext


class SharedTable:
    """Shares a memory map with the processes it forks."""

    def __init__(self, mp_context: mpcontext.ContextParam = None) -> None:
        self.mp_context = mp_context


mpcontext.registry.register(
    SharedTable, requires=("fork",), reason="its children inherit the memory map"
)
