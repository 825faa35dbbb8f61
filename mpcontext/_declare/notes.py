"""The note appended to the docstring of what starts processes.

The CPython docs ask libraries to "always document if your library requires a
specific start method"; ``accepts_context`` and ``ContextField`` write that
documentation. The note goes where the docstring's own style puts notes: a
numpydoc ``Notes`` section, a Google ``Note:`` section, else a reST
``.. note::`` directive. Its lines get the docstring's own indentation, so
that ``inspect.getdoc`` (hence ``help()``) and Sphinx read it alike whether
the compiler dedented the docstring (Python 3.13) or not (3.10-3.12).
Under ``python -OO`` there are no docstrings and no note is added.
"""

from __future__ import annotations

import functools
import sys

from .._core.env import START_METHOD_VAR
from .._core.messages import because, methods_text
from .._core.start_methods import ALL_START_METHODS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "add_note",
    "class_note",
    "docstring_view",
    "field_note",
    "function_note",
    "own_choice_note",
]

WIDTH = 72
"""Width of the note's text, not counting the docstring's indentation."""

_NUMPY_BEFORE = ("References", "Examples")
"""numpydoc sections that follow ``Notes``: a new one goes before them."""

_GOOGLE_SECTIONS = frozenset({
    "Args", "Arguments", "Attention", "Attributes", "Caution", "Danger", "Error",
    "Example", "Examples", "Hint", "Important", "Keyword Args", "Keyword Arguments",
    "Methods", "Note", "Notes", "Other Parameters", "Parameters", "Raises", "References",
    "Return", "Returns", "See Also", "Tip", "Todo", "Warning", "Warnings", "Warns",
    "Yield", "Yields",
})  # fmt: skip
"""Section titles of the Google style, as Sphinx's napoleon knows them."""


def _literal_list(methods: Sequence[str], joiner: str) -> str:
    return methods_text(methods, joiner, "``{!r}``")


def _accepts() -> str:
    return (
        f"a start method name ({_literal_list(ALL_START_METHODS, 'or')}, "
        f"those the platform supports), or a context of ``multiprocessing``, "
        f"``multiprocess``, ``billiard`` or loky, as an object or by name "
        f"(``'multiprocess:spawn'``, ``'loky'``)"
    )


def _in_force(where: str) -> str:
    return (
        f"the context in force: the one chosen with ``mpcontext.using(...)`` {where}, "
        f"else by the ``{START_METHOD_VAR}`` environment variable, else "
        "multiprocessing's default start method"
    )


def _requirement(
    methods: Sequence[str] | None, reason: str | None, plural: bool
) -> tuple[str, ...]:
    if methods is None:
        return ()
    subject, supports, uses = ("They", "support", "use") if plural else ("It", "supports", "uses")
    noun = "start method" if len(methods) == 1 else "start methods"
    fallback = (
        "the first of these that the platform supports"
        if len(methods) > 1
        else _literal_list(methods, "and")
    )
    return (
        f"{subject} {supports} only the {_literal_list(methods, 'and')} {noun}"
        f"{because(reason)}. Choosing another raises ``mpcontext.StartMethodError``; "
        f"when nothing is chosen and the default is another, {subject.lower()} {uses} "
        f"{fallback}.",
    )


@functools.lru_cache(maxsize=256)
def function_note(param: str, methods: tuple[str, ...] | None, reason: str | None) -> tuple[str, ...]:
    """Return the paragraphs of the note of a function taking its context as `param`."""
    return (
        f"This function starts processes. Its ``{param}`` argument chooses how they "
        f"start: {_accepts()}. Left out or ``None``, it is "
        f"{_in_force('around the call')}.",
        *_requirement(methods, reason, plural=False),
    )


@functools.lru_cache(maxsize=256)
def field_note(name: str, methods: tuple[str, ...] | None, reason: str | None) -> tuple[str, ...]:
    """Return the paragraphs of the note of a class with a ``ContextField`` `name`."""
    return (
        f"Instances start processes. Their ``{name}`` attribute chooses how they "
        f"start: {_accepts()}; it reads back as a context object. "
        f"Left as ``None``, it reads as {_in_force('where it is read')}.",
        *_requirement(methods, reason, plural=True),
    )


@functools.lru_cache(maxsize=256)
def class_note(param: str, methods: tuple[str, ...] | None, reason: str | None) -> tuple[str, ...]:
    """Return the paragraphs of the note of a class whose constructor takes its context as `param`."""
    return (
        f"Instances start processes. The ``{param}`` argument of the constructor chooses "
        f"how they start: {_accepts()}. Left out or ``None``, it is "
        f"{_in_force('around the construction')}.",
        *_requirement(methods, reason, plural=True),
    )


