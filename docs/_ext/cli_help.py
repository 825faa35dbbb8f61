"""``.. cli-help:: COMMAND``: what ``python -m mpcontext COMMAND --help`` prints, at build time.

The CLI reference shows the parser's own help, so it cannot drift from the
code. Without an argument: the top-level help.
"""

from __future__ import annotations

import os
import subprocess
import sys

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


class CliHelp(SphinxDirective):
    """The help of one command, as a literal block."""

    optional_arguments = 1

    def run(self) -> list[nodes.Node]:
        command = [sys.executable, "-m", "mpcontext", *self.arguments, "--help"]
        env = {**os.environ, "COLUMNS": "88"}  # argparse wraps at the terminal's width
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
        if done.returncode != 0:
            raise self.error(f"{' '.join(command[2:])} failed: {done.stderr.strip()}")
        text = done.stdout.replace(sys.executable, "python")
        return [nodes.literal_block(text, text, language="text")]


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("cli-help", CliHelp)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
