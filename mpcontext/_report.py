"""``python -m mpcontext report``: the table of what in a package starts processes.

The report imports a package and every submodule below it (so that each
``accepts_context`` function and ``ContextField`` registers itself), then
prints ``registry.entries(PACKAGE)``, sorted by module and qualified name:
as text for a terminal, or as a markdown or reST table to paste into
documentation, or as JSON for tools.

A submodule that fails to import is reported on stderr and skipped; the
rest is still reported and the exit status stays 0. Submodules named
``__main__`` are not imported (they run programs). Whatever the imported
code prints goes to stderr, so that stdout holds only the report. A package
that cannot be imported at all is a usage error: exit status 2.

JSON schema
-----------
A list, sorted by ``module`` then ``qualname``, of objects with exactly these
keys, which are the parameters of ``mpcontext.Requirement``:

``module`` (str)
    The module that defines the function or class.
``qualname`` (str)
    Its qualified name in that module; ``Class.attribute`` for a field.
``param`` (str or null)
    The parameter (for a field, the attribute) that takes the context;
    null for a function or class that takes none and picks its own start
    method (the start methods it uses are then ``start_methods``).
``start_methods`` (list of str, sorted, or null)
    The start methods supported; ``null`` when any will do. They are the
    standard library's: a context of another family meets a requirement
    through the method it uses (``'multiprocess:spawn'`` and loky's meet
    ``spawn``).
``reason`` (str or null)
    Why those start methods are required, as the author wrote it.
``kind`` (str)
    ``"function"``, ``"field"`` or ``"class"``.

So ``[Requirement(**item) for item in json.loads(output)]`` gives back the
registry's entries.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import sys

from ._declare.registry import registry

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Generator, Iterable, Sequence
    from types import ModuleType

    from ._core.types import Requirement

__all__ = [
    "FORMATS",
    "HEADERS",
    "OWN_CHOICE",
    "ImportFailure",
    "PackageImportError",
    "add_report_parser",
    "cells",
    "describe_error",
    "import_package",
    "nothing_registered",
    "render",
    "render_json",
    "render_markdown",
    "render_rst",
    "render_text",
    "report_entries",
    "run_report",
]

_IMPORTLIB = os.path.dirname(importlib.__file__)
"""Frames of importlib itself say nothing about where an import failed."""

HEADERS: tuple[str, ...] = ("Function or field", "Kind", "Parameter", "Start methods", "Reason")
"""The report's columns, in order: what ``cells`` gives for each entry."""


class ImportFailure:
    """A submodule that could not be imported, and why.

    Attributes
    ----------
    name : str
        The module's full name.
    error : BaseException
        What its import raised.
    """

    __slots__ = ("error", "name")

    def __init__(self, name: str, error: BaseException) -> None:
        self.name = name
        self.error = error

    def __str__(self) -> str:
        return f"{self.name}: {describe_error(self.error)}"

    def __repr__(self) -> str:
        return f"ImportFailure({self.name!r}, {self.error!r})"


class PackageImportError(Exception):
    """The package to report on cannot be imported; the message says why."""


def describe_error(error: BaseException) -> str:
    """Return ``"Type: message (at file:line)"`` for an error raised by an import."""
    if isinstance(error, SyntaxError) and error.filename:
        return f"{type(error).__name__}: {error.msg} (at {error.filename}:{error.lineno})"
    message = str(error)
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    import traceback  # only when there is an error to describe

    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith((_IMPORTLIB, "<frozen ", __file__))
    ]
    if frames:
        text += f" (at {frames[-1].filename}:{frames[-1].lineno})"
    return text


def _try_import(name: str) -> ModuleType | BaseException:
    try:
        # Whatever the module prints at import must not mix with the report.
        with contextlib.redirect_stdout(sys.stderr):
            return importlib.import_module(name)
    except (Exception, SystemExit) as error:  # any import error, even sys.exit()
        return error


def import_package(name: str) -> tuple[ModuleType, list[ImportFailure]]:
    """Import the package `name` and every submodule below it.

    Parameters
    ----------
    name : str
        A module or package name, such as ``"mylib"`` or ``"mylib.sub"``.

    Returns
    -------
    tuple
        The package, and the submodules that failed to import (in the order
        met; their own submodules are not walked).

    Raises
    ------
    PackageImportError
        The package itself cannot be imported.
    """
    found = _try_import(name)
    if isinstance(found, BaseException):
        raise PackageImportError(_cannot_import(name, found))
    failures: list[ImportFailure] = []
    _import_below(found, failures)
    return found, failures


