"""``python -m mpcontext lint``: the rules on the corpus, output, exit codes, walking."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import mpcontext
from mpcontext._cli import main
from mpcontext._lint.files import iter_python_files
from mpcontext._lint.findings import lint_source
from mpcontext._lint.rules import RULES, expand_codes
from mpcontext._lint.source import may_bind

CORPUS = Path(__file__).parent / "lint_corpus"

# file -> [(line, column, code, fixable)], exactly what lint reports.
EXPECTED: dict[str, list[tuple[int, int, str, bool]]] = {
    "aliases.py": [
        (10, 25, "MPC002", True),  # after a non-ASCII character: columns count characters
        (14, 9, "MPC002", True),
        (15, 9, "MPC002", True),
        (16, 9, "MPC002", True),
        (17, 10, "MPC003", True),
        (17, 23, "MPC003", True),
        (17, 54, "MPC003", True),
    ],
    "clean.py": [],
    "mpc001_set_start_method.py": [
        (9, 5, "MPC001", False),
        (13, 5, "MPC001", False),
        (16, 1, "MPC001", False),
    ],
    "mpc002_default_context.py": [
        (9, 8, "MPC002", True),
        (13, 15, "MPC002", True),
        (19, 13, "MPC002", True),
        (20, 13, "MPC002", True),
        (21, 15, "MPC002", True),
        (22, 13, "MPC002", True),
        (23, 13, "MPC002", True),
        (24, 49, "MPC002", True),
        (28, 10, "MPC002", True),
        (30, 10, "MPC002", True),
        (35, 11, "MPC002", False),
        (36, 12, "MPC002", False),
        (37, 12, "MPC002", True),  # to mpcontext.Pool
        (38, 15, "MPC002", True),  # ctx=mpcontext.current_context()
        (39, 14, "MPC002", True),  # to mpcontext.Value
    ],
    "mpc003_executor.py": [
        (10, 10, "MPC003", True),
        (15, 10, "MPC003", True),
        (20, 10, "MPC003", True),
        (26, 10, "MPC003", True),
    ],
    "mpc004_hard_coded.py": [
        (15, 11, "MPC004", False),
        (21, 15, "MPC004", False),
        (31, 16, "MPC004", False),
        (56, 16, "MPC004", False),
    ],
    "mpc005_fixing.py": [
        (6, 11, "MPC005", False),
        (10, 12, "MPC005", False),
        (14, 9, "MPC005", False),
        (15, 9, "MPC005", False),
    ],
    "nested.py": [
        (7, 12, "MPC002", True),
        (11, 20, "MPC002", True),
        (16, 17, "MPC002", True),
        (20, 16, "MPC002", True),
        (23, 20, "MPC002", True),
    ],
    "noqa.py": [
        (10, 5, "MPC002", True),
        (11, 5, "MPC003", True),
    ],
    "star.py": [
        (7, 12, "MPC002", True),
        (7, 21, "MPC002", True),
    ],
    "syntax_error.py": [(5, 12, "MPC000", False)],
    # Issue 17: a progress-bar library's lock, one local import from threading
    # and one from multiprocessing: only the second is reported.
    "tqdm_lock.py": [(15, 23, "MPC002", True)],
    # Shadowing by a parameter, an assignment after the call, a class
    # attribute, a comprehension target, under `global`; del, closures.
    "scopes.py": [
        (18, 12, "MPC002", True),
        (26, 16, "MPC002", True),
        (34, 13, "MPC002", True),
        (49, 13, "MPC002", True),
        (59, 16, "MPC002", True),
    ],
    # try/except ImportError alternatives, if/else, loops.
    "alternatives.py": [
        (35, 12, "MPC002", True),
        (47, 21, "MPC002", True),
    ],
    "managers.py": [
        (8, 15, "MPC002", True),
        (14, 12, "MPC002", True),
        (14, 35, "MPC002", True),
        (18, 12, "MPC002", True),
        (22, 12, "MPC002", True),
    ],
    "mpc006_process_wide.py": [
        (12, 5, "MPC006", False),
        (13, 5, "MPC006", False),
        (14, 5, "MPC006", False),
        (15, 5, "MPC006", False),
        (16, 5, "MPC006", False),
        (17, 5, "MPC006", False),
    ],
    "main_guard.py": [
        (7, 12, "MPC002", True),
        (20, 16, "MPC002", True),
    ],
}


def run_json(
    *argv: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    status = main(["lint", "--format", "json", *argv])
    return status, json.loads(capsys.readouterr().out)


def by_file(found: list[dict[str, object]]) -> dict[str, list[tuple[object, ...]]]:
    result: dict[str, list[tuple[object, ...]]] = {name: [] for name in EXPECTED}
    for f in found:
        result[Path(str(f["path"])).name].append((f["line"], f["column"], f["code"], f["fixable"]))
    return result


def test_corpus_files_are_all_expected() -> None:
    assert sorted(p.name for p in CORPUS.glob("*.py")) == sorted(EXPECTED)


def test_corpus_exact_findings(capsys: pytest.CaptureFixture[str]) -> None:
    status, found = run_json(str(CORPUS), capsys=capsys)
    assert status == 1
    assert by_file(found) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_alone(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, found = run_json(str(CORPUS / name), capsys=capsys)
    assert status == (1 if EXPECTED[name] else 0)
    assert [(f["line"], f["column"], f["code"], f["fixable"]) for f in found] == EXPECTED[name]


def test_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    _, found = run_json(str(CORPUS / "mpc003_executor.py"), capsys=capsys)
    first = found[0]
    assert set(first) == {"path", "line", "column", "code", "message", "hint", "fixable", "fixed"}
    assert first["path"] == str(CORPUS / "mpc003_executor.py")
    assert first["message"] == (
        "ProcessPoolExecutor() without mp_context uses the global default context, "
        "not the caller's"
    )
    assert "mp_context" in str(first["hint"])
    assert first["fixed"] is False


def test_json_clean_is_an_empty_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(str(CORPUS / "clean.py"), capsys=capsys) == (0, [])


def test_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "mpc005_fixing.py"
    assert main(["lint", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{path}:6:11: MPC005 multiprocessing.get_context() without a method fixes the global "
        "start method of the whole application; use mpcontext.current_context(), which fixes "
        "nothing"
    )
    assert len(lines) == 5
    assert lines[-1] == "Found 4 findings in 1 file (0 fixable with --fix)."


def test_text_clean_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(CORPUS / "clean.py")]) == 0
    assert capsys.readouterr().out == ""


def test_mpc004_message_names_function_and_method(capsys: pytest.CaptureFixture[str]) -> None:
    _, found = run_json(str(CORPUS / "mpc004_hard_coded.py"), capsys=capsys)
    assert found[1]["message"] == (
        "multiprocessing.get_context('forkserver') hard-codes a start method in start(), which "
        "neither takes a context nor declares a requirement"
    )
    assert "requires=['forkserver']" in str(found[1]["hint"])


@pytest.mark.parametrize(
    ("options", "codes"),
    [
        (["--select", "MPC003"], {"MPC003", "MPC000"}),
        (["--select", "MPC001,MPC005"], {"MPC001", "MPC005", "MPC000"}),
        (["--select", "MPC001", "--select", "MPC004"], {"MPC001", "MPC004", "MPC000"}),
        (["--ignore", "MPC002,MPC000"], {"MPC001", "MPC003", "MPC004", "MPC005", "MPC006"}),
        (
            ["--select", "MPC00", "--ignore", "MPC002"],
            {"MPC000", "MPC001", "MPC003", "MPC004", "MPC005", "MPC006"},
        ),
        (["--select", "mpc002", "--ignore", "MPC000"], {"MPC002"}),
    ],
)
def test_select_and_ignore(
    options: list[str], codes: set[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, found = run_json(str(CORPUS), *options, capsys=capsys)
    assert {f["code"] for f in found} == codes


def test_unknown_code_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["lint", "--select", "MPC002,MPC009", str(CORPUS)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown code 'MPC009'" in err
    assert "MPC000, MPC001, MPC002, MPC003, MPC004, MPC005" in err


def test_expand_codes() -> None:
    assert expand_codes(["MPC"]) == frozenset(RULES)
    assert expand_codes([" mpc001 , MPC002", ""]) == {"MPC001", "MPC002"}
    with pytest.raises(ValueError, match="unknown code 'E501'"):
        expand_codes(["E501"])


@pytest.mark.parametrize(
    "argv",
    [
        ["lint", "does/not/exist.py"],
        ["lint"],
        ["lint", "--format", "xml", "."],
        ["lint", "--ignore", "W1", "."],
        ["lint", "--bogus", "."],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_missing_path_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["lint", str(CORPUS / "clean.py"), "does/not/exist.py"])
    assert "'does/not/exist.py'" in capsys.readouterr().err


@pytest.mark.parametrize(("target", "status"), [("clean.py", 0), ("noqa.py", 1), ("", 1)])
def test_exit_status_in_a_real_process(target: str, status: int) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mpcontext", "lint", "--format", "json", str(CORPUS / target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == status, result.stderr
    assert isinstance(json.loads(result.stdout), list)


def test_usage_error_in_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mpcontext", "lint", "nowhere"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "no such file or directory: 'nowhere'" in result.stderr


def test_syntax_error_does_not_stop_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a_broken.py").write_text("import multiprocessing\ndef f(:\n")
    (tmp_path / "b_null.py").write_bytes(b"import multiprocessing\nx = 1\x00\n")
    (tmp_path / "c_bad_cookie.py").write_bytes(b"# -*- coding: nonsense -*-\nx = 1\n")
    (tmp_path / "d_fine.py").write_text("import multiprocessing\nmultiprocessing.Queue()\n")
    (tmp_path / "e_unrelated.py").write_text("def f(:\n")
    status, found = run_json(str(tmp_path), capsys=capsys)
    assert status == 1
    # A file that imports none of the modules the rules look at cannot hold a
    # finding: it is not parsed, and its syntax errors are left to other tools.
    assert [(Path(str(f["path"])).name, f["code"]) for f in found] == [
        ("a_broken.py", "MPC000"),
        ("b_null.py", "MPC000"),
        ("c_bad_cookie.py", "MPC000"),
        ("d_fine.py", "MPC002"),
    ]


@pytest.mark.parametrize("fixing", [[], ["--diff"]], ids=["lint", "diff"])
def test_a_file_named_on_the_command_line_is_parsed_whatever_it_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixing: list[str]
) -> None:
    unrelated = tmp_path / "unrelated.py"
    unrelated.write_text("def f(:\n")
    status = main(["lint", *fixing, "--format", "json", str(unrelated)])
    out, err = capsys.readouterr()
    assert status == 1
    assert '"code": "MPC000"' in (err if fixing else out)


def test_invalid_escape_warnings_do_not_escape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # filterwarnings=error is on: a SyntaxWarning while parsing would fail this test.
    (tmp_path / "escapes.py").write_text(
        'import multiprocessing as mp\nPATTERN = "\\d"\nmp.Lock()\n'
    )
    status, found = run_json(str(tmp_path), capsys=capsys)
    assert (status, [f["code"] for f in found]) == (1, ["MPC002"])


def make_tree(root: Path) -> None:
    for rel in [
        "pkg/mod.py",
        "pkg/sub/deep.py",
        "pkg/notes.txt",
        ".git/hooks/x.py",
        ".venv/lib/x.py",
        "venv/lib/x.py",
        "myenv/lib/x.py",
        "pkg/__pycache__/x.py",
        ".tox/py/x.py",
        ".nox/py/x.py",
        "node_modules/x/x.py",
        "build/gen.py",
    ]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("import multiprocessing\nmultiprocessing.Process()\n")
    (root / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")


def test_walk_skips_vcs_caches_and_virtual_environments(tmp_path: Path) -> None:
    make_tree(tmp_path)
    found = [Path(p).relative_to(tmp_path).as_posix() for p in iter_python_files([str(tmp_path)])]
    assert found == ["build/gen.py", "pkg/mod.py", "pkg/sub/deep.py"]


@pytest.mark.parametrize(
    ("globs", "left"),
    [
        (["build"], ["pkg/mod.py", "pkg/sub/deep.py"]),
        (["deep.py"], ["build/gen.py", "pkg/mod.py"]),
        (["*/pkg/sub"], ["build/gen.py", "pkg/mod.py"]),
        (["*/sub/*", "gen*"], ["pkg/mod.py"]),
    ],
)
def test_exclude(
    tmp_path: Path, globs: list[str], left: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path)
    options = [arg for glob in globs for arg in ("--exclude", glob)]
    _, found = run_json(str(tmp_path), *options, capsys=capsys)
    assert [Path(str(f["path"])).relative_to(tmp_path).as_posix() for f in found] == left


def test_a_file_given_by_name_is_linted_whatever_its_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "tool"
    script.write_text(
        "#!/usr/bin/env python\nimport multiprocessing\nmultiprocessing.set_start_method('spawn')\n"
    )
    status, found = run_json(str(script), capsys=capsys)
    assert (status, [(f["line"], f["code"]) for f in found]) == (1, [(3, "MPC001")])


def test_relative_paths_are_reported_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "pkg"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(os.path.join("pkg", "mod.py") + ":2:1: MPC002 ")


@pytest.mark.parametrize(
    "source",
    [
        "import multiprocessing as mp\ndef f(mp):\n    return mp.Process()\n",
        "import multiprocessing as mp\nmp = mp.get_context('spawn')\nmp.Process()\n",
        "from multiprocessing import Queue\nfrom queue import Queue\nQueue()\n",
        "try:\n    from multiprocessing import Queue\nexcept ImportError:\n    from queue import Queue\nQueue()\n",
        "from multiprocessing import Process\nclass Process:\n    pass\nProcess()\n",
        "from . import multiprocessing\nmultiprocessing.Process()\n",
        "import multiprocessing\nmultiprocessing.get_context(*args)\nmultiprocessing.get_start_method(**kw)\n",
        "import multiprocessing\nprint(multiprocessing.Process)\n",
        "import mpcontext\nmpcontext.Process(); mpcontext.Queue(); mpcontext.ProcessPoolExecutor()\n",
    ],
)
def test_not_flagged(source: str) -> None:
    assert lint_source(source.encode(), "x.py") == []


def test_star_arguments_of_a_factory_hold_no_context() -> None:
    source = b"import multiprocessing\nmultiprocessing.Process(*args, **kwargs)\n"
    assert [f.code for f in lint_source(source, "x.py")] == ["MPC002"]


def test_default_argument_runs_in_the_enclosing_scope() -> None:
    source = (
        b"import multiprocessing\ndef f(ctx=multiprocessing.get_context('spawn')):\n    pass\n"
    )
    assert lint_source(source, "x.py") == []
    source = b"import multiprocessing\ndef f(n=multiprocessing.Queue()):\n    pass\n"
    assert [f.line for f in lint_source(source, "x.py")] == [2]


def test_import_inside_a_function_is_followed() -> None:
    source = b"def f():\n    import multiprocessing.pool as mpp\n    return mpp.Pool(2)\n"
    found = lint_source(source, "x.py")
    assert [(f.line, f.column, f.code, f.fixable) for f in found] == [(3, 12, "MPC002", True)]


def test_crlf_and_latin1_positions() -> None:
    source = b"# -*- coding: latin-1 -*-\r\nimport multiprocessing\r\nX = '\xe9\xe9'; multiprocessing.Lock()\r\n"
    found = lint_source(source, "x.py")
    assert [(f.line, f.column) for f in found] == [(3, 11)]


def test_import_mpcontext_imports_no_ast_or_tokenize() -> None:
    code = "import sys, mpcontext; print(sorted({'ast', 'tokenize'} & set(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "source",
    [
        "import multiprocessing\ndef f():\n    multiprocessing.set_start_method('spawn')\n",
        "import multiprocessing\ndef f():\n    return multiprocessing.get_context('spawn')\n",
    ],
)
def test_hints_give_a_signature_that_decorates(source: str) -> None:
    # Issue 16: following the hint must not meet accepts_context's TypeError.
    (finding,) = lint_source(source.encode(), "x.py")
    match = re.search(r"`(\*, mp_context: ContextParam = None)`", finding.hint)
    assert match is not None, finding.hint
    namespace: dict[str, object] = {"ContextParam": mpcontext.ContextParam}
    exec(f"def library(items, {match.group(1)}):\n    return items", namespace)
    decorated = mpcontext.accepts_context(namespace["library"])  # type: ignore[arg-type]
    assert decorated([1]) == [1]
    with pytest.raises(TypeError, match="must be keyword-only"):
        exec("def positional(items, mp_context=None):\n    return items", namespace)
        mpcontext.accepts_context(namespace["positional"])  # type: ignore[arg-type]


def test_help_lists_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["lint", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert all(f"  {code}  {text}" in out for code, text in RULES.items())
    assert "--fix" in out and "--diff" in out and "--exclude GLOB" in out


# -- issue 17: names bound scope by scope --------------------------------------

SCOPING = {
    "nonlocal rebinding": (
        "def outer():\n    from multiprocessing import Queue\n    def set_it():\n"
        "        nonlocal Queue\n        Queue = list\n    def use():\n        return Queue()\n",
        [],
    ),
    "nonlocal import": (
        "def outer():\n    Queue = None\n    def set_it():\n        nonlocal Queue\n"
        "        from multiprocessing import Queue\n    def use():\n        return Queue()\n",
        [],
    ),
    "global import in a function": (
        "def setup():\n    global Queue\n    from multiprocessing import Queue\n\n"
        "def use():\n    return Queue()\n",
        [(6, "MPC002")],
    ),
    "while with break": (
        "from multiprocessing import Queue\nwhile True:\n    Queue = None\n    if x:\n        break\n"
        "    from multiprocessing import Queue\nQueue()\n",
        [],
    ),
    "for else": (
        "for x in y:\n    from multiprocessing import Queue\nelse:\n    Queue = None\nQueue()\n",
        [],
    ),
    "except as": (
        # The handler's name is deleted at its end: on that path mp is unbound.
        "import multiprocessing as mp\ntry:\n    pass\nexcept Exception as mp:\n    pass\nmp.Queue()\n",
        [(6, "MPC002")],
    ),
    "try finally": (
        "try:\n    import multiprocessing as mp\nfinally:\n    pass\nmp.Queue()\n",
        [(5, "MPC002")],
    ),
    "walrus in a comprehension": (
        "import multiprocessing as mp\ndef f(xs):\n    [mp := x for x in xs]\n    return mp.Queue()\n",
        [],
    ),
    "comprehension in a class sees the module": (
        "from multiprocessing import Queue\nclass C:\n    Queue = list\n"
        "    made = [Queue() for _ in range(2)]\n",
        [(4, "MPC002")],
    ),
    "class body falls back to globals": (
        "from multiprocessing import Queue\nclass C:\n    made = Queue()\n    Queue = list\n",
        [(3, "MPC002")],
    ),
    "lambda parameter": (
        "import multiprocessing as mp\nf = lambda mp: mp.Queue()\ng = lambda: mp.Queue()\n",
        [(3, "MPC002")],
    ),
    "with as": (
        "import multiprocessing as mp\nwith open('x') as mp:\n    pass\nmp.Queue()\n",
        [],
    ),
    "match capture": (
        "import multiprocessing as mp\nmatch x:\n    case [mp]:\n        pass\nmp.Queue()\n",
        [],
    ),
    "unreachable code is still checked": (
        "import multiprocessing as mp\ndef f():\n    return 1\n    mp.Queue()\n",
        [(4, "MPC002")],
    ),
    "a break in a statement that names nothing tracked": (
        "for x in y:\n    Queue = None\n    if x:\n        break\n"
        "    from multiprocessing import Queue\nQueue()\n",
        [],
    ),
    "star import of an unknown module is not followed": (
        "from multiprocessing import Queue\nfrom elsewhere import *\nQueue()\n",
        [(3, "MPC002")],
    ),
    "NFKC identifiers": (
        "import \uff4dultiprocessing as mp\nmp.Queue()\n",
        [(2, "MPC002")],
    ),
    "same module on every path": (
        "if x:\n    import multiprocessing as mp\nelse:\n    import multiprocessing as mp\nmp.Queue()\n",
        [(5, "MPC002")],
    ),
}


@pytest.mark.parametrize("case", sorted(SCOPING))
def test_scoping(case: str) -> None:
    source, expected = SCOPING[case]
    if "match" in source and sys.version_info < (3, 10):
        pytest.skip("match needs Python 3.10")
    assert [(f.line, f.code) for f in lint_source(source.encode(), "x.py")] == expected


@pytest.mark.parametrize(
    ("data", "may"),
    [
        (b"import os\nx = 1\n", False),
        (b"# concurrent access is fine\nx = 1\n", False),
        (b"import os, \\\n    multiprocessing\n", True),
        (b"from torch import (  # comment\n    multiprocessing as mp,\n)\n", True),
        (b"import billiard\n", True),
        ("import \uff4dultiprocessing\n".encode(), True),  # NFKC: multiprocessing
        ("# -*- coding: latin-1 -*-\nimport multiprocessing\n".encode("latin-1"), True),
        (b"# -*- coding: cp500 -*-\n" + "import multiprocessing\n".encode("cp500"), True),
        (b"# -*- coding: nonsense -*-\nx = 1\n", True),  # parsing will say
    ],
)
def test_pre_filter(data: bytes, may: bool) -> None:
    assert may_bind(data) is may


def test_pre_filter_loses_no_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    # Linting without the pre-filter finds the same in the corpus and in a slice
    # of the standard library (the files it lets through and a sample of the rest).
    import sysconfig

    files = sorted(CORPUS.glob("*.py"))
    stdlib = sorted(p for p in Path(sysconfig.get_paths()["stdlib"]).glob("*.py") if p.is_file())
    files += stdlib[::5]
    with_filter = {path: lint_source(path.read_bytes(), str(path)) for path in files}
    monkeypatch.setattr("mpcontext._lint.findings.may_bind", lambda data: True)
    without = {path: lint_source(path.read_bytes(), str(path)) for path in files}
    assert {p: [f.text for f in found] for p, found in with_filter.items()} == {
        p: [f.text for f in found] for p, found in without.items()
    }
    assert any(found for found in without.values())


def test_the_guides_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The guide's lint and --fix sections show what the commands print.
    guide = Path(__file__).parent.parent / "docs" / "guide" / "linting.md"
    section = guide.read_text(encoding="utf-8")
    source = section.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "mylib").mkdir()
    (tmp_path / "mylib" / "parallel.py").write_text(source)
    monkeypatch.chdir(tmp_path)
    blocks = [block.split("```", 1)[0] for block in section.split("```console\n")[1:]]
    # The first command (lint), and the last (lint --fix) once --diff has shown it.
    for block in (blocks[0].split("$ echo")[0], blocks[-1]):
        command, *expected = block.split("$ ")[-1].splitlines()
        argv = command.split()[3:]
        done = subprocess.run(
            [sys.executable, "-m", "mpcontext", *argv, "--isolated"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert (done.stdout + done.stderr).splitlines() == expected, command


@pytest.mark.skipif(sys.version_info < (3, 15), reason="unpacking in comprehensions is 3.15's")
def test_a_dict_comprehension_that_unpacks() -> None:
    source = b"import multiprocessing\nmerged = {**d for d in [{1: multiprocessing.Queue()}]}\n"
    assert [f.code for f in lint_source(source, "unpack.py")] == ["MPC002"]
