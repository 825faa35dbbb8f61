"""Property-based tests: any value given to a public entry point.

Each entry point that takes user input gets arbitrary values (and values
close to valid ones: names in another case, with spaces, misspelt; contexts;
the ``multiprocessing`` module itself; lambdas...). Every value gets either a
correct result or one of the documented exceptions, whose message names the
value, and nothing global changes: multiprocessing's global start method,
the scope in force, the registry's other entries. Example counts are kept
moderate so that the suite stays fast; ``deadline=None`` since the machines
are shared.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import io
import keyword
import multiprocessing
import os
import re
import string
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import mpcontext
from mpcontext import (
    ContextField,
    InvalidContextError,
    MPContextError,
    PreflightError,
    Registry,
    Requirement,
    StartMethodError,
    accepts_context,
    check_picklable,
    current_context,
    explain_context,
    refresh_environment,
    registry,
    resolve_context,
    using,
)
from mpcontext._cli import main as cli_main
from mpcontext._core.errors import ConfigurationError
from mpcontext._core.resolve import default_context
from mpcontext._core.scope import SCOPE
from mpcontext._core.start_methods import ALL_START_METHODS
from mpcontext._preflight.check import LEVELS, Journey, preflight, preflight_level

import hardening_targets as targets

TESTS = Path(__file__).resolve().parent
METHODS = mpcontext.available_start_methods()
CONTEXTS = {method: multiprocessing.get_context(method) for method in METHODS}
MODULE = "hardening_properties"  # the module of what these tests register

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
FEW = settings(SETTINGS, max_examples=50)

# -- strategies ------------------------------------------------------------------------


def _near_misses(name: str) -> list[str]:
    return [
        name.upper(),
        name.title(),
        f" {name}",
        f"{name}\n",
        name[:-1],
        name + "s",
        f"'{name}'",
    ]


NAMES = st.sampled_from(
    [
        *ALL_START_METHODS,
        *(m for name in ALL_START_METHODS for m in _near_misses(name)),
        "",
        "default",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.complex_numbers(),
    st.text(max_size=20),
    st.binary(max_size=12),
)


class BadRepr:
    """A value whose repr raises, as a half-initialized object's may."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


HUGE = 10**5000  # its repr raises ValueError on Python 3.11+ (int_max_str_digits)

