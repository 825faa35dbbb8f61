"""``lint --fix``: rewrite what has a safe fix, keeping every other byte.

Edits are made at the exact source positions the ``ast`` of the linter
gives (line and UTF-8 column of each node), on the file's own text: only
the callee of a fixed call, an added context argument, the import lines
touched and an added ``import mpcontext`` change. Comments, quotes, line
endings, the encoding cookie and the trailing newline stay as they were by
construction, and the result is parsed again before it is written.

Imports keep their place and their laziness: a function-local or
``try``-guarded ``from multiprocessing import RLock`` whose every name moves
becomes ``from mpcontext import RLock`` where it stands, and a new
``import mpcontext`` goes into the block of the import it replaces (the
module's own import block for a module-level one), in the section isort
and ruff's ``I`` rules put it in: third-party, after the standard library
(first-party when the project being fixed is mpcontext itself).

All edits of a file are computed on the original text and applied in one
pass, so fixing is linear in the size of the file.
"""

from __future__ import annotations

import ast
import bisect
import os
import re
import sys
import warnings

from .findings import Finding, findings, syntax_finding
from .rules import RULES, Hit, walked
from .source import decode, may_bind, noqa_codes, parse, split_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .binding import Binding, ImportSite, Names

__all__ = ["FixResult", "fix_source"]

_NEWLINE = re.compile(rb"\r\n|\r|\n")
_Importish = (ast.Import, ast.ImportFrom)
_COOKIE_OR_SHEBANG = re.compile(r"^[ \t\f]*#(!|.*?coding[:=])")

# isort's sections, in their order.
_FUTURE, _STDLIB, _THIRD_PARTY, _FIRST_PARTY, _LOCAL = range(5)


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


class _Unsafe(Exception):
    """A fix cannot be made safely: the file is left as it is."""


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

    def blank(self, line: int) -> bool:
        return not self.line(line).strip()

    def apply(self, edits: list[_Edit]) -> bytes:
        """Return the text with `edits` made, in one pass."""
        edits = sorted(edits, key=lambda e: (e.start, e.end))
        pieces: list[bytes] = []
        position = 0
        for edit in edits:
            if edit.start < position:
                raise _Unsafe("two fixes overlap")
            pieces.append(self.data[position : edit.start])
            pieces.append(edit.text.encode("utf-8"))
            position = edit.end
        pieces.append(self.data[position:])
        return b"".join(pieces)


def fix_source(
    data: bytes, path: str, enabled: Iterable[str] = RULES, *, prefilter: bool = True
) -> FixResult:
    """Fix what has a safe fix in the source `data` of the file `path`.

    Parameters
    ----------
    data : bytes
        The file's content.
    path : str
        The name used in the findings; when it names a file on disk, its
        project tells first-party imports from third-party ones.
    enabled : iterable of str
        The codes to report and fix (``--select``/``--ignore``).
    prefilter : bool
        As for ``lint_source``: ``False`` for a file named by the user.

    Returns
    -------
    FixResult
        The new content, the findings fixed and those that remain. A file
        that does not parse, or whose fix would not parse, is left as it is.
    """
    enabled = frozenset(enabled)
    if prefilter and not may_bind(data):
        return FixResult(data, [], [])
    try:
        text, encoding = decode(data)
        tree = parse(text, path)
    except (SyntaxError, ValueError) as error:  # UnicodeDecodeError is a ValueError
        return FixResult(data, [], [syntax_finding(path, error)] if "MPC000" in enabled else [])
    names = walked(tree, text)
    if names is None:
        return FixResult(data, [], [])
    found = findings(names, split_lines(text), path, enabled)
    fixable = [(finding, hit) for finding, hit in found if hit.fixable]
    if not fixable:
        return FixResult(data, [], [finding for finding, _ in found])
    source = _Source(text)
    try:
        edits = _Plan(source, names, [hit for _, hit in fixable], path).edits()
        new_data = source.apply(edits)
        new_text = new_data.decode("utf-8")
        _compiles(new_text, path)
    except (_Unsafe, SyntaxError, ValueError) as error:
        kept = [finding for finding, _ in found]
        reason = Finding(path, 1, 1, "MPC000", f"not fixed, the fix would be unsafe: {error}", "")
        return FixResult(data, [], [reason, *kept])
    fixed = [finding for finding, _ in fixable]
    for finding in fixed:
        finding.fixed = True
    left = [(finding, hit) for finding, hit in found if not hit.fixable]
    remaining = _moved(left, source, edits, new_data)
    return FixResult(new_text.encode(encoding), fixed, remaining, [f for f, _ in left])


