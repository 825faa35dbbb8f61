"""Run the tests and the type checks on every supported Python this machine has.

``nox`` runs them all; ``nox -p 3.12`` one version. Versions not installed are
skipped (``.ci/run`` says which).
"""

from __future__ import annotations

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

nox.options.sessions = ["tests", "mypy"]
nox.options.reuse_existing_virtualenvs = False


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHONS)
def mypy(session: nox.Session) -> None:
    """mypy --strict over mpcontext/ and tests/typing/, for this version."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "mypy", "--python-version", session.python or "3.10")