OBJECTS = st.sampled_from(
    [
        object(),
        BadRepr(),
        HUGE,
        multiprocessing,  # mp_context=multiprocessing: a module, not a context
        multiprocessing.context._default_context,  # the module's DefaultContext
        multiprocessing.get_context,
        len,
        targets.double,
        targets.LAMBDA,
        targets.make_local(),
        targets.Plain(1),
        targets.Plain,
        BaseContext,
        Ellipsis,
        NotImplemented,
        b"spawn",
        bytearray(b"fork"),
        "spawn" * 40,  # a long value: its message shortens it
        ["spawn"],
        ("fork", "spawn"),
        {"spawn": 1},
        frozenset({"forkserver"}),
    ]
)
CONTEXT_VALUES = st.sampled_from(list(CONTEXTS.values()))
ANYTHING = st.one_of(
    SCALARS,
    NAMES,
    OBJECTS,
    CONTEXT_VALUES,
    st.lists(SCALARS | NAMES, max_size=3),
    st.tuples(NAMES, SCALARS),
    st.dictionaries(st.text(max_size=5), SCALARS, max_size=2),
)
IDENTIFIERS = st.one_of(
    st.sampled_from(["mp_context", "context", "ctx", "_ctx", "class", "__debug__", "ﬁ", "ü"]),
    st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,12}\Z"),
)
REQUIRES = st.one_of(
    st.none(),
    st.lists(st.sampled_from(ALL_START_METHODS), min_size=1, max_size=4).map(tuple),
    st.lists(st.sampled_from(ALL_START_METHODS), max_size=3),
    st.frozensets(st.sampled_from(ALL_START_METHODS)),
    st.lists(NAMES | SCALARS, max_size=3).map(tuple),
    NAMES,
    ANYTHING,
)
REASONS = st.one_of(
    st.none(), st.text(max_size=30), st.sampled_from(["", "   ", "it uses CUDA."]), ANYTHING
)
NOTES = st.one_of(st.booleans(), ANYTHING)
# What os.environ can hold: no NUL, no lone surrogates.
ENV_TEXT = st.one_of(
    NAMES,
    st.sampled_from([*LEVELS, "OFF", "Full", "none", "0"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=15),
)

# -- what every property checks --------------------------------------------------------


def named(message: str, value: object) -> bool:
    """Whether `message` names `value` (a long repr is shortened in messages)."""
    try:
        text = repr(value)
    except Exception:  # BadRepr, HUGE: named by their type
        return type(value).__qualname__ in message
    return text[:70] in message


def is_context_value(value: object) -> bool:
    """Whether `value` is what a context parameter accepts and stands for a context."""
    return isinstance(value, BaseContext) or (isinstance(value, str) and value in METHODS)


def method_of(value: object) -> str:
    """The start method of a valid context value, without fixing anything."""
    if isinstance(value, str):
        return value
    assert isinstance(value, BaseContext)
    return mpcontext._core.start_methods.start_method_of(value)


def expected_context(value: object) -> BaseContext:
    return CONTEXTS[value] if isinstance(value, str) else value  # type: ignore[return-value]


@contextlib.contextmanager
def nothing_global_changes(*, registry_grows: bool = False) -> Iterator[None]:
    """Check that the block leaves multiprocessing, the scope and the registry as they were."""
    method = multiprocessing.get_start_method(allow_none=True)
    scope = SCOPE.get()
    entries = {(e.module, e.qualname): e for e in registry.entries()}
    yield
    assert multiprocessing.get_start_method(allow_none=True) == method
    assert SCOPE.get() is scope
    after = {(e.module, e.qualname): e for e in registry.entries()}
    for key, entry in entries.items():
        if key[0] != MODULE:  # what these tests register replaces itself
            assert after.get(key) == entry, key
    if not registry_grows:
        assert {k for k in after if k[0] != MODULE} == {k for k in entries if k[0] != MODULE}


# -- resolve_context -------------------------------------------------------------------


@pytest.mark.parametrize("value", [BadRepr(), HUGE], ids=["repr-raises", "huge-int"])
def test_a_value_whose_repr_raises_is_named_by_its_type(value: object) -> None:
    # Found by the property tests: the repr's own error replaced the
    # InvalidContextError (or TypeError) the message was being built for.
    with pytest.raises(InvalidContextError, match=type(value).__qualname__):
        resolve_context(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=type(value).__qualname__):
        accepts_context(param=value)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=type(value).__qualname__):
        using(executor=value)  # type: ignore[arg-type]


@SETTINGS
@given(ANYTHING)
def test_resolve_context_any_value(value: object) -> None:
    with nothing_global_changes():
        try:
            result = resolve_context(value)  # type: ignore[arg-type]
        except InvalidContextError as error:
            assert value is not None and not is_context_value(value)
            message = str(error)
            assert named(message, value), message
            assert all(repr(m) in message for m in METHODS), message
            assert isinstance(error, ValueError) and isinstance(error, TypeError)
        else:
            if value is None:
                assert result is current_context() is default_context()
            else:
                assert is_context_value(value)
                assert result is expected_context(value)


# -- using -----------------------------------------------------------------------------


@SETTINGS
@given(ANYTHING)
def test_using_any_context(value: object) -> None:
    with nothing_global_changes():
        try:
            block = using(value)  # type: ignore[arg-type]
        except InvalidContextError as error:
            assert value is not None and not is_context_value(value)
            assert named(str(error), value), str(error)
            return
        assert value is None or is_context_value(value)
        with block:
            if value is None:
                assert current_context() is default_context()
                assert "using" not in explain_context()
            else:
                assert current_context() is expected_context(value)
                assert explain_context() == f"{method_of(value)}: chosen by using({value!r})"
                assert targets.library_function() == method_of(value)


_POOL = ThreadPoolExecutor(1)  # never given work: it starts no thread


def _factory(max_workers: int | None) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers)


