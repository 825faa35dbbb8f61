"""``mpcontext.sphinxext`` and the docstring notes, in real Sphinx builds.

Each test writes a tiny Sphinx project and builds it with ``python -m
sphinx`` in a fresh interpreter (the packages it documents are imported
there, not here), then reads the HTML.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mpcontext

pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install 'mpcontext[sphinx]')")

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLES = ROOT / "examples"
HEADERS = ["Function or field", "Kind", "Parameter", "Start methods", "Reason"]


def build(
    project: Path,
    index: str,
    conf: str = "",
    *,
    strict: bool = True,
    nitpicky: bool = True,
    jobs: int = 1,
) -> subprocess.CompletedProcess[str]:
    """Build `project` (its ``index.rst`` and ``conf.py`` written from `index` and `conf`).

    `strict`: warnings are errors (``-W``); `nitpicky`: every reference must
    resolve (``-n``).
    """
    project.mkdir(parents=True, exist_ok=True)
    paths = [str(EXAMPLES), str(TESTS / "helpers"), str(project)]
    (project / "conf.py").write_text(
        f"import sys\nsys.path[:0] = {paths!r}\nproject = 'probe'\n"
        "extensions = ['mpcontext.sphinxext']\n" + textwrap.dedent(conf),
        encoding="utf-8",
    )
    (project / "index.rst").write_text(textwrap.dedent(index), encoding="utf-8")
    args = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", str(jobs)]
    if nitpicky:
        args.append("-n")
    if strict:
        args += ["-W", "--keep-going"]
    return subprocess.run(
        [*args, str(project), str(project / "_build")],
        capture_output=True,
        text=True,
        timeout=120,
    )


def page(project: Path) -> str:
    return (project / "_build" / "index.html").read_text(encoding="utf-8")


def words(text: str) -> str:
    """The text of an HTML page, tags dropped, entities and Sphinx's curly quotes made plain."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\s+", " ", plain.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\"")))


