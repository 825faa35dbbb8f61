"""accepts_context: declaration, per-call resolution, scope, requirements, processes."""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import multiprocessing
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from multiprocessing.context import BaseContext

import pytest

import mpcontext
from mpcontext import (
    ContextParam,
    InvalidContextError,
    StartMethodError,
    accepts_context,
    current_context,
    explain_context,
    using,
)
from mpcontext._core.calls import requirement_in_force
from mpcontext._core.scope import SCOPE
from mpcontext._core.types import Requirement

from authorapi_targets import (
    DEFAULT,
    METHODS,
    NOT_DEFAULT,
    ctx,
    restore_start_method,  # noqa: F401 - a fixture
    square_all,
    squares,
    start_fresh,
    start_with_argument,
    start_with_context_in_force,
    start_with_factory,
)


def method_in_force() -> str:
    return current_context().get_start_method()


@accepts_context
def seen(x: int = 0, *, mp_context: ContextParam = None) -> tuple[object, BaseContext, str]:
    """Return what the body sees."""
    return mp_context, current_context(), explain_context()


@accepts_context
def scope_inside(*, mp_context: ContextParam = None) -> object:
    return SCOPE.get()


# -- declaration ----------------------------------------------------------------


def test_keeps_name_signature_and_wrapped() -> None:
    def original(x: int, y: str = "a", *, mp_context: ContextParam = None) -> str:
        """Summary."""
        return y * x

    decorated = accepts_context(original)
    assert decorated.__name__ == "original"
    assert decorated.__qualname__ == original.__qualname__
    assert decorated.__module__ == __name__
    assert decorated.__wrapped__ is original  # type: ignore[attr-defined]
    assert inspect.signature(decorated) == inspect.signature(original)
    assert decorated(2, "b") == "bb"


def test_bare_and_with_options_behave_alike() -> None:
    def body(*, mp_context: ContextParam = None) -> object:
        return mp_context

    bare = accepts_context(body)
    with_options = accepts_context(param="mp_context", note=False)(body)
    assert bare(mp_context="spawn") is with_options(mp_context="spawn") is ctx("spawn")
    assert with_options.__doc__ is None


def test_param_option_names_another_parameter() -> None:
    @accepts_context(param="context")
    def body(*, context: ContextParam = None) -> object:
        return context, explain_context()

    got, origin = body(context="spawn")
    assert got is ctx("spawn")
    assert origin == f"spawn: chosen by the context argument of {__name__}.{body.__qualname__}()"


def no_param(x: int) -> None: ...


def positional(mp_context: ContextParam = None) -> None: ...


def no_default(*, mp_context: ContextParam) -> None: ...


def spawn_default(*, mp_context: ContextParam = "spawn") -> None: ...


@pytest.mark.parametrize(
    ("func", "message"),
    [
        (no_param, r"no_param\(\) has no parameter 'mp_context'; declare it keyword-only"),
        (positional, r"positional\(\): the parameter 'mp_context' must be keyword-only"),
        (no_default, r"no_default\(\): the parameter 'mp_context' has no default"),
        (spawn_default, r"spawn_default\(\): the parameter 'mp_context' defaults to 'spawn'"),
    ],
)
def test_bad_declaration_is_a_type_error_at_decoration(func: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        accepts_context(func)  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"requires": ()}, r"requires is empty"),
        ({"requires": ("spwan",)}, r"unknown start method 'spwan' \(str\); did you mean 'spawn'\?"),
        ({"requires": ("SPAWN",)}, r"did you mean 'spawn'\?"),
        ({"requires": "spawn"}, r"requires='spawn' is a single str; .*requires=\('spawn',\)"),
        ({"requires": 3}, r"requires must be a tuple of start method names or None, got 3"),
        ({"requires": (None,)}, r"unknown start method None"),
        ({"reason": "why"}, r"reason='why' given without requires"),
        ({"requires": ("spawn",), "reason": 3}, r"reason must be a str .* got 3 \(int\)"),
        ({"param": "mp-context"}, r"param must be the name of the parameter"),
        ({"param": 3}, r"param must be .* got 3 \(int\)"),
        ({"note": "yes"}, r"note must be True or False, got 'yes'"),
    ],
)
def test_bad_options_are_a_type_error(options: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        accepts_context(**options)  # type: ignore[call-overload]


def test_options_name_the_function_in_parameter_errors() -> None:
    def body(*, ctx: ContextParam = None) -> None: ...

    with pytest.raises(TypeError, match=r"body\(\) has no parameter 'mp_context'.*param=\.\.\."):
        accepts_context(body)


def test_decorates_only_functions() -> None:
    with pytest.raises(TypeError, match=r"decorates functions .* got 'spawn' \(str\); to give options"):
        accepts_context("spawn")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"got functools.partial"):
        accepts_context(functools.partial(seen, 1))  # type: ignore[call-overload]


def test_decorating_twice_is_refused() -> None:
    with pytest.raises(TypeError, match=r"seen\(\) is already decorated with accepts_context"):
        accepts_context(seen)