@SETTINGS
@given(st.one_of(ANYTHING, st.sampled_from([_POOL, _factory, ThreadPoolExecutor])))
def test_using_any_executor(value: object) -> None:
    accepted = value is None or callable(value) or value is _POOL
    with nothing_global_changes():
        try:
            block = using(executor=value)  # type: ignore[arg-type]
        except TypeError as error:
            assert not accepted
            assert named(str(error), value), str(error)
            return
        assert accepted
        context = current_context()
        with block:
            assert current_context() is context  # the context is left as it is


# -- executor -----------------------------------------------------------------------------


def _executor_problem(
    max_workers: object, mp_context: object, initializer: object, initargs: object
) -> tuple[type[Exception], object] | None:
    """The error ``executor(...)`` must raise, and the value it must name; ``None`` if valid."""
    if max_workers is not None:
        if not isinstance(max_workers, int) or isinstance(max_workers, bool):
            return TypeError, max_workers
        if max_workers <= 0:
            return ValueError, max_workers
    if mp_context is not None and not is_context_value(mp_context):
        return InvalidContextError, mp_context
    if initializer is not None and not callable(initializer):
        return TypeError, initializer
    try:
        args = tuple(initargs)  # type: ignore[call-overload]
    except TypeError:
        return TypeError, initargs
    if initializer is None and args:
        return TypeError, args
    return None


@SETTINGS
@given(
    max_workers=st.one_of(st.none(), st.integers(-2, 64), ANYTHING),
    mp_context=st.one_of(st.none(), CONTEXT_VALUES, NAMES, ANYTHING),
    initializer=st.one_of(st.none(), st.sampled_from([targets.double, len]), ANYTHING),
    initargs=st.one_of(st.just(()), st.tuples(SCALARS), ANYTHING),
)
def test_executor_any_arguments(
    max_workers: Any, mp_context: Any, initializer: Any, initargs: Any
) -> None:
    problem = _executor_problem(max_workers, mp_context, initializer, initargs)
    with nothing_global_changes():
        try:
            mpcontext.executor(
                max_workers, mp_context=mp_context, initializer=initializer, initargs=initargs
            )
        except (TypeError, ValueError) as error:
            assert problem is not None, error
            kind, value = problem
            assert isinstance(error, kind), (error, kind)
            assert named(str(error), value), (str(error), value)
        else:
            assert problem is None  # nothing starts before the block is entered


@SETTINGS
@given(st.one_of(ANYTHING, st.just("executor")))
def test_injected_factory_returning_anything(made: Any) -> None:
    def factory(max_workers: int | None) -> Any:
        return ThreadPoolExecutor(max_workers) if made == "executor" else made

    with nothing_global_changes(), using(executor=factory):
        block = mpcontext.executor(2)
        try:
            with block as pool:
                assert (
                    pool.submit(threading.current_thread).result(30)
                    is not threading.current_thread()
                )
        except TypeError as error:
            assert made != "executor"
            assert named(str(error), made) and "factory" in str(error), str(error)
        else:
            assert made == "executor"


# -- accepts_context options -----------------------------------------------------------

_EMPTY = "requires is empty"
VALID = object()
"""What ``option_problem`` returns for valid options (``None`` may be the problem)."""


def _requires_problem(requires: object) -> object:
    """What a message must name when `requires` is refused, ``VALID`` when it is valid."""
    if requires is None:
        return VALID
    if isinstance(requires, str):
        return requires
    try:
        items = list(requires)  # type: ignore[call-overload]
    except TypeError:
        return requires
    if not items:
        return _EMPTY
    for item in items:
        if not isinstance(item, str) or item not in ALL_START_METHODS:
            return item
    return VALID


def option_problem(param: object, requires: object, reason: object, note: object) -> object:
    """What the message must name when the options are refused; ``VALID`` if they are valid.

    In the order the options are checked: param, requires, reason, note.
    """
    if not isinstance(param, str) or not param.isidentifier():
        return param
    problem = _requires_problem(requires)
    if problem is not VALID:
        return problem
    if reason is not None and not isinstance(reason, str):
        return reason
    if isinstance(reason, str) and reason.strip() and requires is None:
        return reason
    if not isinstance(note, bool):
        return note
    return VALID


