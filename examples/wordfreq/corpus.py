"""A corpus of text files, configured once with the context to use."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from mpcontext import ContextField

from .counting import count_files
from .index import _REASON, build_index

__all__ = ["Corpus"]


@dataclass
class Corpus:
    """Text files to analyse together.

    Parameters
    ----------
    paths : list of str
        UTF-8 text files.
    processes : int, optional
        How many worker processes; the number of CPUs by default.
    mp_context : None, str or multiprocessing context, optional
        How the worker processes start. Left ``None``, each analysis uses the
        context in force when it runs.

    Examples
    --------
    >>> corpus = Corpus(["a.txt", "b.txt"], mp_context="spawn")  # doctest: +SKIP
    >>> corpus.counts().most_common(3)  # doctest: +SKIP
    """

    paths: list[str] = field(default_factory=list[str])
    processes: int | None = None
    # The same requirement as build_index, which ``index`` calls: reading the
    # field then gives a context build_index accepts.
    mp_context: ContextField = ContextField(requires=("forkserver", "spawn"), reason=_REASON)

    def counts(self) -> Counter[str]:
        """Return how many times each word occurs over the corpus."""
        return count_files(self.paths, processes=self.processes, mp_context=self.mp_context)

    def index(self) -> dict[str, frozenset[str]]:
        """Return the inverted index of the corpus (see ``wordfreq.index``)."""
        return build_index(self.paths, max_workers=self.processes, mp_context=self.mp_context)
