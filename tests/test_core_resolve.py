"""Resolution: names, contexts, the context in force, and bad input."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
from multiprocessing.context import BaseContext

import pytest

import mpcontext
from mpcontext._core import start_methods

METHODS = mpcontext.available_start_methods()


def run_python(code: str, **env: str) -> str:
    """Run `code` in a fresh interpreter; return its stdout (fail on error)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MPCONTEXT_")}
    environ.update(env)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MPCONTEXT_START_METHOD", raising=False)
    mpcontext.refresh_environment()


def test_available_start_methods_match_multiprocessing() -> None:
    # Those of the stdlib, in its order; not those a library registers (loky on 3.14).
    stdlib = ("fork", "spawn", "forkserver")
    assert METHODS == tuple(m for m in multiprocessing.get_all_start_methods() if m in stdlib)
    assert METHODS[0] == multiprocessing.context._default_context._default_context._name


def test_start_methods_other_libraries_register_are_not_listed() -> None:
    # loky registers "loky" and "loky_init_main" with multiprocessing when it is
    # imported (listed by get_all_start_methods() on 3.14): imported first here,
    # before mpcontext fills its list. The pytest plugin's ids come from this list.
    printed = run_python(
        """
        import multiprocessing
        import loky
        import mpcontext
        print(sorted(multiprocessing.get_all_start_methods()))
        print(list(mpcontext.available_start_methods()))
        """
    )
    every, listed = printed.splitlines()
    if sys.version_info >= (3, 14):
        assert "'loky'" in every  # the premise
    assert listed == str(list(METHODS))


def test_none_is_multiprocessing_default_without_fixing_it() -> None:
    before = multiprocessing.get_start_method(allow_none=True)
    context = mpcontext.resolve_context(None)
    expected = before or multiprocessing.get_all_start_methods()[0]
    assert context.get_start_method() == expected
    assert mpcontext.resolve_context() is context
    assert multiprocessing.get_start_method(allow_none=True) == before


@pytest.mark.parametrize("method", METHODS)
def test_name_gives_that_method(method: str) -> None:
    context = mpcontext.resolve_context(method)
    assert isinstance(context, BaseContext)
    assert context.get_start_method() == method
    assert context is multiprocessing.get_context(method)


@pytest.mark.parametrize("method", METHODS)
def test_context_is_returned_as_is(method: str) -> None:
    context = multiprocessing.get_context(method)
    assert mpcontext.resolve_context(context) is context


def test_context_subclass_is_returned_as_is() -> None:
    class Custom(type(multiprocessing.get_context("spawn"))):  # type: ignore[misc]
        pass

    custom = Custom()
    assert mpcontext.resolve_context(custom) is custom


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        ("spwan", ["'spwan'", "did you mean 'spawn'?"]),
        ("frok", ["'frok'", "did you mean 'fork'?"]),
        ("SPAWN", ["'SPAWN'", "did you mean 'spawn'?", "case-sensitive"]),
        (" spawn", ["' spawn'", "did you mean 'spawn'?"]),
        ("", ["empty start method name ''"]),
        ("threads", ["unknown start method 'threads'"]),
        (3, ["3 (int)"]),
        (3.5, ["3.5 (float)"]),
        (b"spawn", ["b'spawn' (bytes)", "did you mean 'spawn' (a str)?"]),
        (["spawn"], ["['spawn'] (list)"]),
        (multiprocessing, ["(module)"]),
    ],
)
def test_bad_values_raise_invalid_context_error(value: object, fragments: list[str]) -> None:
    with pytest.raises(mpcontext.InvalidContextError) as raised:
        mpcontext.resolve_context(value)  # type: ignore[arg-type]
    message = str(raised.value)
    for fragment in fragments:
        assert fragment in message
    for method in METHODS:
        assert repr(method) in message, "the message lists what is available"


def test_object_value_is_named() -> None:
    value = object()
    with pytest.raises(mpcontext.InvalidContextError, match=r"<object object at 0x\w+> \(object\)"):
        mpcontext.resolve_context(value)  # type: ignore[arg-type]


def test_invalid_context_error_is_value_and_type_error() -> None:
    for value in ("nope", 3):
        with pytest.raises(ValueError):
            mpcontext.resolve_context(value)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            mpcontext.resolve_context(value)  # type: ignore[arg-type]
        with pytest.raises(mpcontext.MPContextError):
            mpcontext.resolve_context(value)  # type: ignore[arg-type]


