"""``[tool.mpcontext.lint]`` in the nearest ``pyproject.toml`` (issue 17)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mpcontext._cli import main
from mpcontext._lint.files import ConfigError, Files, Options, _mentions_table, load_settings

FINDINGS = (
    "import multiprocessing as mp\nmp.Queue()\nmp.set_start_method('spawn')\nmp.get_context()\n"
)


def lint(*argv: str, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    main(["lint", "--format", "json", *argv])
    found = json.loads(capsys.readouterr().out)
    return [(Path(f["path"]).as_posix(), f["code"]) for f in found]


def usage_error(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(["lint", *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m mpcontext lint")
    return err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with its own configuration, a sub-project with another, and code."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "lib"\ndependencies = ["mpcontext"]\n\n'
        "[tool.mpcontext.lint]\n"
        'ignore = ["MPC005"]\n'
        'exclude = ["build", "lib/generated_*.py"]\n'
        '[tool.mpcontext.lint.per-file-ignores]\n"tests/*" = ["MPC002"]\n'
    )
    for rel in ["lib/core.py", "lib/generated_x.py", "build/out.py", "tests/test_core.py"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(FINDINGS)
    sub = tmp_path / "plugins" / "fast"
    sub.mkdir(parents=True)
    (sub / "pyproject.toml").write_text('[tool.mpcontext.lint]\nselect = ["MPC001"]\n')
    (sub / "plugin.py").write_text(FINDINGS)
    # A pyproject.toml without the table is passed over, as ruff does.
    (tmp_path / "lib" / "pyproject.toml").write_text("[tool.black]\nline-length = 99\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_nearest_configuration_of_each_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert lint(".", capsys=capsys) == [
        ("lib/core.py", "MPC002"),
        ("lib/core.py", "MPC001"),
        ("plugins/fast/plugin.py", "MPC001"),
        ("tests/test_core.py", "MPC001"),
    ]


def test_found_from_a_file_given_by_name(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "lib")
    assert lint("core.py", "generated_x.py", capsys=capsys) == [
        ("core.py", "MPC002"),
        ("core.py", "MPC001"),
    ]


def test_command_line_applies_after_the_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # --select on top of the file's ignore; --exclude and --per-file-ignores instead of its own.
    assert lint("lib", "tests", "--select", "MPC005", capsys=capsys) == [
        ("lib/core.py", "MPC005"),
        ("tests/test_core.py", "MPC005"),
    ]
    assert lint("lib", "--exclude", "core.py", capsys=capsys) == [
        ("lib/generated_x.py", "MPC002"),
        ("lib/generated_x.py", "MPC001"),
    ]
    assert lint("tests", "--per-file-ignores", "test_*.py:MPC001", capsys=capsys) == [
        ("tests/test_core.py", "MPC002"),
    ]
    assert lint("tests", "--ignore", "MPC001", capsys=capsys) == []


def test_isolated_and_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lint("build", "--isolated", capsys=capsys) == [
        ("build/out.py", "MPC002"),
        ("build/out.py", "MPC001"),
        ("build/out.py", "MPC005"),
    ]
    assert lint("plugins", "--config", "pyproject.toml", capsys=capsys) == [
        ("plugins/fast/plugin.py", "MPC002"),
        ("plugins/fast/plugin.py", "MPC001"),
    ]
    err = usage_error(".", "--config", "nowhere.toml", capsys=capsys)
    assert "--config: no such file: 'nowhere.toml'" in err
    err = usage_error(".", "--config", "lib/pyproject.toml", capsys=capsys)
    assert "lib/pyproject.toml: no [tool.mpcontext.lint] table" in err


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'selct = ["MPC002"]',
            "unknown key 'selct' in [tool.mpcontext.lint] (did you mean 'select'?); expected exclude, ignore, per-file-ignores, select",
        ),
        (
            'select = "MPC002"',
            "[tool.mpcontext.lint] select must be a list of codes, such as [\"MPC002\"]; got 'MPC002' (str)",
        ),
        (
            'ignore = ["MPC009"]',
            "[tool.mpcontext.lint] ignore: unknown code 'MPC009': expected codes among MPC000",
        ),
        (
            "exclude = [1]",
            '[tool.mpcontext.lint] exclude must be a list of globs, such as ["build", "tests/data/*"]; got [1] (list)',
        ),
        (
            'per-file-ignores = ["tests/*"]',
            "[tool.mpcontext.lint] per-file-ignores must be a table of globs and codes",
        ),
        (
            'per-file-ignores = {"tests/*" = ["E501"]}',
            "per-file-ignores 'tests/*': unknown code 'E501'",
        ),
        ("select = [", "not valid TOML"),
    ],
)
def test_bad_configuration_is_a_usage_error(
    table: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(f"[tool.mpcontext.lint]\n{table}\n")
    (tmp_path / "x.py").write_text(FINDINGS)
    err = usage_error(str(tmp_path), capsys=capsys)
    assert f"{config}: " in err
    assert message in err


def test_lint_that_is_not_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mpcontext]\nlint = "strict"\n')
    err = usage_error(str(tmp_path), capsys=capsys)
    assert "tool.mpcontext.lint must be a table ([tool.mpcontext.lint]); got 'strict' (str)" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--per-file-ignores", "tests"], "--per-file-ignores 'tests': expected PATTERN:CODES"),
        (
            ["--per-file-ignores", "tests/*:X1"],
            "--per-file-ignores 'tests/*:X1': unknown code 'X1'",
        ),
        (["--select", "MPC9"], "--select: unknown code 'MPC9'"),
        (["--config", "a.toml", "--isolated"], "not allowed with argument"),
    ],
)
def test_bad_options_are_usage_errors(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert message in usage_error(str(tmp_path), *argv, capsys=capsys)


def test_a_bad_configuration_stops_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.mpcontext.lint]\nfix = true\n")
    module = tmp_path / "m.py"
    module.write_text(FINDINGS)
    done = subprocess.run(
        [sys.executable, "-m", "mpcontext", "lint", "--fix", str(module)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown key 'fix'" in done.stderr
    assert module.read_text() == FINDINGS


def test_an_unrelated_pyproject_is_not_parsed(tmp_path: Path) -> None:
    # Not TOML at all, but it cannot hold the table: it is not read as TOML.
    (tmp_path / "pyproject.toml").write_text("this is [not toml\n")
    assert load_settings(str(tmp_path / "pyproject.toml")) is None
    (tmp_path / "pyproject.toml").write_text("mpcontext [not toml\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(str(tmp_path / "pyproject.toml"))


def test_settings_are_looked_up_once_per_folder(project: Path) -> None:
    files = Files(Options())
    walked = dict(files.walk(["."]))
    assert sorted(walked) == [
        "./lib/core.py",
        "./plugins/fast/plugin.py",
        "./tests/test_core.py",
    ]
    assert walked["./plugins/fast/plugin.py"] == {"MPC000", "MPC001"}
    assert files.settings("lib") is files.settings(str(project / "tests"))


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ('[project]\ndependencies = ["mpcontext[lint]"]\n', False),
        ('[tool.poetry.dependencies]\nmpcontext = "^1"\n', False),
        ("[tool.mpcontext.lint]\nselect = []\n", True),
        ("[ tool . 'mpcontext' ]\nlint = {}\n", True),
        ("[tool]\nmpcontext.lint.select = []\n", True),
        ("tool.mpcontext.lint.select = []\n", True),
        ('description = """\nmpcontext\n"""\n', True),  # cannot tell: errs toward yes
    ],
)
def test_telling_a_table_without_a_toml_parser(text: str, may: bool) -> None:
    assert _mentions_table(text) is may


@pytest.mark.skipif(sys.version_info >= (3, 11), reason="3.11+ reads TOML with tomllib")
def test_python_310_without_tomli_says_how_to_get_it(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tomli", None)  # import tomli raises ImportError
    err = usage_error(".", capsys=capsys)
    assert "needs the tomli package: pip install 'mpcontext[lint]' (or tomli)" in err
    assert "--isolated" in err
    # A pyproject.toml that only depends on mpcontext does not need it.
    (project / "pyproject.toml").write_text('[project]\ndependencies = ["mpcontext"]\n')
    assert lint("lib", capsys=capsys)


def test_tomllib_on_311_and_later() -> None:
    code = (
        "import sys\nfrom mpcontext._lint.files import load_settings\n"
        f"load_settings({str(Path(__file__).parent.parent / 'pyproject.toml')!r})\n"
        "print('tomli' in sys.modules, 'tomllib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    newer = sys.version_info >= (3, 11)
    assert done.stdout.split() == [str(not newer), str(newer)]
