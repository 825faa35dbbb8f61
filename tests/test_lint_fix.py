"""``python -m mpcontext lint --fix`` and ``--diff``."""

from __future__ import annotations

import ast
import difflib
import importlib.util
import json
import multiprocessing
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import mpcontext
from mpcontext._cli import main
from mpcontext._lint.findings import lint_source
from mpcontext._lint.fix import fix_source

from test_lint_rules import CORPUS, EXPECTED

HERE = Path(__file__).parent


def fixed(source: str | bytes, *options: str) -> str:
    data = source.encode() if isinstance(source, str) else source
    enabled = {"MPC000", "MPC001", "MPC002", "MPC003", "MPC004", "MPC005"}
    if options:
        enabled = set(options)
    return fix_source(data, "x.py", enabled).source.decode()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.glob("*.py"))}


def lines_of(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_fix_corpus(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(corpus)
    status, out, _ = run(["lint", "--fix", "--format", "json", str(corpus)], capsys)
    assert status == 1
    report = json.loads(out)
    expected_fixed = sorted(
        (name, line, col, code)
        for name, found in EXPECTED.items()
        for line, col, code, fix in found
        if fix
    )
    got_fixed = sorted(
        (Path(f["path"]).name, f["line"], f["column"], f["code"]) for f in report if f["fixed"]
    )
    assert got_fixed == expected_fixed
    after = snapshot(corpus)

    # What is left is exactly the unfixable findings, on the same source lines.
    expected_left = sorted(
        (name, code, lines_of(before[name])[line - 1].strip())
        for name, found in EXPECTED.items()
        for line, _, code, fix in found
        if not fix and code != "MPC000"
    )
    assert main(["lint", "--format", "json", str(corpus)]) == 1
    left = json.loads(capsys.readouterr().out)
    got_left = sorted(
        (
            Path(f["path"]).name,
            f["code"],
            lines_of(after[Path(f["path"]).name])[f["line"] - 1].strip(),
        )
        for f in left
        if f["code"] != "MPC000"
    )
    assert got_left == expected_left
    assert [Path(f["path"]).name for f in left if f["code"] == "MPC000"] == ["syntax_error.py"]

    for name, data in after.items():
        if name != "syntax_error.py":
            compile(data, name, "exec")
        if not any(fix for *_, fix in EXPECTED[name]):
            assert data == before[name], f"{name} has nothing to fix but changed"


def test_fix_twice_changes_nothing(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["lint", "--fix", str(corpus)])
    once = snapshot(corpus)
    capsys.readouterr()
    status, out, _ = run(["lint", "--fix", str(corpus)], capsys)
    assert snapshot(corpus) == once
    assert status == 1
    assert out.splitlines()[-1] == "Fixed 0 findings; 20 findings left (no safe fix)."


def test_fix_report_counts_per_rule(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["lint", "--fix", str(corpus)], capsys)
    assert status == 1
    assert out.splitlines()[-1] == (
        "Fixed 48 findings (MPC002: 40, MPC003: 8); 20 findings left (no safe fix)."
    )


def allowed_lines(data: bytes, fixed_lines: set[int]) -> set[int]:
    """Lines a fix may touch: those of imports and of the fixed calls."""
    tree = ast.parse(data)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            allowed.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        if isinstance(node, ast.Call) and node.lineno in fixed_lines:
            allowed.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return allowed


def test_diff_touches_only_fixed_calls_and_imports(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(corpus)
    main(["lint", "--fix", str(corpus)])
    after = snapshot(corpus)
    for name, found in EXPECTED.items():
        if name == "syntax_error.py":
            assert after[name] == before[name]
            continue
        old, new = lines_of(before[name]), lines_of(after[name])
        allowed = allowed_lines(before[name], {line for line, *_, fix in found if fix})
        matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
        blank = {number for number, line in enumerate(old, 1) if not line.strip()}
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            touched = set(range(i1 + 1, i2 + 1))
            assert touched <= allowed | blank, (name, tag, old[i1:i2], new[j1:j2])
            for added in new[j1:j2]:
                assert (
                    added in ("import mpcontext", "")
                    or "mpcontext." in added
                    or "mp_context=" in added
                    or added.lstrip().startswith(("from ", "import "))
                ), (name, added)


def test_diff_writes_nothing_and_matches_fix(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(corpus)
    mtimes = {p.name: p.stat().st_mtime_ns for p in corpus.glob("*.py")}
    status, diff, err = run(["lint", "--diff", "--fix", str(corpus)], capsys)
    assert status == 1
    assert snapshot(corpus) == before
    assert {p.name: p.stat().st_mtime_ns for p in corpus.glob("*.py")} == mtimes
    assert (
        err.splitlines()[-1]
        == "Would fix 48 findings (MPC002: 40, MPC003: 8); 20 findings left (no safe fix)."
    )
    assert "MPC004" in err and "MPC002" in err

    # The diff is the one of what --fix writes.
    main(["lint", "--fix", str(corpus)])
    capsys.readouterr()
    expected = "".join(
        "".join(
            difflib.unified_diff(
                before[name].decode().splitlines(keepends=True),
                data.decode().splitlines(keepends=True),
                str(corpus / name),
                str(corpus / name),
            )
        )
        for name, data in snapshot(corpus).items()
    )
    assert diff == expected
    assert diff.startswith(f"--- {corpus / 'aliases.py'}\n+++ {corpus / 'aliases.py'}\n@@ ")


def test_diff_json_report_on_stderr(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["lint", "--diff", "--format", "json", str(corpus / "noqa.py")], capsys)
    assert status == 0
    assert out.startswith("--- ")
    report = json.loads(err)
    assert [(f["line"], f["code"], f["fixed"]) for f in report] == [
        (10, "MPC002", True),
        (11, "MPC003", True),
    ]


def test_nothing_to_fix_exits_0(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["lint", "--fix", str(corpus / "nested.py")], capsys)
    assert status == 0
    assert out == "Fixed 5 findings (MPC002: 5); 0 findings left.\n"
    status, diff, err = run(["lint", "--diff", str(corpus / "nested.py")], capsys)
    assert (status, diff, err) == (0, "", "Would fix 0 findings; 0 findings left.\n")


def test_select_and_ignore_limit_fixes(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = corpus / "noqa.py"
    main(["lint", "--fix", "--select", "MPC003", str(path)])
    capsys.readouterr()
    text = path.read_text()
    assert "F = mpcontext.ProcessPoolExecutor()  # noqa: MPC002" in text
    assert "E = mp.Queue()  # noqa: MPC001" in text
    main(["lint", "--fix", "--ignore", "MPC002", str(path)])
    assert "E = mp.Queue()" in path.read_text()
    main(["lint", "--fix", str(path)])
    assert "E = mpcontext.Queue()" in path.read_text()


def test_noqa_lines_are_never_changed(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = corpus / "noqa.py"
    silenced = [
        line for line in path.read_text().splitlines() if "noqa" in line and line[:1] in "ABCDG"
    ]
    main(["lint", "--fix", str(path)])
    after = path.read_text().splitlines()
    assert all(line in after for line in silenced)
    assert "import multiprocessing as mp" in after  # still used by the silenced calls


def test_syntax_error_left_alone(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = corpus / "syntax_error.py"
    data = path.read_bytes()
    status, out, _ = run(["lint", "--fix", str(path)], capsys)
    assert status == 1
    assert path.read_bytes() == data
    assert ":5:12: MPC000 the file does not parse" in out


CRLF_SOURCE = (
    b'"""A module with Windows line endings."""\r\n'
    b"import multiprocessing as mp\r\n"
    b"from multiprocessing import Queue, Pipe\r\n"
    b"\r\n"
    b"def f():\r\n"
    b"    return Queue(), Pipe(), mp.Lock()  # a comment\r\n"
)


def test_crlf_kept() -> None:
    result = fix_source(CRLF_SOURCE, "x.py")
    assert result.source == (
        b'"""A module with Windows line endings."""\r\n'
        b"from multiprocessing import Pipe\r\n"
        b"\r\n"
        b"import mpcontext\r\n"
        b"\r\n"
        b"def f():\r\n"
        b"    return mpcontext.Queue(), Pipe(), mpcontext.Lock()  # a comment\r\n"
    )


def test_crlf_kept_through_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "crlf.py"
    path.write_bytes(CRLF_SOURCE)
    main(["lint", "--fix", str(path)])
    data = path.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") == 7
    assert b"import mpcontext\r\n" in data


LATIN1_SOURCE = (
    b"#!/usr/bin/env python\n"
    b"# -*- coding: latin-1 -*-\n"
    b"import multiprocessing\n"
    b"NAME = 'caf\xe9'\n"
    b"def f():\n"
    b"    return NAME, multiprocessing.Lock()\n"
)


def test_latin1_cookie_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(LATIN1_SOURCE)
    status, _, _ = run(["lint", "--fix", str(path)], capsys)
    assert status == 0
    assert path.read_bytes() == (
        b"#!/usr/bin/env python\n"
        b"# -*- coding: latin-1 -*-\n"
        b"import mpcontext\n"
        b"NAME = 'caf\xe9'\n"
        b"def f():\n"
        b"    return NAME, mpcontext.Lock()\n"
    )
    status, diff, _ = run(["lint", "--diff", str(path)], capsys)
    assert (status, diff) == (0, "")


def test_diff_of_a_latin1_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(LATIN1_SOURCE.replace(b"NAME, ", b"'\xe9', "))
    _, diff, _ = run(["lint", "--diff", str(path)], capsys)
    assert (
        "-    return '\u00e9', multiprocessing.Lock()\n+    return '\u00e9', mpcontext.Lock()\n"
        in diff
    )


def test_bom_and_missing_trailing_newline_kept() -> None:
    source = "\ufeffimport multiprocessing\nmultiprocessing.Queue()".encode("utf-8")
    assert fix_source(source, "x.py").source == (
        "\ufeffimport mpcontext\nmpcontext.Queue()".encode("utf-8")
    )


def test_no_newline_marker_in_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "m.py"
    path.write_text("import multiprocessing\nmultiprocessing.Queue()")
    _, diff, _ = run(["lint", "--diff", str(path)], capsys)
    assert diff.endswith("+mpcontext.Queue()\n\\ No newline at end of file\n")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # A section of its own, after the standard library's.
        (
            '"""Doc."""\nfrom __future__ import annotations\n\nimport os\nimport multiprocessing\n\n'
            "X = multiprocessing.Queue()\n",
            '"""Doc."""\nfrom __future__ import annotations\n\nimport os\n\n'
            "import mpcontext\n\nX = mpcontext.Queue()\n",
        ),
        # Into the third-party section, in order: before `import numpy`...
        (
            "import multiprocessing\n\nimport attr\nimport numpy\nfrom yaml import load\n\n"
            "X = multiprocessing.Queue()\n",
            "import attr\nimport mpcontext\nimport numpy\nfrom yaml import load\n\n"
            "X = mpcontext.Queue()\n",
        ),
        # ... `import x` before `from x import y`, and after the last of them.
        (
            "import os\nimport multiprocessing\n\nimport attr\nfrom numpy import array\n\n"
            "X = multiprocessing.Queue()\n",
            "import os\n\nimport attr\nimport mpcontext\nfrom numpy import array\n\n"
            "X = mpcontext.Queue()\n",
        ),
        # Before relative imports (the local section).
        (
            "import multiprocessing\nimport os\n\nfrom . import util\n\nX = multiprocessing.Queue()\n",
            "import os\n\nimport mpcontext\n\nfrom . import util\n\nX = mpcontext.Queue()\n",
        ),
        # The only import gives its place; its comments stay.
        (
            "# Copyright\n\nimport multiprocessing  # processes\n\n\ndef f():\n"
            "    return multiprocessing.Queue()\n",
            "# Copyright\n\nimport mpcontext  # processes\n\n\ndef f():\n"
            "    return mpcontext.Queue()\n",
        ),
        # A function-local import stays local (and as lazy as it was).
        (
            "def f():\n    import multiprocessing\n    return multiprocessing.Queue()\n",
            "def f():\n    import mpcontext\n    return mpcontext.Queue()\n",
        ),
        (
            "def f():\n    import os\n    import multiprocessing as mp\n\n    return mp.Queue(), os\n",
            "def f():\n    import os\n\n    import mpcontext\n\n    return mpcontext.Queue(), os\n",
        ),
        # An existing import of mpcontext is used, under its alias.
        (
            "import multiprocessing\nimport mpcontext as mpc\nmultiprocessing.Queue()\n",
            "import mpcontext as mpc\nmpc.Queue()\n",
        ),
        # Not between two statements sharing a line.
        (
            "import os\nimport multiprocessing; Q = multiprocessing.Queue()\n",
            "import os\n\nimport mpcontext\npass; Q = mpcontext.Queue()\n",
        ),
    ],
)
def test_import_placement(source: str, expected: str) -> None:
    assert fixed(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from multiprocessing import Queue, Pipe as P, Lock\nQueue(); Lock()\n",
            "from multiprocessing import Pipe as P\n\nimport mpcontext\nmpcontext.Queue(); mpcontext.Lock()\n",
        ),
        (
            "from multiprocessing import (\n    Queue,  # queues\n    Pipe,\n    Lock\n)\nQueue(); Lock()\n",
            "from multiprocessing import (\n    Pipe,\n)\n\nimport mpcontext\nmpcontext.Queue(); mpcontext.Lock()\n",
        ),
        (
            "from multiprocessing import (Queue,\n    Pipe)\nQueue()\n",
            "from multiprocessing import Pipe\n\nimport mpcontext\nmpcontext.Queue()\n",
        ),
        (
            "from multiprocessing import Queue  # noqa: F401\nQueue()\n",
            "from multiprocessing import Queue  # noqa: F401\n\nimport mpcontext\nmpcontext.Queue()\n",
        ),
        (
            "from multiprocessing import Queue\n__all__ = ['Queue']\nQueue()\n",
            "from multiprocessing import Queue\n\nimport mpcontext\n__all__ = ['Queue']\nmpcontext.Queue()\n",
        ),
        (
            'from multiprocessing import Queue\ndef f(q: "Queue[int]"):\n    return Queue()\n',
            'from multiprocessing import Queue\n\nimport mpcontext\ndef f(q: "Queue[int]"):\n    return mpcontext.Queue()\n',
        ),
        (
            '"""Queue is documented here."""\nfrom multiprocessing import Queue\nQueue()\n',
            '"""Queue is documented here."""\nimport mpcontext\nmpcontext.Queue()\n',
        ),
        # A nested import whose every name moves is rewritten where it stands.
        (
            "def f():\n    from multiprocessing import Queue\n    return Queue()\n",
            "def f():\n    from mpcontext import Queue\n    return Queue()\n",
        ),
        (
            "try:\n    from multiprocessing import Queue\nexcept ImportError:\n    raise\nQueue()\n",
            "try:\n    from mpcontext import Queue\nexcept ImportError:\n    raise\nQueue()\n",
        ),
        (
            "import os; from multiprocessing import Queue\nQueue()\n",
            "import os; pass\n\nimport mpcontext\nmpcontext.Queue()\n",
        ),
        (
            "import concurrent.futures as cf, os\ncf.ProcessPoolExecutor()\n",
            "import os\n\nimport mpcontext\nmpcontext.ProcessPoolExecutor()\n",
        ),
        (
            "import multiprocessing\nfrom multiprocessing import Pipe\nmultiprocessing.Queue()\n",
            "from multiprocessing import Pipe\n\nimport mpcontext\nmpcontext.Queue()\n",
        ),
    ],
)
def test_unused_names_removed(source: str, expected: str) -> None:
    assert fixed(source) == expected
    assert fixed(expected) == expected


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("ProcessPoolExecutor()", "mpcontext.ProcessPoolExecutor(mp_context=mp_context)"),
        ("ProcessPoolExecutor(4)", "mpcontext.ProcessPoolExecutor(4, mp_context=mp_context)"),
        ("ProcessPoolExecutor(4, None)", "mpcontext.ProcessPoolExecutor(4, mp_context)"),
        (
            "ProcessPoolExecutor(mp_context=None)",
            "mpcontext.ProcessPoolExecutor(mp_context=mp_context)",
        ),
        (
            "ProcessPoolExecutor(\n        4,\n    )",
            "mpcontext.ProcessPoolExecutor(\n        4, mp_context=mp_context,\n    )",
        ),
        ("ProcessPoolExecutor( )", "mpcontext.ProcessPoolExecutor( mp_context=mp_context)"),
    ],
)
def test_executor_gets_the_context_parameter(call: str, expected: str) -> None:
    head = "import mpcontext\n\n"
    source = f"from concurrent.futures import ProcessPoolExecutor\n{head}def f(*, mp_context=None):\n    return {call}\n"
    assert fixed(source) == f"{head}def f(*, mp_context=None):\n    return {expected}\n"


def test_executor_in_a_nested_function_uses_the_innermost() -> None:
    source = (
        "import concurrent.futures as cf\nimport mpcontext\n"
        "def outer(mp_context=None):\n    def inner():\n        return cf.ProcessPoolExecutor()\n"
        "    return cf.ProcessPoolExecutor()\n"
    )
    assert fixed(source) == (
        "import mpcontext\n"
        "def outer(mp_context=None):\n    def inner():\n        return mpcontext.ProcessPoolExecutor()\n"
        "    return mpcontext.ProcessPoolExecutor(mp_context=mp_context)\n"
    )


def test_what_has_no_safe_fix_is_left(capsys: pytest.CaptureFixture[str]) -> None:
    source = (
        "import multiprocessing\nimport torch.multiprocessing\n"
        "def f():\n    multiprocessing.set_start_method('spawn')\n"
        "    torch.multiprocessing.set_start_method('spawn')\n"
        "    return multiprocessing.RawValue('i', 1), multiprocessing.RawArray('i', 2), "
        "multiprocessing.get_context('fork'), multiprocessing.get_start_method()\n"
    )
    result = fix_source(source.encode(), "x.py")
    assert result.source == source.encode()
    assert result.fixed == []
    assert [f.code for f in result.remaining] == [
        "MPC001",
        "MPC006",
        "MPC002",
        "MPC002",
        "MPC004",
        "MPC005",
    ]


def test_fixed_source_lints_clean_for_fixable_rules() -> None:
    data = (HERE / "helpers" / "fixable_module.py").read_bytes()
    result = fix_source(data, "fixable_module.py")
    assert [f.code for f in result.fixed] == ["MPC002", "MPC002", "MPC003", "MPC002"]
    assert lint_source(result.source, "fixable_module.py") == []


def test_fixed_code_runs_under_spawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module_path = tmp_path / "fixed_module_under_test.py"
    shutil.copy(HERE / "helpers" / "fixable_module.py", module_path)
    assert main(["lint", "--fix", str(module_path)]) == 0
    text = module_path.read_text()
    assert re.search(r"^import mpcontext$", text, re.MULTILINE)
    assert "mpcontext.Pool(1)" in text and "mpcontext.Queue()" in text
    assert "mpcontext.ProcessPoolExecutor(1)" in text and "mpcontext.Process(" in text
    monkeypatch.syspath_prepend(str(tmp_path))
    import fixed_module_under_test  # type: ignore[import-not-found]

    fixed_before = multiprocessing.get_start_method(allow_none=True)
    try:
        with mpcontext.using("spawn"):
            assert fixed_module_under_test.run() == ["spawn", "spawn", "spawn"]
        # The fixed library left the application's global start method alone.
        assert multiprocessing.get_start_method(allow_none=True) == fixed_before
    finally:
        sys.modules.pop("fixed_module_under_test", None)


# -- issue 17: imports edited where they stand, isort kept happy, linear ------


def test_remaining_findings_are_where_a_fresh_lint_finds_them(corpus: Path) -> None:
    # fix_source places what is left without linting the fixed text again.
    for path in sorted(corpus.glob("*.py")):
        result = fix_source(path.read_bytes(), str(path))
        again = lint_source(result.source, str(path))
        where = [(f.line, f.column, f.end_line, f.end_column, f.code, f.text) for f in again]
        assert [
            (f.line, f.column, f.end_line, f.end_column, f.code, f.text) for f in result.remaining
        ] == where, path.name


TQDM = (
    "def TRLock(*args, **kwargs):\n"
    "    from threading import RLock\n"
    "    return RLock(*args, **kwargs)\n"
    "\n"
    "class TqdmDefaultWriteLock:\n"
    "    @classmethod\n"
    "    def create_mp_lock(cls):\n"
    "        from multiprocessing import RLock\n"
    "        cls.mp_lock = RLock()\n"
)


def test_a_local_import_becomes_mpcontext_where_it_stands() -> None:
    assert fixed(TQDM) == TQDM.replace(
        "from multiprocessing import RLock", "from mpcontext import RLock"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Every name of the import moves: the import is rewritten, calls stay.
        (
            "def f():\n    from multiprocessing import (\n        Queue as Q,  # q\n"
            "        Lock,\n    )\n    return Q(), Lock()\n",
            "def f():\n    from mpcontext import (\n        Queue as Q,  # q\n"
            "        Lock,\n    )\n    return Q(), Lock()\n",
        ),
        (
            "try:\n    from concurrent.futures import ProcessPoolExecutor\nexcept ImportError:\n"
            "    raise\n\ndef f(*, mp_context=None):\n    return ProcessPoolExecutor()\n",
            "try:\n    from mpcontext import ProcessPoolExecutor\nexcept ImportError:\n"
            "    raise\n\ndef f(*, mp_context=None):\n"
            "    return ProcessPoolExecutor(mp_context=mp_context)\n",
        ),
        # Not every name moves: mpcontext is imported in the same function.
        (
            "def f():\n    from multiprocessing import Queue, cpu_count\n"
            "    return Queue(cpu_count())\n",
            "def f():\n    from multiprocessing import cpu_count\n\n    import mpcontext\n"
            "    return mpcontext.Queue(cpu_count())\n",
        ),
        (
            "def f():\n    import multiprocessing as mp\n    return mp.Queue(mp.cpu_count())\n",
            "def f():\n    import multiprocessing as mp\n\n    import mpcontext\n"
            "    return mpcontext.Queue(mp.cpu_count())\n",
        ),
        # A module-level mpcontext is used as it is.
        (
            "import mpcontext\n\ndef f():\n    import multiprocessing as mp\n    return mp.Queue()\n",
            "import mpcontext\n\ndef f():\n    return mpcontext.Queue()\n",
        ),
    ],
)
def test_nested_imports_stay_nested(source: str, expected: str) -> None:
    assert fixed(source) == expected
    assert fixed(expected) == expected


