"""Run the tests and the type checks on every supported Python.

``nox`` runs the default sessions: ``tests`` and ``mypy`` on each version of
``PYTHONS``, ``slow`` (the interpreter-mode and leak re-runs of the suite)
on ``SLOW_PYTHONS``, and ``docs`` (the documentation built with warnings as
errors, and its examples run) on ``DOCS_PYTHON``. ``nox -p 3.12`` runs one
version; ``nox -s tests -- -x tests/test_core_resolve.py`` passes arguments
on to pytest. ``nox -s peer`` (not a default session: ``.ci/run`` runs it on
its own, last) runs CPython's own process-pool and multiprocessing suites on
the stdlib and on mpcontext, on ``PEER_PYTHONS``; ``nox -s bench -p 3.14`` (not a default session either)
runs ``benchmarks/run.py``, every performance target. ``.ci/run`` finds
the interpreters (installing 3.14 and 3.15 with ``.ci/install-python.sh``),
makes them visible to nox and names them; a supported version missing there
fails CI. ``PYTHONS`` is the list of supported versions: ``.ci/run`` and
``tests/test_hardening_versions.py`` read it from here.
"""

from __future__ import annotations

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14", "3.15"]

# The re-runs of the suite under -OO, -W error and -X dev, the leak run and the
# consumer project (about 3 minutes a version): on the oldest version, and on
# 3.14 and 3.15, whose forkserver default is what this project exists for.
SLOW_PYTHONS = ["3.10", "3.14", "3.15"]

# CPython's own suites against mpcontext (tests/peer/run_peer.py): about 9
# minutes a version, on the newest version before 3.14 and on 3.14, whose
# forkserver default is what this project exists for. Their interpreters must
# have the standard library's test package (pyenv's builds have it; for 3.14
# and 3.15, .ci/install-python.sh installs libpython3.X-testsuite).
PEER_PYTHONS = ["3.13", "3.14"]

# The documentation (docs/): built as the site is, warnings as errors and every
# reference resolved, then its examples run; on the newest version Sphinx and
# its extensions support.
DOCS_PYTHON = "3.14"

nox.options.sessions = ["tests", "mypy", "slow", "docs"]
nox.options.reuse_venv = "no"
nox.options.error_on_missing_interpreters = True


# torch.multiprocessing (tests/test_families.py) on one version only: this
# machine kind keeps a CPU build of torch 2.13.0 for Python 3.11 on disk,
# which pip takes; elsewhere pip would download a CUDA build of several GB.
TORCH_PYTHON = "3.11"


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite, without the slow re-runs, on two workers."""
    session.install("-e", ".[test]")
    if session.python == TORCH_PYTHON:
        session.install("torch==2.13.0")
    session.run("python", "-m", "pytest", "-n", "2", *session.posargs)


@nox.session(python=SLOW_PYTHONS)
def slow(session: nox.Session) -> None:
    """The slow tests: the suite again under -OO, -W error, -X dev, and the leak run."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-m", "slow", *session.posargs)


@nox.session(python=PYTHONS)
def mypy(session: nox.Session) -> None:
    """mypy --strict over mpcontext/ and tests/typing/, for this version."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "mypy", "--python-version", str(session.python))


@nox.session(python=DOCS_PYTHON)
def docs(session: nox.Session) -> None:
    """Build docs/ into docs/_build/html (``-W --keep-going -n``), then run its examples.

    The examples are those of the README and of docs/ (tests/test_docs_examples.py)
    and the site's checks (tests/test_docs_site.py), also part of ``tests``.
    """
    session.install("-e", ".[docs,test]")
    session.run(
        "python", "-m", "sphinx", "-W", "--keep-going", "-n", "-b", "html",
        "docs", "docs/_build/html",
    )  # fmt: skip
    session.run(
        "python", "-m", "pytest", "-n", "2", "tests/test_docs_examples.py",
        "tests/test_docs_site.py", "tests/test_tools_sphinxext.py", *session.posargs,
    )  # fmt: skip


@nox.session(python=PYTHONS)
def bench(session: nox.Session) -> None:
    """Every performance target, measured against its baseline (``benchmarks/run.py``).

    ``nox -s bench -p 3.14`` for one version (a full run takes minutes);
    ``nox -s bench -p 3.14 -- --quick``, ``-- --rows import``, ``-- --against
    /tmp/bench-base --markdown`` pass options on.
    """
    session.install("-e", ".")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session(python=PEER_PYTHONS)
def peer(session: nox.Session) -> None:
    """CPython's process-pool and multiprocessing tests: mpcontext must pass those the stdlib passes.

    ``nox -s peer -p 3.14 -- --suite futures --method spawn`` runs one suite
    under one start method; the records and logs go to the session's tmp
    folder (``.nox/peer-3-14/tmp/peer``).
    """
    session.install("-e", ".")
    output = f"{session.create_tmp()}/peer"
    session.run("python", "tests/peer/run_peer.py", "--output", output, *session.posargs)
