"""The code of the README and of docs/ runs, so that no example drifts from the code.

Each page's ``python`` blocks run as one script, in a fresh interpreter,
after ``from docs_prelude import *`` (what the examples take for granted).
The definitions of all its blocks (imports, functions, classes) come first,
then the rest of each block under ``if __name__ == "__main__":``, so that
spawn and forkserver children, which import the script again, start
nothing. Its ``pycon`` blocks are doctests. A comment on the line before a
block changes what is done with it:

``<!-- quoted from PATH -->``
    The block quotes the file PATH (of the repository): each of its lines
    is in that file, in the same order (a line ``...`` stands for what it
    leaves out; comments are the page's own).
``<!-- not run: WHY -->``
    It is only compiled (or, for a ``pycon`` block, parsed): it needs what
    a test machine does not have (a cluster), or shows a real REPL.
"""

from __future__ import annotations

import ast
import doctest
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import mpcontext

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
_FENCE = re.compile(
    r"(?:<!-- (?P<marker>not run|quoted from):? ?(?P<why>[^\n]*?) -->\n)?"
    r"^```(?P<lang>python|pycon)\n(?P<code>.*?)^```",
    re.M | re.S,
)


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    lang: str
    code: str
    marker: str | None
    why: str

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks_of(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [
        Block(page, text.count("\n", 0, match.start("code")) + 1, match["lang"], match["code"],
              match["marker"], match["why"] or "")  # fmt: skip
        for match in _FENCE.finditer(text)
    ]


BLOCKS = [block for page in PAGES for block in blocks_of(page)]


_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def script_of(blocks: list[Block]) -> str:
    """One script of the runnable python `blocks`: definitions first, the rest guarded."""
    definitions: list[str] = []
    actions: list[str] = []
    for block in blocks:
        lines = block.code.splitlines()
        for node in ast.parse(block.code, str(block)).body:
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            source = "\n".join(lines[first - 1 : node.end_lineno])
            place = definitions if isinstance(node, _DEFINITIONS) else actions
            place.append(f"# {block}:{first}\n{source}")
    guarded = textwrap.indent("\n".join(actions) or "pass", "    ")
    return "\n".join(
        ["from docs_prelude import *", *definitions, "if __name__ == '__main__':", guarded, ""]
    )


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPCONTEXT_", "PYTHON"))}
    paths = [str(ROOT / "tests" / "helpers"), str(ROOT / "examples"), *sys.path[1:]]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


RUN_PAGES = sorted({b.page for b in BLOCKS if b.lang == "python" and b.marker is None})


@pytest.mark.timeout(180)
@pytest.mark.parametrize("page", RUN_PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_python_examples_of_a_page_run(page: Path, tmp_path: Path) -> None:
    blocks = [b for b in BLOCKS if b.page == page and b.lang == "python" and b.marker is None]
    script = tmp_path / "page_examples.py"
    script.write_text(script_of(blocks), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        capture_output=True, text=True, timeout=150, cwd=tmp_path, env=environment(),
    )  # fmt: skip
    assert done.returncode == 0, f"{script.read_text()}\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.lang == "pycon" and b.marker is None], ids=str
)
def test_the_pycon_examples_are_doctests(block: Block) -> None:
    test = doctest.DocTestParser().get_doctest(
        block.code, {"__name__": "docs_examples", "mpcontext": mpcontext}, str(block),
        str(block.page), block.line,
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    shown: list[str] = []
    runner.run(test, out=shown.append)
    assert runner.failures == 0, "".join(shown)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.marker == "quoted from"], ids=str)
def test_quoted_code_is_in_its_file(block: Block) -> None:
    source = (ROOT / block.why).read_text(encoding="utf-8").splitlines()
    at = 0
    for line in block.code.splitlines():
        if not line.strip() or line.strip() == "..." or line.lstrip().startswith("#"):
            continue  # a comment of the page's own, or what the quote leaves out
        wanted = line.rstrip()
        found = next((i for i in range(at, len(source)) if source[i].rstrip() == wanted), None)
        assert found is not None, f"{block}: {line!r} is not in {block.why} (after line {at})"
        at = found + 1


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.marker == "not run"], ids=str)
def test_examples_not_run_still_parse_and_say_why(block: Block) -> None:
    assert block.why, f"{block}: say why it is not run"
    if block.lang == "python":
        compile(block.code, str(block), "exec")
    else:
        assert doctest.DocTestParser().get_examples(block.code), block


def test_every_block_is_seen() -> None:
    """Each python or pycon fence of the pages is one of BLOCKS (none missed by the pattern)."""
    fences = sum(p.read_text(encoding="utf-8").count(f"```{lang}\n")
                 for p in PAGES for lang in ("python", "pycon"))  # fmt: skip
    assert fences == len(BLOCKS) > 0


_REPORT = re.compile(r"^```console\n\$ (python -m mpcontext report [^\n]*)\n(.*?)^```", re.M | re.S)
REPORTS = [(page, match) for page in PAGES for match in _REPORT.finditer(page.read_text("utf-8"))]


@pytest.mark.parametrize(
    ("page", "match"), REPORTS, ids=[f"{p.relative_to(ROOT)}:{m[1]}" for p, m in REPORTS]
)
def test_the_report_prints_what_the_docs_show(page: Path, match: re.Match[str]) -> None:
    """The report's output in the docs is the report's output (the example library changes)."""
    done = subprocess.run(
        [sys.executable, *match[1].split()[1:]],
        capture_output=True, text=True, timeout=60, cwd=ROOT, env=environment(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == match[2]
