"""Contexts of other multiprocessing families: names, objects, requirements, the environment.

The facts ``_families.catalog`` records are checked here against the installed
libraries; the pre-flight and the factories for those families have their own
files (``test_families_preflight.py``, ``test_families_start.py``), the plugin
and the texts that name a family ``test_families_tools.py``.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
import warnings
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import pytest

import mpcontext
from mpcontext import InvalidContextError, StartMethodError
from mpcontext._core.start_methods import context_label, start_method_of
from mpcontext._families.catalog import BILLIARD, LOKY, MULTIPROCESS, STDLIB

multiprocess = pytest.importorskip("multiprocess")
billiard = pytest.importorskip("billiard")
loky_context = pytest.importorskip("loky.backend.context")

ROOT = Path(mpcontext.__file__).resolve().parent.parent
POSIX = sys.platform != "win32"
METHODS = mpcontext.available_start_methods()


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MPCONTEXT_START_METHOD", raising=False)
    mpcontext.refresh_environment()


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter with mpcontext's variables as given."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MPCONTEXT_")}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        cwd=ROOT,
    )


class TestNames:
    @pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
    @pytest.mark.parametrize("family", [multiprocess, billiard])
    def test_family_colon_method_is_that_library_s_context(self, family: object, method: str) -> None:
        name = f"{family.__name__}:{method}"  # type: ignore[attr-defined]
        if method not in family.get_all_start_methods():  # type: ignore[attr-defined]
            pytest.skip(f"{name} is not available here")
        context = mpcontext.resolve_context(name)
        assert context is family.get_context(method)  # type: ignore[attr-defined]
        assert start_method_of(context) == method
        assert context_label(context) == name

    @pytest.mark.parametrize("name", ["loky", "loky_init_main"])
    def test_loky_names_on_every_version(self, name: str) -> None:
        context = mpcontext.resolve_context(name)
        assert context is loky_context.get_context(name)
        assert isinstance(context, BaseContext)
        assert start_method_of(context) == "spawn"  # its workers are fresh interpreters
        assert context_label(context) == name

    def test_the_stdlib_by_its_family_name(self) -> None:
        assert mpcontext.resolve_context("multiprocessing:spawn") is multiprocessing.get_context(
            "spawn"
        )

    def test_objects_are_taken_as_they_are(self) -> None:
        for context in (
            multiprocess.get_context("spawn"),
            billiard.get_context("spawn"),
            loky_context.get_context("loky"),
        ):
            assert mpcontext.resolve_context(context) is context

    def test_a_family_s_default_context_is_read_without_fixing_it(self) -> None:
        for family in (multiprocess, billiard):
            default = family.context._default_context
            assert mpcontext.resolve_context(default) is default
            assert start_method_of(default) == default._default_context._name
            assert context_label(default) == f"{family.__name__}:{default._default_context._name}"
            assert family.get_start_method(allow_none=True) is None

    def test_resolving_fixes_no_family_s_global_start_method(self) -> None:
        for name in ("multiprocess:spawn", "billiard:spawn", "loky"):
            mpcontext.resolve_context(name)
            with mpcontext.using(name):
                mpcontext.explain_context()
        assert multiprocess.get_start_method(allow_none=True) is None
        assert billiard.get_start_method(allow_none=True) is None
        assert multiprocessing.get_start_method(allow_none=True) is None

    def test_torch_s_contexts_are_the_stdlib_s(self) -> None:
        torch, torch_mp = _torch()
        context = torch_mp.get_context("spawn")
        assert mpcontext.resolve_context(context) is multiprocessing.get_context("spawn")
        # A library's decorated function given it sends a tensor to a real spawn child.
        import torch_targets

        @mpcontext.accepts_context(requires=("spawn", "forkserver"))
        def total(tensor: object, *, mp_context: mpcontext.ContextParam = None) -> float:
            results = mpcontext.SimpleQueue()
            child = mpcontext.Process(target=torch_targets.total_of, args=(tensor, results))
            child.start()
            got: float = results.get()
            child.join(30)
            results.close()
            return got

        assert total(torch.arange(4.0), mp_context=context) == 6.0


def _torch() -> tuple[Any, Any]:
    """Import torch (on the CI's Python 3.11, which installs its CPU build) or skip."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Failed to initialize NumPy", without numpy
        torch = pytest.importorskip("torch")
        import torch.multiprocessing as torch_mp
    return torch, torch_mp


class TestBadNames:
    def test_unknown_method_of_a_family_says_did_you_mean(self) -> None:
        with pytest.raises(InvalidContextError) as caught:
            mpcontext.resolve_context("multiprocess:spwan")
        message = str(caught.value)
        assert "'spwan'" in message and "'multiprocess:spwan'" in message
        assert "did you mean 'multiprocess:spawn'?" in message
        assert "'multiprocess:fork'" in message  # what it has here
        assert isinstance(caught.value, ValueError) and isinstance(caught.value, TypeError)

    def test_unknown_family_says_did_you_mean_and_lists_families(self) -> None:
        with pytest.raises(InvalidContextError) as caught:
            mpcontext.resolve_context("multiproces:spawn")
        message = str(caught.value)
        assert "unknown multiprocessing family 'multiproces'" in message
        assert "did you mean 'multiprocess'?" in message
        for family in ("'multiprocessing'", "'multiprocess'", "'billiard'", "'loky'"):
            assert family in message
        with pytest.raises(InvalidContextError, match="unknown multiprocessing family 'dask'"):
            mpcontext.resolve_context("dask:spawn")

    def test_a_bare_family_name_points_at_its_contexts(self) -> None:
        with pytest.raises(InvalidContextError, match="did you mean 'multiprocess:spawn'"):
            mpcontext.resolve_context("multiprocess")

    def test_a_misspelt_loky_name(self) -> None:
        with pytest.raises(InvalidContextError, match="did you mean 'loky'"):
            mpcontext.resolve_context("lokky")
        with pytest.raises(InvalidContextError, match="without a family prefix"):
            mpcontext.resolve_context("loky:spawn")

    def test_a_family_not_installed_says_how_to_install_it(self) -> None:
        # sys.modules[name] = None makes `import name` fail, as when it is not installed.
        done = run_python(
            """
            import sys
            sys.modules["billiard"] = None
            import mpcontext
            try:
                mpcontext.resolve_context("billiard:spawn")
            except mpcontext.InvalidContextError as error:
                print(error)
            """
        )
        assert done.returncode == 0, done.stderr
        assert "'billiard:spawn' names a context of billiard, which cannot be imported" in done.stdout
        assert "pip install billiard" in done.stdout

    def test_another_type_lists_the_families(self) -> None:
        with pytest.raises(InvalidContextError, match="multiprocess, billiard or loky"):
            mpcontext.resolve_context(multiprocess)  # the module, not a context


class TestEnvironment:
    @pytest.mark.skipif("forkserver" not in mpcontext.available_start_methods(), reason="POSIX")
    def test_a_family_name_is_followed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MPCONTEXT_START_METHOD", "multiprocess:forkserver")
        mpcontext.refresh_environment()
        assert mpcontext.current_context() is multiprocess.get_context("forkserver")
        choice = mpcontext.current_choice()
        assert choice.explicit
        assert mpcontext.explain_context().startswith("multiprocess:forkserver: chosen by")

    def test_a_misspelt_family_method_names_the_variable(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("MPCONTEXT_START_METHOD", "multiprocess:spwan")
        mpcontext.refresh_environment()
        with pytest.raises(InvalidContextError) as caught:
            mpcontext.current_context()
        message = str(caught.value)
        assert "MPCONTEXT_START_METHOD" in message
        assert "did you mean 'multiprocess:spawn'?" in message

    def test_a_real_child_of_the_family_runs_under_it(self) -> None:
        done = run_python(
            """
            import mpcontext

            @mpcontext.accepts_context
            def where(*, mp_context=None):
                queue = mp_context.Queue()
                child = mp_context.Process(target=queue.put, args=("ran",))
                child.start()
                got = queue.get(timeout=30)
                child.join(30)
                return type(child).__module__, got

            if __name__ == "__main__":
                print(where())
            """,
            MPCONTEXT_START_METHOD="multiprocess:spawn",
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "('multiprocess.context', 'ran')"


@mpcontext.accepts_context
def run_task(task: Any, *, mp_context: mpcontext.ContextParam = None) -> tuple[type, object]:
    """A library's function: run `task()` in a child of the context in force, return its answer."""
    results = mpcontext.SimpleQueue()  # of the context in force: the body's
    child = mpcontext.Process(target=_answer, args=(task, results))
    child.start()
    answer = results.get()
    child.join(30)
    return type(child), answer


def _answer(task: Any, results: Any) -> None:
    results.put(task())


class TestADecoratedFunction:
    def test_given_multiprocess_spawn_it_runs_a_lambda_in_its_child(self) -> None:
        from mpcontext._preflight.family_picklers import sends_code

        if not sends_code(MULTIPROCESS):
            pytest.skip("dill cannot send a function by value on this Python")
        task = lambda: "by value"  # noqa: E731 - the point: a lambda
        context = multiprocess.get_context("spawn")
        kind, answer = run_task(task, mp_context=context)
        assert issubclass(kind, context.Process)
        assert answer == "by value"

    @pytest.mark.parametrize("method", [m for m in ("spawn", "forkserver") if m in METHODS])
    def test_the_same_lambda_is_refused_under_the_stdlib(self, method: str) -> None:
        with pytest.raises(mpcontext.PreflightError, match=f"started by '{method}': it is a lambda"):
            run_task(lambda: "by value", mp_context=method)


def _spawn_only(*, mp_context: mpcontext.ContextParam = None) -> str:
    return context_label(mpcontext.resolve_context(mp_context))


spawn_only = mpcontext.accepts_context(requires=("spawn",), reason="it sends open files")(
    _spawn_only
)


class TestRequirements:
    def test_spawn_of_another_family_meets_spawn(self) -> None:
        assert spawn_only(mp_context="multiprocess:spawn") == "multiprocess:spawn"
        assert spawn_only(mp_context=billiard.get_context("spawn")) == "billiard:spawn"

    def test_loky_counts_as_spawn(self) -> None:
        assert spawn_only(mp_context="loky") == "loky"
        assert spawn_only(mp_context=loky_context.get_context("loky_init_main")) == "loky_init_main"

    @pytest.mark.skipif(not POSIX, reason="fork is POSIX's")
    def test_fork_of_another_family_is_refused_naming_it(self) -> None:
        with pytest.raises(StartMethodError) as caught:
            spawn_only(mp_context="billiard:fork")
        message = str(caught.value)
        assert "'billiard:fork'" in message
        assert "supports only 'spawn'" in message
        assert "it sends open files" in message
        with pytest.raises(StartMethodError, match="'multiprocess:fork'"), mpcontext.using(
            "multiprocess:fork"
        ):
            spawn_only()

    def test_a_field_takes_them_too(self) -> None:
        class Runner:
            mp_context: mpcontext.ContextField = mpcontext.ContextField(requires=("spawn",))

        runner = Runner()
        runner.mp_context = "multiprocess:spawn"  # type: ignore[assignment]
        assert runner.mp_context is multiprocess.get_context("spawn")
        if POSIX:
            with pytest.raises(StartMethodError, match="'billiard:fork'"):
                runner.mp_context = "billiard:fork"  # type: ignore[assignment]


class TestWhatTheCatalogSays:
    """The facts of ``_families.catalog``, checked against the libraries installed."""

    def test_multiprocess_and_billiard_have_contexts_of_their_own(self) -> None:
        assert not issubclass(multiprocess.context.BaseContext, BaseContext)
        assert not issubclass(billiard.context.BaseContext, BaseContext)
        assert issubclass(loky_context.LokyContext, BaseContext)

    def test_who_pickles_by_value(self) -> None:
        import pickle

        import dill

        assert issubclass(multiprocess.reduction.ForkingPickler, dill.Pickler)
        assert billiard.reduction.ForkingPickler.__mro__[1] is pickle.Pickler
        assert MULTIPROCESS.pickles_by_value and MULTIPROCESS.pool_pickles_by_value
        assert not BILLIARD.pickles_by_value and not BILLIARD.pool_pickles_by_value
        assert LOKY.pickles_by_value and not LOKY.pool_pickles_by_value

    def test_whose_primitives_each_takes(self) -> None:
        assert (STDLIB.primitives, LOKY.primitives) == ("multiprocessing", "multiprocessing")
        assert (MULTIPROCESS.primitives, BILLIARD.primitives) == ("multiprocess", "billiard")


def test_no_family_is_imported_by_mpcontext_or_a_stdlib_name() -> None:
    done = run_python(
        """
        import sys
        import mpcontext
        mpcontext.resolve_context("spawn")
        with mpcontext.using("spawn"):
            mpcontext.explain_context()
        try:
            mpcontext.resolve_context("spwan")
        except mpcontext.InvalidContextError:
            pass
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("multiprocess", "billiard", "loky", "dill", "cloudpickle")))
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
