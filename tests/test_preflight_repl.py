"""A real REPL on a pty, and ``python -c`` / ``python - < script``.

A function typed at the prompt never reaches a spawn or forkserver child: the
child dies with an ``AttributeError`` the parent hardly sees. With the check,
the REPL shows ``PreflightError`` at once, starts nothing and stays usable.
"""

from __future__ import annotations

import os
import re
import select
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import mpcontext

if sys.platform == "win32":
    pytest.skip("the REPL is driven through a POSIX pty", allow_module_level=True)

import fcntl
import termios

TESTS = Path(__file__).parent
METHODS = mpcontext.available_start_methods()
NON_FORK = [method for method in METHODS if method != "fork"]
needs_fork = pytest.mark.skipif("fork" not in METHODS, reason="no fork start method here")
TIMEOUT = 30.0

# How a spawn child says it cannot find a function of __main__: 3.10-3.13, then 3.14.
CHILD_CANNOT_FIND = (
    r"AttributeError: (Can't get attribute '{name}' on <module '__main__'"
    r"|module '__main__' has no attribute '{name}')"
)

# Escape sequences of Python 3.13's REPL: colours, cursor moves, modes.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[=>]|\][^\x07]*\x07)")


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MPCONTEXT_", "PYTHON"))}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS / "helpers"), *sys.path[1:]])
    env["TERM"] = "xterm"
    env.update(extra)
    return env


# multiprocessing's own helpers, started once and kept for the interpreter's life.
_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


def _processes() -> list[tuple[int, int, str]]:
    """Return (pid, parent pid, command line) of every process."""
    if not os.path.isdir("/proc"):  # macOS: ask ps
        listing = subprocess.run(
            ["ps", "-A", "-o", "pid=,ppid=,command="], capture_output=True, text=True
        )
        rows = (line.split(None, 2) for line in listing.stdout.splitlines())
        return [(int(row[0]), int(row[1]), row[2] if len(row) > 2 else "") for row in rows]
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            found.append((int(entry), int(stat.rsplit(")", 1)[1].split()[1]), command.decode()))
    return found


def _children_of(pid: int) -> list[int]:
    """Return the pids of the processes `pid` started, but multiprocessing's helpers."""
    return [
        child
        for child, parent, command in _processes()
        if parent == pid and not any(helper in command for helper in _HELPERS)
    ]


