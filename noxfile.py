"""Run the tests and the type checks on every supported Python this machine has.

``nox`` runs them all; ``nox -p 3.12`` one version; ``nox -s tests -- -x
tests/test_resolve.py`` passes arguments on to pytest. Versions not installed
are skipped (``.ci/run`` finds the interpreters, makes them visible to nox
and says which it skipped). ``PYTHONS`` is the list of supported versions:
``.ci/run`` and ``tests/test_hardening_versions.py`` read it from here.
"""

from __future__ import annotations

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

nox.options.sessions = ["tests", "mypy"]
nox.options.reuse_venv = "no"
nox.options.error_on_missing_interpreters = False


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite, the interpreter-mode and leak checks included."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHONS)
def mypy(session: nox.Session) -> None:
    """mypy --strict over mpcontext/ and tests/typing/, for this version."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "mypy", "--python-version", str(session.python))