def tables(text: str) -> list[list[list[str]]]:
    """Each ``mpcontext-report`` table of the page: its rows, each a list of cell texts."""
    found = []
    for table in re.findall(r'<table class="[^"]*mpcontext-report[^"]*".*?</table>', text, re.S):
        rows = []
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            rows.append([html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
        found.append(rows)
    return found


def wordfreq_rows() -> list[list[str]]:
    """The registry's entries of the example library, as the report's cells."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        from mpcontext._report import cells, import_package, report_entries

        import_package("wordfreq")
        return [list(cells(entry)) for entry in report_entries("wordfreq")]
    finally:
        sys.path.remove(str(EXAMPLES))


BROKEN = {
    "__init__.py": '"""A library with a broken submodule."""\n',
    "good.py": textwrap.dedent(
        '''\
        import mpcontext

        @mpcontext.accepts_context(requires=("spawn",), reason="it needs a fresh interpreter")
        def run(*, mp_context=None):
            """Run."""
        '''
    ),
    "bad.py": "import a_module_that_is_not_there\n",
}


def write_package(root: Path, name: str, files: dict[str, str]) -> None:
    (root / name).mkdir(parents=True)
    for file, text in files.items():
        (root / name / file).write_text(text, encoding="utf-8")


# -- the directive ------------------------------------------------------------------------


def test_the_table_rows_are_the_registry_entries(tmp_path: Path) -> None:
    done = build(tmp_path, "Requirements\n============\n\n.. mpcontext-report:: wordfreq\n")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    [table] = tables(page(tmp_path))
    assert table[0] == HEADERS
    assert table[1:] == wordfreq_rows()
    names = [row[0] for row in table[1:]]
    assert "wordfreq.index.build_index" in names and "wordfreq.counting.count_each" in names
    build_index = next(row for row in table if row[0] == "wordfreq.index.build_index")
    assert build_index[3] == "forkserver, spawn" and "management thread" in build_index[4]


def test_module_filters_and_columns_choose(tmp_path: Path) -> None:
    done = build(
        tmp_path,
        """\
        Requirements
        ============

        .. mpcontext-report:: wordfreq
           :module: wordfreq.index
           :columns: reason, name
        """,
    )
    assert done.returncode == 0, done.stderr
    [table] = tables(page(tmp_path))
    assert table[0] == ["Reason", "Function or field"]
    assert [row[1] for row in table[1:]] == ["wordfreq.index.build_index"]


def test_a_module_with_no_entries_says_so(tmp_path: Path) -> None:
    done = build(tmp_path, "T\n=\n\n.. mpcontext-report:: wordfreq\n   :module: wordfreq.text\n")
    assert done.returncode == 0, done.stderr
    assert tables(page(tmp_path)) == []
    assert "Nothing in 'wordfreq.text' is registered as starting processes" in words(page(tmp_path))


def test_a_broken_submodule_is_a_warning_naming_it_and_the_rest_is_rendered(
    tmp_path: Path,
) -> None:
    write_package(tmp_path, "brokenlib", BROKEN)
    index = "T\n=\n\n.. mpcontext-report:: brokenlib\n"
    on_path = f"sys.path.insert(0, {str(tmp_path)!r})\n"
    done = build(tmp_path / "lenient", index, on_path, strict=False)
    assert done.returncode == 0, done.stderr
    assert (
        "WARNING: mpcontext-report: cannot import brokenlib.bad: ModuleNotFoundError: "
        "No module named 'a_module_that_is_not_there'"
    ) in done.stderr
    assert "[mpcontext.import]" in done.stderr, "a warning type one can suppress"
    [table] = tables(page(tmp_path / "lenient"))
    assert [row[0] for row in table[1:]] == ["brokenlib.good.run"]
    strict = build(tmp_path / "strict", index, on_path)
    assert strict.returncode != 0, "an error under -W"


@pytest.mark.parametrize(
    ("directive", "said"),
    [
        (".. mpcontext-report:: no_such_package_here", "cannot import 'no_such_package_here'"),
        (".. mpcontext-report:: wordfreq\n   :columns: name, colour",
         "unknown column 'colour'; the columns are name, kind, parameter, methods, reason"),
        (".. mpcontext-report::", "1 argument(s) required, 0 supplied"),
    ],
)  # fmt: skip
def test_wrong_input_fails_the_build_saying_what_is_wrong(
    tmp_path: Path, directive: str, said: str
) -> None:
    done = build(tmp_path, f"T\n=\n\n{directive}\n")
    assert done.returncode != 0
    assert said in done.stderr


def test_parallel_builds(tmp_path: Path) -> None:
    pages = "".join(f"   page{i}\n" for i in range(4))
    for i in range(4):
        text = f"Page {i}\n======\n\n.. mpcontext-report:: wordfreq\n"
        (tmp_path / f"page{i}.rst").parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f"page{i}.rst").write_text(text, encoding="utf-8")
    done = build(tmp_path, f"T\n=\n\n.. toctree::\n\n{pages}", jobs=2)
    assert done.returncode == 0, done.stderr
    for i in range(4):
        text = (tmp_path / "_build" / f"page{i}.html").read_text(encoding="utf-8")
        assert len(tables(text)[0]) == len(wordfreq_rows()) + 1


def test_the_extension_says_it_is_parallel_safe() -> None:
    from mpcontext import sphinxext

    class App:
        def __init__(self) -> None:
            self.directives: dict[str, object] = {}

        def add_directive(self, name: str, directive: object) -> None:
            self.directives[name] = directive

    app = App()
    metadata = sphinxext.setup(app)  # type: ignore[arg-type]
    assert metadata == {
        "version": mpcontext.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
    assert app.directives == {"mpcontext-report": sphinxext.ReportDirective}


def test_mpcontext_documents_its_own_requirements(tmp_path: Path) -> None:
    """What docs/requirements.rst shows: the demo's library is what declares any."""
    done = build(tmp_path, "T\n=\n\n.. mpcontext-report:: mpcontext\n")
    assert done.returncode == 0, done.stderr
    [table] = tables(page(tmp_path))
    names = [row[0] for row in table[1:]]
    assert names and all(name.startswith("mpcontext._demo_lib.") for name in names)


# -- the docstring notes under autodoc ----------------------------------------------------------

NOTE = "This function starts processes."
REQUIREMENT = "It supports only the"


@pytest.mark.parametrize(
    ("extension", "names"),
    [
        ("sphinx.ext.napoleon", ["google_plain", "google_with_note"]),
        ("numpydoc", ["numpy_plain", "numpy_with_examples", "numpy_with_notes"]),
    ],
)
def test_docstring_notes_render_under_autodoc(
    tmp_path: Path, extension: str, names: list[str]
) -> None:
    if extension == "numpydoc":
        pytest.importorskip("numpydoc", reason="numpydoc is not installed")
    directives = "\n".join(f".. autofunction:: notes_samples.{name}\n" for name in names)
    conf = f"extensions += ['sphinx.ext.autodoc', {extension!r}]\n"
    if extension == "numpydoc":
        conf += "numpydoc_show_class_members = False\nnumpydoc_validation_checks = set()\n"
    # Not nitpicky: the signatures name the stdlib's BaseContext, which this
    # project links nowhere (no intersphinx here); the notes themselves are plain text.
    done = build(tmp_path, f"Notes\n=====\n\n{directives}", conf, nitpicky=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    text = words(page(tmp_path))
    assert text.count(NOTE) == len(names)
    if extension == "numpydoc":
        assert "its workers hold CUDA handles, which do not survive fork." in text
        assert REQUIREMENT in text
    else:
        assert "It supports only the 'forkserver' and 'spawn' start methods" in text


def test_import_mpcontext_does_not_import_sphinx() -> None:
    probe = (
        "import sys, mpcontext\nmpcontext.registry\n"
        "print('sphinx' in sys.modules, 'docutils' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False", "False"], done.stderr
