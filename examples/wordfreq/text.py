"""Splitting text into words and counting them (what the workers run)."""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["count_file", "count_text", "tokenize"]

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def tokenize(text: str) -> list[str]:
    """Return the words of `text`, lower-cased.

    Examples
    --------
    >>> tokenize("It's a test, a TEST.")
    ["it's", 'a', 'test', 'a', 'test']
    """
    return [word.lower() for word in _WORD.findall(text)]


def count_text(text: str) -> Counter[str]:
    """Return how many times each word occurs in `text`."""
    return Counter(tokenize(text))


def count_file(path: str) -> Counter[str]:
    """Return the word counts of the UTF-8 text file at `path`.

    Run in worker processes: a module-level function, so that every start
    method can send it to a child by name.
    """
    with open(path, encoding="utf-8") as file:
        return count_text(file.read())
