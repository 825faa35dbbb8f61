"""mpcontext's own documentation (docs/): it builds warning-free, nitpicky, and is complete.

One build for the module, as CI makes it (``-W --keep-going -n``), in a
fresh interpreter.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import mpcontext

for _module in ("sphinx", "furo", "myst_parser", "numpydoc"):
    pytest.importorskip(_module, reason=f"{_module} is not installed (pip install '.[docs]')")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
         str(ROOT / "docs"), str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return out


@pytest.mark.timeout(300)
def test_the_api_reference_has_every_public_name(site: Path) -> None:
    page = (site / "reference" / "api.html").read_text(encoding="utf-8")
    documented = set(re.findall(r'id="mpcontext\.([A-Za-z_]+)"', page))
    assert set(mpcontext.__all__) - documented == set()


def test_every_page_is_in_the_site(site: Path) -> None:
    sources = {p.relative_to(ROOT / "docs").with_suffix(".html")
               for p in (ROOT / "docs").rglob("*") if p.suffix in (".md", ".rst")
               and "_build" not in p.parts}  # fmt: skip
    assert {p for p in sources if not (site / p).exists()} == set()


def test_the_requirements_page_is_made_by_the_directive(site: Path) -> None:
    page = (site / "requirements.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table class="[^"]*mpcontext-report.*?</table>', page, re.S)
    assert len(tables) == 2
    assert "mpcontext._demo_lib.fresh_worker" in tables[0]
    assert "wordfreq.index.build_index" in tables[1] and "wordfreq.counting.count_each" in tables[1]


def test_the_cli_reference_is_the_parsers_own_help(site: Path) -> None:
    page = (site / "reference" / "cli.html").read_text(encoding="utf-8")
    for command in ("demo", "report", "lint"):
        assert f"usage: python -m mpcontext {command}" in page
