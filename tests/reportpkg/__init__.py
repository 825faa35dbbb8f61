"""A package with known entries, for the exact output of ``python -m mpcontext report``.

Each module registers what it declares when imported: the report must
import them all (but ``__main__``) to list everything.
"""

from __future__ import annotations

import mpcontext


@mpcontext.accepts_context
def run(*, mp_context: mpcontext.ContextParam = None) -> None:
    """Run the pipeline."""
