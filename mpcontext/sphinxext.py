"""``mpcontext.sphinxext``: the table of what a package requires, in its Sphinx documentation.

CPython asks libraries to document the start methods they require. The
report (``python -m mpcontext report``) prints them; this extension puts the
same table in a Sphinx site, made afresh at each build from the registry::

    # conf.py
    extensions = ["mpcontext.sphinxext"]

    .. mpcontext-report:: mylib
       :module: mylib.io
       :columns: name, methods, reason

The directive imports the package and every submodule below it, as the
report does, and renders ``registry.entries(PACKAGE)`` as a docutils table
with the report's columns. A submodule that fails to import is a Sphinx
warning naming it (an error under ``-W``), and the rest of the table is
rendered. Options:

``:module:``
    Only the entries of this module and the modules below it.
``:columns:``
    Which columns, in which order, of ``name``, ``kind``, ``parameter``,
    ``methods`` and ``reason`` (all five by default, in that order).

The package must be importable by the build (on ``sys.path``, as for
autodoc). Sphinx imports this module; ``import mpcontext`` never imports
Sphinx. Safe for parallel reading and writing.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ._report import (
    HEADERS,
    OWN_CHOICE,
    PackageImportError,
    cells,
    describe_error,
    import_package,
    nothing_registered,
    report_entries,
)
from ._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import ClassVar

    from sphinx.application import Sphinx

    from ._core.types import Requirement

__all__ = ["COLUMNS", "ReportDirective", "setup"]

COLUMNS: dict[str, int] = {"name": 0, "kind": 1, "parameter": 2, "methods": 3, "reason": 4}
"""What ``:columns:`` takes: each column's name, and its place among the report's columns."""

_logger = logging.getLogger(__name__)


def _columns(value: str | None) -> list[str]:
    """The ``:columns:`` option: names of ``COLUMNS``, separated by commas or spaces."""
    names = (value or "").replace(",", " ").split()
    if not names:
        raise ValueError(f"give one or more of {', '.join(COLUMNS)}")
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise ValueError(
            f"unknown column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}, in any order"
        )
    return names


class ReportDirective(SphinxDirective):
    """``.. mpcontext-report:: PACKAGE``: the registry's entries of PACKAGE, as a table."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], object]] | None] = {
        "module": directives.unchanged_required,
        "columns": _columns,
    }

    def run(self) -> list[nodes.Node]:
        """Import the package, then return its table (or a paragraph saying it has none)."""
        package = self.arguments[0]
        try:
            found, failures = import_package(package)
        except PackageImportError as error:
            raise self.error(f"mpcontext-report: {error}") from None
        for failure in failures:
            _logger.warning(
                "mpcontext-report: cannot import %s: %s; its entries are missing from the table",
                failure.name,
                describe_error(failure.error),
                location=self.get_location(),
                type="mpcontext",
                subtype="import",
            )
        path = getattr(found, "__file__", None)
        if path:
            self.env.note_dependency(path)
        entries = report_entries(package)
        prefix = self.options.get("module")
        if prefix:
            entries = [e for e in entries if f"{e.module}.".startswith(f"{prefix}.")]
        if not entries:
            shown = prefix or package
            return [nodes.paragraph(text=nothing_registered(shown).strip())]
        columns: list[str] = self.options.get("columns", list(COLUMNS))
        return [_table(entries, columns)]


def _table(entries: list[Requirement], columns: list[str]) -> nodes.table:
    """The docutils table of `entries`, with `columns` (names of ``COLUMNS``)."""
    table = nodes.table(classes=["mpcontext-report"])
    group = nodes.tgroup(cols=len(columns))
    table += group
    for name in columns:
        group += nodes.colspec(colwidth=4 if name == "reason" else 2)
    head = nodes.thead()
    head += _row([nodes.Text(HEADERS[COLUMNS[name]]) for name in columns])
    group += head
    body = nodes.tbody()
    for entry in entries:
        texts = cells(entry)
        shown: list[nodes.Node] = []
        for name in columns:
            text = texts[COLUMNS[name]]
            code = name == "name" or (name == "parameter" and text != OWN_CHOICE)
            shown.append(nodes.literal(text=text) if code else nodes.Text(text))
        body += _row(shown)
    group += body
    return table


def _row(contents: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for content in contents:
        entry = nodes.entry()
        paragraph = nodes.paragraph()
        paragraph += content
        entry += paragraph
        row += entry
    return row


def setup(app: Sphinx) -> dict[str, object]:
    """Register the ``mpcontext-report`` directive with Sphinx.

    Parameters
    ----------
    app : sphinx.application.Sphinx
        The application building the documentation.

    Returns
    -------
    dict
        The extension's metadata: its version, and that it is safe for
        parallel reading and writing.
    """
    app.add_directive("mpcontext-report", ReportDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