def function_taking(param: object, *, kind: str = "function") -> Callable[..., Any]:
    """Return a function (of `kind`) declaring ``*, param=None``, or without it if it cannot."""
    usable = isinstance(param, str) and param.isidentifier() and not keyword.iskeyword(param)
    name = param if usable else "mp_context"
    prefix = {"function": "def", "generator": "def", "coroutine": "async def"}[kind]
    body = {
        "function": "return {p}, current_context()",
        "generator": "yield {p}, current_context()",
        "coroutine": "return {p}, current_context()",
    }[kind]
    source = f"{prefix} target(*, {{p}}=None):\n    {body}\n"
    namespace: dict[str, Any] = {"current_context": current_context}
    try:
        exec(source.format(p=name), namespace)
    except SyntaxError:  # __debug__ cannot be a parameter
        exec(source.format(p="mp_context"), namespace)
    function: Callable[..., Any] = namespace["target"]
    function.__module__ = MODULE
    function.__qualname__ = function.__name__ = f"target_{kind}"
    return function


def declares(function: Callable[..., Any], param: object) -> bool:
    return param in (function.__kwdefaults__ or {})


def check_refusal(error: Exception, problem: object) -> None:
    message = str(error)
    if problem is _EMPTY:
        assert _EMPTY in message, message
    else:
        assert named(message, problem), (message, problem)


def reason_kept(reason: object) -> str | None:
    return reason.strip() or None if isinstance(reason, str) else None


@SETTINGS
@given(param=st.one_of(IDENTIFIERS, ANYTHING), requires=REQUIRES, reason=REASONS, note=NOTES)
def test_accepts_context_any_options(param: Any, requires: Any, reason: Any, note: Any) -> None:
    function = function_taking(param)
    problem = option_problem(param, requires, reason, note)
    with nothing_global_changes():
        try:
            decorated = accepts_context(param=param, requires=requires, reason=reason, note=note)(
                function
            )
        except TypeError as error:
            if problem is VALID:
                assert not declares(function, param), error
                problem = param
            check_refusal(error, problem)
            return
        assert problem is VALID and declares(function, param)
        methods = None if requires is None else frozenset(requires)
        expected = Requirement(MODULE, "target_function", param, methods, reason_kept(reason))
        assert registry.lookup(decorated) == expected
        given_context, in_force = decorated()
        assert given_context is in_force
        if methods is not None:
            assert method_of(in_force) in methods


@SETTINGS
@given(
    value=ANYTHING,
    requires=st.none() | st.lists(st.sampled_from(METHODS), min_size=1, unique=True).map(tuple),
    kind=st.sampled_from(["function", "generator", "coroutine"]),
)
def test_decorated_call_any_value(value: Any, requires: Any, kind: str) -> None:
    decorated = accepts_context(requires=requires)(function_taking("mp_context", kind=kind))
    with nothing_global_changes():
        try:
            result = decorated(mp_context=value)
        except InvalidContextError as error:
            assert value is not None and not is_context_value(value)
            assert named(str(error), value), str(error)
            assert f"the mp_context argument of {MODULE}.target_{kind}()" in str(error)
            return
        except StartMethodError as error:
            assert requires is not None and is_context_value(value)
            assert method_of(value) not in requires
            assert repr(method_of(value)) in str(error), str(error)
            assert f"{MODULE}.target_{kind}()" in str(error)
            return
        given_context, in_force = _outcome(result, kind)
        assert given_context is in_force
        if value is None:
            if requires is None or method_of(default_context()) in requires:
                assert given_context is default_context()
            else:
                assert method_of(given_context) == requires[0]
        else:
            assert is_context_value(value)
            assert given_context is expected_context(value)


def _outcome(result: Any, kind: str) -> tuple[BaseContext, BaseContext]:
    if kind == "generator":
        return next(result)  # type: ignore[no-any-return]
    if kind == "coroutine":
        return asyncio.run(result)  # type: ignore[no-any-return]
    return result  # type: ignore[no-any-return]


# -- ContextField ----------------------------------------------------------------------


