"""The command line: ``python -m mpcontext COMMAND``."""

from __future__ import annotations

import argparse

from ._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of ``python -m mpcontext``."""
    parser = argparse.ArgumentParser(
        prog="python -m mpcontext",
        description="Tools for libraries that start processes.",
    )
    parser.add_argument("--version", action="version", version=f"mpcontext {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser(
        "demo",
        help="a tour of mpcontext on this machine",
        description="A tour of mpcontext on this machine: a library function run under "
        "every available start method, using(), its generated docstring note, a "
        "requirement, the registry report, a pre-flight catch and executor(). It changes "
        "no global state and leaves no process behind.",
    )
    from ._lint.cli import add_lint_parser
    from ._report import add_report_parser

    add_report_parser(commands)
    add_lint_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m mpcontext`` with `argv`; return the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        return run_demo()
    if args.command == "report":
        from ._report import run_report

        return run_report(args)
    if args.command == "lint":
        from ._lint.cli import run_lint

        return run_lint(args)
    raise AssertionError(f"unhandled command {args.command!r}")  # pragma: no cover