def test_validates_through_a_wraps_decorator_below() -> None:
    def logged(func: object) -> object:
        @functools.wraps(func)  # type: ignore[arg-type]
        def wrapper(*args: object, **kwargs: object) -> object:
            return func(*args, **kwargs)  # type: ignore[operator]

        return wrapper

    @accepts_context
    @logged
    def body(*, mp_context: ContextParam = None) -> object:
        return mp_context

    assert body(mp_context="spawn") is ctx("spawn")  # type: ignore[operator]

    with pytest.raises(TypeError, match=r"has no parameter 'mp_context'"):

        @accepts_context
        @logged
        def undeclared() -> None: ...


# -- per call -------------------------------------------------------------------


def test_omitted_argument_gives_the_context_in_force() -> None:
    received, in_force, origin = seen()
    assert received is in_force is current_context()
    assert isinstance(received, BaseContext)
    assert origin == explain_context()


@pytest.mark.parametrize("method", METHODS)
def test_a_name_is_resolved_and_put_in_force(method: str) -> None:
    received, in_force, origin = seen(mp_context=method)
    assert received is in_force is ctx(method)
    assert origin == f"{method}: chosen by the mp_context argument of {__name__}.seen()"


@pytest.mark.parametrize("method", METHODS)
def test_a_context_is_passed_as_it_is(method: str) -> None:
    context = ctx(method)
    received, in_force, _ = seen(mp_context=context)
    assert received is in_force is context


@pytest.mark.parametrize("method", METHODS)
def test_using_chooses_for_an_omitted_argument(method: str) -> None:
    with using(method):
        received, in_force, origin = seen()
    assert received is in_force is ctx(method)
    assert origin == f"{method}: chosen by using({method!r})"


def test_the_argument_wins_over_using_and_the_scope_comes_back() -> None:
    before = SCOPE.get()
    with using("spawn"):
        outer = SCOPE.get()
        received, _, _ = seen(mp_context="forkserver")
        assert SCOPE.get() is outer
    assert received is ctx("forkserver")
    assert SCOPE.get() is before


def test_the_scope_comes_back_after_an_error() -> None:
    @accepts_context
    def fails(*, mp_context: ContextParam = None) -> None:
        raise KeyError("boom")

    before = SCOPE.get()
    with pytest.raises(KeyError):
        fails(mp_context="spawn")
    assert SCOPE.get() is before


def test_none_is_the_same_as_leaving_it_out() -> None:
    with using("spawn"):
        assert seen(mp_context=None)[0] is ctx("spawn")


def test_a_bad_argument_fails_at_the_call_naming_it() -> None:
    with pytest.raises(InvalidContextError) as caught:
        seen(mp_context="spwan")
    message = str(caught.value)
    assert "'spwan'" in message
    assert f"the mp_context argument of {__name__}.seen()" in message
    assert "did you mean 'spawn'?" in message
    with pytest.raises(InvalidContextError, match=r"got 3 \(int\)"):
        seen(mp_context=3)  # type: ignore[arg-type]


def test_the_environment_variable_is_used_when_nothing_is_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MPCONTEXT_START_METHOD", NOT_DEFAULT)
    mpcontext.refresh_environment()
    try:
        received, _, origin = seen()
        assert received is ctx(NOT_DEFAULT)
        assert "MPCONTEXT_START_METHOD" in origin
        monkeypatch.setenv("MPCONTEXT_START_METHOD", "nope")
        mpcontext.refresh_environment()
        with pytest.raises(InvalidContextError, match="MPCONTEXT_START_METHOD"):
            seen()
    finally:
        monkeypatch.delenv("MPCONTEXT_START_METHOD")
        mpcontext.refresh_environment()


@pytest.mark.allow_global_start_method
def test_follows_a_later_set_start_method(restore_start_method: None) -> None:
    assert seen()[0] is ctx(DEFAULT)
    multiprocessing.set_start_method(NOT_DEFAULT, force=True)
    assert seen()[0] is ctx(NOT_DEFAULT)


# -- nesting and the scope ----------------------------------------------------------


@accepts_context
def outer(*, mp_context: ContextParam = None, inner_argument: str | None = None) -> object:
    return seen(mp_context=inner_argument), SCOPE.get()


def test_nested_calls_inherit_the_context_and_its_origin() -> None:
    (received, _, origin), _ = outer(mp_context="spawn")
    assert received is ctx("spawn")
    assert origin == f"spawn: chosen by the mp_context argument of {__name__}.outer()"


def test_nested_calls_inherit_explicitness() -> None:
    @accepts_context
    def explicit_inside(*, mp_context: ContextParam = None) -> bool:
        return SCOPE.get().explicit

    @accepts_context
    def calls(*, mp_context: ContextParam = None) -> bool:
        return explicit_inside()

    assert calls(mp_context="spawn") is True
    with using("spawn"):
        assert calls() is True
    assert explicit_inside() is False


def test_a_nested_argument_is_its_own_choice() -> None:
    (received, _, origin), _ = outer(mp_context="spawn", inner_argument="forkserver")
    assert received is ctx("forkserver")
    assert origin.endswith(f"chosen by the mp_context argument of {__name__}.seen()")


def test_an_explicit_argument_is_inner_to_an_injected_executor() -> None:
    def factory(max_workers: int | None) -> object:
        raise AssertionError("not called")

    with using(executor=factory):  # type: ignore[arg-type]
        chosen = scope_inside(mp_context="spawn")
        inherited = scope_inside()
        with using("spawn"):
            assert SCOPE.get().context_inner is True
    assert chosen.context_inner is True  # type: ignore[attr-defined]
    assert chosen.executor is factory  # type: ignore[attr-defined]
    assert inherited.context_inner is False  # type: ignore[attr-defined]


