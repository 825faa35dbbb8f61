"""What the documentation's examples take for granted: a few items, a scoring function, files.

``tests/test_docs_examples.py`` runs each page's Python examples as one
script that starts with ``from docs_prelude import *``. The names here stand
for what an example's reader has: ``items`` and ``score`` of their own,
``paths`` of text files, a logger, and ``somelib`` / ``mylib``, the library
that the page itself defines (the script, registered under those names).
Functions live here, in an importable module, so that spawn and forkserver
workers find them.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import shutil
import sys
import tempfile
from pathlib import Path

import mpcontext
from mpcontext import ContextParam

__all__ = [
    "ContextParam",
    "docs",
    "items",
    "log",
    "mp_context",
    "mpcontext",
    "paths",
    "score",
    "serve",
    "square",
]

items = [1, 2, 3]
mp_context: ContextParam = None
log = logging.getLogger("docs")

paths: list[str] = []
if multiprocessing.parent_process() is None:  # the page's script; not its workers
    _folder = Path(tempfile.mkdtemp(prefix="mpcontext-docs-"))
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)
    for _name, _text in {"a.txt": "the cat sat", "b.txt": "the dog ate the cat's dinner"}.items():
        (_folder / _name).write_text(_text, encoding="utf-8")
        paths.append(str(_folder / _name))
docs = paths


def score(x: int) -> int:
    return x * x


square = score


def serve(queue: object) -> None:
    queue.put("served")  # type: ignore[attr-defined]


def _the_page_is_the_library() -> None:
    """``import somelib`` and ``import mylib`` give the page's own script."""
    main = sys.modules["__main__"]
    sys.modules.setdefault("somelib", main)
    sys.modules.setdefault("mylib", main)


_the_page_is_the_library()
