"""The linter: find code that picks a start method for its users, and fix what is safe.

``python -m mpcontext lint`` and the flake8 plugin share one path::

    paths ──> files: which files, which codes (pyproject's [tool.mpcontext.lint])
          ──> source: read bytes; may_bind() skips a file that imports none
              of the modules linted, unparsed
          ──> binding: names bound scope by scope (which import reaches each)
          ──> rules: MPC001-MPC006 on each call reaching multiprocessing
          ──> findings: # noqa applied ──> formats: text, JSON, GitHub, SARIF
          ──> fix (--fix): narrow edits at the positions ast gives
"""