def test_lazy_imports_stay_lazy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = tmp_path / "lazy_library.py"
    module.write_text(
        "def make():\n    import multiprocessing as mp\n\n    return mp.Queue(), mp.cpu_count()\n"
    )
    assert main(["lint", "--fix", "--isolated", str(module)]) == 0
    probe = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import lazy_library\n"
        "print(sorted({'mpcontext', 'multiprocessing'} & set(sys.modules)))\n"
        "queue, count = lazy_library.make()\n"
        "print(type(queue).__module__, count > 0)\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "multiprocessing.queues True"]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("SyncManager(authkey=key)", "SyncManager(authkey=key, ctx=mpcontext.current_context())"),
        (
            "SyncManager(None, key, 'pickle', None)",
            "SyncManager(None, key, 'pickle', mpcontext.current_context())",
        ),
        ("SharedMemoryManager()", "SharedMemoryManager(ctx=mpcontext.current_context())"),
    ],
)
def test_managers_get_the_context_in_force(call: str, expected: str) -> None:
    head = "from multiprocessing.managers import SharedMemoryManager, SyncManager\n"
    source = f"{head}\ndef f(key):\n    return {call}\n"
    assert fixed(source) == f"{head}\nimport mpcontext\n\ndef f(key):\n    return {expected}\n"


