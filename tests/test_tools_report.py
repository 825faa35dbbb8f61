"""``python -m mpcontext report``: each format, import failures, exit statuses.

Exact outputs come from ``tests/reportpkg``, a package with known entries;
on the example library (``examples/wordfreq``, which other work changes) the
tests only check that each of its entries is listed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import mpcontext
from mpcontext import Requirement, registry
from mpcontext._cli import main
from mpcontext._report import render_json, render_markdown, render_rst, render_text

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
TESTS = Path(__file__).parent

TEXT = """\
Function or field                 Kind      Parameter   Start methods
reportpkg.run                     function  mp_context  any
reportpkg.models.Trainer.context  field     context     spawn
    reason: - its workers need a fresh interpreter
reportpkg.models.Trainer.fit      function  ctx         any
reportpkg.models.train            function  mp_context  forkserver, spawn
    reason: CUDA | cuDNN *cannot* be forked: see `CUDA_VISIBLE_DEVICES` \\
            [docs] <here>
reportpkg.sub.shm.SharedTable     class     mp_context  fork
    reason: its children inherit the memory map
"""

MARKDOWN = """\
| Function or field                  | Kind     | Parameter    | Start methods     | Reason |
| ---------------------------------- | -------- | ------------ | ----------------- | --- |
| `reportpkg.run`                    | function | `mp_context` | any               | |
| `reportpkg.models.Trainer.context` | field    | `context`    | spawn             | \
- its workers need a fresh interpreter |
| `reportpkg.models.Trainer.fit`     | function | `ctx`        | any               | |
| `reportpkg.models.train`           | function | `mp_context` | forkserver, spawn | \
CUDA \\| cuDNN \\*cannot\\* be forked: see \\`CUDA\\_VISIBLE\\_DEVICES\\` \\\\ \\[docs\\] \\<here\\> |
| `reportpkg.sub.shm.SharedTable`    | class    | `mp_context` | fork              | \
its children inherit the memory map |
"""

RST = """\
.. list-table::
   :header-rows: 1

   * - Function or field
     - Kind
     - Parameter
     - Start methods
     - Reason
   * - ``reportpkg.run``
     - function
     - ``mp_context``
     - any
     -
   * - ``reportpkg.models.Trainer.context``
     - field
     - ``context``
     - spawn
     - \\- its workers need a fresh interpreter
   * - ``reportpkg.models.Trainer.fit``
     - function
     - ``ctx``
     - any
     -
   * - ``reportpkg.models.train``
     - function
     - ``mp_context``
     - forkserver, spawn
     - CUDA \\| cuDNN \\*cannot\\* be forked: see \\`CUDA\\_VISIBLE\\_DEVICES\\` \\\\ [docs] <here>
   * - ``reportpkg.sub.shm.SharedTable``
     - class
     - ``mp_context``
     - fork
     - its children inherit the memory map
