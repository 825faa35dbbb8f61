"""How ``lint`` reports: text, JSON, GitHub workflow annotations and SARIF 2.1.0."""

from __future__ import annotations

import json
import os

from .._version import __version__
from .rules import RULE_HELP, RULES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

    from .findings import Finding

__all__ = ["FORMATS", "SARIF_SCHEMA", "report"]

FORMATS = ("text", "json", "github", "sarif")
"""The values of ``--format``."""

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
"""The SARIF 2.1.0 schema (OASIS, errata 01) that ``--format sarif`` follows."""

_INFORMATION_URI = "https://github.com/mpcontext/mpcontext"
# SARIF rule names: what each rule finds, as an identifier.
_RULE_NAMES = {
    "MPC000": "UncheckedFile",
    "MPC001": "GlobalStartMethodSet",
    "MPC002": "DefaultContextObject",
    "MPC003": "ExecutorWithoutContext",
    "MPC004": "HardCodedStartMethod",
    "MPC005": "GlobalStartMethodFixed",
    "MPC006": "ProcessWideSettingChanged",
}


def _level(code: str) -> str:
    return "error" if code == "MPC000" else "warning"


def report(
    stream: TextIO,
    form: str,
    remaining: list[Finding],
    fixed: list[Finding],
    *,
    fixing: bool = False,
    diff: bool = False,
) -> None:
    """Write the findings `remaining` (and, where the format shows them, `fixed`) to `stream`.

    Parameters
    ----------
    stream : TextIO
        Where to write.
    form : str
        One of ``FORMATS``.
    remaining, fixed : list of Finding
        What is left to report, and what ``--fix`` fixed (or ``--diff``
        would fix).
    fixing, diff : bool
        Whether ``--fix`` or ``--diff`` ran, for the text summary.
    """
    if form == "json":
        every = sorted([*remaining, *fixed], key=lambda f: (f.path, f.line, f.column, f.code))
        json.dump([f.to_json() for f in every], stream, indent=2)
        stream.write("\n")
    elif form == "github":
        for finding in remaining:
            stream.write(github_annotation(finding) + "\n")
    elif form == "sarif":
        json.dump(sarif_log(remaining), stream, indent=2)
        stream.write("\n")
    else:
        _report_text(stream, remaining, fixed, fixing=fixing, diff=diff)


# -- text --------------------------------------------------------------------


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


# -- GitHub workflow commands ------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding) -> str:
    """Return `finding` as a GitHub workflow command: ``::warning file=...,line=...,col=...::...``."""
    path = _escape_property(finding.path.replace(os.sep, "/"))
    return (
        f"::{_level(finding.code)} file={path},line={finding.line},col={finding.column}"
        f"::{_escape_data(finding.text)}"
    )


# -- SARIF 2.1.0 -------------------------------------------------------------


def _rules() -> list[dict[str, object]]:
    return [
        {
            "id": code,
            "name": _RULE_NAMES[code],
            "shortDescription": {"text": text},
            "fullDescription": {"text": RULE_HELP[code]},
            "help": {"text": RULE_HELP[code], "markdown": RULE_HELP[code]},
            "helpUri": f"{_INFORMATION_URI}#linting-your-library",
            "defaultConfiguration": {"level": _level(code)},
        }
        for code, text in RULES.items()
    ]


def _artifact(path: str) -> dict[str, str]:
    """The artifactLocation of `path`: relative to the working folder when under it."""
    from pathlib import Path
    from urllib.parse import quote

    absolute = Path(os.path.abspath(path))
    relative = os.path.relpath(absolute)
    if os.path.isabs(path) or relative.startswith(os.pardir):
        return {"uri": absolute.as_uri()}
    return {"uri": quote(Path(relative).as_posix()), "uriBaseId": "%SRCROOT%"}


def _region(finding: Finding) -> dict[str, int]:
    region = {"startLine": finding.line, "startColumn": finding.column}
    if finding.end_line is not None and finding.end_column is not None:
        region["endLine"] = finding.end_line
        region["endColumn"] = finding.end_column
    return region


def _result(finding: Finding, index: dict[str, int]) -> dict[str, object]:
    location = {"artifactLocation": _artifact(finding.path), "region": _region(finding)}
    return {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _level(finding.code),
        "message": {
            "text": f"{finding.message}; {finding.hint}" if finding.hint else finding.message
        },
        "locations": [{"physicalLocation": location}],
        "properties": {"fixable": finding.fixable},
    }


def sarif_log(findings: list[Finding]) -> dict[str, object]:
    """Return `findings` as a SARIF 2.1.0 log: one run of the tool, its rules, its results."""
    from pathlib import Path

    index = {code: position for position, code in enumerate(RULES)}
    root = Path(os.getcwd()).as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mpcontext",
                        "version": __version__,
                        "informationUri": _INFORMATION_URI,
                        "rules": _rules(),
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(finding, index) for finding in findings],
            }
        ],
    }