@functools.lru_cache(maxsize=256)
def own_choice_note(kind: str, methods: tuple[str, ...] | None, reason: str | None) -> tuple[str, ...]:
    """Return the paragraphs of the note of what takes no context and picks its start method itself.

    `kind` is ``"function"`` or ``"class"``, as in ``Requirement.kind``.
    """
    if kind == "class":
        opening = "Instances start processes and pick their start method themselves"
        subject, uses, undeclared = "They", "use", "They do not declare which."
    else:
        opening = "This function starts processes and picks their start method itself"
        subject, uses, undeclared = "It", "uses", "It does not declare which."
    if methods is None:
        which = undeclared
    elif len(methods) == 1:
        which = f"{subject} {uses} the {_literal_list(methods, 'and')} start method{because(reason)}."
    else:
        which = f"{subject} {uses} one of the {_literal_list(methods, 'and')} start methods{because(reason)}."
    return (
        f"{opening}: a ``multiprocessing`` context chosen by the caller, with "
        f"``mpcontext.using(...)`` or the ``{START_METHOD_VAR}`` environment variable, "
        f"does not change it. {which}",
    )


@functools.lru_cache(maxsize=512)
def _wrap(paragraph: str, width: int) -> tuple[str, ...]:
    """Fill `paragraph` to `width` columns, never breaking a word."""
    lines: list[str] = []
    line = ""
    for word in paragraph.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return tuple(lines)


def _body(paragraphs: Sequence[str], indent: str) -> list[str]:
    """Return the wrapped `paragraphs`, indented, separated by blank lines."""
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        lines.extend(indent + line for line in _wrap(paragraph, WIDTH - len(indent)))
    return lines


def add_note(doc: str | None, paragraphs: Sequence[str]) -> str | None:
    """Return `doc` with the note `paragraphs` added in its own style.

    Parameters
    ----------
    doc : str or None
        A docstring, raw as in ``__doc__`` (indented or not).
    paragraphs : sequence of str
        The note, one unwrapped string a paragraph.

    Returns
    -------
    str or None
        The new docstring; just the note when `doc` is empty; `doc` itself
        under ``python -OO``, which has no docstrings to add to.
    """
    if sys.flags.optimize >= 2:
        return doc
    if doc is None or not doc.strip():
        return "\n".join(_body(paragraphs, ""))
    lines, margin, view = docstring_view(doc)
    at, block = _place(view, paragraphs)
    pad = " " * margin
    lines[at:at] = ["", *(pad + line if line else "" for line in block)]
    return "\n".join(lines)


def docstring_view(doc: str) -> tuple[list[str], int, list[str]]:
    """Return the lines of the raw docstring `doc`, their margin, and how they read.

    The margin is the indentation common to the lines after the first, as
    ``inspect.cleandoc`` sees it (``inspect`` is not imported); the view is
    the lines as it shows them: the first stripped, the others without the
    margin and trailing blanks.
    """
    lines = doc.split("\n")
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(indents, default=0)
    view = [lines[0].strip()] + [line[margin:].rstrip() if line.strip() else "" for line in lines[1:]]
    return lines, margin, view


def _place(view: list[str], paragraphs: Sequence[str]) -> tuple[int, list[str]]:
    """Return where the note goes in the dedented `view` of a docstring, and its lines."""
    numpy = _numpy_sections(view)
    if numpy:
        if "Notes" in numpy:
            return _end_of_section(view, numpy["Notes"] + 2, list(numpy.values())), _body(
                paragraphs, ""
            )
        following = [numpy[title] for title in _NUMPY_BEFORE if title in numpy]
        at = _content_end(view, min(following, default=len(view)))
        return at, ["Notes", "-----", *_body(paragraphs, "")]
    google = _google_sections(view)
    if google:
        for title in ("Note", "Notes"):
            if title in google:
                return _end_of_section(view, google[title] + 1, list(google.values())), _body(
                    paragraphs, "    "
                )
        following = [google[title] for title in ("Example", "Examples") if title in google]
        at = _content_end(view, min(following, default=len(view)))
        return at, ["Note:", *_body(paragraphs, "    ")]
    return _content_end(view, len(view)), [".. note::", "", *_body(paragraphs, "   ")]


def _numpy_sections(view: Sequence[str]) -> dict[str, int]:
    """Map each numpydoc section title (underlined with dashes) to its line."""
    sections: dict[str, int] = {}
    for i in range(len(view) - 1):
        title, underline = view[i], view[i + 1]
        if (
            title
            and not title[0].isspace()
            and len(underline) >= 3
            and underline.strip("-") == ""
        ):
            sections.setdefault(title.strip(), i)
    return sections


def _google_sections(view: Sequence[str]) -> dict[str, int]:
    """Map each Google section title (``Args:``, ``Note:``...) to its line."""
    sections: dict[str, int] = {}
    for i in range(1, len(view) - 1):
        line = view[i]
        if line.endswith(":") and line[:-1] in _GOOGLE_SECTIONS and view[i + 1][:1].isspace():
            sections.setdefault(line[:-1], i)
    return sections


def _end_of_section(view: Sequence[str], start: int, headers: Sequence[int]) -> int:
    """The line after the last content line of the section whose body starts at `start`."""
    following = [h for h in headers if h >= start]
    return _content_end(view, min(following, default=len(view)))


def _content_end(view: Sequence[str], before: int) -> int:
    """The line after the last non-blank line before `before`."""
    while before > 1 and not view[before - 1]:
        before -= 1
    return before
