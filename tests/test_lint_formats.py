"""``lint --format github`` and ``--format sarif`` (issue 17)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mpcontext._cli import main
from mpcontext._lint.findings import lint_source
from mpcontext._lint.formats import SARIF_SCHEMA, github_annotation, sarif_log
from mpcontext._lint.rules import RULES

SCHEMA = Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json"

SOURCE = (
    "import multiprocessing as mp\n"
    "\n"
    "\n"
    "def start(target):\n"
    "    label = 'é'; queue = mp.Queue()\n"
    "    mp.set_executable('python')\n"
    "    return label, queue\n"
)


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpcontext", "lint", "--isolated", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "parallel.py").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "pkg" / "broken.py").write_text("import multiprocessing\ndef f(:\n")
    return tmp_path


def test_github_annotations(project: Path) -> None:
    done = run("--format", "github", "pkg", cwd=project)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "::error file=pkg/broken.py,line=2,col=7::MPC000 the file does not parse: "
        "invalid syntax; fix the syntax error (the file was not checked)",
        "::warning file=pkg/parallel.py,line=5,col=26::MPC002 mp.Queue() uses "
        "multiprocessing's global default context, not the caller's; use "
        "mpcontext.Queue(...), which follows it (--fix)",
        "::warning file=pkg/parallel.py,line=6,col=5::MPC006 mp.set_executable() changes the "
        "Python executable of spawn and forkserver children for the whole application, not just "
        "this library's; leave process-wide settings to the application (its entry point may "
        "keep it: `# noqa: MPC006`)",
    ]


def test_github_escapes_what_would_end_the_command() -> None:
    (finding,) = lint_source(b"import multiprocessing\nmultiprocessing.Queue()\n", "a,b:c%d.py")
    finding.message = "two\nlines 100%"
    line = github_annotation(finding)
    assert line.startswith(
        "::warning file=a%2Cb%3Ac%25d.py,line=2,col=1::MPC002 two%0Alines 100%25"
    )
    assert "\n" not in line


def test_github_is_empty_when_clean(project: Path) -> None:
    (project / "pkg" / "parallel.py").write_text("x = 1\n")
    (project / "pkg" / "broken.py").unlink()
    done = run("--format", "github", "pkg", cwd=project)
    assert (done.returncode, done.stdout) == (0, "")


def sarif_of(project: Path, *argv: str) -> dict[str, object]:
    done = run("--format", "sarif", *argv, cwd=project)
    assert done.returncode == 1, done.stderr
    log: dict[str, object] = json.loads(done.stdout)
    return log


def test_sarif_log(project: Path) -> None:
    log = sarif_of(project, "pkg")
    assert log["$schema"] == SARIF_SCHEMA
    assert log["version"] == "2.1.0"
    (run_,) = log["runs"]  # type: ignore[misc]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "mpcontext"
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)
    assert all(
        rule["help"]["text"] and rule["shortDescription"]["text"] for rule in driver["rules"]
    )
    assert run_["columnKind"] == "unicodeCodePoints"
    results = run_["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("MPC000", "error"),
        ("MPC002", "warning"),
        ("MPC006", "warning"),
    ]
    queue = results[1]
    assert driver["rules"][queue["ruleIndex"]]["id"] == "MPC002"
    location = queue["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pkg/parallel.py", "uriBaseId": "%SRCROOT%"}
    # Columns count characters: the call starts after a non-ASCII one.
    assert location["region"] == {"startLine": 5, "startColumn": 26, "endLine": 5, "endColumn": 36}
    assert queue["message"]["text"].startswith("mp.Queue() uses multiprocessing's global default")
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"


def test_sarif_absolute_paths_are_file_uris(project: Path) -> None:
    log = sarif_of(project, str(project / "pkg" / "parallel.py"))
    (result, _) = log["runs"][0]["results"]  # type: ignore[index]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": (project / "pkg" / "parallel.py").as_uri()}


@pytest.mark.skipif(
    importlib.util.find_spec("jsonschema") is None,
    reason="jsonschema is not installed (pip install '.[test]')",
)
@pytest.mark.parametrize("target", ["pkg", "pkg/parallel.py"])
def test_sarif_validates_against_the_official_schema(project: Path, target: str) -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"] == SARIF_SCHEMA  # the OASIS schema, errata 01
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    log = sarif_of(project, target)
    errors = sorted(validator.iter_errors(log), key=str)
    assert errors == []
    # The validator does catch a broken log.
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0  # type: ignore[index]
    assert not validator.is_valid(log)


def test_sarif_with_no_finding_is_a_run_without_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "clean.py").write_text("import multiprocessing\n")
    assert main(["lint", "--isolated", "--format", "sarif", str(tmp_path)]) == 0
    log = json.loads(capsys.readouterr().out)
    assert log["runs"][0]["results"] == []
    assert sarif_log([])["runs"][0]["tool"]["driver"]["rules"]  # type: ignore[index]


def test_fix_with_sarif_reports_what_is_left(project: Path) -> None:
    done = run("--fix", "--format", "sarif", "pkg", cwd=project)
    assert done.returncode == 1
    results = json.loads(done.stdout)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["MPC000", "MPC006"]
    assert "mpcontext.Queue()" in (project / "pkg" / "parallel.py").read_text()