def test_an_omitted_argument_keeps_a_context_chosen_outside_the_executor_outer() -> None:
    @accepts_context(requires=tuple(METHODS))
    def required(*, mp_context: ContextParam = None) -> object:
        return SCOPE.get()

    with using("spawn"), using(executor=lambda n: None):  # type: ignore[arg-type, return-value]
        scope = required()
    assert scope.context is ctx("spawn")  # type: ignore[attr-defined]
    assert scope.context_inner is False  # type: ignore[attr-defined]


def test_the_requirement_in_force_is_that_of_the_decorated_calls_running() -> None:
    @accepts_context
    def plain_inside(*, mp_context: ContextParam = None) -> object:
        return requirement_in_force()

    @accepts_context(requires=("spawn", "forkserver"), reason="why")
    def required(*, mp_context: ContextParam = None) -> tuple[object, object]:
        return requirement_in_force(), plain_inside()

    own, nested = required()
    assert isinstance(own, Requirement)
    assert own.start_methods == frozenset({"spawn", "forkserver"})
    assert own.qualname == required.__qualname__
    assert nested is own  # a function without requires leaves it as it is
    alone = plain_inside()  # its own, requiring nothing: the parameter hints name
    assert isinstance(alone, Requirement)
    assert alone.start_methods is None and alone.qualname == plain_inside.__qualname__
    assert requirement_in_force() is None


def test_the_requirement_in_force_holds_in_each_step_of_a_generator_and_a_coroutine() -> None:
    @accepts_context(requires=("spawn",))
    def steps(*, mp_context: ContextParam = None) -> Iterator[object]:
        yield requirement_in_force()
        yield requirement_in_force()

    @accepts_context(requires=("spawn",))
    async def coroutine(*, mp_context: ContextParam = None) -> object:
        await asyncio.sleep(0)
        return requirement_in_force()

    generator = steps()
    assert requirement_in_force() is None
    first, second = next(generator), next(generator)
    assert isinstance(first, Requirement) and first.qualname == steps.__qualname__
    assert second is first
    found = asyncio.run(coroutine())
    assert isinstance(found, Requirement) and found.qualname == coroutine.__qualname__


def test_carry_takes_the_requirement_in_force_to_another_thread() -> None:
    seen: list[object] = []

    @accepts_context(requires=("spawn",))
    def starts_a_thread(*, mp_context: ContextParam = None) -> object:
        thread = threading.Thread(target=mpcontext.carry(lambda: seen.append(requirement_in_force())))
        thread.start()
        thread.join()
        return requirement_in_force()

    own = starts_a_thread()
    assert seen == [own] and own is not None


# -- the wrapper generated for each function ---------------------------------------


def _arguments(
    a: int, b: int = 2, /, c: int = 3, *rest: int, d: int, e: int = 5, mp_context: ContextParam = None, **more: int
) -> tuple[object, ...]:
    return (a, b, c, rest, d, e, more, mp_context)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((1,), {"d": 4}),
        ((1, 20, 30, 40, 50), {"d": 4, "e": 6, "extra": 7}),
        ((1,), {"c": 9, "d": 4, "mp_context": "spawn"}),
    ],
)
def test_the_wrapper_passes_every_kind_of_argument_on_as_given(
    args: tuple[int, ...], kwargs: dict[str, object]
) -> None:
    decorated = accepts_context(_arguments)
    given = dict(kwargs)
    context = mpcontext.resolve_context(given.pop("mp_context", None))  # type: ignore[arg-type]
    assert decorated(*args, **kwargs) == _arguments(*args, **given, mp_context=context)  # type: ignore[arg-type]
    assert kwargs.get("mp_context", "left out") in ("spawn", "left out")  # the caller's dict is kept


def test_the_wrapper_refuses_a_bad_call_as_the_function_does() -> None:
    decorated = accepts_context(_arguments)
    calls = (
        lambda f: f(),
        lambda f: f(1),
        lambda f: f(1, 2, 3, d=4, c=2),
        lambda f: f(1, d=4, mp_context=None, **{"e": 1, "d": 2}),
    )
    for call in calls:
        with pytest.raises(TypeError) as undecorated:
            call(_arguments)
        with pytest.raises(TypeError) as wrapped:
            call(decorated)
        assert str(wrapped.value) == str(undecorated.value)


def test_a_traceback_through_the_wrapper_shows_its_line() -> None:
    import traceback

    @accepts_context
    def fails(*, mp_context: ContextParam = None) -> None:
        raise ValueError("here")

    with pytest.raises(ValueError) as caught:
        fails()
    text = "".join(traceback.format_exception(caught.value))
    assert f'File "mpcontext wrapper of {__name__}.{fails.__qualname__}", line ' in text
    assert "return _mpc_func(mp_context=mp_context)" in text