"""

# What each row of the tables must read as, once rendered.
ROWS = [
    ["reportpkg.run", "function", "mp_context", "any", ""],
    ["reportpkg.models.Trainer.context", "field", "context", "spawn",
     "- its workers need a fresh interpreter"],
    ["reportpkg.models.Trainer.fit", "function", "ctx", "any", ""],
    ["reportpkg.models.train", "function", "mp_context", "forkserver, spawn",
     "CUDA | cuDNN *cannot* be forked: see `CUDA_VISIBLE_DEVICES` \\ [docs] <here>"],
    ["reportpkg.sub.shm.SharedTable", "class", "mp_context", "fork",
     "its children inherit the memory map"],
]  # fmt: skip
HEADERS = ["Function or field", "Kind", "Parameter", "Start methods", "Reason"]

WORDFREQ_NAMES = [
    "wordfreq.corpus.Corpus.mp_context",
    "wordfreq.counting.count_files",
    "wordfreq.index.build_index",
]


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["report", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def sorted_entries(package: str) -> list[Requirement]:
    return sorted(registry.entries(package), key=lambda e: (e.module, e.qualname))


# -- the fixture package: exact output of each format -------------------------------------


def test_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert report(capsys, "reportpkg") == (0, TEXT, "")


def test_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert report(capsys, "reportpkg", "--format", "markdown") == (0, MARKDOWN, "")


def test_markdown_cells_read_back_as_the_entries() -> None:
    # GitHub's rule: a cell ends at a pipe not escaped; a backslash escapes punctuation.
    rows = [
        [re.sub(r"\\(.)", r"\1", cell.strip()).strip("`") for cell in cells[1:-1]]
        for cells in (re.split(r"(?<!\\)\|", line) for line in MARKDOWN.splitlines())
    ]
    assert rows[0] == HEADERS
    assert all(set(cell) <= {"-"} for cell in rows[1])
    assert rows[2:] == ROWS


def test_rst(capsys: pytest.CaptureFixture[str]) -> None:
    assert report(capsys, "reportpkg", "--format", "rst") == (0, RST, "")


def rst_shape(source: str) -> list[list[str]]:
    """Read the cells of a list-table by its layout, escapes undone (no docutils needed)."""
    lines = source.splitlines()
    assert lines[:3] == [".. list-table::", "   :header-rows: 1", ""]
    rows: list[list[str]] = []
    for line in lines[3:]:
        if line.startswith("   * -"):
            rows.append([])
        else:
            assert line.startswith("     -"), line
        rows[-1].append(re.sub(r"\\(.)", r"\1", line[7:]).strip("`"))
    return rows


def rst_parsed(source: str) -> list[list[str]]:
    """Parse `source` with docutils, failing on any warning; return the table's cells."""
    core = pytest.importorskip("docutils.core")
    nodes = pytest.importorskip("docutils.nodes")
    doctree = core.publish_doctree(
        source,
        settings_overrides={"report_level": 1, "halt_level": 1, "warning_stream": False},
    )
    (table,) = doctree.findall(nodes.table)
    rows = table.findall(nodes.row)
    return [[entry.astext() for entry in row.findall(nodes.entry)] for row in rows]


def test_rst_has_the_shape_of_a_table_of_the_entries() -> None:
    assert rst_shape(RST) == [HEADERS, *ROWS]


def test_rst_parses_as_a_table_of_the_entries() -> None:
    assert rst_parsed(RST) == [HEADERS, *ROWS]


def test_json_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = report(capsys, "reportpkg", "--format", "json")
    assert (status, err) == (0, "")
    items = json.loads(out)
    assert all(list(item) == ["module", "qualname", "param", "start_methods", "reason", "kind"]
               for item in items)  # fmt: skip
    assert [Requirement(**item) for item in items] == sorted_entries("reportpkg")
    assert len(items) == len(ROWS)
    train = items[3]
    assert train["start_methods"] == ["forkserver", "spawn"]  # sorted
    assert train["reason"] == sys.modules["reportpkg.models"].REASON  # as written
    assert items[0]["start_methods"] is None and items[0]["reason"] is None


def test_json_is_stable(capsys: pytest.CaptureFixture[str]) -> None:
    first = report(capsys, "reportpkg", "--format", "json")[1]
    entries = sorted_entries("reportpkg")
    assert render_json(list(reversed(entries)), "reportpkg") != first  # the order shows
    assert report(capsys, "reportpkg", "--format", "json")[1] == first


def test_every_submodule_is_imported_but_main(capsys: pytest.CaptureFixture[str]) -> None:
    report(capsys, "reportpkg")
    assert {"reportpkg.models", "reportpkg.sub", "reportpkg.sub.shm"} <= set(sys.modules)
    assert "reportpkg.__main__" not in sys.modules  # it would have exited


def test_a_subpackage_alone(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = report(capsys, "reportpkg.sub", "--format", "json")
    assert status == 0
    assert [item["qualname"] for item in json.loads(out)] == ["SharedTable"]


# -- the example library ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "markdown", "rst"])
def test_wordfreq_entries_are_listed(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = report(capsys, "--path", str(EXAMPLES), "wordfreq", "--format", fmt)
    assert (status, err) == (0, "")
    entries = registry.entries("wordfreq")
    assert {e.name for e in entries} >= set(WORDFREQ_NAMES)
    for entry in entries:
        assert entry.name in out
    if fmt == "rst":
        names = [e.name for e in sorted_entries("wordfreq")]
        assert [row[0] for row in rst_shape(out)[1:]] == names


def test_wordfreq_json_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = report(capsys, "--path", str(EXAMPLES), "wordfreq", "--format", "json")
    assert status == 0
    assert [Requirement(**item) for item in json.loads(out)] == sorted_entries("wordfreq")
    build_index = registry.lookup(sys.modules["wordfreq.index"].build_index)
    assert build_index is not None and build_index.start_methods == {"forkserver", "spawn"}


def test_path_is_taken_off_sys_path_after(capsys: pytest.CaptureFixture[str]) -> None:
    before = list(sys.path)
    report(capsys, "--path", str(EXAMPLES), "wordfreq")
    assert sys.path == before


def test_in_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mpcontext", "report", "--path", str(TESTS), "reportpkg",
         "--format", "markdown"],
        capture_output=True, text=True, timeout=60, cwd=ROOT,
    )  # fmt: skip
    assert (result.returncode, result.stdout, result.stderr) == (0, MARKDOWN, "")