@SETTINGS
@given(requires=REQUIRES, reason=REASONS, note=NOTES)
def test_context_field_any_options(requires: Any, reason: Any, note: Any) -> None:
    problem = option_problem("mp_context", requires, reason, note)
    with nothing_global_changes():
        try:
            field = ContextField(requires=requires, reason=reason, note=note)
        except TypeError as error:
            assert problem is not VALID
            check_refusal(error, problem)
            return
        assert problem is VALID
        holder = type("Holder", (), {"__module__": MODULE, "mp_context": field})
        methods = None if requires is None else frozenset(requires)
        entry = registry.lookup(holder, "mp_context")
        assert entry == Requirement(
            MODULE, "Holder.mp_context", "mp_context", methods, reason_kept(reason), "field"
        )


def _holder_class(kind: str, requires: tuple[str, ...] | None) -> type[Any]:
    field = ContextField(requires=requires)
    if kind == "plain":

        class Plain:
            mp_context: ContextField = field

            def __init__(self, mp_context: Any = None) -> None:
                self.mp_context = mp_context

        cls: type[Any] = Plain
    elif kind == "dataclass":

        @dataclasses.dataclass
        class Data:
            mp_context: ContextField = field

        cls = Data
    else:

        @attrs.define
        class Attrs:
            mp_context: ContextField = field

        cls = Attrs
    cls.__module__ = MODULE
    return cls


@SETTINGS
@given(
    kind=st.sampled_from(["plain", "dataclass", "attrs"]),
    requires=st.none() | st.lists(st.sampled_from(METHODS), min_size=1, unique=True).map(tuple),
    first=st.none() | st.sampled_from(METHODS),
    value=ANYTHING,
)
def test_context_field_any_assignment(kind: str, requires: Any, first: Any, value: Any) -> None:
    cls = _holder_class(kind, requires)
    if first is not None and requires is not None and first not in requires:
        first = requires[0]
    with nothing_global_changes():
        holder = cls(mp_context=first)
        before = holder.mp_context
        try:
            holder.mp_context = value
        except InvalidContextError as error:
            assert value is not None and not is_context_value(value)
            assert named(str(error), value), str(error)
        except StartMethodError as error:
            assert requires is not None and is_context_value(value)
            assert method_of(value) not in requires
            assert repr(method_of(value)) in str(error)
        else:
            if value is None:
                expected = default_context()
                if requires is not None and method_of(expected) not in requires:
                    expected = CONTEXTS[requires[0]]
                assert holder.mp_context is expected
            else:
                assert method_of(holder.mp_context) == method_of(value)
            return
        # Nothing is lost: a refused value leaves the one held before.
        assert holder.mp_context is before


# -- registry.register, entries, lookup ------------------------------------------------


def _function(module: object, qualname: str) -> Callable[..., Any]:
    def function(*, mp_context: Any = None, other: Any = None) -> None:
        pass

    function.__module__ = module  # type: ignore[assignment]
    function.__qualname__ = qualname
    return function


class TakesContext:
    def __init__(self, mp_context: Any = None) -> None:
        self.mp_context = mp_context


def _keywords(**kwargs: Any) -> None:
    pass


REGISTRABLE = st.one_of(
    st.builds(
        _function, st.one_of(st.text(max_size=12), st.none(), st.integers()), st.text(max_size=12)
    ),
    st.sampled_from(
        [TakesContext, _keywords, len, functools.partial(_keywords, a=1), targets.Plain]
    ),
    ANYTHING,
)


def _expected_name(obj: object) -> tuple[str, str] | None:
    target = obj.func if isinstance(obj, functools.partial) else obj
    qualname = getattr(target, "__qualname__", None)
    if not isinstance(qualname, str):
        return None
    module = getattr(target, "__module__", None)
    return (module if isinstance(module, str) else "__main__", qualname)


def _takes(obj: object, param: str) -> bool:
    target = obj.func if isinstance(obj, functools.partial) else obj
    if target is len:
        return True  # a builtin: nothing to check against
    if isinstance(target, type):
        if any(param in vars(klass) for klass in target.__mro__):
            return True
        target = target.__init__
    code = getattr(target, "__code__", None)
    if code is None:
        return True
    return (
        bool(code.co_flags & 0x08)
        or param in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    )


