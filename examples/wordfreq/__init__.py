"""wordfreq: count words in many files, in parallel.

A small library written with mpcontext, to show what a library that starts
processes looks like when its caller chooses how they start:

- ``count_files`` fans out over files through ``mpcontext.executor()``: a
  process pool of the context its caller chose (or the one in force), or
  the executor the application injected with ``using(executor=...)``;
- ``iter_counts`` does the same as a generator;
- ``count_each`` is written against the ``Pool`` API: ``mpcontext.Pool``
  gives it a local pool, or the one the application injected with
  ``using(pool=...)`` (Ray's, on a Ray cluster);
- ``wordfreq.index.build_index`` supports only ``spawn`` and ``forkserver``,
  and says why;
- ``Corpus`` takes a context in its constructor, through a ``ContextField``.

Import it with ``examples/`` on ``sys.path``. Every public function's
docstring ends with the note mpcontext generated for it, and
``mpcontext.registry.entries("wordfreq")`` lists them all.
"""

from __future__ import annotations

from .corpus import Corpus
from .counting import count_each, count_files, iter_counts, most_common
from .text import count_text, tokenize

__all__ = [
    "Corpus",
    "count_each",
    "count_files",
    "count_text",
    "iter_counts",
    "most_common",
    "tokenize",
]
