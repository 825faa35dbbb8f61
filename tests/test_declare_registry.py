"""The registry: entries, lookup, register, replacement, references, threads."""

from __future__ import annotations

import functools
import gc
import sys
import threading
import weakref
from collections.abc import Callable

import pytest

import mpcontext
from mpcontext import ContextField, ContextParam, Registry, Requirement, accepts_context, registry


def in_module(module: str, qualname: str) -> Callable[..., object]:
    """Return a function declared in `module` as `qualname`, taking ``mp_context``."""

    def function(*, mp_context: ContextParam = None) -> object:
        return mp_context

    function.__module__ = module
    function.__qualname__ = qualname
    function.__name__ = qualname.rpartition(".")[2]
    return function


@accepts_context(requires=("spawn",), reason="why")
def decorated(*, mp_context: ContextParam = None) -> None: ...


class Holder:
    mp_context: ContextField = ContextField()

    @accepts_context
    def method(self, *, mp_context: ContextParam = None) -> None: ...

    @classmethod
    @accepts_context
    def build(cls, *, mp_context: ContextParam = None) -> None: ...

    @staticmethod
    @accepts_context
    def helper(*, mp_context: ContextParam = None) -> None: ...


def test_the_instance_is_a_registry() -> None:
    assert isinstance(registry, Registry)
    assert repr(registry).startswith("<mpcontext.Registry with ")
    assert len(registry) == len(registry.entries())


def test_decorated_functions_and_fields_are_entries() -> None:
    entries = {e.qualname: e for e in registry.entries(__name__)}
    assert entries["decorated"] == Requirement(
        __name__, "decorated", "mp_context", ("spawn",), "why", "function"
    )
    assert entries["Holder.mp_context"].kind == "field"
    assert {"Holder.method", "Holder.build", "Holder.helper"} <= set(entries)


def test_entries_of_a_package_use_the_prefix_rule() -> None:
    for module in ("authorapi_pkg", "authorapi_pkg.sub", "authorapi_pkg.sub.deep", "authorapi_pkg2"):
        accepts_context(in_module(module, "run"))
    modules = {e.module for e in registry.entries("authorapi_pkg")}
    assert modules == {"authorapi_pkg", "authorapi_pkg.sub", "authorapi_pkg.sub.deep"}
    assert {e.module for e in registry.entries("authorapi_pkg.sub")} == {
        "authorapi_pkg.sub",
        "authorapi_pkg.sub.deep",
    }
    assert {e.module for e in registry.entries("authorapi_pkg2")} == {"authorapi_pkg2"}
    assert registry.entries("authorapi_pk") == []


def test_entries_take_a_module_object() -> None:
    import sys

    assert registry.entries(sys.modules[__name__]) == registry.entries(__name__)


def test_entries_refuse_other_types() -> None:
    with pytest.raises(TypeError, match=r"module name \(str\), a module or None, got 3"):
        registry.entries(3)  # type: ignore[arg-type]


def test_entries_is_a_copy() -> None:
    entries = registry.entries()
    entries.clear()
    assert registry.entries()


# -- lookup ---------------------------------------------------------------------------


def test_lookup_of_every_form_of_a_function() -> None:
    expected = registry.entries(__name__)
    by_name = {e.qualname: e for e in expected}
    holder = Holder()
    assert registry.lookup(decorated) == by_name["decorated"]
    assert registry.lookup(decorated.__wrapped__) == by_name["decorated"]  # type: ignore[attr-defined]
    assert registry.lookup(holder.method) == by_name["Holder.method"]
    assert registry.lookup(Holder.method) == by_name["Holder.method"]
    assert registry.lookup(Holder.build) == by_name["Holder.build"]
    assert registry.lookup(vars(Holder)["build"]) == by_name["Holder.build"]
    assert registry.lookup(Holder.helper) == by_name["Holder.helper"]
    assert registry.lookup(functools.partial(holder.method)) == by_name["Holder.method"]


def test_lookup_of_a_field() -> None:
    entry = registry.lookup(Holder, "mp_context")
    assert entry is not None
    assert entry.qualname == "Holder.mp_context"
    assert registry.lookup(Holder(), "mp_context") == entry
    assert registry.lookup(vars(Holder)["mp_context"]) == entry

    class Child(Holder):
        pass

    assert registry.lookup(Child, "mp_context") == entry
    assert registry.lookup(Holder, "nothing") is None