def test_a_traceback_shows_the_line_of_a_wrapper_made_before_linecache_was_loaded() -> None:
    # Decorating does not import linecache (before 3.14 it imports tokenize):
    # traceback finds the wrapper's source through its globals' loader.
    script = (
        "import sys, mpcontext\n"
        "@mpcontext.accepts_context\n"
        "def fails(*, mp_context=None):\n"
        "    raise ValueError('here')\n"
        "print('linecache' in sys.modules)\n"
        "import traceback\n"
        "try:\n"
        "    fails()\n"
        "except ValueError:\n"
        "    traceback.print_exc(file=sys.stdout)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    loaded, _, shown = done.stdout.partition("\n")
    assert loaded in ("True", "False")  # False up to 3.12: then the loader shows the line
    assert 'File "mpcontext wrapper of __main__.fails", line ' in shown, shown
    assert "return _mpc_func(mp_context=mp_context)" in shown


def test_the_common_call_changes_nothing_in_force() -> None:
    @accepts_context
    def plain(*, mp_context: ContextParam = None) -> object:
        return SCOPE.get()

    @accepts_context(requires=mpcontext.available_start_methods())
    def takes_any(*, mp_context: ContextParam = None) -> object:
        return SCOPE.get()

    before = SCOPE.get()
    assert plain() is before and takes_any() is before
    with mpcontext.using("spawn"):
        inside = SCOPE.get()
        assert plain() is inside and takes_any() is inside


def test_a_parameter_named_like_the_wrappers_own_names_is_passed_on() -> None:
    @accepts_context
    def clash(_mpc_func: int, *, mp_context: ContextParam = None) -> tuple[int, object]:
        return _mpc_func, mp_context

    assert clash(7, mp_context="spawn") == (7, ctx("spawn"))
    assert clash(_mpc_func=8)[0] == 8


# -- requirements -------------------------------------------------------------------


@accepts_context(requires=("spawn", "forkserver"), reason="its workers use CUDA")
def gpu(*, mp_context: ContextParam = None) -> tuple[BaseContext, str, bool]:
    return current_context(), explain_context(), SCOPE.get().explicit


def test_an_allowed_explicit_choice_is_used() -> None:
    assert gpu(mp_context="forkserver")[0] is ctx("forkserver")
    with using("spawn"):
        assert gpu()[0] is ctx("spawn")


def test_an_explicit_argument_outside_requires_is_refused() -> None:
    with pytest.raises(StartMethodError) as caught:
        gpu(mp_context="fork")
    message = str(caught.value)
    assert f"{__name__}.gpu()" in message
    assert "'fork'" in message
    assert "'spawn' or 'forkserver'" in message
    assert "its workers use CUDA" in message
    assert "chosen by the mp_context argument" in message
    assert "Pass mp_context='spawn' to it." in message


def test_a_context_object_outside_requires_is_refused() -> None:
    with pytest.raises(StartMethodError, match="'fork'"):
        gpu(mp_context=ctx("fork"))


def test_using_outside_requires_is_refused_naming_the_block() -> None:
    with using("fork"), pytest.raises(StartMethodError) as caught:
        gpu()
    assert "chosen by using('fork')" in str(caught.value)
    assert "or choose 'spawn' or 'forkserver' where 'fork' was chosen" in str(caught.value)


def test_an_outer_explicit_argument_outside_requires_is_refused() -> None:
    @accepts_context
    def calls_gpu(*, mp_context: ContextParam = None) -> object:
        return gpu()

    with pytest.raises(StartMethodError, match=r"chosen by the mp_context argument of .*calls_gpu"):
        calls_gpu(mp_context="fork")


def test_the_environment_variable_outside_requires_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MPCONTEXT_START_METHOD", "fork")
    mpcontext.refresh_environment()
    try:
        with pytest.raises(StartMethodError, match="environment variable MPCONTEXT_START_METHOD"):
            gpu()
    finally:
        monkeypatch.delenv("MPCONTEXT_START_METHOD")
        mpcontext.refresh_environment()


@pytest.mark.usefixtures("fork_default")
def test_a_default_outside_requires_falls_back_to_the_first_available() -> None:
    context, origin, explicit = gpu()
    assert context is ctx("spawn")
    assert explicit is False
    assert origin.startswith("spawn: a requirement's fallback")
    assert f"{__name__}.gpu()" in origin
    assert "'fork'" in origin


@pytest.mark.allow_global_start_method
def test_the_fallback_follows_the_order_of_requires(restore_start_method: None) -> None:
    @accepts_context(requires=("forkserver", "spawn"))
    def prefers_forkserver(*, mp_context: ContextParam = None) -> BaseContext:
        return current_context()

    multiprocessing.set_start_method("fork", force=True)
    assert prefers_forkserver() is ctx("forkserver")


@pytest.mark.allow_global_start_method
def test_an_allowed_default_is_kept(restore_start_method: None) -> None:
    multiprocessing.set_start_method("spawn", force=True)
    context, origin, explicit = gpu()
    assert context is ctx("spawn")
    assert explicit is False
    assert "set_start_method" in origin


@pytest.mark.allow_global_start_method
def test_a_nested_requirement_falls_back_from_an_outer_fallback(
    restore_start_method: None,
) -> None:
    @accepts_context(requires=("forkserver",))
    def inner(*, mp_context: ContextParam = None) -> str:
        return explain_context()

    @accepts_context(requires=("spawn", "forkserver"))
    def outer_required(*, mp_context: ContextParam = None) -> str:
        return inner()

    multiprocessing.set_start_method("fork", force=True)
    origin = outer_required()
    assert origin.startswith("forkserver: a requirement's fallback")
    assert "inner()" in origin


@pytest.mark.usefixtures("fork_default")
def test_no_method_of_requires_available_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import mpcontext._declare.requirements as requirements_module

    @accepts_context(requires=("forkserver",), reason="it needs a server")
    def server_only(*, mp_context: ContextParam = None) -> None: ...

    # No platform here lacks every method: pretend this one has only fork,
    # its default (the fork_default fixture).
    monkeypatch.setattr(requirements_module, "available_start_methods", lambda: ("fork",))
    with pytest.raises(StartMethodError) as caught:
        server_only()
    message = str(caught.value)
    assert "server_only() cannot run on this platform" in message
    assert "'forkserver'" in message
    assert "it needs a server" in message
    assert "available here: 'fork'" in message


def test_requires_accepts_any_iterable_and_drops_duplicates() -> None:
    @accepts_context(requires=iter(["spawn", "spawn", "forkserver"]))
    def body(*, mp_context: ContextParam = None) -> None: ...

    entry = mpcontext.registry.lookup(body)
    assert entry is not None
    assert entry.start_methods == frozenset({"spawn", "forkserver"})


# -- methods ----------------------------------------------------------------------------


class Engine:
    @accepts_context
    def run(self, x: int, *, mp_context: ContextParam = None) -> tuple[object, int, object]:
        return self, x, mp_context

    @classmethod
    @accepts_context
    def class_inner(cls, *, mp_context: ContextParam = None) -> tuple[object, object]:
        return cls, mp_context

    @accepts_context  # type: ignore[misc]
    @classmethod
    def class_outer(cls, *, mp_context: ContextParam = None) -> tuple[object, object]:
        return cls, mp_context

    @staticmethod
    @accepts_context
    def static_inner(*, mp_context: ContextParam = None) -> object:
        return mp_context

    @accepts_context  # type: ignore[misc]
    @staticmethod
    def static_outer(*, mp_context: ContextParam = None) -> object:
        return mp_context


class SubEngine(Engine):
    pass


def test_methods() -> None:
    engine = SubEngine()
    assert engine.run(1, mp_context="spawn") == (engine, 1, ctx("spawn"))
    for name in ("class_inner", "class_outer"):
        assert getattr(SubEngine, name)(mp_context="spawn") == (SubEngine, ctx("spawn"))
        assert getattr(engine, name)()[0] is SubEngine
    for name in ("static_inner", "static_outer"):
        assert getattr(Engine, name)(mp_context="spawn") is ctx("spawn")
        assert getattr(engine, name)() is current_context()
    assert isinstance(vars(Engine)["class_outer"], classmethod)
    assert isinstance(vars(Engine)["static_outer"], staticmethod)


def test_methods_are_named_by_qualname() -> None:
    with pytest.raises(InvalidContextError, match=r"argument of .*Engine\.class_outer\(\)"):
        Engine.class_outer(mp_context="nope")
    entries = {e.qualname for e in mpcontext.registry.entries(__name__)}
    assert {
        "Engine.run",
        "Engine.class_inner",
        "Engine.class_outer",
        "Engine.static_inner",
        "Engine.static_outer",
    } <= entries


# -- generators --------------------------------------------------------------------------


@accepts_context
def steps(n: int, *, mp_context: ContextParam = None) -> Iterator[tuple[int, str, str]]:
    for i in range(n):
        yield i, mp_context.get_start_method(), method_in_force()  # type: ignore[union-attr]


def test_a_generator_is_validated_at_the_call() -> None:
    with pytest.raises(InvalidContextError, match="spwan"):
        steps(1, mp_context="spwan")


def test_a_generator_keeps_its_context_across_yields_without_leaking() -> None:
    generator = steps(3, mp_context=NOT_DEFAULT)
    assert method_in_force() == DEFAULT
    first = next(generator)
    assert method_in_force() == DEFAULT
    with using(DEFAULT):
        second = next(generator)
    assert list(generator) == [(2, NOT_DEFAULT, NOT_DEFAULT)]
    assert first == (0, NOT_DEFAULT, NOT_DEFAULT)
    assert second == (1, NOT_DEFAULT, NOT_DEFAULT)


def test_a_generator_pins_the_context_in_force_at_the_call() -> None:
    with using(NOT_DEFAULT):
        generator = steps(2)
    assert [step[1:] for step in generator] == [(NOT_DEFAULT, NOT_DEFAULT)] * 2


def test_a_using_block_inside_a_generator_holds_across_its_yields() -> None:
    @accepts_context
    def chooses(*, mp_context: ContextParam = None) -> Iterator[str]:
        yield method_in_force()
        with using(NOT_DEFAULT):
            yield method_in_force()
            yield method_in_force()
        yield method_in_force()

    generator = chooses(mp_context=DEFAULT)
    seen = []
    for method in generator:
        seen.append((method, method_in_force()))
    assert seen == [
        (DEFAULT, DEFAULT),
        (NOT_DEFAULT, DEFAULT),
        (NOT_DEFAULT, DEFAULT),
        (DEFAULT, DEFAULT),
    ]


def test_a_using_block_inside_a_coroutine_holds_across_its_awaits() -> None:
    @accepts_context
    async def chooses(*, mp_context: ContextParam = None) -> list[str]:
        seen = [method_in_force()]
        with using(NOT_DEFAULT):
            await asyncio.sleep(0)
            seen.append(method_in_force())
            await asyncio.sleep(0)
            seen.append(method_in_force())
        await asyncio.sleep(0)
        seen.append(method_in_force())
        return seen

    async def main() -> tuple[list[str], str]:
        return await chooses(mp_context=DEFAULT), method_in_force()

    assert asyncio.run(main()) == ([DEFAULT, NOT_DEFAULT, NOT_DEFAULT, DEFAULT], DEFAULT)


def test_a_using_block_inside_an_async_generator_holds_across_its_yields() -> None:
    @accepts_context
    async def chooses(*, mp_context: ContextParam = None) -> AsyncIterator[str]:
        with using(NOT_DEFAULT):
            await asyncio.sleep(0)
            yield method_in_force()
            await asyncio.sleep(0)
            yield method_in_force()
        yield method_in_force()

    async def main() -> list[tuple[str, str]]:
        return [(method, method_in_force()) async for method in chooses(mp_context=DEFAULT)]

    assert asyncio.run(main()) == [
        (NOT_DEFAULT, DEFAULT),
        (NOT_DEFAULT, DEFAULT),
        (DEFAULT, DEFAULT),
    ]


def test_a_generator_is_named_after_the_function() -> None:
    generator = steps(1)
    assert generator.__qualname__ == "steps"
    assert "steps" in repr(generator)
    generator.close()


@accepts_context
def echo(*, mp_context: ContextParam = None) -> Iterator[object]:
    closed: list[str] = []
    try:
        received = yield "ready"
        while True:
            try:
                received = yield (received, method_in_force())
            except KeyError as error:
                received = yield ("caught", error.args[0], method_in_force())
    finally:
        ECHO_CLOSED.append(method_in_force())
        del closed


ECHO_CLOSED: list[str] = []


def test_a_generator_gets_send_throw_and_close() -> None:
    ECHO_CLOSED.clear()
    generator = echo(mp_context=NOT_DEFAULT)
    assert next(generator) == "ready"
    assert generator.send("hello") == ("hello", NOT_DEFAULT)
    assert generator.throw(KeyError("k")) == ("caught", "k", NOT_DEFAULT)
    assert method_in_force() == DEFAULT
    generator.close()
    assert ECHO_CLOSED == [NOT_DEFAULT]
    assert method_in_force() == DEFAULT


def test_an_uncaught_throw_propagates() -> None:
    generator = steps(3)
    next(generator)
    with pytest.raises(ValueError, match="stop"):
        generator.throw(ValueError("stop"))
    with pytest.raises(StopIteration):
        next(generator)


def test_a_generator_return_value_reaches_yield_from() -> None:
    @accepts_context
    def returns(*, mp_context: ContextParam = None) -> Iterator[int]:
        yield 1
        return method_in_force()  # type: ignore[return-value]

    def delegate() -> Iterator[object]:
        result = yield from returns(mp_context=NOT_DEFAULT)
        yield result

    assert list(delegate()) == [1, NOT_DEFAULT]


def test_a_generator_collected_unfinished_is_closed_in_its_context() -> None:
    ECHO_CLOSED.clear()
    generator = echo(mp_context=NOT_DEFAULT)
    next(generator)
    del generator
    gc.collect()
    assert ECHO_CLOSED == [NOT_DEFAULT]


# -- coroutines ---------------------------------------------------------------------------


@accepts_context
async def waits(n: int, *, mp_context: ContextParam = None) -> list[str]:
    seen_methods = []
    for _ in range(n):
        seen_methods.append(method_in_force())
        await asyncio.sleep(0)
    return seen_methods


def test_a_coroutine_is_validated_at_the_call() -> None:
    with pytest.raises(InvalidContextError, match="spwan"):
        waits(1, mp_context="spwan")


def test_a_coroutine_keeps_its_context_across_awaits() -> None:
    assert asyncio.run(waits(3, mp_context=NOT_DEFAULT)) == [NOT_DEFAULT] * 3


def test_a_coroutine_does_not_leak_its_context_between_steps() -> None:
    coroutine = waits(2, mp_context=NOT_DEFAULT)
    assert coroutine.send(None) is None  # suspended in asyncio.sleep(0)
    assert method_in_force() == DEFAULT
    with using(DEFAULT):
        coroutine.send(None)
    with pytest.raises(StopIteration) as stop:
        coroutine.send(None)
    assert stop.value.value == [NOT_DEFAULT, NOT_DEFAULT]


def test_a_coroutine_function_is_seen_as_one() -> None:
    if sys.version_info >= (3, 12):
        assert inspect.iscoroutinefunction(waits)
    if sys.version_info < (3, 14):  # deprecated from 3.14
        assert asyncio.iscoroutinefunction(waits)
    assert not inspect.iscoroutinefunction(seen)


def test_a_coroutine_never_awaited_warns_once_by_its_name() -> None:
    with pytest.warns(RuntimeWarning, match=r"coroutine 'waits' was never awaited") as record:
        coroutine = waits(1)
        del coroutine
        gc.collect()
    assert len([w for w in record if issubclass(w.category, RuntimeWarning)]) == 1


def test_a_cancelled_coroutine_cleans_up_in_its_context() -> None:
    cleaned: list[str] = []

    @accepts_context
    async def forever(*, mp_context: ContextParam = None) -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.append(method_in_force())

    async def main() -> None:
        task = asyncio.create_task(forever(mp_context=NOT_DEFAULT))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert cleaned == [NOT_DEFAULT]


# -- async generators -----------------------------------------------------------------------


@accepts_context
async def ticks(n: int, *, mp_context: ContextParam = None) -> AsyncIterator[str]:
    try:
        for _ in range(n):
            await asyncio.sleep(0)
            yield method_in_force()
            await asyncio.sleep(0)
    finally:
        TICKS_CLOSED.append(method_in_force())


TICKS_CLOSED: list[str] = []


def test_an_async_generator_is_validated_at_the_call() -> None:
    with pytest.raises(InvalidContextError, match="spwan"):
        ticks(1, mp_context="spwan")


def test_an_async_generator_keeps_its_context_without_leaking() -> None:
    async def main() -> list[tuple[str, str]]:
        pairs = []
        async for method in ticks(3, mp_context=NOT_DEFAULT):
            pairs.append((method, method_in_force()))
        return pairs

    assert asyncio.run(main()) == [(NOT_DEFAULT, DEFAULT)] * 3


def test_an_async_generator_gets_asend_athrow_and_aclose() -> None:
    @accepts_context
    async def accumulate(*, mp_context: ContextParam = None) -> AsyncIterator[object]:
        total = 0
        while True:
            try:
                value = yield (total, method_in_force())
            except KeyError:
                value = 100
            total += value or 0

    async def main() -> list[object]:
        generator = accumulate(mp_context=NOT_DEFAULT)
        results = [await generator.asend(None), await generator.asend(2)]
        results.append(await generator.athrow(KeyError("k")))
        results.append(method_in_force())
        await generator.aclose()
        return results

    assert asyncio.run(main()) == [(0, NOT_DEFAULT), (2, NOT_DEFAULT), (102, NOT_DEFAULT), DEFAULT]


def test_an_async_generator_left_early_is_closed_in_its_context() -> None:
    TICKS_CLOSED.clear()

    async def main() -> None:
        generator = ticks(5, mp_context=NOT_DEFAULT)
        async for _ in generator:
            break
        await generator.aclose()

    asyncio.run(main())
    assert TICKS_CLOSED == [NOT_DEFAULT]


# -- concurrency --------------------------------------------------------------------------------


def test_eight_threads_each_see_their_own_context() -> None:
    barrier = threading.Barrier(8)
    results: dict[int, tuple[str, str, str]] = {}
    errors: list[BaseException] = []

    @accepts_context
    def work(i: int, *, mp_context: ContextParam = None) -> tuple[str, str, str]:
        barrier.wait(timeout=10)  # all eight calls are in force at once
        inner = seen()[1].get_start_method()
        barrier.wait(timeout=10)
        return mp_context.get_start_method(), method_in_force(), inner  # type: ignore[union-attr]

    def run(i: int) -> None:
        method = METHODS[i % len(METHODS)]
        try:
            if i % 2:
                results[i] = work(i, mp_context=method)
            else:
                with using(method):
                    results[i] = work(i)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for i in range(8):
        method = METHODS[i % len(METHODS)]
        assert results[i] == (method, method, method)


def test_fifty_asyncio_tasks_each_see_their_own_context() -> None:
    @accepts_context
    async def work(i: int, *, mp_context: ContextParam = None) -> set[str]:
        observed = set()
        for step in range(5):
            observed.add(method_in_force())
            observed.add(seen()[1].get_start_method())
            await asyncio.sleep(0.001 * ((i + step) % 3))
        return observed

    async def one(i: int) -> set[str]:
        method = METHODS[i % len(METHODS)]
        if i % 2:
            return await work(i, mp_context=method)
        with using(method):
            return await work(i)

    async def main() -> list[set[str]]:
        return await asyncio.gather(*(one(i) for i in range(50)))

    results = asyncio.run(main())
    assert results == [{METHODS[i % len(METHODS)]} for i in range(50)]


# -- processes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_processes_started_inside_run_under_the_context(
    method: str, restore_start_method: None
) -> None:
    assert start_with_argument(mp_context=method) == method
    with using(method):
        assert start_with_context_in_force() == method


