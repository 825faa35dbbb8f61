"""Reading a source file for the linter: bytes, encoding, lines, ``# noqa``.

A file is read as bytes and first searched for an import of one of the
modules the rules look at (``multiprocessing``, ``multiprocess``,
``concurrent``, ``billiard``, and ``torch.multiprocessing``, whose name
holds ``multiprocess``). A file without one cannot produce a finding, and is
neither parsed nor reported; most files of a large tree end there.

Only the linter imports this module: it imports ``ast`` and ``tokenize``,
which ``import mpcontext`` must not.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings

__all__ = [
    "char_column",
    "decode",
    "may_bind",
    "may_bind_text",
    "noqa_codes",
    "parse",
    "silenced",
    "split_lines",
]

_NEWLINE = re.compile(r"\r\n|\r|\n")
# flake8's own pattern, so that both read a comment the same way.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)

# The modules the rules look at are bound by an import naming them: after
# `import`, `from`, a comma, an opening parenthesis or a dot (`torch.`), with
# blanks, line continuations and comments in between.
_BOUND = (
    r"(?:\bimport|\bfrom|[,(.])"
    r"(?:[ \t\f\\\r\n]|#[^\r\n]*(?=[\r\n]))*"  # a comment runs to its line's end
    r"\b(?:multiprocess(?:ing)?|concurrent|billiard)\b"
)
_BOUND_BYTES = re.compile(_BOUND.encode())
_BOUND_TEXT = re.compile(_BOUND)
_NEEDLES = (b"multiprocess", b"concurrent", b"billiard")
_COOKIE = re.compile(rb"^[ \t\f]*#[^\r\n]*?coding[:=]", re.MULTILINE)


def may_bind(data: bytes) -> bool:
    """Whether the source `data` may import a module the rules look at.

    A file for which this is false cannot produce a finding: every finding
    is on a call through a name that an import of one of those modules
    binds, and the import names the module. It is decided on the bytes when
    they are the text Python reads (ASCII without an encoding cookie), else
    on the decoded text, with identifiers compared as Python does (NFKC).
    A file that cannot be decoded may bind anything (parsing will say).
    """
    if any(needle in data for needle in _NEEDLES) and _BOUND_BYTES.search(data):
        return True
    if data.isascii() and _COOKIE.search(data, 0, _second_line_end(data)) is None:
        return False
    try:
        text, _ = decode(data)
    except (SyntaxError, LookupError, ValueError):  # UnicodeDecodeError is a ValueError
        return True
    return may_bind_text(text)


def _second_line_end(data: bytes) -> int:
    end = -1
    for _ in range(2):
        end = data.find(b"\n", end + 1)
        if end < 0:
            return len(data)
    return end


def may_bind_text(text: str) -> bool:
    """Whether the source `text` may import a module the rules look at (see ``may_bind``)."""
    if not text.isascii():
        import unicodedata

        text = unicodedata.normalize("NFKC", text)
    return _BOUND_TEXT.search(text) is not None


def parse(source: bytes | str, path: str = "<unknown>") -> ast.Module:
    """Parse `source` as Python, silencing the warnings parsing may emit.

    Raises
    ------
    SyntaxError, ValueError
        The source does not parse (``ValueError`` for a null byte on 3.10
        and 3.11).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, path)


def decode(data: bytes) -> tuple[str, str]:
    """Return the text of a source file and its encoding (cookie, BOM, else UTF-8)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def split_lines(text: str) -> list[str]:
    """Split `text` into lines the way Python's parser counts them (no line ends kept)."""
    return _NEWLINE.split(text)


def noqa_codes(line: str) -> frozenset[str] | None:
    """Return the codes a ``# noqa`` comment on `line` silences.

    ``None`` when there is none; an empty set for a bare ``# noqa`` (all).
    """
    match = _NOQA.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return frozenset(re.split(r"[,\s]+", codes.strip().upper())) - {""} if codes else frozenset()


def silenced(code: str, line: str) -> bool:
    """Whether a ``# noqa`` comment on `line` silences `code` (prefixes count, as in flake8)."""
    codes = noqa_codes(line)
    return codes is not None and (not codes or code.startswith(tuple(codes)))


def char_column(line: str, col_offset: int) -> int:
    """Return the 1-based character column of the UTF-8 byte offset `col_offset` in `line`."""
    if line.isascii():
        return col_offset + 1
    return len(line.encode("utf-8")[:col_offset].decode("utf-8", "replace")) + 1
