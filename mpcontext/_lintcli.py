"""``python -m mpcontext lint``: options, output and exit status.

The rules live in ``_lint``, the fixes in ``_fix``; this module only reads
the command line, walks the paths and reports.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ._lint import RULES, Finding, decode, expand_codes, iter_python_files, lint_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TextIO

__all__ = ["add_lint_parser", "run_lint"]

_EPILOG = (
    "rules:\n"
    + "\n".join(f"  {code}  {text}" for code, text in RULES.items())
    + """

A finding is silenced by `# noqa` or `# noqa: MPC002[,MPC003]` on its line.
Exit status: 0 nothing to report, 1 findings (left), 2 usage error.
--format json prints a list of objects with the keys path, line, column
(1-based), code, message, hint, fixable and fixed (true for what this run
fixed, with --fix or --diff).
"""
)


def add_lint_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``lint`` command to the subcommands `commands`."""
    parser = commands.add_parser(
        "lint",
        help="find library code that ignores its caller's context",
        description="Find library code that ignores its caller's multiprocessing context "
        "(rules MPC001-MPC005), and fix what has a safe fix.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files and directories to lint")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="CODES",
        help="report only these codes (comma-separated; prefixes such as MPC00 work)",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="CODES",
        help="do not report these codes (comma-separated)",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and directories matching GLOB (by name or path; repeatable)",
    )
    parser.add_argument(
        "--fix", action="store_true", help="rewrite files in place with the safe fixes"
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print the diff of what --fix would do, writing nothing (wins over --fix)",
    )
    parser.set_defaults(lint_parser=parser)


def _enabled(args: argparse.Namespace) -> frozenset[str]:
    # A file that could not be checked is always said, unless ignored.
    selected = expand_codes(args.select) | {"MPC000"} if args.select else frozenset(RULES)
    return selected - expand_codes(args.ignore)


def run_lint(args: argparse.Namespace) -> int:
    """Run ``lint`` with the parsed `args`; return the exit status."""
    parser: argparse.ArgumentParser = args.lint_parser
    try:
        enabled = _enabled(args)
    except ValueError as error:
        parser.error(str(error))
    missing = [path for path in args.paths if not os.path.exists(path)]
    if missing:
        parser.error(f"no such file or directory: {', '.join(map(repr, missing))}")
    files = iter_python_files(args.paths, args.exclude)
    if args.diff or args.fix:
        remaining, fixed = _fix_files(files, enabled, write=not args.diff)
    else:
        remaining, fixed = [f for path in files for f in lint_file(path, enabled)], []
    stream = sys.stderr if args.diff else sys.stdout
    if args.format == "json":
        every = sorted([*remaining, *fixed], key=lambda f: (f.path, f.line, f.column, f.code))
        json.dump([f.to_json() for f in every], stream, indent=2)
        stream.write("\n")
    else:
        _report_text(stream, remaining, fixed, fixing=args.fix or args.diff, diff=args.diff)
    return 1 if remaining else 0


def _fix_files(
    files: Iterable[str], enabled: frozenset[str], *, write: bool
) -> tuple[list[Finding], list[Finding]]:
    from ._fix import fix_source

    remaining: list[Finding] = []
    fixed: list[Finding] = []
    for path in files:
        try:
            with open(path, "rb") as file:
                data = file.read()
        except OSError:
            remaining.extend(lint_file(path, enabled))
            continue
        result = fix_source(data, path, enabled)
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


def _counts(findings: list[Finding]) -> str:
    per_code: dict[str, int] = {}
    for finding in findings:
        per_code[finding.code] = per_code.get(finding.code, 0) + 1
    return ", ".join(f"{code}: {count}" for code, count in sorted(per_code.items()))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _report_text(
    stream: TextIO, remaining: list[Finding], fixed: list[Finding], *, fixing: bool, diff: bool
) -> None:
    for finding in remaining:
        stream.write(f"{finding.path}:{finding.line}:{finding.column}: {finding.text}\n")
    files = len({f.path for f in remaining})
    if fixing:
        verb = "Would fix" if diff else "Fixed"
        detail = f" ({_counts(fixed)})" if fixed else ""
        left = f"{_plural(len(remaining), 'finding')} left" + (
            " (no safe fix)" if remaining else ""
        )
        stream.write(f"{verb} {_plural(len(fixed), 'finding')}{detail}; {left}.\n")
    elif remaining:
        fixable = sum(f.fixable for f in remaining)
        stream.write(
            f"Found {_plural(len(remaining), 'finding')} in {_plural(files, 'file')}"
            f" ({fixable} fixable with --fix).\n"
        )