@pytest.mark.parametrize("method", METHODS)
def test_processes_started_by_the_factories_inside_run_under_the_context(method: str) -> None:
    before = multiprocessing.get_start_method(allow_none=True)
    assert start_with_factory(mp_context=method) == method
    with using(method):
        assert start_with_factory() == method
    assert multiprocessing.get_start_method(allow_none=True) == before


def test_processes_started_inside_follow_the_default() -> None:
    assert start_with_context_in_force() == DEFAULT
    assert start_with_factory() == DEFAULT


@pytest.mark.usefixtures("fork_default")
def test_a_requirement_fallback_starts_processes_that_do_not_fork(
    restore_start_method: None,
) -> None:
    assert start_fresh() == "spawn"
    with using("forkserver"):
        assert start_fresh() == "forkserver"


@pytest.mark.parametrize("method", METHODS)
def test_pools_made_inside_run_under_the_context(method: str, restore_start_method: None) -> None:
    assert square_all([1, 2, 3], mp_context=method) == [1, 4, 9]
    with using(method):
        assert list(squares([1, 2, 3])) == [1, 4, 9]


def test_does_not_fix_the_global_start_method() -> None:
    before = multiprocessing.get_start_method(allow_none=True)
    seen()
    seen(mp_context="spawn")
    gpu()
    list(steps(2, mp_context="forkserver"))
    asyncio.run(waits(1))
    assert multiprocessing.get_start_method(allow_none=True) == before