def test_managers_get_the_callers_context() -> None:
    source = (
        "import mpcontext\nfrom multiprocessing.managers import SyncManager\n\n"
        "@mpcontext.accepts_context(param='ctx')\ndef f(key, *, ctx=None):\n"
        "    return SyncManager(authkey=key)\n"
    )
    assert fixed(source) == source.replace(
        "SyncManager(authkey=key)", "SyncManager(authkey=key, ctx=mpcontext.resolve_context(ctx))"
    )


def test_factories_get_the_callers_context() -> None:
    source = (
        "import multiprocessing as mp\n\ndef f(n, *, mp_context=None):\n"
        "    return mp.Queue(n), mp.pool.Pool(n), mp.Process(target=print)\n"
    )
    assert fixed(source) == (
        "import mpcontext\n\ndef f(n, *, mp_context=None):\n"
        "    return mpcontext.Queue(n, mp_context=mp_context), "
        "mpcontext.Pool(n, mp_context=mp_context), "
        "mpcontext.Process(target=print, mp_context=mp_context)\n"
    )


def test_managers_fixed_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = tmp_path / "managers_library.py"
    module.write_text(
        "from multiprocessing.managers import SyncManager\n\n\n"
        "def make():\n    return SyncManager(authkey=b'key')\n"
    )
    assert main(["lint", "--fix", "--isolated", str(module)]) == 0
    namespace: dict[str, object] = {}
    exec(compile(module.read_text(), str(module), "exec"), namespace)
    with mpcontext.using("spawn"):
        manager = namespace["make"]()  # type: ignore[operator]
    assert manager._ctx.get_start_method() == "spawn"  # type: ignore[attr-defined]


