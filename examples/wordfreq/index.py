"""An inverted index of words to the files holding them.

Building it needs a start method that does not fork: see ``build_index``.
"""

from __future__ import annotations

from collections.abc import Iterable

import mpcontext
from mpcontext import ContextParam

from .text import tokenize

__all__ = ["build_index", "words_of"]

_REASON = (
    "its ProcessPoolExecutor runs a management thread in the parent, and forking a "
    "process that has threads can deadlock the child (CPython warns about it since 3.12)"
)


def words_of(path: str) -> frozenset[str]:
    """Return the distinct words of the UTF-8 text file at `path` (run in workers)."""
    with open(path, encoding="utf-8") as file:
        return frozenset(tokenize(file.read()))


@mpcontext.accepts_context(requires=("forkserver", "spawn"), reason=_REASON)
def build_index(
    paths: Iterable[str],
    *,
    max_workers: int | None = None,
    mp_context: ContextParam = None,
) -> dict[str, frozenset[str]]:
    """Map each word to the files that contain it.

    Parameters
    ----------
    paths : iterable of str
        UTF-8 text files.
    max_workers : int, optional
        How many worker processes; the number of CPUs by default.

    Returns
    -------
    dict
        For each word, the set of the paths holding it.
    """
    paths = list(paths)
    index: dict[str, set[str]] = {}
    # An executor the application injected is accepted only when it is a
    # local process pool started by spawn or forkserver (or loky's).
    with mpcontext.executor(max_workers, mp_context=mp_context) as executor:
        for path, words in zip(paths, executor.map(words_of, paths)):
            for word in words:
                index.setdefault(word, set()).add(path)
    return {word: frozenset(files) for word, files in index.items()}
