"""``python -m mpcontext lint``: options, configuration, output and exit status.

The rules live in ``rules``, linting a file in ``findings``, the fixes in
``fix``, configuration and the walking of paths in ``files``, the output
formats in ``formats``; this module reads the command line and ties them
together.
"""

from __future__ import annotations

import argparse
import os
import sys

from .files import ConfigError, Files, Options
from .findings import Finding, lint_file, read_source
from .formats import FORMATS, report
from .rules import RULES
from .source import decode

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["add_lint_parser", "run_lint"]

_EPILOG = (
    "rules:\n"
    + "\n".join(f"  {code}  {text}" for code, text in RULES.items())
    + """

A finding is silenced by `# noqa` or `# noqa: MPC002[,MPC003]` on its line;
code under `if __name__ == "__main__":` is the application's and is not
checked.

Configuration: the [tool.mpcontext.lint] table of the nearest pyproject.toml
(found walking up from each file), with the keys select, ignore, exclude
(lists) and per-file-ignores (a table of globs to lists of codes). Options
given here are applied after it: --select and --ignore on top of it,
--exclude and --per-file-ignores instead of its keys.

Formats: text; json (a list of objects with the keys path, line, column
(1-based), code, message, hint, fixable and fixed, true for what this run
fixed with --fix or --diff); github (workflow annotations,
::warning file=...,line=...,col=...::...); sarif (SARIF 2.1.0, for code
scanning). With --diff the report goes to stderr, the diff to stdout.

Exit status: 0 nothing to report, 1 findings (left), 2 usage error.
"""
)


def add_lint_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``lint`` command to the subcommands `commands`."""
    parser = commands.add_parser(
        "lint",
        help="find library code that ignores its caller's context",
        description="Find library code that ignores its caller's multiprocessing context "
        "(rules MPC001-MPC006), and fix what has a safe fix.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files and directories to lint")
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    codes = "comma-separated; prefixes such as MPC00 work; repeatable"
    parser.add_argument(
        "--select", action="append", metavar="CODES", help=f"report only these codes ({codes})"
    )
    parser.add_argument(
        "--ignore", action="append", metavar="CODES", help=f"do not report these codes ({codes})"
    )
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="GLOB",
        help="skip files and directories matching GLOB (by name or path; repeatable; "
        "replaces the configuration's exclude)",
    )
    parser.add_argument(
        "--per-file-ignores",
        action="append",
        metavar="PATTERN:CODES",
        help="do not report CODES in files matching PATTERN (repeatable; replaces the "
        "configuration's per-file-ignores)",
    )
    config = parser.add_mutually_exclusive_group()
    config.add_argument(
        "--config",
        metavar="FILE",
        help="read [tool.mpcontext.lint] from FILE for every path, not from the nearest "
        "pyproject.toml",
    )
    config.add_argument("--isolated", action="store_true", help="read no configuration file")
    parser.add_argument(
        "--fix", action="store_true", help="rewrite files in place with the safe fixes"
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print the diff of what --fix would do, writing nothing (wins over --fix)",
    )
    parser.set_defaults(lint_parser=parser)


def run_lint(args: argparse.Namespace) -> int:
    """Run ``lint`` with the parsed `args`; return the exit status."""
    parser: argparse.ArgumentParser = args.lint_parser
    missing = [path for path in args.paths if not os.path.exists(path)]
    if missing:
        parser.error(f"no such file or directory: {', '.join(map(repr, missing))}")
    if args.config is not None and not os.path.isfile(args.config):
        parser.error(f"--config: no such file: {args.config!r}")
    try:
        files = Files(
            Options(
                select=args.select,
                ignore=args.ignore,
                exclude=args.exclude,
                per_file_ignores=args.per_file_ignores,
                isolated=args.isolated,
                config=args.config,
            )
        )
        # Configuration is read while walking: a bad file is a usage error
        # before anything is reported or written.
        walked = list(files.walk(args.paths))
    except ConfigError as error:
        parser.error(str(error))
    # A file named on the command line is parsed whatever it imports, so that
    # its syntax errors are said; the pre-filter is for the trees walked.
    named = {path for path in args.paths if not os.path.isdir(path)}
    if args.diff or args.fix:
        remaining, fixed = _fix_files(walked, named, write=not args.diff)
    else:
        remaining = [
            finding
            for path, codes in walked
            for finding in lint_file(path, codes, prefilter=path not in named)
        ]
        fixed = []
    stream = sys.stderr if args.diff else sys.stdout
    report(stream, args.format, remaining, fixed, fixing=args.fix or args.diff, diff=args.diff)
    return 1 if remaining else 0


def _fix_files(
    files: Iterable[tuple[str, frozenset[str]]], named: set[str], *, write: bool
) -> tuple[list[Finding], list[Finding]]:
    from .fix import fix_source

    remaining: list[Finding] = []
    fixed: list[Finding] = []
    for path, codes in files:
        data = read_source(path)
        if isinstance(data, Finding):
            remaining.extend([data] if "MPC000" in codes else [])
            continue
        result = fix_source(data, path, codes, prefilter=path not in named)
        fixed.extend(result.fixed)
        if result.source == data:
            remaining.extend(result.remaining)
        elif write:
            with open(path, "wb") as file:
                file.write(result.source)
            remaining.extend(result.remaining)
        else:
            sys.stdout.write(_diff(path, decode(data)[0], decode(result.source)[0]))
            remaining.extend(result.unfixed)
    return remaining, fixed


def _diff(path: str, before: str, after: str) -> str:
    import difflib
    import re

    def lines(text: str) -> list[str]:
        return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)

    out: list[str] = []
    for line in difflib.unified_diff(lines(before), lines(after), path, path):
        out.append(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )
    return "".join(out)
