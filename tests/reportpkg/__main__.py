"""A program: ``python -m mpcontext report`` must not import it."""

raise SystemExit("reportpkg.__main__ was imported")