def _compiles(text: str, path: str) -> None:
    """Raise ``SyntaxError`` unless `text` compiles (cheaper than parsing it to an ``ast``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile(text, path, "exec", dont_inherit=True)


def _moved(
    left: list[tuple[Finding, Hit]], source: _Source, edits: list[_Edit], new: bytes
) -> list[Finding]:
    """Return the findings `left`, placed where their calls are in the fixed text `new`."""
    if not left:
        return []
    edits = sorted(edits, key=lambda e: e.start)
    ends = [edit.end for edit in edits]
    shifts = [0]
    for edit in edits:
        shifts.append(shifts[-1] + len(edit.text.encode("utf-8")) - (edit.end - edit.start))
    starts = [0] + [m.end() for m in _NEWLINE.finditer(new)]

    def place(offset: int) -> tuple[int, int]:
        moved = offset + shifts[bisect.bisect_right(ends, offset)]
        line = bisect.bisect_right(starts, moved)
        prefix = new[starts[line - 1] : moved]
        return line, len(prefix.decode("utf-8", "replace")) + 1

    moved: list[Finding] = []
    for finding, hit in left:
        start, end = source.span(hit.node)
        line, column = place(start)
        end_line, end_column = place(end)
        moved.append(
            Finding(
                finding.path,
                line,
                column,
                finding.code,
                finding.message,
                finding.hint,
                fixable=finding.fixable,
                end_line=end_line,
                end_column=end_column,
            )
        )
    return moved


# -- sections (isort's, as ruff's I rules see them) ---------------------------


class _Sections:
    """Tells which isort section each import belongs to, for one file."""

    def __init__(self, path: str) -> None:
        self.roots = _source_roots(path)
        self._first_party: dict[str, bool] = {}

    def of_module(self, module: str, level: int = 0) -> int:
        if level:
            return _LOCAL
        top = module.partition(".")[0]
        if top == "__future__":
            return _FUTURE
        if top in sys.stdlib_module_names:
            return _STDLIB
        return _FIRST_PARTY if self.first_party(top) else _THIRD_PARTY

    def of(self, stmt: ast.Import | ast.ImportFrom) -> int:
        if isinstance(stmt, ast.ImportFrom):
            return self.of_module(stmt.module or "", stmt.level)
        return self.of_module(stmt.names[0].name)

    def first_party(self, top: str) -> bool:
        found = self._first_party.get(top)
        if found is None:
            found = self._first_party[top] = any(
                os.path.isdir(os.path.join(root, top))
                or os.path.isfile(os.path.join(root, f"{top}.py"))
                for root in self.roots
            )
        return found


def _source_roots(path: str) -> list[str]:
    """Where first-party modules live for the file `path` (none when it is not on disk).

    Like ruff's defaults: the project's folder (that of the nearest
    ``pyproject.toml``) and its ``src``, and the folder holding the file's
    top-level package.
    """
    if not os.path.isfile(path):
        return []
    folder = os.path.dirname(os.path.abspath(path))
    package = folder
    while os.path.isfile(os.path.join(package, "__init__.py")):
        package = os.path.dirname(package)
    roots = [package]
    project = folder
    while True:
        if os.path.isfile(os.path.join(project, "pyproject.toml")):
            roots += [project, os.path.join(project, "src")]
            break
        parent = os.path.dirname(project)
        if parent == project:
            break
        project = parent
    return roots


def _sort_key(stmt: ast.Import | ast.ImportFrom) -> tuple[int, str]:
    """Where isort orders `stmt` in its section: ``import x`` first, then ``from x import``."""
    if isinstance(stmt, ast.Import):
        return 0, stmt.names[0].name.lower()
    return 1, ("." * stmt.level + (stmt.module or "")).lower()


# -- the plan ----------------------------------------------------------------


class _Plan:
    """The edits that fix `hits` in one file."""

    def __init__(self, source: _Source, names: Names, hits: list[Hit], path: str) -> None:
        self.source = source
        self.names = names
        self.hits = hits
        self.sections = _Sections(path)
        self.site = {site.node: site for site in names.imports}
        self.edits_: list[_Edit] = []
        self._words: set[str] | None = None
        self._bindings: dict[ast.alias, Binding] | None = None

    def edits(self) -> list[_Edit]:
        prefix = _top_mpcontext(self.names.tree)
        in_place = self._in_place()
        rewritten = {hit for hit in self.hits if hit.factory and not self._moves(hit, in_place)}
        removed, trimmed = self._unused(rewritten, in_place)
        homes = {} if prefix else self._homes(rewritten)
        for hit in self.hits:
            self._call(hit, hit in rewritten, prefix or "mpcontext")
        for stmt in in_place:
            self._rename_module(stmt)
        replaced = self._imports(homes, removed)
        self._removals(removed, trimmed, replaced)
        return self.edits_

    # -- which imports move ----------------------------------------------

    def _hits_by_root(self) -> dict[ast.Name, Hit]:
        return {hit.root: hit for hit in self.hits}

    def _in_place(self) -> set[ast.ImportFrom]:
        """The nested ``from ... import`` statements rewritten to import from mpcontext."""
        by_root = self._hits_by_root()
        candidates: set[ast.ImportFrom] = set()
        for site in self.names.imports:
            node = site.node
            if site.top or not isinstance(node, ast.ImportFrom) or self._has_noqa(node):
                continue
            if all(self._moves_in_place(alias, node, by_root) for alias in node.names):
                candidates.add(node)
        # A call that another import can also reach keeps that import's meaning.
        changed = True
        while changed:
            changed = False
            for hit in self.hits:
                statements = {b.node for b in hit.bindings}
                if statements & candidates and not statements <= candidates:
                    candidates -= {s for s in statements if isinstance(s, ast.ImportFrom)}
                    changed = True
        return candidates

    def _moves_in_place(
        self, alias: ast.alias, node: ast.ImportFrom, by_root: dict[ast.Name, Hit]
    ) -> bool:
        if alias.name == "*":
            return False
        binding = self._binding(alias)
        if binding is None:
            return False
        uses = self.names.uses(binding)
        if not uses or self._in_strings(alias.asname or alias.name):
            return False
        for use in uses:
            hit = by_root.get(use)
            if hit is None or hit.node.func is not use or hit.factory != alias.name:
                return False
        return True

    def _binding(self, alias: ast.alias) -> Binding | None:
        if self._bindings is None:
            self._bindings = {
                binding.alias: binding
                for hit in self.hits
                for binding in hit.bindings
                if binding.alias is not None
            }
        return self._bindings.get(alias)

    def _moves(self, hit: Hit, in_place: set[ast.ImportFrom]) -> bool:
        """Whether the import of `hit`'s callee is rewritten in place (the callee stays)."""
        return bool(hit.bindings) and all(b.node in in_place for b in hit.bindings)

    def _unused(
        self, rewritten: set[Hit], in_place: set[ast.ImportFrom]
    ) -> tuple[set[ast.stmt], dict[ast.stmt, list[ast.alias]]]:
        """The imports the rewritten calls leave unused: whole statements, and names of others."""
        gone = {hit.root for hit in rewritten}
        unused: dict[ast.stmt, list[ast.alias]] = {}
        for hit in rewritten:
            for binding in hit.bindings:
                node, alias = binding.node, binding.alias
                if node is None or alias is None or node in in_place or alias.name == "*":
                    continue
                if alias in unused.get(node, []) or self._has_noqa(node):
                    continue
                uses = self.names.uses(binding)
                if all(use in gone for use in uses) and not self._in_strings(
                    _local_name(node, alias)
                ):
                    unused.setdefault(node, []).append(alias)
        removed = {node for node, aliases in unused.items() if len(aliases) == len(node.names)}  # type: ignore[attr-defined]
        trimmed = {node: aliases for node, aliases in unused.items() if node not in removed}
        return removed, trimmed

    def _has_noqa(self, node: ast.stmt) -> bool:
        return any(
            noqa_codes(self.source.line(n)) is not None
            for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)
        )

    def _in_strings(self, name: str) -> bool:
        """Whether a string that is code (``__all__``, a quoted annotation) names `name`.

        Prose (docstrings) does not count.
        """
        if self._words is None:
            texts = set(self.names.strings)
            self._words = {
                word for text in texts if _is_expression(text) for word in re.findall(r"\w+", text)
            }
        return name in self._words

    # -- where `import mpcontext` goes -----------------------------------

    def _homes(self, rewritten: set[Hit]) -> dict[int, tuple[list[ast.stmt], ImportSite | None]]:
        """The blocks that need ``import mpcontext``: id of the body -> (body, an import in it)."""
        homes: dict[int, tuple[list[ast.stmt], ImportSite | None]] = {}
        module = self.names.tree.body
        for hit in self.hits:
            if hit not in rewritten and not (hit.keyword and hit.wrap):
                continue
            sites = [self.site[b.node] for b in hit.bindings if b.node in self.site]
            if not sites or any(site.top for site in sites):
                homes.setdefault(id(module), (module, None))
                continue
            for site in sites:
                homes.setdefault(id(site.body), (site.body, site))
        return homes

    def _imports(
        self,
        homes: dict[int, tuple[list[ast.stmt], ImportSite | None]],
        removed: set[ast.stmt],
    ) -> set[ast.stmt]:
        """Add ``import mpcontext`` to each home; return the removed statements it replaces."""
        replaced: set[ast.stmt] = set()
        for body, site in homes.values():
            if site is None:
                run = _first_run(body)
            else:
                run = _run(body, body.index(site.node))
            if any(_imports_mpcontext(stmt) for stmt in run if stmt not in removed):
                continue
            kept = [stmt for stmt in run if stmt not in removed]
            if kept:
                self._place(kept, body is self.names.tree.body)
            else:  # every import of the block goes: the first becomes this one
                first = run[0]
                replaced.add(first)
                start, end = self.source.span(first)
                self.edits_.append(_Edit(start, end, "import mpcontext"))
        return replaced

    def _place(self, run: list[ast.stmt], top: bool) -> None:
        """Insert ``import mpcontext`` into the import block `run`, in its section and order."""
        stmts: list[ast.Import | ast.ImportFrom] = [s for s in run if isinstance(s, _Importish)]
        target = self.sections.of_module("mpcontext")
        sections = [self.sections.of(stmt) for stmt in stmts]
        indent = self.source.line(stmts[0].lineno)[: stmts[0].col_offset]
        line = indent + "import mpcontext" + self.source.newline
        same = [stmt for stmt, section in zip(stmts, sections) if section == target]
        if same:
            key = (0, "mpcontext")
            later = [stmt for stmt in same if _sort_key(stmt) > key]
            if later:
                position = self._line_start_with_comments(later[0])
            else:
                position = self.source.line_start((same[-1].end_lineno or same[-1].lineno) + 1)
            self.edits_.append(_Edit(position, position, line))
            return
        before = [stmt for stmt, section in zip(stmts, sections) if section < target]
        if before:
            position = self.source.line_start((before[-1].end_lineno or before[-1].lineno) + 1)
            text = self._blank() + line
            if position == len(self.source.data) and not self.source.data.endswith((b"\n", b"\r")):
                text = self.source.newline + text
            self.edits_.append(_Edit(position, position, text))
            return
        position = self._line_start_with_comments(stmts[0])
        self.edits_.append(_Edit(position, position, line + self._blank()))

    def _blank(self) -> str:
        return self.source.newline

    def _line_start_with_comments(self, stmt: ast.stmt) -> int:
        """Where `stmt` starts, with the comment lines right above it (they are its own)."""
        line = stmt.lineno
        while line > 1:
            above = self.source.line(line - 1).strip()
            if not above.startswith("#") or (line - 1 <= 2 and _COOKIE_OR_SHEBANG.match(above)):
                break
            line -= 1
        return self.source.line_start(line)

    # -- edits -----------------------------------------------------------

    def _call(self, hit: Hit, rewrite: bool, prefix: str) -> None:
        source, call = self.source, hit.node
        if rewrite:
            start, end = source.span(call.func)
            self.edits_.append(_Edit(start, end, f"{prefix}.{hit.factory}"))
        if hit.keyword is None or not (hit.wrap or hit.param):
            return
        if hit.wrap:
            value = (
                f"{prefix}.resolve_context({hit.param})"
                if hit.param
                else f"{prefix}.current_context()"
            )
        else:
            value = hit.param or ""
        if hit.none_arg is not None:
            start, end = source.span(hit.none_arg)
            self.edits_.append(_Edit(start, end, value))
            return
        argument = f"{hit.keyword}={value}"
        arguments: list[ast.AST] = [*call.args, *call.keywords]
        if not arguments:
            close = source.offset(call.end_lineno or call.lineno, call.end_col_offset or 0) - 1
            if source.data[close : close + 1] == b")":
                self.edits_.append(_Edit(close, close, argument))
        elif not (len(call.args) == 1 and isinstance(call.args[0], ast.GeneratorExp)):
            last = max(arguments, key=lambda node: source.span(node)[1])
            after = source.span(last)[1]
            self.edits_.append(_Edit(after, after, f", {argument}"))
        elif hit.wrap:
            raise _Unsafe(f"no room for {argument} in a call of one generator expression")

    def _rename_module(self, stmt: ast.ImportFrom) -> None:
        """Make ``from <module> import ...`` import from mpcontext, where it stands."""
        import io
        import tokenize

        source = self.source
        start, end = source.span(stmt)
        text = source.data[start:end].decode("utf-8")
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
        names = [t for t in tokens if t.type == tokenize.NAME]
        if len(names) < 3 or names[0].string != "from":
            raise _Unsafe(f"cannot read the import {text!r}")
        keyword = next(t for t in names[1:] if t.string == "import")
        module = [t for t in tokens if names[0].end <= t.start and t.end <= keyword.start]
        module = [t for t in module if t.type in (tokenize.NAME, tokenize.OP)]
        first, last = module[0], module[-1]
        lines = text.encode("utf-8").splitlines(keepends=True)

        def offset(row: int, column: int) -> int:
            before = b"".join(lines[: row - 1])
            return (
                start + len(before) + len(lines[row - 1].decode("utf-8")[:column].encode("utf-8"))
            )

        self.edits_.append(_Edit(offset(*first.start), offset(*last.end), "mpcontext"))

    def _removals(
        self,
        removed: set[ast.stmt],
        trimmed: dict[ast.stmt, list[ast.alias]],
        replaced: set[ast.stmt],
    ) -> None:
        for node, aliases in trimmed.items():
            self.edits_.extend(_remove_aliases(self.source, node, aliases))  # type: ignore[arg-type]
        emptied: dict[int, int] = {}
        module = self.names.tree.body
        for node in sorted(removed - replaced, key=lambda n: (n.lineno, n.col_offset)):
            site = self.site.get(node)  # type: ignore[call-overload]
            body = site.body if site is not None else module
            emptied[id(body)] = emptied.get(id(body), 0) + 1
            last_of_block = body is not module and emptied[id(body)] == len(body)
            self.edits_.append(self._remove_statement(node, body, removed, last_of_block))

    def _remove_statement(
        self, stmt: ast.stmt, body: list[ast.stmt], removed: set[ast.stmt], last_of_block: bool
    ) -> _Edit:
        source = self.source
        start, end = source.span(stmt)
        first, last = stmt.lineno, stmt.end_lineno or stmt.lineno
        before = source.data[source.line_start(first) : start]
        after = source.line(last).encode("utf-8")[stmt.end_col_offset or 0 :]
        alone = not before.strip() and (not after.strip() or after.lstrip().startswith(b"#"))
        if last_of_block or not alone:
            return _Edit(start, end, "pass")
        top, bottom = first, last + 1
        # An import that was a group of its own takes a separating blank line along.
        kept = [s for s in _run(body, body.index(stmt)) if s not in removed]
        above = [s.end_lineno or s.lineno for s in kept if s.lineno < first]
        below = [s.lineno for s in kept if s.lineno > last]
        previous = above[-1] if above else None
        following = below[0] if below else None
        if not (
            (previous is None or self._blank_between(previous, first))
            and (following is None or self._blank_between(last, following))
        ):
            return _Edit(source.line_start(top), source.line_start(bottom), "")
        if following is not None:
            while bottom < following and source.blank(bottom):
                bottom += 1
        elif previous is not None:
            while top - 1 > previous and source.blank(top - 1):
                top -= 1
        return _Edit(source.line_start(top), source.line_start(bottom), "")

    def _blank_between(self, above: int, below: int) -> bool:
        """Whether a blank line lies between the lines `above` and `below`."""
        return any(self.source.blank(line) for line in range(above + 1, below))