@SETTINGS
@given(
    obj=REGISTRABLE,
    param=st.one_of(st.sampled_from(["mp_context", "other", "ctx"]), IDENTIFIERS, ANYTHING),
    requires=REQUIRES,
    reason=REASONS,
)
def test_register_any_value(obj: Any, param: Any, requires: Any, reason: Any) -> None:
    mine = Registry()
    others = [mine.register(_function(f"pkg{i}", "run")) for i in range(3)]
    name = _expected_name(obj)
    with nothing_global_changes():
        try:
            entry = mine.register(obj, requires=requires, reason=reason, param=param)
        except TypeError as error:
            if name is None:
                assert named(str(error), obj), str(error)
            else:
                # param=None: it takes no context, and no parameter is checked.
                problem = option_problem("mp_context" if param is None else param, requires, reason, True)
                if problem is VALID:
                    assert param is not None and not _takes(obj, param)
                    problem = param
                check_refusal(error, problem)
            entry = None
        else:
            assert name is not None
            assert option_problem("mp_context" if param is None else param, requires, reason, True) is VALID
            assert param is None or _takes(obj, param)
            assert entry.param == param
            assert (entry.module, entry.qualname) == name
            assert entry.start_methods == (None if requires is None else frozenset(requires))
            assert mine.lookup(obj) == entry
    # The other entries are kept, in order.
    kept = [e for e in mine.entries() if e != entry]
    assert kept == [e for e in others if entry is None or (e.module, e.qualname) != name]


@SETTINGS
@given(ANYTHING | st.sampled_from([sys, mpcontext, targets]))
def test_registry_entries_and_lookup_any_value(value: Any) -> None:
    with nothing_global_changes():
        try:
            entries = registry.entries(value)
        except TypeError as error:
            assert named(str(error), value)
        else:
            assert isinstance(entries, list)
            assert all(isinstance(e, Requirement) for e in entries)
        found = registry.lookup(value)
        assert found is None or isinstance(found, Requirement)


# -- check_picklable -------------------------------------------------------------------

_FORK_LOCK = multiprocessing.get_context("fork").Lock() if "fork" in METHODS else None
TARGETS = st.sampled_from(
    [targets.double, len, None, targets.LAMBDA, targets.make_local(), targets.Plain,
     functools.partial(targets.double, 1), functools.partial(targets.LAMBDA), 5, "double",
     targets.Plain(2)]
)  # fmt: skip
ARGUMENT = st.one_of(SCALARS, TARGETS, st.just(_FORK_LOCK), st.lists(TARGETS, max_size=2))
ARGS = st.one_of(
    st.lists(ARGUMENT, max_size=3).map(tuple),
    st.lists(ARGUMENT, max_size=3),
    st.lists(ARGUMENT, max_size=2).map(iter),
    st.sampled_from([None, 5, "ab", b"", {"k": 1}]),
)
KWARGS = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["a", "b"]), ARGUMENT, max_size=2),
    st.sampled_from([5, [1, 2], "ab", [("a", 1)], ()]),
)
PREFLIGHT_ERRORS = (PreflightError, TypeError, InvalidContextError)


def _problem_of_inputs(target: object, args: object, kwargs: object) -> object:
    """What a TypeError must name, ``VALID`` when the inputs have the right types."""
    if target is not None and not callable(target):
        return target
    if not isinstance(args, (tuple, list)):
        try:
            if iter(args) is args:  # type: ignore[call-overload]
                return args
        except TypeError:
            return args
    if kwargs is not None and not isinstance(kwargs, dict):
        return kwargs
    return VALID