class Repl:
    """An interactive interpreter on a pty, driven like a user would."""

    def __init__(self, env: dict[str, str]) -> None:
        master, slave = os.openpty()
        # Wide enough that the 3.13 REPL never wraps a line we type.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-q", "-i"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=TESTS,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.fd = master
        self.seen = ""
        self.commands = 0

    def read_until(self, marker: str, timeout: float = TIMEOUT) -> str:
        """Return the output up to and including `marker`; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while marker not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"the REPL did not show {marker!r} in {timeout} s; it showed:\n{self.seen}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:  # the REPL is gone
                    data = b""
                if not data:
                    pytest.fail(f"the REPL ended before showing {marker!r}:\n{self.seen}")
                self.seen += _ESCAPES.sub("", data.decode("utf-8", "replace"))
        end = self.seen.index(marker) + len(marker)
        shown, self.seen = self.seen[:end], self.seen[end:]
        return shown

    def run(self, *lines: str) -> str:
        """Type `lines`, each followed by Enter; return what they showed.

        A last line prints a mark made at run time (never in the echo of
        what is typed), so its output ends what `lines` showed, whatever
        prompts the REPL redraws meanwhile.
        """
        self.commands += 1
        mark = f"@@{self.commands}@@"
        typed = [*lines, f"print('@@' + '{self.commands}@@')"]
        for line in typed:
            os.write(self.fd, line.encode() + b"\r")
        return self.read_until(mark)

    def close(self) -> int:
        """Type ``exit()``; return the REPL's exit status."""
        try:
            os.write(self.fd, b"exit()\r")
            return self.process.wait(TIMEOUT)
        finally:
            self.kill()

    def kill(self) -> None:
        """End the REPL and all it started, if still running; close the pty."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


REPLS = [pytest.param({"PYTHON_BASIC_REPL": "1"}, id="basic")]
REPLS.append(
    pytest.param(
        {},
        id="new",
        marks=pytest.mark.skipif(sys.version_info < (3, 13), reason="the new REPL is 3.13's"),
    )
)


@pytest.fixture(params=REPLS)
def repl(request: pytest.FixtureRequest) -> Iterator[Repl]:
    session = Repl(_environment(**request.param))
    try:
        session.run("import multiprocessing, repl_lib")
        session.run("def knigit(): print('N' + 'i!')", "")
        yield session
        assert session.close() == 0
    finally:
        session.kill()


@pytest.mark.parametrize("method", NON_FORK)
def test_the_repl_shows_preflight_error_at_once_and_stays_usable(repl: Repl, method: str) -> None:
    shown = repl.run(f"repl_lib.start_child(knigit, {method!r})")
    assert "PreflightError: the target <function knigit at " in shown
    assert f"so a {method} child would not find __main__.knigit" in shown
    assert "Fix: define it at the top level of an importable module" in shown
    assert "AttributeError" not in shown  # no child ever ran
    assert "still-alive" in repl.run("print('still' + '-alive')")
    assert "children=0" in repl.run("print('children=%d' % len(multiprocessing.active_children()))")
    assert _children_of(repl.process.pid) == []


def test_without_the_check_the_spawn_child_dies_unseen(repl: Repl) -> None:
    # The premise: what the stdlib does with the same function.
    shown = repl.run(
        "p = multiprocessing.get_context('spawn').Process(target=knigit)",
        "p.start(); p.join(); print('exit' + '=%d' % p.exitcode)",
    )
    assert "exit=1" in shown
    assert re.search(CHILD_CANNOT_FIND.format(name="knigit"), shown)


@pytest.mark.parametrize("method", NON_FORK)
def test_a_pool_task_from_the_repl_is_refused_too(repl: Repl, method: str) -> None:
    shown = repl.run(f"repl_lib.pool_apply(knigit, {method!r})")
    assert "PreflightError: the target <function knigit at " in shown
    assert f"cannot reach a pool task run by {method!r}" in shown
    assert "AttributeError" not in shown
    assert "children=0" in repl.run("print('children=%d' % len(multiprocessing.active_children()))")
    assert _children_of(repl.process.pid) == []


@needs_fork
def test_forked_pool_workers_run_the_repl_function(repl: Repl) -> None:
    shown = repl.run("print('result=%r' % repl_lib.pool_apply(knigit, 'fork'))")
    assert "Ni!" in shown
    assert "result=None" in shown


@needs_fork
def test_the_repl_function_runs_under_fork(repl: Repl) -> None:
    shown = repl.run("print('exit=%d' % repl_lib.start_child(knigit, 'fork'))")
    assert "exit=0" in shown
    assert "Ni!" in shown
    assert "PreflightError" not in shown


# -- python -c, python - < script, and mains that have a file -----------------


SCRIPT = """\
import multiprocessing, repl_lib

def knigit():
    print("Ni!")

if __name__ == "__main__":
    try:
        print("exit=%s" % repl_lib.start_child(knigit, {method!r}))
    finally:
        print("children=%d" % len(multiprocessing.active_children()))
"""


def _run(args: list[str], cwd: Path = TESTS, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=_environment(),
    )


def _assert_refused(result: subprocess.CompletedProcess[str], method: str) -> None:
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("mpcontext.PreflightError: the target <function knigit at ")
    assert f"so a {method} child would not find __main__.knigit" in last
    assert "AttributeError" not in result.stderr
    assert result.stdout.split() == ["children=0"]


@pytest.mark.parametrize("method", NON_FORK)
def test_python_c(method: str) -> None:
    result = _run(["-c", SCRIPT.format(method=method)])
    _assert_refused(result, method)
    assert "interactive here (a REPL, python -c or python -i)" in result.stderr


IMPORTABLE_TARGET = """\
import multiprocessing, os, repl_lib

