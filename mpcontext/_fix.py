"""``lint --fix``: rewrite what has a safe fix, keeping every other byte.

Edits are made at the exact source positions the ``ast`` of the linter
gives (line and UTF-8 column of each node), on the file's own text: only
the callee of a fixed call, an added ``mp_context=`` argument, the import
lines touched and the added ``import mpcontext`` change. Comments, quotes,
line endings, the encoding cookie and the trailing newline stay as they
were by construction, and the result is parsed again before it is written.
"""

from __future__ import annotations

import ast
import re
import warnings

from ._lint import (
    RULES,
    Finding,
    Hit,
    Module,
    decode,
    findings,
    noqa_codes,
    parse,
    split_lines,
    syntax_finding,
    walked,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["FixResult", "fix_source"]

_NEWLINE = re.compile(rb"\r\n|\r|\n")
_Importish = (ast.Import, ast.ImportFrom)


class FixResult:
    """What fixing one file gave.

    Attributes
    ----------
    source : bytes
        The fixed content (the original when nothing was fixed).
    fixed : list of Finding
        The findings fixed, at their place in the original.
    remaining : list of Finding
        What is left to report, at its place in the fixed source.
    unfixed : list of Finding
        The same findings, at their place in the original (for ``--diff``).
    """

    __slots__ = ("fixed", "remaining", "source", "unfixed")

    def __init__(
        self,
        source: bytes,
        fixed: list[Finding],
        remaining: list[Finding],
        unfixed: list[Finding] | None = None,
    ) -> None:
        self.source = source
        self.fixed = fixed
        self.remaining = remaining
        self.unfixed = remaining if unfixed is None else unfixed


class _Edit:
    __slots__ = ("end", "start", "text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text


class _Source:
    """The text being fixed, as UTF-8 bytes, addressed like ``ast`` positions."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(self.data)]
        first = _NEWLINE.search(self.data)
        self.newline = first.group().decode() if first else "\n"

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.data[start:end].decode("utf-8")

    def line(self, line: int) -> str:
        """Line `line` (1-based) without its line end."""
        end = self.starts[line] if line < len(self.starts) else len(self.data)
        return self.data[self.starts[line - 1] : end].decode("utf-8").rstrip("\r\n")

    def line_start(self, line: int) -> int:
        """The offset of line `line`, or the end of the text past the last line."""
        return self.starts[line - 1] if line <= len(self.starts) else len(self.data)

    def apply(self, edits: list[_Edit]) -> str:
        edits = sorted(edits, key=lambda e: (e.start, e.end))
        for before, after in zip(edits, edits[1:], strict=False):
            if after.start < before.end:
                raise _Unsafe("two fixes overlap")
        data = self.data
        for edit in reversed(edits):
            data = data[: edit.start] + edit.text.encode("utf-8") + data[edit.end :]
        return data.decode("utf-8")


class _Unsafe(Exception):
    """A fix cannot be made safely: the file is left as it is."""


def fix_source(data: bytes, path: str, enabled: Iterable[str] = RULES) -> FixResult:
    """Fix what has a safe fix in the source `data` of the file `path`.

    Parameters
    ----------
    data : bytes
        The file's content.
    path : str
        The name used in the findings.
    enabled : iterable of str
        The codes to report and fix (``--select``/``--ignore``).

    Returns
    -------
    FixResult
        The new content, the findings fixed and those that remain. A file
        that does not parse, or whose fix would not parse, is left as it is.
    """
    enabled = frozenset(enabled)
    try:
        text, encoding = decode(data)
        tree = parse(text, path)
    except (SyntaxError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        return FixResult(data, [], [syntax_finding(path, error)] if "MPC000" in enabled else [])
    module = walked(tree)
    if module is None:
        return FixResult(data, [], [])
    found = findings(module, split_lines(text), path, enabled)
    fixable = [(finding, hit) for finding, hit in found if hit.factory is not None]
    if not fixable:
        return FixResult(data, [], [finding for finding, _ in found])
    source = _Source(text)
    try:
        new_text = source.apply(_edits(source, module, [hit for _, hit in fixable]))
        new_module = walked(parse(new_text, path))
    except (_Unsafe, SyntaxError, ValueError) as error:
        kept = [finding for finding, _ in found]
        reason = Finding(path, 1, 1, "MPC000", f"not fixed, the fix would be unsafe: {error}", "")
        return FixResult(data, [], [reason, *kept])
    fixed = [finding for finding, _ in fixable]
    for finding in fixed:
        finding.fixed = True
    unfixed = [finding for finding, hit in found if hit.factory is None]
    remaining = (
        []
        if new_module is None
        else [finding for finding, _ in findings(new_module, split_lines(new_text), path, enabled)]
    )
    return FixResult(new_text.encode(encoding), fixed, remaining, unfixed)


def _edits(source: _Source, module: Module, hits: list[Hit]) -> list[_Edit]:
    prefix, insert = _mpcontext_name(module.tree)
    edits: list[_Edit] = []
    removed: dict[str, int] = {}
    for hit in hits:
        edits.extend(_call_edits(source, hit, prefix))
        removed[hit.root] = removed.get(hit.root, 0) + 1
    edits.extend(_import_edits(source, module, removed))
    if insert:
        edits.append(_insert_import(source, module.tree))
    return edits


def _mpcontext_name(tree: ast.Module) -> tuple[str, bool]:
    """The name mpcontext goes by at the top level, and whether it must be imported."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "mpcontext":
                    return alias.asname or "mpcontext", False
    return "mpcontext", True


def _call_edits(source: _Source, hit: Hit, prefix: str) -> list[_Edit]:
    call = hit.node
    start, end = source.span(call.func)
    edits = [_Edit(start, end, f"{prefix}.{hit.factory}")]
    if hit.param is None:
        return edits
    if hit.none_arg is not None:
        start, end = source.span(hit.none_arg)
        edits.append(_Edit(start, end, hit.param))
        return edits
    arguments: list[ast.AST] = [*call.args, *call.keywords]
    if not arguments:
        close = source.offset(call.end_lineno or call.lineno, call.end_col_offset or 0) - 1
        if source.data[close : close + 1] == b")":
            edits.append(_Edit(close, close, f"mp_context={hit.param}"))
    elif not (len(call.args) == 1 and isinstance(call.args[0], ast.GeneratorExp)):
        last = max(arguments, key=lambda node: source.span(node)[1])
        after = source.span(last)[1]
        edits.append(_Edit(after, after, f", mp_context={hit.param}"))
    return edits


def _import_edits(source: _Source, module: Module, removed: dict[str, int]) -> list[_Edit]:
    """Remove the imported names that the fixes left unused."""
    edits: list[_Edit] = []
    emptied: dict[int, int] = {}
    for stmt, body in module.imports:
        if any(
            noqa_codes(source.line(n)) is not None
            for n in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1)
        ):
            continue
        unused = [
            alias for alias in stmt.names if _unused(_local_name(stmt, alias), module, removed)
        ]
        if not unused:
            continue
        if len(unused) < len(stmt.names):
            edits.extend(_remove_aliases(source, stmt, unused))
            continue
        emptied[id(body)] = emptied.get(id(body), 0) + 1
        last_of_block = body is not module.tree.body and emptied[id(body)] == len(body)
        edits.append(_remove_statement(source, stmt, last_of_block))
    return edits


def _local_name(stmt: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    if alias.asname:
        return alias.asname
    return alias.name.partition(".")[0] if isinstance(stmt, ast.Import) else alias.name


def _unused(name: str, module: Module, removed: dict[str, int]) -> bool:
    lost = removed.get(name, 0)
    if lost == 0 or module.names.get(name, 0) != lost:
        return False
    # A name in a string that is code (``__all__``, a quoted annotation) may
    # still be needed; prose (docstrings) does not count.
    word = re.compile(rf"\b{re.escape(name)}\b")
    return not any(word.search(text) and _is_expression(text) for text in module.strings)


def _is_expression(text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(text.strip(), mode="eval")
        except (SyntaxError, ValueError):
            return False
    return True


def _remove_statement(source: _Source, stmt: ast.stmt, last_of_block: bool) -> _Edit:
    start, end = source.span(stmt)
    first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
    before = source.data[source.line_start(first) : start]
    after = source.line(last).encode("utf-8")[stmt.end_col_offset or 0 :]
    alone = not before.strip() and (not after.strip() or after.lstrip().startswith(b"#"))
    if last_of_block or not alone:
        return _Edit(start, end, "pass")
    return _Edit(source.line_start(first), source.line_start(last + 1), "")


def _remove_aliases(
    source: _Source, stmt: ast.Import | ast.ImportFrom, unused: list[ast.alias]
) -> list[_Edit]:
    if stmt.lineno != stmt.end_lineno:
        edits = [_remove_alias_line(source, alias) for alias in unused]
        if all(edit is not None for edit in edits):
            return [edit for edit in edits if edit is not None]
    kept = [source.text(alias) for alias in stmt.names if alias not in unused]
    if isinstance(stmt, ast.Import):
        text = f"import {', '.join(kept)}"
    else:
        text = f"from {'.' * stmt.level}{stmt.module or ''} import {', '.join(kept)}"
    start, end = source.span(stmt)
    return [_Edit(start, end, text)]


def _remove_alias_line(source: _Source, alias: ast.alias) -> _Edit | None:
    """Delete the line of `alias` when it stands alone on it (one name a line)."""
    line = source.line(alias.lineno)
    if re.fullmatch(r"\s*" + re.escape(source.text(alias)) + r"\s*,?\s*(#.*)?", line) is None:
        return None
    return _Edit(source.line_start(alias.lineno), source.line_start(alias.lineno + 1), "")


def _insert_import(source: _Source, tree: ast.Module) -> _Edit:
    """Add ``import mpcontext`` after the docstring, ``__future__`` imports and first imports."""
    body = tree.body
    index = _after_imports(body)
    line = "import mpcontext" + source.newline
    if index == 0:
        first = body[0] if body else None
        decorators = getattr(first, "decorator_list", [])
        number = min([first.lineno, *(d.lineno for d in decorators)]) if first else 1
        position = source.line_start(number)
    else:
        position = source.line_start((body[index - 1].end_lineno or 1) + 1)
    if position == len(source.data) and source.data and not source.data.endswith((b"\n", b"\r")):
        line = source.newline + line.rstrip("\r\n")
    return _Edit(position, position, line)


def _after_imports(body: list[ast.stmt]) -> int:
    """The index in `body` of the first statement after the module's head of imports."""
    index = 1 if body and _is_docstring(body[0]) else 0
    while index < len(body) and _is_future(body[index]):
        index += 1
    while index < len(body) and isinstance(body[index], _Importish):
        index += 1
    # Not between two statements that share a line.
    while 0 < index < len(body) and body[index].lineno == body[index - 1].end_lineno:
        index -= 1
    return index


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _is_future(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"