@SETTINGS
@given(
    target=TARGETS,
    args=ARGS,
    kwargs=KWARGS,
    context=st.one_of(st.none(), st.sampled_from(METHODS), CONTEXT_VALUES, NAMES, SCALARS),
    full=st.booleans(),
    pool=st.booleans(),
)
def test_check_picklable_any_value(
    target: Any, args: Any, kwargs: Any, context: Any, full: bool, pool: bool
) -> None:
    type_problem = _problem_of_inputs(target, args, kwargs)
    with nothing_global_changes():
        try:
            check_picklable(target, args, kwargs, context=context, full=full, pool=pool)
        except InvalidContextError as error:
            assert context is not None and not is_context_value(context)
            assert named(str(error), context)
        except PreflightError as error:
            assert type_problem is VALID
            method = method_of(context if context is not None else current_context())
            assert pool or method != "fork"
            message = str(error)
            assert f"started by {method!r}" in message or f"{method!r}" in message, message
            # Where, then what: "args[1] <function <lambda> ...>", "the target.func ...".
            assert message.startswith(("the target", "args[", "kwargs[")), message
            if message.startswith("the target "):
                assert named(message, target), message
        except TypeError as error:
            assert type_problem is not VALID, error
            assert named(str(error), type_problem), str(error)
        else:
            assert type_problem is VALID
            if target is targets.LAMBDA:
                method = method_of(context if context is not None else current_context())
                assert method == "fork" and not pool


def test_check_picklable_refuses_arguments_of_the_wrong_type_by_name() -> None:
    # Found by test_check_picklable_any_value: a stdlib TypeError naming no
    # value, an AttributeError, and under fork no error at all.
    for method in METHODS:
        with pytest.raises(TypeError, match=r"args must be a tuple or a list, got 5 \(int\)"):
            check_picklable(targets.double, 5, context=method)  # type: ignore[arg-type]
        for kwargs in (5, [("a", 1)], "ab"):
            with pytest.raises(
                TypeError, match=r"kwargs must be a mapping .*got " + re.escape(repr(kwargs))
            ):
                check_picklable(targets.double, (), kwargs, context=method)  # type: ignore


@FEW
@given(
    target=TARGETS,
    args=st.lists(ARGUMENT, max_size=3).map(tuple),
    context=st.sampled_from(METHODS),
    pool=st.booleans(),
)
def test_full_finds_at_least_what_cheap_finds(
    target: Any, args: Any, context: str, pool: bool
) -> None:
    assume(target is None or callable(target))
    cheap = full = None
    try:
        check_picklable(target, args, context=context, pool=pool)
    except PreflightError as error:
        cheap = error
    try:
        check_picklable(target, args, context=context, pool=pool, full=True)
    except PreflightError as error:
        full = error
    if cheap is not None:
        assert full is not None


# -- environment variables -------------------------------------------------------------


@contextlib.contextmanager
def environment(name: str, value: str) -> Iterator[None]:
    """Set the variable `name` for the block, read it, then restore and read again."""
    saved = os.environ.get(name)
    os.environ[name] = value
    refresh_environment()
    try:
        yield
    finally:
        if saved is None:
            del os.environ[name]
        else:
            os.environ[name] = saved
        refresh_environment()


@SETTINGS
@given(ENV_TEXT)
def test_start_method_variable_any_value(value: str) -> None:
    spawn_only = accepts_context(requires=("spawn",))(function_taking("mp_context"))
    with nothing_global_changes(), environment("MPCONTEXT_START_METHOD", value):
        try:
            context = current_context()
        except InvalidContextError as error:
            assert value and value not in METHODS
            message = str(error)
            assert "MPCONTEXT_START_METHOD" in message and named(message, value), message
            with pytest.raises(InvalidContextError, match="MPCONTEXT_START_METHOD"):
                explain_context()
            with pytest.raises(InvalidContextError, match="MPCONTEXT_START_METHOD"):
                targets.library_function()
            # An explicit choice does not read the variable.
            assert targets.library_function(mp_context="spawn") == "spawn"
            return
        if not value:
            assert context is default_context()
            return
        assert context is CONTEXTS[value]
        assert explain_context() == (
            f"{value}: chosen by the environment variable MPCONTEXT_START_METHOD={value!r}"
        )
        if value == "spawn":
            assert spawn_only()[0] is CONTEXTS["spawn"]
        else:  # the variable is an explicit choice: never overridden
            with pytest.raises(StartMethodError, match=repr(value)):
                spawn_only()


def _raise(error: Exception | None) -> None:
    """Raise what the pre-flight returned, as the factories do."""
    if error is not None:
        raise error