def test_known_method_unavailable_here(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pretend to be a platform with spawn only, as Windows is.
    monkeypatch.setattr(start_methods, "_contexts", {"spawn": multiprocessing.get_context("spawn")})
    monkeypatch.setattr(sys, "platform", "win32")
    with pytest.raises(mpcontext.InvalidContextError) as raised:
        mpcontext.resolve_context("fork")
    message = str(raised.value)
    assert "start method 'fork' is not available on this platform (win32)" in message
    assert "available here: 'spawn'" in message
    assert mpcontext.available_start_methods() == ("spawn",)


def test_set_start_method_of_the_application_is_followed() -> None:
    out = run_python(
        """
        import multiprocessing, mpcontext
        multiprocessing.set_start_method("spawn")
        print(mpcontext.current_context().get_start_method())
        print(mpcontext.explain_context())
        """
    )
    method, explanation = out.splitlines()
    assert method == "spawn"
    assert explanation == "spawn: multiprocessing's default, set with multiprocessing's set_start_method()"


def test_global_start_method_is_never_fixed() -> None:
    out = run_python(
        """
        import multiprocessing
        import mpcontext
        mpcontext.resolve_context()
        mpcontext.current_context()
        mpcontext.explain_context()
        for method in mpcontext.available_start_methods():
            mpcontext.resolve_context(method)
            mpcontext.resolve_context(multiprocessing.get_context(method))
            with mpcontext.using(method):
                mpcontext.resolve_context()
                mpcontext.explain_context()
        with mpcontext.using(None):
            mpcontext.current_context()
        print(multiprocessing.get_start_method(allow_none=True))
        multiprocessing.set_start_method("spawn")
        print(multiprocessing.get_start_method())
        """
    )
    assert out.splitlines() == ["None", "spawn"]


class TestEnvironmentVariable:
    @pytest.mark.parametrize("method", METHODS)
    def test_read_at_import(self, method: str) -> None:
        out = run_python(
            """
            import mpcontext
            print(mpcontext.current_context().get_start_method())
            print(mpcontext.explain_context())
            """,
            MPCONTEXT_START_METHOD=method,
        )
        assert out.splitlines() == [
            method,
            f"{method}: chosen by the environment variable MPCONTEXT_START_METHOD={method!r}",
        ]

    def test_read_again_by_refresh_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MPCONTEXT_START_METHOD", "spawn")
        default = mpcontext.current_context()
        assert default.get_start_method() != "spawn" or METHODS[0] == "spawn"
        mpcontext.refresh_environment()
        assert mpcontext.current_context().get_start_method() == "spawn"
        monkeypatch.setenv("MPCONTEXT_START_METHOD", "forkserver")
        assert mpcontext.current_context().get_start_method() == "spawn", "never read per call"
        mpcontext.refresh_environment()
        assert mpcontext.current_context().get_start_method() == "forkserver"

    def test_empty_is_unset(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MPCONTEXT_START_METHOD", "")
        mpcontext.refresh_environment()
        assert mpcontext.current_context() is start_methods.context_for_name(METHODS[0])
        assert "multiprocessing's default" in mpcontext.explain_context()

    def test_scope_wins_over_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("MPCONTEXT_START_METHOD", "forkserver")
        mpcontext.refresh_environment()
        with mpcontext.using("spawn"):
            assert mpcontext.current_context().get_start_method() == "spawn"
            with mpcontext.using(None):
                assert mpcontext.current_context().get_start_method() == "forkserver"

    def test_bad_value_does_not_break_import_but_resolution(self) -> None:
        out = run_python(
            """
            import mpcontext
            print("imported")
            print(mpcontext.resolve_context("fork").get_start_method())
            try:
                mpcontext.current_context()
            except mpcontext.InvalidContextError as error:
                print(error)
            """,
            MPCONTEXT_START_METHOD="spwan",
        )
        imported, explicit, message = out.splitlines()
        assert (imported, explicit) == ("imported", "fork")
        assert "'spwan'" in message
        assert "the environment variable MPCONTEXT_START_METHOD" in message
        assert "did you mean 'spawn'?" in message
        assert "unset it" in message


def test_explain_context_default() -> None:
    assert mpcontext.explain_context() == (
        f"{METHODS[0]}: multiprocessing's default, the platform default here ({sys.platform})"
    )



# -- current_choice() -----------------------------------------------------------------


def _explained(choice: mpcontext.Choice) -> str:
    return f"{choice.context.get_start_method()}: {choice.origin}"


def test_current_choice_says_what_explain_context_says() -> None:
    @mpcontext.accepts_context
    def library(*, mp_context: mpcontext.ContextParam = None) -> tuple[mpcontext.Choice, str]:
        return mpcontext.current_choice(), mpcontext.explain_context()

    nothing = mpcontext.current_choice()
    assert nothing.context is mpcontext.current_context()
    assert nothing.explicit is False
    assert _explained(nothing) == mpcontext.explain_context()

    spawn = mpcontext.resolve_context("spawn")
    with mpcontext.using("spawn"):
        chosen = mpcontext.current_choice()
        assert chosen == mpcontext.Choice(spawn, True, "chosen by using('spawn')")
        assert _explained(chosen) == mpcontext.explain_context()

    given, explained = library(mp_context=spawn)
    assert given.context is spawn and given.explicit is True
    assert _explained(given) == explained
    assert "chosen by the mp_context argument of" in given.origin

    left_out, explained = library()
    assert left_out.explicit is False and _explained(left_out) == explained


def test_a_choice_is_frozen_and_hashable() -> None:
    choice = mpcontext.current_choice()
    with pytest.raises(AttributeError, match="frozen"):
        choice.explicit = True  # type: ignore[misc]
    assert {choice, mpcontext.current_choice()} == {choice}
    assert repr(choice).startswith("Choice(context=")