def _import_below(package: ModuleType, failures: list[ImportFailure]) -> None:
    """Import the submodules of `package`, depth first, in name order."""
    path: Iterable[str] | None = getattr(package, "__path__", None)
    if path is None:
        return
    for info in pkgutil.iter_modules(path, package.__name__ + "."):
        if info.name.rpartition(".")[2] == "__main__":
            continue
        found = _try_import(info.name)
        if isinstance(found, BaseException):
            failures.append(ImportFailure(info.name, found))
        elif info.ispkg:
            _import_below(found, failures)


def _cannot_import(name: str, error: BaseException) -> str:
    message = f"cannot import {name!r}: {describe_error(error)}"
    root = name.partition(".")[0]
    if isinstance(error, ModuleNotFoundError) and error.name in (name, root):
        message += (
            f". Is it installed in this Python ({sys.executable})? For a package in a "
            f"directory that is not on sys.path, add the directory with --path DIR."
        )
    return message


def report_entries(package: str) -> list[Requirement]:
    """Return the registry's entries of `package`, sorted by module and qualified name."""
    return sorted(registry.entries(package), key=lambda entry: (entry.module, entry.qualname))


# -- formats ------------------------------------------------------------------------------


def _methods(entry: Requirement) -> list[str] | None:
    return None if entry.start_methods is None else sorted(entry.start_methods)


OWN_CHOICE = "none: picks its own start method"
"""The parameter column of an entry that takes no context (``param=None``)."""

UNDECLARED = "not declared"
"""The start methods column of an entry that picks its own and does not say which."""


def cells(entry: Requirement) -> tuple[str, str, str, str, str]:
    """The plain text of each column, every run of whitespace made one space."""
    methods = _methods(entry)
    return (
        entry.name,
        entry.kind,
        OWN_CHOICE if entry.param is None else entry.param,
        (UNDECLARED if entry.param is None else "any") if methods is None else ", ".join(methods),
        " ".join((entry.reason or "").split()),
    )


