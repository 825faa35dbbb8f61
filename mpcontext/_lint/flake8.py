"""The flake8 plugin: the rules of ``python -m mpcontext lint`` inside flake8.

Registered under the entry point group ``flake8.extension`` as ``MPC``, so
flake8 runs it when mpcontext is installed beside it (``pip install
mpcontext[flake8]``). flake8 parses the file and applies ``# noqa`` and
``--select``/``--ignore`` itself; a file that does not parse is flake8's own
``E999``. flake8 has no fixes: use ``python -m mpcontext lint --fix``.
"""

from __future__ import annotations

from .._version import __version__
from .findings import findings
from .rules import walked
from .source import may_bind_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    from collections.abc import Iterator, Sequence

__all__ = ["FIX_MARK", "Plugin"]

FIX_MARK = " (python -m mpcontext lint --fix)"
"""What ends the hint of a fixable finding in flake8, which has no ``--fix``."""


class Plugin:
    """The flake8 checker of rules MPC001-MPC006.

    Parameters
    ----------
    tree : ast.Module
        The file, as flake8 parsed it.
    lines : sequence of str
        Its lines, as flake8 read them.
    filename : str
        Its name.
    """

    name = "mpcontext"
    version = __version__

    def __init__(self, tree: ast.Module, lines: Sequence[str], filename: str = "") -> None:
        self._tree = tree
        self._lines = [line.rstrip("\r\n") for line in lines]
        self._filename = filename

    def run(self) -> Iterator[tuple[int, int, str, type[Plugin]]]:
        """Yield ``(line, column, "MPC00x message", type)``; flake8 adds 1 to the column."""
        text = "\n".join(self._lines)
        if not may_bind_text(text):
            return
        names = walked(self._tree, text)
        if names is None:
            return
        # Every finding, noqa included: flake8 decides what a noqa silences.
        # flake8 has no --fix: a fixable finding names the command that fixes it.
        found = findings(names, self._lines, self._filename, noqa=False, fix_mark=FIX_MARK)
        for finding, _ in found:
            yield finding.line, finding.column - 1, finding.text, type(self)
