"""Findings: what the linter reports, and linting one file's source into them.

::

    bytes ──may_bind()──> parse() ──walked()──> Names ──analyze()──> Hits
          ──findings()──> Findings (``# noqa`` applied, columns in characters)
"""

from __future__ import annotations

from .rules import FIX_MARK, RULES, Hit, analyze, walked
from .source import char_column, decode, may_bind, parse, silenced, split_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .binding import Names

__all__ = ["Finding", "findings", "lint_file", "lint_source", "read_source", "syntax_finding"]


class Finding:
    """One finding, as reported: where, which rule, and what to do.

    Attributes
    ----------
    path : str
        The file, as walked from the paths given.
    line, column : int
        1-based line and column (in characters, like ruff and flake8).
    code : str
        ``"MPC000"`` to ``"MPC006"``.
    message : str
        What is wrong.
    hint : str
        How to fix it.
    fixable : bool
        Whether ``--fix`` fixes it.
    fixed : bool
        Whether ``--fix`` (or ``--diff``) fixed it in this run.
    end_line, end_column : int or None
        Where the call ends (the column just past it), when known.
    """

    __slots__ = (
        "code",
        "column",
        "end_column",
        "end_line",
        "fixable",
        "fixed",
        "hint",
        "line",
        "message",
        "path",
    )

    def __init__(
        self,
        path: str,
        line: int,
        column: int,
        code: str,
        message: str,
        hint: str,
        *,
        fixable: bool = False,
        fixed: bool = False,
        end_line: int | None = None,
        end_column: int | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.code = code
        self.message = message
        self.hint = hint
        self.fixable = fixable
        self.fixed = fixed
        self.end_line = end_line
        self.end_column = end_column

    @property
    def text(self) -> str:
        """``CODE message; hint``: the text after ``path:line:col:``."""
        return (
            f"{self.code} {self.message}; {self.hint}"
            if self.hint
            else f"{self.code} {self.message}"
        )

    def to_json(self) -> dict[str, object]:
        """Return the finding as one object of the ``--format json`` list."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "fixable": self.fixable,
            "fixed": self.fixed,
        }

    def __repr__(self) -> str:
        return f"Finding({self.path}:{self.line}:{self.column}: {self.text})"


def findings(
    names: Names,
    lines: Sequence[str],
    path: str,
    enabled: Iterable[str] = RULES,
    *,
    noqa: bool = True,
    fix_mark: str = FIX_MARK,
) -> list[tuple[Finding, Hit]]:
    """Return the findings in the file of `names`, with their hits.

    Only the `enabled` codes, and, when `noqa` is true, not those a
    ``# noqa`` comment silences. The hint of a fixable finding ends with
    `fix_mark`.
    """
    enabled = frozenset(enabled)
    found: list[tuple[Finding, Hit]] = []
    for hit in analyze(names):
        node = hit.node
        line = lines[node.lineno - 1]
        if hit.code not in enabled or (noqa and silenced(hit.code, line)):
            continue
        end_line = node.end_lineno or node.lineno
        end_column = char_column(lines[end_line - 1], node.end_col_offset or 0)
        fixable = hit.fixable
        finding = Finding(
            path,
            node.lineno,
            char_column(line, node.col_offset),
            hit.code,
            hit.message,
            hit.hint + fix_mark if fixable else hit.hint,
            fixable=fixable,
            end_line=end_line,
            end_column=end_column,
        )
        found.append((finding, hit))
    found.sort(key=lambda pair: (pair[0].line, pair[0].column, pair[0].code))
    return found


def syntax_finding(path: str, error: Exception) -> Finding:
    """Return the ``MPC000`` finding for a file that does not parse."""
    line = getattr(error, "lineno", None) or 1
    column = getattr(error, "offset", None) or 1
    message = getattr(error, "msg", None) or str(error)
    return Finding(
        path,
        line,
        column,
        "MPC000",
        f"the file does not parse: {message}",
        "fix the syntax error (the file was not checked)",
    )


def lint_source(
    data: bytes, path: str, enabled: Iterable[str] = RULES, *, prefilter: bool = True
) -> list[Finding]:
    """Return the findings in the source `data` of the file `path`.

    Parameters
    ----------
    data : bytes
        The file's content, as read.
    path : str
        The name used in the findings.
    enabled : iterable of str
        The codes to report; ``MPC000`` included when a syntax error should
        be reported.
    prefilter : bool
        Skip, unparsed, a file that cannot hold a finding (``may_bind``): a
        tree walked for files. ``False`` for a file named by the user, whose
        syntax errors are reported whatever it imports.
    """
    if prefilter and not may_bind(data):
        return []
    enabled = frozenset(enabled)
    try:
        tree = parse(data, path)
    except (SyntaxError, ValueError) as error:
        return [syntax_finding(path, error)] if "MPC000" in enabled else []
    text, _ = decode(data)
    names = walked(tree, text)
    if names is None:
        return []
    return [finding for finding, _ in findings(names, split_lines(text), path, enabled)]


def read_source(path: str) -> bytes | Finding:
    """Return the content of the file `path`, or the ``MPC000`` saying it cannot be read."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        return Finding(path, 1, 1, "MPC000", f"the file cannot be read: {error.strerror}", "")


def lint_file(
    path: str, enabled: Iterable[str] = RULES, *, prefilter: bool = True
) -> list[Finding]:
    """Read and lint the file `path` (see ``lint_source``); one not readable is an ``MPC000``."""
    enabled = frozenset(enabled)
    data = read_source(path)
    if isinstance(data, Finding):
        return [data] if "MPC000" in enabled else []
    return lint_source(data, path, enabled, prefilter=prefilter)