def _pad(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    """Pad the cells of `rows` to the width of their column, but for the last column."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [[*(cell.ljust(w) for cell, w in zip(row, widths)), row[-1]] for row in rows]


_TEXT_WIDTH = 79
_REASON_LABEL = "    reason: "


def render_text(entries: Sequence[Requirement], package: str) -> str:
    """Return the report for a terminal: aligned columns, each reason wrapped below its entry."""
    if not entries:
        return nothing_registered(package)
    import textwrap

    table = [cells(entry) for entry in entries]
    rows = _pad([HEADERS[:4], *(row[:4] for row in table)])
    lines = ["  ".join(rows[0]).rstrip()]
    for row, (*_, reason) in zip(rows[1:], table):
        lines.append("  ".join(row).rstrip())
        if reason:
            lines.extend(
                textwrap.wrap(
                    reason,
                    _TEXT_WIDTH,
                    initial_indent=_REASON_LABEL,
                    subsequent_indent=" " * len(_REASON_LABEL),
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
    return "\n".join(lines) + "\n"


_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>|~&")


def _markdown_text(text: str) -> str:
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def render_markdown(entries: Sequence[Requirement], package: str) -> str:
    """Return the report as a markdown table (GitHub flavoured), special characters escaped."""
    if not entries:
        return nothing_registered(package)
    rows = [list(HEADERS), ["---"] * len(HEADERS)]
    for entry in entries:
        name, kind, param, methods, reason = cells(entry)
        shown = param if param == OWN_CHOICE else f"`{param}`"
        rows.append([f"`{name}`", kind, shown, methods, _markdown_text(reason)])
    padded = _pad(rows)
    padded[1] = ["-" * len(cell) for cell in padded[1][:-1]] + ["---"]
    return "".join(f"| {' | '.join(row[:-1])} | {row[-1]}".rstrip() + " |\n" for row in padded)


_RST_SPECIAL = frozenset("\\`*_|")


def _rst_text(text: str) -> str:
    escaped = "".join("\\" + c if c in _RST_SPECIAL else c for c in text)
    if escaped[:1] and not escaped[0].isalnum() and escaped[0] != "\\":
        escaped = "\\" + escaped  # "- x" or "#. x" would start a list in the cell
    return escaped


def render_rst(entries: Sequence[Requirement], package: str) -> str:
    """Return the report as a reStructuredText ``list-table``, inline markup escaped."""
    if not entries:
        return nothing_registered(package)
    lines = [".. list-table::", "   :header-rows: 1", ""]
    rows = [list(HEADERS)]
    for entry in entries:
        name, kind, param, methods, reason = cells(entry)
        shown = param if param == OWN_CHOICE else f"``{param}``"
        rows.append([f"``{name}``", kind, shown, methods, _rst_text(reason)])
    for row in rows:
        for i, cell in enumerate(row):
            lines.append(f"   {'* -' if i == 0 else '  -'} {cell}".rstrip())
    return "\n".join(lines) + "\n"


def render_json(entries: Sequence[Requirement], package: str) -> str:
    """Return the report as JSON: see the schema in this module's docstring."""
    items = [
        {
            "module": entry.module,
            "qualname": entry.qualname,
            "param": entry.param,
            "start_methods": _methods(entry),
            "reason": entry.reason,
            "kind": entry.kind,
        }
        for entry in entries
    ]
    return json.dumps(items, indent=2) + "\n"


def nothing_registered(package: str) -> str:
    """Return what the report says when nothing in `package` is registered."""
    return (
        f"Nothing in {package!r} is registered as starting processes (functions "
        f"decorated with accepts_context, ContextField attributes, registry.register()).\n"
    )


_RENDERERS: dict[str, Callable[[Sequence[Requirement], str], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "rst": render_rst,
    "json": render_json,
}

FORMATS = tuple(_RENDERERS)
"""The formats of the report, the first the default."""


def render(entries: Sequence[Requirement], fmt: str, package: str) -> str:
    """Return `entries` (those of `package`) in the format `fmt`, one of ``FORMATS``."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown report format {fmt!r}; expected one of {', '.join(map(repr, FORMATS))}"
        ) from None
    return renderer(entries, package)


# -- command line -------------------------------------------------------------------------

_EPILOG = """\
Submodules that fail to import are reported on stderr and skipped (exit
status 0); a package that cannot be imported at all exits with status 2.

The start methods are the standard library's; a context of another
library meets them through the method it uses: 'multiprocess:spawn',
'billiard:spawn' and loky's contexts meet spawn.

--format json prints a list, sorted by module and qualname, of objects with
exactly the keys module, qualname, param, start_methods (a sorted list, or
null for any), reason (or null) and kind ("function", "field" or "class"):
the parameters of mpcontext.Requirement.
"""


def add_report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` command to the subcommands `commands`."""
    import argparse

    parser = commands.add_parser(
        "report",
        help="document which functions of a package start processes",
        description="Import a package and its submodules, and print which of its functions "
        "and fields start processes: the parameter that takes the context, the start "
        "methods they support and why.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("package", metavar="PACKAGE", help="the package to report, by name")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=FORMATS[0],
        help="output format (default: text); markdown and rst print tables for documentation",
    )
    parser.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="DIR",
        help="put DIR on sys.path first, to import a package from it (repeatable)",
    )
    parser.set_defaults(report_parser=parser)


def run_report(args: argparse.Namespace) -> int:
    """Run ``report`` with the parsed `args`; return the exit status."""
    parser: argparse.ArgumentParser = args.report_parser
    package: str = args.package
    if not all(part.isidentifier() for part in package.split(".")):
        parser.error(_not_a_name(package))
    missing = [d for d in args.path if not os.path.isdir(d)]
    if missing:
        parser.error(f"--path: no such directory: {', '.join(map(repr, missing))}")
    with _on_sys_path(args.path):
        try:
            _, failures = import_package(package)
        except PackageImportError as error:
            print(f"mpcontext report: error: {error}", file=sys.stderr)
            return 2
    for failure in failures:
        print(
            f"mpcontext report: warning: cannot import {failure.name}, so the report "
            f"lacks what it registers: {describe_error(failure.error)}",
            file=sys.stderr,
        )
    sys.stdout.write(render(report_entries(package), args.format, package))
    return 0


def _not_a_name(package: str) -> str:
    message = f"PACKAGE must be a module name such as 'mylib' or 'mylib.sub', got {package!r}"
    head, tail = os.path.split(os.path.normpath(package))
    if os.path.isfile(package) and tail.endswith(".py"):
        tail = tail[:-3]
    elif not os.path.isdir(package):
        return message
    if tail.isidentifier():
        message += f"; to report it, use: --path {head or '.'} {tail}"
    return message


@contextlib.contextmanager
def _on_sys_path(directories: Sequence[str]) -> Generator[None, None, None]:
    """Put `directories` first on ``sys.path`` (in the order given) for the block."""
    added = [os.path.abspath(d) for d in directories]
    sys.path[:0] = added
    importlib.invalidate_caches()
    try:
        yield
    finally:
        for directory in added:
            with contextlib.suppress(ValueError):  # the imported code removed it already
                sys.path.remove(directory)
