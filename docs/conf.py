"""Sphinx configuration of mpcontext's documentation: ``nox -s docs`` builds it.

``python -m sphinx -W --keep-going -n -b html docs docs/_build/html`` from the
repository root, with the ``docs`` extra installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "_ext"), str(HERE.parent), str(HERE.parent / "examples")]

import mpcontext  # noqa: E402

project = "mpcontext"
author = "The mpcontext developers"
copyright = "2026, the mpcontext developers"  # noqa: A001 - Sphinx's name
release = version = mpcontext.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "numpydoc",
    "mpcontext.sphinxext",
    "cli_help",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = f"mpcontext {release}"

myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# The docstrings are numpydoc's: numpydoc renders them; its checks are the
# project's own (tests/test_package_docstrings.py would duplicate them).
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True
autodoc_member_order = "bysource"
# The annotations are strings naming what is imported for type checkers only
# (mpcontext imports almost nothing at run time): the docstrings' Parameters
# and Returns sections give the types, in words.
autodoc_typehints = "none"
autodoc_preserve_defaults = True

# Built offline (CI has no network): the standard library's and the third-party
# packages' names in signatures link nowhere, and are not errors under -n.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(multiprocessing|concurrent|collections|typing|typing_extensions|types|"
               r"contextvars|ctypes|_ctypes|os|pathlib|argparse|enum)(\..*)?"),
    (r"py:.*", r"(_T|_S|_F|_C|_L|_CT|_Ts|P|R|T|Self|TypeAlias|Any|Literal|Callable)"),
    (r"py:.*", r"(int|str|bool|float|bytes|object|type|tuple|list|dict|set|frozenset|None|"
               r"BaseException|Exception|ValueError|TypeError|RuntimeError)"),
    (r"py:.*", r"(sphinx|docutils|loky|dask|distributed|ray|multiprocess|billiard)(\..*)?"),
]

doctest_global_setup = "import mpcontext"
