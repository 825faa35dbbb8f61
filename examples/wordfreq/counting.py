"""Counting words over many files, on the executor or the pool the application chose."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import mpcontext
from mpcontext import ContextParam

from .text import count_file

__all__ = ["count_files", "count_each", "iter_counts", "most_common"]


@mpcontext.accepts_context
def count_files(
    paths: Iterable[str],
    *,
    processes: int | None = None,
    mp_context: ContextParam = None,
) -> Counter[str]:
    """Count the words of text files, one worker a file at a time.

    Parameters
    ----------
    paths : iterable of str
        UTF-8 text files.
    processes : int, optional
        How many workers; the number of CPUs by default. An executor the
        application injected as an instance keeps its own number.

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
        How many workers; the number of CPUs by default. An executor the
        application injected as an instance keeps its own number.

    Yields
    ------
    tuple of (str, collections.Counter)
        A file and its word counts, as soon as they are ready.
    """
    paths = list(paths)
    if not paths:
        return
    # The executor the application chose (using(executor=...)): a local
    # process pool by default, or loky's, or a cluster's. Passing mp_context
    # on is the idiom: it holds the context chosen (or the one in force), and
    # is used when the application injected no executor.
    workers = min(processes or len(paths), len(paths))
    with mpcontext.executor(workers, mp_context=mp_context) as executor:
        yield from zip(paths, executor.map(count_file, paths))


@mpcontext.accepts_context
def count_each(
    paths: Iterable[str],
    *,
    processes: int | None = None,
    mp_context: ContextParam = None,
) -> dict[str, Counter[str]]:
    """Count the words of each file, written against the ``Pool`` API.

    Parameters
    ----------
    paths : iterable of str
        UTF-8 text files.
    processes : int, optional
        How many workers; the number of CPUs by default.

    Returns
    -------
    dict
        Each file's word counts, by path.
    """
    paths = list(paths)
    if not paths:
        return {}
    # The pool the application chose (using(pool=...)): a local process
    # pool by default, or Ray's on a Ray cluster. mp_context is passed on,
    # as to executor(): it matters when the application injected no pool.
    with mpcontext.Pool(processes, mp_context=mp_context) as pool:
        return dict(pool.imap_unordered(_path_and_counts, paths))


def _path_and_counts(path: str) -> tuple[str, Counter[str]]:
    """The task ``count_each`` sends: a module-level function, which workers import."""
    return path, count_file(path)


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