def _top_mpcontext(tree: ast.Module) -> str | None:
    """The name ``import mpcontext`` binds at the top level, if it is there."""
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "mpcontext":
                    return alias.asname or "mpcontext"
    return None


def _imports_mpcontext(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Import) and any(
        a.name == "mpcontext" and not a.asname for a in stmt.names
    )


def _run(body: Sequence[ast.stmt], index: int) -> list[ast.stmt]:
    """The import block around ``body[index]``: the imports next to each other."""
    start = index
    while start > 0 and isinstance(body[start - 1], _Importish):
        start -= 1
    end = index
    while end + 1 < len(body) and isinstance(body[end + 1], _Importish):
        end += 1
    return list(body[start : end + 1])


def _first_run(body: Sequence[ast.stmt]) -> list[ast.stmt]:
    """The module's first import block."""
    for index, stmt in enumerate(body):
        if isinstance(stmt, _Importish):
            return _run(body, index)
    return []


def _local_name(stmt: ast.stmt, alias: ast.alias) -> str:
    if alias.asname:
        return alias.asname
    return alias.name.partition(".")[0] if isinstance(stmt, ast.Import) else alias.name


def _is_expression(text: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ast.parse(text.strip(), mode="eval")
        except (SyntaxError, ValueError):
            return False
    return True


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