def test_lookup_of_a_class_is_its_only_field_or_its_own_entry() -> None:
    assert registry.lookup(Holder) == registry.lookup(Holder, "mp_context")

    class Two:
        a: ContextField = ContextField()
        b: ContextField = ContextField()

    assert registry.lookup(Two) is None
    registry.register(Two, param="a")
    own = registry.lookup(Two)
    assert own is not None
    assert own.kind == "class"


def test_lookup_of_what_was_never_registered() -> None:
    def plain() -> None: ...

    assert registry.lookup(plain) is None
    assert registry.lookup(3) is None
    assert registry.lookup(object()) is None


def test_lookup_survives_a_rewritten_module() -> None:
    # Libraries set __module__ to their public path after decorating.
    function = accepts_context(in_module("authorapi_private._impl", "exported"))
    function.__module__ = "authorapi_private"
    entry = registry.lookup(function)
    assert entry is not None
    assert entry.module == "authorapi_private._impl"

    @functools.wraps(function)
    def on_top(*args: object, **kwargs: object) -> object:
        return function(*args, **kwargs)

    assert registry.lookup(on_top) == entry


# -- register ----------------------------------------------------------------------------


def test_register_a_function_of_another_library() -> None:
    def legacy(work: object, mp_context: object = None) -> None: ...  # positional, as in the stdlib

    entry = registry.register(legacy, requires=["forkserver", "spawn"], reason="it says so")
    assert entry == Requirement(
        __name__, legacy.__qualname__, "mp_context", ("spawn", "forkserver"), "it says so"
    )
    assert registry.lookup(legacy) == entry
    assert entry in registry.entries(__name__)


def test_register_takes_its_options_positionally_too() -> None:
    def legacy(*, context: object = None) -> None: ...

    entry = registry.register(legacy, ("spawn",), "reason", "context")
    assert (entry.start_methods, entry.reason, entry.param) == (frozenset({"spawn"}), "reason", "context")


def test_register_a_class() -> None:
    class Pool:
        def __init__(self, processes: int = 1, mp_context: object = None) -> None: ...

    entry = registry.register(Pool)
    assert entry.kind == "class"
    assert entry.qualname == Pool.__qualname__
    assert registry.lookup(Pool) == entry


def test_register_validates_like_the_decorator() -> None:
    def takes(*, mp_context: object = None) -> None: ...

    def lacks(x: int) -> None: ...

    with pytest.raises(TypeError, match=r"has no parameter 'mp_context'.*it takes 'x'"):
        registry.register(lacks)
    with pytest.raises(TypeError, match="requires is empty"):
        registry.register(takes, requires=())
    with pytest.raises(TypeError, match="did you mean 'spawn'"):
        registry.register(takes, requires=("spwan",))  # type: ignore[list-item]
    with pytest.raises(TypeError, match="given without requires"):
        registry.register(takes, reason="why")
    with pytest.raises(TypeError, match="param must be"):
        registry.register(takes, param="")
    with pytest.raises(TypeError, match="has none"):
        registry.register(3)


def test_register_accepts_a_function_taking_keywords() -> None:
    def flexible(**options: object) -> None: ...

    assert registry.register(flexible).param == "mp_context"


# -- replacement and references -------------------------------------------------------------


def test_registering_again_replaces_in_place() -> None:
    first = accepts_context(in_module("authorapi_reload", "again"))
    accepts_context(in_module("authorapi_reload", "other"))
    order = [e.qualname for e in registry.entries("authorapi_reload")]
    second = accepts_context(requires=("spawn",))(in_module("authorapi_reload", "again"))
    entries = registry.entries("authorapi_reload")
    assert [e.qualname for e in entries] == order == ["again", "other"]
    assert entries[0].start_methods == frozenset({"spawn"})
    assert registry.lookup(first) == registry.lookup(second) == entries[0]


def test_closures_made_again_are_one_entry() -> None:
    def make() -> Callable[..., None]:
        @accepts_context
        def closure(*, mp_context: ContextParam = None) -> None: ...

        return closure

    before = len(registry)
    first, second = make(), make()
    assert len(registry) == before + 1
    assert registry.lookup(first) == registry.lookup(second) is not None
    assert [e.qualname for e in registry.entries(__name__)].count(
        "test_closures_made_again_are_one_entry.<locals>.make.<locals>.closure"
    ) == 1


def test_no_strong_reference_to_the_objects() -> None:
    function = accepts_context(in_module("authorapi_weak", "gone"))
    original = function.__wrapped__  # type: ignore[attr-defined]

    class Owner:
        mp_context: ContextField = ContextField()

    references = [weakref.ref(function), weakref.ref(original), weakref.ref(Owner)]
    del function, original, Owner
    gc.collect()
    assert [ref() for ref in references] == [None, None, None]
    assert [e.qualname for e in registry.entries("authorapi_weak")] == ["gone"]


