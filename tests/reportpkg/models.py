"""Entries with requirements, and reasons holding markup characters to escape."""

from __future__ import annotations

import mpcontext

# Markdown and reST would read these characters as markup, or (`|`) as a new cell.
REASON = "CUDA | cuDNN *cannot* be forked: see `CUDA_VISIBLE_DEVICES` \\ [docs] <here>"


@mpcontext.accepts_context(requires=("spawn", "forkserver"), reason=REASON)
def train(*, mp_context: mpcontext.ContextParam = None) -> None:
    """Train in worker processes."""


class Trainer:
    """Trains with the context given at construction."""

    context: mpcontext.ContextField = mpcontext.ContextField(
        requires=("spawn",),
        reason="- its workers\n   need a fresh interpreter",  # a list marker; a line break
    )

    def __init__(self, context: mpcontext.ContextParam = None) -> None:
        self.context = context

    @mpcontext.accepts_context(param="ctx")
    def fit(self, *, ctx: mpcontext.ContextParam = None) -> None:
        """Fit, in worker processes."""