def test_the_demo_shows_a_library_function() -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "mpcontext", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "The note accepts_context writes in the docstring" in result.stdout
    assert (
        "fresh_worker() cannot use the start method" in result.stdout or "fork" not in METHODS
    )
    assert "This function starts processes." in result.stdout


def test_decorates_a_cached_function() -> None:
    calls: list[object] = []

    @accepts_context
    @functools.lru_cache(maxsize=None)
    def cached(x: int, *, mp_context: ContextParam = None) -> int:
        calls.append(mp_context)
        return x * 2

    assert cached(2, mp_context="spawn") == cached(2, mp_context="spawn") == 4
    assert calls == [ctx("spawn")]  # the resolved context is part of the key
    assert inspect.signature(cached).parameters["mp_context"].kind is inspect.Parameter.KEYWORD_ONLY


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def test_a_bad_default_whose_repr_raises_is_named_by_its_type() -> None:
    def odd(*, mp_context: object = Unprintable()) -> None: ...

    with pytest.raises(
        TypeError, match=r"defaults to <Unprintable object, whose repr\(\) raised RuntimeError>"
    ):
        accepts_context(odd)  # type: ignore[arg-type]


@accepts_context(requires=("spawn", "forkserver"), reason="it needs a fresh interpreter")
def needs_fresh(*, mp_context: ContextParam = None) -> str:
    return mp_context.get_start_method()  # type: ignore[union-attr]