try:
    print("exit=%s" % repl_lib.start_child(os.getpid, {method!r}))
finally:
    print("children=%d" % len(multiprocessing.active_children()))
"""


MANAGER = """\
import multiprocessing, mpcontext

try:
    with mpcontext.Manager(mp_context={method!r}) as manager:
        print("exit=%s" % manager.dict())
finally:
    print("children=%d" % len(multiprocessing.active_children()))
"""

INJECTED_POOL = """\
import multiprocessing, os, concurrent.futures, mpcontext

try:
    with concurrent.futures.ProcessPoolExecutor(1, multiprocessing.get_context({method!r})) as pool:
        with mpcontext.using(executor=pool), mpcontext.executor() as ex:
            print("exit=%s" % ex.submit(os.getpid).result())
finally:
    print("children=%d" % len(multiprocessing.active_children()))
"""


@pytest.mark.parametrize(
    "script",
    [SCRIPT, IMPORTABLE_TARGET, MANAGER, INJECTED_POOL],
    ids=["typed", "importable", "Manager", "injected-pool"],
)
@pytest.mark.parametrize("method", NON_FORK)
def test_python_stdin(method: str, script: str) -> None:
    # No child of spawn or forkserver can start: it would run '<stdin>' again
    # as a file, and die of it, whatever the target.
    result = _run(["-"], stdin=script.format(method=method))
    assert result.returncode == 1, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("mpcontext.PreflightError: the main module <module '__main__'")
    assert "it was read from <stdin> (python - < script), which names no file" in last
    assert f"every {method} child dies as it starts, whatever it runs" in last
    assert "Fix: save the script to a file and run that file (python script.py)" in last
    assert "FileNotFoundError" not in result.stderr
    assert result.stdout.split() == ["children=0"]


@pytest.mark.parametrize("method", NON_FORK)
def test_without_the_check_a_child_of_stdin_dies(method: str) -> None:
    # The premise: the stdlib starts the child, which dies before running anything
    # (a forkserver that preloads __main__, as 3.14's does, dies itself, and the
    # parent's start() fails reading from it).
    code = (
        "import multiprocessing, os\n"
        f"p = multiprocessing.get_context({method!r}).Process(target=os.getpid)\n"
        "p.start(); p.join(); print('exit=%d' % p.exitcode)\n"
    )
    result = _run(["-"], stdin=code)
    assert "FileNotFoundError: [Errno 2] No such file or directory" in result.stderr
    if "exit=1" not in result.stdout:
        assert method == "forkserver", result.stdout
        assert result.returncode == 1
        last = result.stderr.strip().splitlines()[-1]
        assert last.startswith(("ConnectionResetError", "EOFError")), last


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A directory with ``script.py`` and a package ``pkg`` (``__main__`` and ``mod``)."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    return tmp_path


def _write(path: Path, method: str) -> None:
    path.write_text(SCRIPT.format(method=method))


@pytest.mark.parametrize("method", NON_FORK)
def test_python_m_package_main_is_refused(package: Path, method: str) -> None:
    _write(package / "pkg" / "__main__.py", method)
    result = _run(["-m", "pkg"], cwd=package)
    _assert_refused(result, method)
    assert "which was run as 'pkg.__main__', a module a child does not import again" in result.stderr


@pytest.mark.parametrize("method", NON_FORK)
@pytest.mark.parametrize("how", ["script", "module"])
def test_a_main_with_a_file_is_not_refused(package: Path, method: str, how: str) -> None:
    if how == "script":
        _write(package / "script.py", method)
        result = _run(["script.py"], cwd=package)
    else:
        _write(package / "pkg" / "mod.py", method)
        result = _run(["-m", "pkg.mod"], cwd=package)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Ni!", "exit=0", "children=0"]


@needs_fork
def test_python_c_under_fork_runs(package: Path) -> None:
    result = _run(["-c", SCRIPT.format(method="fork")])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Ni!", "exit=0", "children=0"]