# -- threads ----------------------------------------------------------------------------------


def test_registration_from_many_threads_loses_nothing() -> None:
    threads_count, per_thread = 16, 100
    barrier = threading.Barrier(threads_count + 1)
    errors: list[BaseException] = []

    def register_many(t: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(per_thread):
                module = f"authorapi_threads.t{t}"
                if i % 2:
                    accepts_context(in_module(module, f"f{i}"))
                else:
                    registry.register(in_module(module, f"f{i}"), requires=("spawn",))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=register_many, args=(t,)) for t in range(threads_count)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=10)
    while any(thread.is_alive() for thread in threads):
        registry.entries("authorapi_threads")  # reading while they write
        registry.lookup(decorated)
    for thread in threads:
        thread.join()
    assert not errors
    entries = registry.entries("authorapi_threads")
    assert len(entries) == threads_count * per_thread
    assert len({(e.module, e.qualname) for e in entries}) == threads_count * per_thread


def test_a_private_registry_is_independent() -> None:
    mine = Registry()
    function = in_module("authorapi_private_registry", "f")
    entry = mine.register(function)
    assert len(mine) == 1
    assert mine.lookup(function) == entry
    assert registry.lookup(function) is None
    assert mpcontext.registry is registry


def test_lookup_with_an_attribute_that_is_not_a_str() -> None:
    class Holder:
        pass

    with pytest.raises(TypeError, match=r"attribute must be the name .* got \[\] \(list\)"):
        mpcontext.registry.lookup(Holder, [])  # type: ignore[arg-type]


# -- register(..., note=True): the documentation CPython asks for ----------------------


def _private() -> Registry:
    return Registry()


# Under python -OO there are no docstrings to write a note into.
needs_docstrings = pytest.mark.skipif(sys.flags.optimize >= 2, reason="no docstrings under -OO")


@needs_docstrings
def test_a_function_picking_its_own_start_method_says_so_and_which() -> None:
    def start_gpu_workers() -> None:
        """Start the GPU workers.

        Parameters
        ----------
        none
        """

    _private().register(
        start_gpu_workers, param=None, requires=("spawn", "forkserver"), reason="CUDA", note=True
    )
    doc = " ".join((start_gpu_workers.__doc__ or "").split())
    assert "Notes ----- This function starts processes and picks their start method itself" in doc
    assert "It uses one of the ``'spawn'`` and ``'forkserver'`` start methods: CUDA." in doc


@needs_docstrings
def test_what_picks_its_own_start_method_without_requires_says_it_does_not_declare_it() -> None:
    def legacy() -> None:
        pass

    class Legacy:
        """Workers of their own."""

    _private().register(legacy, param=None, note=True)
    _private().register(Legacy, param=None, note=True)
    assert (legacy.__doc__ or "").endswith("It does not declare which.")
    assert "Instances start processes and pick their start method themselves" in (Legacy.__doc__ or "")
    assert (Legacy.__doc__ or "").endswith("They do not declare which.")


@needs_docstrings
def test_note_for_a_parameter_of_a_function_or_a_constructor() -> None:
    def run(*, ctx: ContextParam = None) -> None:
        """Run."""

    class Service:
        """A service."""

        def __init__(self, ctx: ContextParam = None) -> None:
            self.ctx = ctx

    _private().register(run, param="ctx", requires=("spawn",), note=True)
    _private().register(Service, param="ctx", note=True)
    assert "Its ``ctx`` argument chooses how they start" in " ".join((run.__doc__ or "").split())
    assert "The ``ctx`` argument of the constructor chooses how they start" in " ".join(
        (Service.__doc__ or "").split()
    )


@needs_docstrings
def test_the_note_is_written_once_and_not_by_default() -> None:
    def twice() -> None:
        """Twice."""

    def never() -> None:
        """Never."""

    private = _private()
    private.register(twice, param=None, note=True)
    private.register(twice, param=None, note=True)
    private.register(never, param=None)
    assert (twice.__doc__ or "").count("picks their start method itself") == 1
    assert never.__doc__ == "Never."


def test_a_note_that_cannot_be_written_or_a_bad_note_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"note=True, but the docstring of <built-in function len>"):
        _private().register(len, param=None, note=True)
    with pytest.raises(TypeError, match="note must be True or False, got 'yes'"):
        _private().register(len, param=None, note="yes")  # type: ignore[arg-type]