@accepts_context
def passes_on(*, mp_context: ContextParam = None) -> str:
    return needs_fresh(mp_context=mp_context)


@accepts_context
def leaves_out(*, mp_context: ContextParam = None) -> str:
    return needs_fresh()


@accepts_context
def passes_on_what_is_in_force(*, mp_context: ContextParam = None) -> str:
    return needs_fresh(mp_context=mpcontext.current_context())


@pytest.mark.usefixtures("fork_default")
def test_passing_the_received_context_on_is_no_new_choice() -> None:
    # Handing on the context the body received (or
    # current_context()) behaves as leaving the argument out.
    assert passes_on() == "spawn"
    assert passes_on_what_is_in_force() == "spawn"
    assert leaves_out() == "spawn"
    # Chosen by the caller, the choice travels, and is refused.
    for call in (passes_on, passes_on_what_is_in_force):
        with pytest.raises(StartMethodError) as chosen:
            call(mp_context="fork")
        assert "needs_fresh() cannot use the start method 'fork'" in str(chosen.value)


@pytest.mark.usefixtures("fork_default")
def test_a_passed_on_choice_keeps_its_origin() -> None:
    @accepts_context
    def inner(*, mp_context: ContextParam = None) -> mpcontext.Choice:
        return mpcontext.current_choice()

    @accepts_context
    def outer(*, mp_context: ContextParam = None) -> mpcontext.Choice:
        return inner(mp_context=mp_context)

    spawn = mpcontext.resolve_context("spawn")
    chosen = outer(mp_context="spawn")
    origin = f"chosen by the mp_context argument of {outer.__module__}.{outer.__qualname__}()"
    assert chosen == mpcontext.Choice(spawn, True, origin)
    nothing = outer()
    assert nothing.explicit is False
    assert nothing.context is mpcontext.resolve_context("fork")
    assert nothing.origin.startswith("multiprocessing's default")