# -- import failures ----------------------------------------------------------------------


def make_package(tmp_path: Path, files: dict[str, str]) -> str:
    """Write a package of a name not used before under `tmp_path`; return its name."""
    name = f"rp_{uuid.uuid4().hex[:12]}"
    for relative, source in files.items():
        path = tmp_path / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return name


GOOD = """\
import mpcontext

@mpcontext.accepts_context(requires=("spawn",), reason="fresh")
def work(*, mp_context: mpcontext.ContextParam = None) -> None:
    pass
"""


def test_a_broken_submodule_is_reported_and_the_rest_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = make_package(
        tmp_path,
        {
            "__init__.py": "print('printed at import')\n",
            "a_broken.py": "import mpcontext\n\n1 / 0\n",
            "b_syntax.py": "def f(:\n",
            "b_value.py": "raise ValueError\n",
            "c_exits.py": "raise SystemExit(3)\n",
            "d_missing/__init__.py": "import no_such_module_xyz\n",
            "d_missing/inner.py": "raise RuntimeError('never imported')\n",
            "e_good.py": GOOD,
        },
    )
    status, out, err = report(capsys, "--path", str(tmp_path), name, "--format", "json")
    assert status == 0
    assert [Requirement(**item) for item in json.loads(out)] == [
        Requirement(f"{name}.e_good", "work", "mp_context", ("spawn",), "fresh")
    ]  # what the package printed went to stderr, not into the json
    lines = err.splitlines()
    assert lines[0] == "printed at import"
    prefix = "mpcontext report: warning: cannot import"
    where = tmp_path / name
    assert lines[1:] == [
        f"{prefix} {name}.a_broken, so the report lacks what it registers: "
        f"ZeroDivisionError: division by zero (at {where / 'a_broken.py'}:3)",
        f"{prefix} {name}.b_syntax, so the report lacks what it registers: "
        f"SyntaxError: invalid syntax (at {where / 'b_syntax.py'}:1)",
        f"{prefix} {name}.b_value, so the report lacks what it registers: "
        f"ValueError (at {where / 'b_value.py'}:1)",
        f"{prefix} {name}.c_exits, so the report lacks what it registers: "
        f"SystemExit: 3 (at {where / 'c_exits.py'}:1)",
        f"{prefix} {name}.d_missing, so the report lacks what it registers: "
        f"ModuleNotFoundError: No module named 'no_such_module_xyz' "
        f"(at {where / 'd_missing' / '__init__.py'}:1)",
    ]


def test_a_package_that_does_not_exist_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = report(capsys, "no_such_package_xyz")
    assert (status, out) == (2, "")
    assert err.startswith(
        "mpcontext report: error: cannot import 'no_such_package_xyz': "
        "ModuleNotFoundError: No module named 'no_such_package_xyz'. Is it installed"
    )
    assert "--path DIR" in err


def test_a_package_that_fails_to_import_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = make_package(tmp_path, {"__init__.py": "raise ImportError('needs numpy')\n"})
    status, out, err = report(capsys, "--path", str(tmp_path), name)
    assert (status, out) == (2, "")
    assert err == (
        f"mpcontext report: error: cannot import {name!r}: ImportError: needs numpy "
        f"(at {tmp_path / name / '__init__.py'}:1)\n"
    )


def test_unimportable_in_a_real_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mpcontext", "report", "no_such_package_xyz"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, "")
    assert "cannot import 'no_such_package_xyz'" in result.stderr