# Files clean under ruff's isort rules (I) before the fix, and after it.
ISORT_CLEAN = {
    "stdlib only": (
        '"""Doc."""\n\nfrom __future__ import annotations\n\nimport multiprocessing as mp\nimport os\n\n\n'
        "def f():\n    return mp.Queue(), os.sep\n"
    ),
    "third-party group": (
        "import multiprocessing\nimport os\n\nimport attr\nimport numpy as np\nfrom yaml import load\n\n"
        "X = multiprocessing.Queue()\n"
    ),
    "only third party after": (
        "import os\n\nimport attr\nfrom numpy import array\n"
        "from concurrent.futures import ProcessPoolExecutor\n\n\ndef f():\n"
        "    return ProcessPoolExecutor(), os, attr, array\n"
    ).replace(
        "import os\n\nimport attr\nfrom numpy import array\nfrom concurrent.futures import ProcessPoolExecutor",
        "import os\nfrom concurrent.futures import ProcessPoolExecutor\n\nimport attr\nfrom numpy import array",
    ),
    "local imports": (
        "import multiprocessing\nimport sys\n\nfrom . import util\n\nQ = multiprocessing.Queue()\n"
    ),
    "group emptied": (
        '"""Doc."""\n\nimport os\n\nimport numpy\n\nfrom multiprocessing import Queue\n\n\n'
        "def f():\n    return Queue(), os, numpy\n"
    ).replace(
        "import os\n\nimport numpy\n\nfrom multiprocessing import Queue",
        "import os\nfrom multiprocessing import Queue\n\nimport numpy",
    ),
    "nested": (
        "def f():\n    import multiprocessing as mp\n    import os\n\n    return mp.Queue(), os\n"
    ),
    "nested partial": (
        "def f():\n    from multiprocessing import Queue, cpu_count\n\n"
        "    return Queue(cpu_count())\n"
    ),
    "tqdm": TQDM.replace("\nclass", "\n\nclass"),
    "fixable module": (HERE / "helpers" / "fixable_module.py").read_text(),
}


