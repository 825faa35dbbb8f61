"""Counting words over many files with a pool of processes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import mpcontext
from mpcontext import ContextParam

from .text import count_file

__all__ = ["count_files", "iter_counts", "most_common"]


@mpcontext.accepts_context
def count_files(
    paths: Iterable[str],
    *,
    processes: int | None = None,
    mp_context: ContextParam = None,
) -> Counter[str]:
    """Count the words of text files, one worker process a file at a time.

    Parameters
    ----------
    paths : iterable of str
        UTF-8 text files.
    processes : int, optional
        How many worker processes; the number of CPUs by default.

    Returns
    -------
    collections.Counter
        How many times each word occurs, over all the files.
    """
    total: Counter[str] = Counter()
    for _, counts in iter_counts(paths, processes=processes):
        total.update(counts)
    return total


@mpcontext.accepts_context
def iter_counts(
    paths: Iterable[str],
    *,
    processes: int | None = None,
    mp_context: ContextParam = None,
) -> Iterator[tuple[str, Counter[str]]]:
    """Yield ``(path, counts)`` for each file, in the order of `paths`.

    Parameters
    ----------
    paths : iterable of str
        UTF-8 text files.
    processes : int, optional
        How many worker processes; the number of CPUs by default.

    Yields
    ------
    tuple of (str, collections.Counter)
        A file and its word counts, as soon as they are ready.
    """
    paths = list(paths)
    if not paths:
        return
    # mpcontext's Pool: the stdlib's, checked before tasks leave, never fixing
    # the global start method. Passing mp_context on is the idiom: it holds
    # the context chosen (or the one in force), resolved.
    with mpcontext.Pool(min(processes or len(paths), len(paths)), mp_context=mp_context) as pool:
        yield from zip(paths, pool.imap(count_file, paths))


@mpcontext.accepts_context
def most_common(
    paths: Iterable[str],
    n: int = 10,
    *,
    mp_context: ContextParam = None,
) -> list[tuple[str, int]]:
    """Return the `n` most common words of the files, with their counts.

    Calls ``count_files`` without passing the context on: it inherits the
    one in force here, and whether it was chosen explicitly.
    """
    return count_files(paths).most_common(n)
