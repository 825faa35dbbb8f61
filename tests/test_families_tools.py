"""What mpcontext says about contexts of other families: origins, notes, the report.

A context of ``multiprocess``, ``billiard`` or loky is named with its family
wherever mpcontext shows a choice (``explain_context()``, ``current_choice()``,
``using()``'s origin, refusals), the generated docstring notes say such contexts
are accepted, and the report's start methods are met by them. The pytest
plugin's handling of them is tested in ``test_testing_pytest_plugin.py``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from multiprocessing.context import BaseContext

import pytest
import reportpkg.models

import mpcontext
from mpcontext import ContextField, ContextParam, StartMethodError, accepts_context
from mpcontext._cli import main
from mpcontext._declare.notes import class_note, field_note, function_note


def family_context(name: str) -> BaseContext:
    """Return the context of another family named `name`, made by that library itself."""
    if name in ("loky", "loky_init_main"):
        loky = pytest.importorskip("loky.backend.context")
        context: BaseContext = loky.get_context(name)
        return context
    family, _, method = name.partition(":")
    module = pytest.importorskip(family)
    made: BaseContext = module.get_context(method)
    return made


NAMES = ["multiprocess:spawn", "billiard:forkserver", "multiprocess:fork", "loky", "loky_init_main"]


def library_of(name: str) -> str:
    """Return the library whose context `name` names: ``"multiprocess"``, ``"loky"``."""
    return "loky" if name.startswith("loky") else name.partition(":")[0]


def skip_unless_installed(name: str) -> None:
    pytest.importorskip(library_of(name))


# -- explain_context(), current_choice(), using()'s origin ---------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_name_is_shown_as_given(name: str) -> None:
    skip_unless_installed(name)
    with mpcontext.using(name):
        assert mpcontext.explain_context() == f"{name}: chosen by using({name!r})"
        choice = mpcontext.current_choice()
        assert choice.explicit
        assert choice.origin == f"chosen by using({name!r})"
        assert type(choice.context).__module__.partition(".")[0] == library_of(name)


@pytest.mark.parametrize("name", NAMES)
def test_a_context_object_is_shown_by_its_name(name: str) -> None:
    context = family_context(name)
    with mpcontext.using(context):
        assert mpcontext.current_context() is context
        assert mpcontext.explain_context() == f"{name}: chosen by using(<{name} context>)"
        assert mpcontext.current_choice().origin == f"chosen by using(<{name} context>)"
        assert repr(mpcontext.current_choice().context) == repr(context)


def test_a_stdlib_context_object_keeps_its_repr() -> None:
    context = mpcontext.resolve_context("spawn")
    with mpcontext.using(context):
        assert mpcontext.explain_context() == f"spawn: chosen by using({context!r})"


@accepts_context(requires=("fork",))
def forking(*, mp_context: ContextParam = None) -> str:
    """Return what is in force inside."""
    return mpcontext.explain_context()


@accepts_context
def anything(*, mp_context: ContextParam = None) -> str:
    """Return what is in force inside."""
    return mpcontext.explain_context()


def test_a_decorated_call_names_the_family() -> None:
    context = family_context("multiprocess:spawn")
    name = f"{__name__}.anything"
    assert anything(mp_context=context) == (
        f"multiprocess:spawn: chosen by the mp_context argument of {name}()"
    )
    with mpcontext.using(context):
        assert anything() == "multiprocess:spawn: chosen by using(<multiprocess:spawn context>)"


def test_a_refusal_names_the_family_and_who_chose_it() -> None:
    context = family_context("multiprocess:spawn")
    with pytest.raises(StartMethodError) as caught:
        forking(mp_context=context)
    assert str(caught.value).startswith(
        f"{__name__}.forking() cannot use the start method 'multiprocess:spawn', chosen by "
        f"the mp_context argument of {__name__}.forking()."
    )
    with mpcontext.using(context), pytest.raises(StartMethodError) as caught:
        forking()
    assert (
        "cannot use the start method 'multiprocess:spawn', chosen by "
        "using(<multiprocess:spawn context>)." in str(caught.value)
    )


class Pool:
    """Starts workers with ``context``."""

    context: ContextField = ContextField(requires=("fork",))


def test_a_field_names_the_family() -> None:
    pool = Pool()
    forked = family_context("multiprocess:fork")
    pool.context = forked
    assert pool.context is forked
    pool.context = None
    with mpcontext.using(family_context("multiprocess:spawn")), pytest.raises(
        StartMethodError
    ) as caught:
        pool.context  # noqa: B018 - reading it checks the context in force
    assert (
        f"{__name__}.Pool.context cannot use the start method 'multiprocess:spawn', chosen by "
        f"using(<multiprocess:spawn context>)." in str(caught.value)
    )


# -- the docstring notes -------------------------------------------------------------------

ACCEPTS = (
    "a start method name (``'fork'``, ``'spawn'`` or ``'forkserver'``, those the platform "
    "supports), or a context of ``multiprocessing``, ``multiprocess``, ``billiard`` or loky, "
    "as an object or by name (``'multiprocess:spawn'``, ``'loky'``)"
)


@pytest.mark.parametrize(
    "note",
    [
        lambda: function_note("mp_context", None, None)[0],
        lambda: class_note("mp_context", None, None)[0],
        lambda: field_note("mp_context", None, None)[0],
    ],
    ids=["function", "class", "field"],
)
def test_notes_say_other_families_are_accepted(note: Callable[[], str]) -> None:
    assert f"start: {ACCEPTS}" in note()


def test_a_field_note_says_it_reads_back_as_the_context() -> None:
    assert f"{ACCEPTS}; it reads back as a context object." in field_note("c", None, None)[0]


def test_a_decorated_docstring_carries_the_note() -> None:
    doc = " ".join((anything.__doc__ or "").split())
    assert " ".join(ACCEPTS.split()) in doc


# -- the report ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["multiprocess:spawn", "billiard:spawn", "loky"])
def test_report_start_methods_are_met_by_other_families(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The report lists Trainer.context as requiring spawn; the help says what meets it.
    skip_unless_installed(name)
    assert main(["report", "reportpkg.models"]) == 0
    out = capsys.readouterr().out
    assert "reportpkg.models.Trainer.context  field     context     spawn" in out
    trainer = reportpkg.models.Trainer(name)
    assert mpcontext.resolve_context(name) is trainer.context
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert (
        "The start methods are the standard library's; a context of another library meets "
        "them through the method it uses: 'multiprocess:spawn', 'billiard:spawn' and loky's "
        "contexts meet spawn." in help_text
    )


def test_nothing_of_a_family_is_imported_to_show_a_stdlib_choice() -> None:
    # Showing a choice asks which family a context is of without importing any.
    code = (
        "import sys, mpcontext\n"
        "with mpcontext.using(mpcontext.resolve_context('spawn')):\n"
        "    mpcontext.explain_context()\n"
        "print(sorted(m for m in ('multiprocess', 'billiard', 'loky') if m in sys.modules))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert output == "[]\n"