def ruff_isort(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "I", str(path)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


needs_ruff = pytest.mark.skipif(
    importlib.util.find_spec("ruff") is None, reason="ruff is not installed ('.[test]' has it)"
)


@needs_ruff
@pytest.mark.parametrize("name", sorted(ISORT_CLEAN))
def test_isort_clean_stays_clean(name: str, tmp_path: Path) -> None:
    path = tmp_path / "module.py"
    path.write_text(ISORT_CLEAN[name])
    before = ruff_isort(path, tmp_path)
    assert before.returncode == 0, before.stdout
    result = fix_source(path.read_bytes(), str(path))
    assert result.fixed, "nothing to fix in this case"
    path.write_bytes(result.source)
    after = ruff_isort(path, tmp_path)
    assert after.returncode == 0, f"{after.stdout}\n{path.read_text()}"


@needs_ruff
def test_first_party_stays_after_the_new_third_party_group(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mylib"\n')
    package = tmp_path / "mylib"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "util.py").write_text("")
    module = package / "parallel.py"
    module.write_text(
        "import multiprocessing\nimport os\n\nfrom mylib import util\n\n\n"
        "def f():\n    return multiprocessing.Queue(), os, util\n"
    )
    assert ruff_isort(module, tmp_path).returncode == 0
    module.write_bytes(fix_source(module.read_bytes(), str(module)).source)
    assert module.read_text().startswith(
        "import os\n\nimport mpcontext\n\nfrom mylib import util\n"
    )
    after = ruff_isort(module, tmp_path)
    assert after.returncode == 0, after.stdout


def test_many_fixes_in_one_file() -> None:
    # Edits are made in one pass; thousands of them leave nothing fixable.
    unit = (
        "def f{n}(*, mp_context=None):\n    with ProcessPoolExecutor() as pool:\n"
        "        return mp.Queue(), Lock(), pool\n\n\n"
    )
    source = (
        "import multiprocessing as mp\nfrom concurrent.futures import ProcessPoolExecutor\n"
        "from multiprocessing import Lock\n\n\n" + "".join(unit.format(n=n) for n in range(2000))
    )
    result = fix_source(source.encode(), "x.py")
    assert len(result.fixed) == 6000
    assert lint_source(result.source, "x.py") == []
    assert result.source.count(b"mp_context=mp_context") == 6000