def test_nothing_registered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = make_package(tmp_path, {"__init__.py": "", "plain.py": "X = 1\n"})
    for fmt in ("text", "markdown", "rst"):
        status, out, _ = report(capsys, "--path", str(tmp_path), name, "--format", fmt)
        assert status == 0
        assert out.startswith(f"Nothing in {name!r} is registered as starting processes")
    assert report(capsys, "--path", str(tmp_path), name, "--format", "json")[:2] == (0, "[]\n")


def test_a_plain_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"rm_{uuid.uuid4().hex[:12]}"
    (tmp_path / f"{name}.py").write_text(GOOD, encoding="utf-8")
    status, out, _ = report(capsys, "--path", str(tmp_path), name, "--format", "json")
    assert status == 0
    assert [item["qualname"] for item in json.loads(out)] == ["work"]


# -- usage errors -------------------------------------------------------------------------


def test_a_path_for_package_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(EXAMPLES / "wordfreq")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"got {str(EXAMPLES / 'wordfreq')!r}" in err
    assert f"; to report it, use: --path {EXAMPLES} wordfreq" in err


def test_a_file_for_package_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(EXAMPLES / "wordfreq" / "index.py")])
    assert exit_info.value.code == 2
    assert f"; to report it, use: --path {EXAMPLES / 'wordfreq'} index" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report"], "the following arguments are required: PACKAGE"),
        (["report", "pkg", "--format", "html"], "invalid choice: 'html'"),
        (["report", "pkg-name"], "PACKAGE must be a module name"),
        (["report", ".relative"], "PACKAGE must be a module name"),
        (["report", "--path", "no/such/dir", "pkg"], "--path: no such directory: 'no/such/dir'"),
    ],
)
def test_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_render_functions_agree_with_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    report(capsys, "reportpkg")  # imports it all
    entries = sorted_entries("reportpkg")
    assert render_text(entries, "reportpkg") == TEXT
    assert render_markdown(entries, "reportpkg") == MARKDOWN
    assert render_rst(entries, "reportpkg") == RST
    assert mpcontext.registry.lookup(sys.modules["reportpkg"].run) == entries[0]


# -- a function that takes no context yet (param=None) ----------------------------------


def test_a_function_registered_without_a_parameter_is_in_every_format() -> None:
    import types

    module = types.ModuleType(f"legacy_{uuid.uuid4().hex}")
    exec("def start_workers():\n    pass\n", vars(module))
    sys.modules[module.__name__] = module
    try:
        entry = registry.register(
            module.start_workers,
            param=None,
            requires=("spawn",),
            reason="it starts its own spawn pool",
        )
        assert entry.param is None
        assert registry.lookup(module.start_workers) == entry
        entries = registry.entries(module.__name__)
        assert entries == [entry]
        own = "none: picks its own start method"
        text = render_text(entries, module.__name__)
        assert re.search(rf"{module.__name__}\.start_workers\s+function\s+{own}\s+spawn", text)
        assert "reason: it starts its own spawn pool" in text
        markdown = render_markdown(entries, module.__name__)
        assert f"| {own} | spawn" in markdown
        rst = render_rst(entries, module.__name__)
        assert f"     - {own}\n     - spawn\n     - it starts its own spawn pool" in rst
        (item,) = json.loads(render_json(entries, module.__name__))
        assert item["param"] is None and item["start_methods"] == ["spawn"]
        assert Requirement(**item) == entry
    finally:
        del sys.modules[module.__name__]
        registry._entries.pop((module.__name__, "start_workers"), None)  # type: ignore[attr-defined]


def test_a_function_picking_its_own_start_method_without_requires_is_not_declared() -> None:
    entry = Requirement("legacy", "start", None, None, None)
    own = r"none: picks its own start method"
    assert re.search(rf"legacy\.start\s+function\s+{own}\s+not declared", render_text([entry], "legacy"))
    assert re.search(rf"\| {own} \| not declared\s+\|", render_markdown([entry], "legacy"))


def test_param_none_skips_the_parameter_check_but_not_the_others() -> None:
    def no_context() -> None:
        pass

    entry = registry.register(no_context, param=None)
    assert entry.param is None and entry.start_methods is None
    with pytest.raises(TypeError, match="requires names an unknown start method"):
        registry.register(no_context, param=None, requires=("spwan",))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="given without requires"):
        registry.register(no_context, param=None, reason="why")
    with pytest.raises(TypeError, match="has no parameter 'mp_context'"):
        registry.register(no_context)