@SETTINGS
@given(ENV_TEXT)
def test_preflight_variable_any_value(value: str) -> None:
    with nothing_global_changes(), environment("MPCONTEXT_PREFLIGHT", value):
        try:
            level = preflight_level()
        except ConfigurationError as error:
            assert value and value not in LEVELS
            assert "MPCONTEXT_PREFLIGHT" in str(error) and named(str(error), value)
            assert isinstance(error, (MPContextError, ValueError))
            with pytest.raises(ConfigurationError):
                _raise(preflight(targets.double, (1,), None, Journey("spawn", False)))
            return
        assert level == (value or "cheap")
        if level == "off":
            assert preflight(targets.LAMBDA, (), None, Journey("spawn", True)) is None
        else:
            with pytest.raises(PreflightError):
                _raise(preflight(targets.LAMBDA, (), None, Journey("spawn", True)))


def test_bad_variables_never_break_import() -> None:
    import subprocess

    code = (
        "import mpcontext\n"
        "print('imported')\n"
        "try:\n"
        "    mpcontext.current_context()\n"
        "except mpcontext.InvalidContextError as error:\n"
        "    print(error)\n"
    )
    env = {**os.environ, "MPCONTEXT_START_METHOD": "spwan", "MPCONTEXT_PREFLIGHT": "loud"}
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    imported, error = done.stdout.splitlines()
    assert imported == "imported"
    assert "'spwan'" in error and "MPCONTEXT_START_METHOD" in error and "'spawn'" in error


# -- the command line ------------------------------------------------------------------

WORDS = st.sampled_from(
    ["report", "lint", "demo", "--format", "json", "text", "markdown", "rst", "xml", "--path",
     "--select", "--ignore", "--exclude", "--fix", "--diff", "MPC002", "MPC9", "MPC00,", "-h",
     "--help", "--version", "--", "-", "clean.py", "bad.py", "broken.py", "missing.py", ".",
     "pkg", "reportpkg", "reportpkg.sub", "1pkg", "a.b", "", " "]
)  # fmt: skip
ARGV = st.lists(
    st.one_of(WORDS, st.text(string.ascii_letters + string.digits + "-_.,=", max_size=8)),
    max_size=6,
)

FILES = {
    "clean.py": "import mpcontext\n",
    "bad.py": (
        "import multiprocessing\n"
        "multiprocessing.set_start_method('spawn')\n"
        "q = multiprocessing.Queue()\n"
    ),
    "broken.py": "def f(:\n",
}


def _safe_argv(argv: list[str]) -> bool:
    """Whether `argv` stays within the scratch directory and runs no long tour."""
    if argv == ["demo"]:
        return False  # the tour itself is tested in test_tools_demo.py
    return all(not arg.startswith(("/", "~")) and ".." not in arg for arg in argv)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("cli")
    (directory / "pkg").mkdir()
    (directory / "pkg" / "__init__.py").write_text("")
    return directory


@FEW
@given(ARGV)
def test_command_line_any_arguments(scratch: Path, argv: list[str]) -> None:
    assume(_safe_argv(argv))
    for name, text in FILES.items():
        (scratch / name).write_text(text)
    if "reportpkg" in " ".join(argv):
        argv = [*argv, "--path", str(TESTS)] if argv[:1] == ["report"] else argv
    out, err = io.StringIO(), io.StringIO()
    threads = threading.active_count()
    cwd = os.getcwd()
    os.chdir(scratch)
    try:
        with (
            nothing_global_changes(registry_grows=True),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                status: object = cli_main(argv)
            except SystemExit as exit:
                status = exit.code
    finally:
        os.chdir(cwd)
    assert status in (0, 1, 2), (argv, status, err.getvalue())
    if status == 2:
        assert err.getvalue(), argv
    assert threading.active_count() == threads  # no thread left running


def test_command_line_usage_errors_name_the_value(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv, value in [
        (["lint", "nowhere.py"], "'nowhere.py'"),
        (["lint", str(scratch), "--select", "MPC9X"], "MPC9X"),
        (["report", "1pkg"], "'1pkg'"),
        (["report", "--format", "xml", "pkg"], "'xml'"),
        (["frobnicate"], "'frobnicate'"),
    ]:
        with pytest.raises(SystemExit) as exit:
            cli_main(argv)
        assert exit.value.code == 2
        assert value in capsys.readouterr().err, argv