@pytest.mark.usefixtures("fork_default")
def test_a_name_given_as_the_argument_gets_no_pass_on_hint() -> None:
    # The caller wrote 'fork': they chose it, even though it is the default too.
    with pytest.raises(StartMethodError) as raised:
        needs_fresh(mp_context="fork")
    message = str(raised.value)
    assert "needs_fresh() cannot use the start method 'fork'" in message
    assert "received" not in message and "nobody chose" not in message


# -- the typed idiom (examples/stdlib_pool.py) ---------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize("method", mpcontext.available_start_methods())
def test_the_typed_idiom_example_runs_under_every_method(method: str) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(mpcontext.__file__).resolve().parent.parent
    code = (
        f"import sys; sys.path[:0] = [{str(root)!r}, {str(root / 'examples')!r}]\n"
        "import stdlib_pool\n"
        "if __name__ == '__main__':\n"
        f"    print(stdlib_pool.squares([1, 2, 3], mp_context={method!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=50, cwd=root
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"({method!r}, [1, 4, 9])"


def test_resolve_context_gives_the_bodys_context_back() -> None:
    @accepts_context
    def body(*, mp_context: ContextParam = None) -> bool:
        return mpcontext.resolve_context(mp_context) is mp_context

    assert body() and body(mp_context="spawn")
