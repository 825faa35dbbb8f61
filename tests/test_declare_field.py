"""ContextField: plain classes, dataclasses, attrs classes; rules, pickling, notes."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import multiprocessing
import pickle

import attrs
import pytest

import mpcontext
from mpcontext import (
    ContextField,
    ContextParam,
    InvalidContextError,
    StartMethodError,
    current_context,
    using,
)

from authorapi_targets import METHODS, NOT_DEFAULT, ctx
from authorapi_targets import restore_start_method  # noqa: F401 - a fixture


class Plain:
    """A plain class."""

    mp_context: ContextField = ContextField()

    def __init__(self, *, mp_context: ContextParam = None) -> None:
        self.mp_context = mp_context


@dataclasses.dataclass
class Data:
    """A dataclass."""

    size: int = 0
    mp_context: ContextField = ContextField()


@dataclasses.dataclass(frozen=True)
class FrozenData:
    mp_context: ContextField = ContextField()


@attrs.define
class Attrs:
    """An attrs class (slotted, attrs.define's default)."""

    size: int = 0
    mp_context: ContextField = ContextField()


@attrs.frozen
class FrozenAttrs:
    mp_context: ContextField = ContextField()


@attrs.define(slots=False)
class UnslottedAttrs:
    mp_context: ContextField = ContextField()


class Required:
    """Needs a fresh interpreter."""

    mp_context: ContextField = ContextField(requires=("spawn", "forkserver"), reason="it uses CUDA")

    def __init__(self, mp_context: ContextParam = None) -> None:
        self.mp_context = mp_context


KINDS: list[type] = [Plain, Data, FrozenData, Attrs, FrozenAttrs]
if hasattr(dataclasses, "KW_ONLY"):  # slots=True: Python 3.10 has it too

    @dataclasses.dataclass(slots=True)
    class SlottedData:
        mp_context: ContextField = ContextField()

    KINDS.append(SlottedData)


def make(kind: type, value: ContextParam = None, **extra: object) -> object:
    return kind(mp_context=value, **extra)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
class TestEveryKindOfClass:
    def test_a_name_reads_back_as_its_context(self, kind: type) -> None:
        assert make(kind, "spawn").mp_context is ctx("spawn")  # type: ignore[attr-defined]

    def test_a_context_reads_back_as_it_is(self, kind: type) -> None:
        context = ctx(NOT_DEFAULT)
        assert make(kind, context).mp_context is context  # type: ignore[attr-defined]

    def test_none_reads_as_the_context_in_force_at_each_read(self, kind: type) -> None:
        obj = make(kind)
        assert obj.mp_context is current_context()  # type: ignore[attr-defined]
        for method in METHODS:
            with using(method):
                assert obj.mp_context is ctx(method)  # type: ignore[attr-defined]

    def test_left_out_it_is_none(self, kind: type) -> None:
        obj = kind()
        with using(NOT_DEFAULT):
            assert obj.mp_context is ctx(NOT_DEFAULT)  # type: ignore[attr-defined]

    def test_a_bad_value_fails_at_construction(self, kind: type) -> None:
        with pytest.raises(InvalidContextError, match=r"'spwan'.*did you mean 'spawn'"):
            make(kind, "spwan")
        with pytest.raises(InvalidContextError, match=rf"{kind.__qualname__}\.mp_context"):
            make(kind, 3)  # type: ignore[arg-type]

    def test_pickles_with_its_owner(self, kind: type) -> None:
        obj = make(kind, "spawn")
        again = pickle.loads(pickle.dumps(obj))
        assert again.mp_context is ctx("spawn")  # multiprocessing's own one again
        if kind is not Plain:
            assert again == obj

    def test_copies(self, kind: type) -> None:
        obj = make(kind, "forkserver")
        assert copy.deepcopy(obj).mp_context is ctx("forkserver")  # type: ignore[attr-defined]
        assert copy.copy(obj).mp_context is ctx("forkserver")  # type: ignore[attr-defined]

    def test_reading_on_the_class_gives_none(self, kind: type) -> None:
        assert kind.mp_context is None  # type: ignore[attr-defined]

    def test_is_registered_as_a_field(self, kind: type) -> None:
        entry = mpcontext.registry.lookup(kind, "mp_context")
        assert entry is not None
        assert (entry.module, entry.qualname, entry.param, entry.kind) == (
            __name__,
            f"{kind.__qualname__}.mp_context",
            "mp_context",
            "field",
        )
        assert mpcontext.registry.lookup(kind) == entry
        assert mpcontext.registry.lookup(vars(kind)["mp_context"]) == entry


def test_assignment_after_construction() -> None:
    obj = Plain()
    obj.mp_context = "spawn"
    assert obj.mp_context is ctx("spawn")
    with pytest.raises(InvalidContextError):
        obj.mp_context = "nope"
    assert obj.mp_context is ctx("spawn")  # a refused value changes nothing
    del obj.mp_context
    with using("forkserver"):
        assert obj.mp_context is ctx("forkserver")


def test_the_value_stored_is_visible_in_vars() -> None:
    assert vars(Plain(mp_context="spawn")) == {"mp_context": ctx("spawn")}
    assert vars(Plain()) == {"mp_context": None}


def test_never_assigned_reads_as_the_context_in_force() -> None:
    class Lazy:
        mp_context: ContextField = ContextField()

    with using("spawn"):
        assert Lazy().mp_context is ctx("spawn")


def test_a_stored_none_stays_none_through_pickle_in_a_plain_class() -> None:
    again = pickle.loads(pickle.dumps(Plain()))
    with using(NOT_DEFAULT):
        assert again.mp_context is ctx(NOT_DEFAULT)


def test_dataclass_default_is_none_and_init_takes_the_value() -> None:
    (size, field) = dataclasses.fields(Data)
    assert field.name == "mp_context"
    assert field.default is None
    assert inspect.signature(Data).parameters["mp_context"].default is None
    assert Data(3, "spawn").mp_context is ctx("spawn")
    assert "mp_context=<multiprocessing.context.SpawnContext" in repr(Data(mp_context="spawn"))


def test_frozen_classes_stay_frozen() -> None:
    for obj in (FrozenData(mp_context="spawn"), FrozenAttrs(mp_context="spawn")):
        with pytest.raises(AttributeError):
            obj.mp_context = "fork"  # type: ignore[misc]
        assert obj.mp_context is ctx("spawn")


def test_attrs_slotted_class_has_no_dict() -> None:
    obj = Attrs(mp_context="spawn")
    assert not hasattr(obj, "__dict__")
    assert attrs.asdict(obj) == {"size": 0, "mp_context": ctx("spawn")}
    assert attrs.evolve(obj, mp_context="forkserver").mp_context is ctx("forkserver")


def test_attrs_unslotted_class_says_what_went_wrong() -> None:
    # attrs deletes the class attributes of unslotted classes: the field is
    # then a plain default value, and says so when used as a context.
    obj = UnslottedAttrs()
    with pytest.raises(AttributeError, match=r"slots=False delete class attributes"):
        obj.mp_context.Process  # type: ignore[attr-defined]  # noqa: B018


def test_a_hand_slotted_class_without_dict_is_told_how_to_fix_it() -> None:
    class Slotted:
        __slots__ = ("size",)
        mp_context: ContextField = ContextField()

    with pytest.raises(TypeError, match=r"Slotted has __slots__ and no __dict__"):
        Slotted().mp_context = "spawn"


# -- requirements -----------------------------------------------------------------


def test_assigning_a_method_outside_requires_is_refused() -> None:
    with pytest.raises(StartMethodError) as caught:
        Required("fork")
    message = str(caught.value)
    assert f"{__name__}.Required.mp_context cannot use the start method 'fork'" in message
    assert "assigned to it" in message
    assert "'spawn' or 'forkserver'" in message
    assert "it uses CUDA" in message
    assert "Assign 'spawn' to it." in message


def test_reading_none_under_an_explicit_method_outside_requires_is_refused() -> None:
    obj = Required()
    with using("fork"), pytest.raises(StartMethodError, match=r"chosen by using\('fork'\)"):
        obj.mp_context  # noqa: B018
    with using("forkserver"):
        assert obj.mp_context is ctx("forkserver")


@pytest.mark.allow_global_start_method
def test_reading_none_under_a_default_outside_requires_falls_back(
    restore_start_method: None,
) -> None:
    multiprocessing.set_start_method("fork", force=True)
    assert Required().mp_context is ctx("spawn")
    multiprocessing.set_start_method("forkserver", force=True)
    assert Required().mp_context is ctx("forkserver")


# -- declaration --------------------------------------------------------------------


def test_bad_options_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="requires is empty"):
        ContextField(requires=())
    with pytest.raises(TypeError, match="did you mean 'spawn'"):
        ContextField(requires=("spwan",))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="note must be True or False, got 1"):
        ContextField(note=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="given without requires"):
        ContextField(reason="why")


def test_a_class_made_again_keeps_its_field_and_one_note() -> None:
    def remake(cls: type) -> type:
        namespace = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
        return type(cls)(cls.__name__, cls.__bases__, namespace)

    @remake
    class Again:
        """Again."""

        mp_context: ContextField = ContextField()

    obj = Again()
    obj.mp_context = "spawn"
    assert obj.mp_context is ctx("spawn")
    assert (Again.__doc__ or "").count("Instances start processes.") == 1


def test_one_field_cannot_serve_two_attributes() -> None:
    field = ContextField()

    class First:
        a: ContextField = field

    with pytest.raises((TypeError, RuntimeError)) as caught:

        class Second:
            b: ContextField = field

    # Python 3.10 and 3.11 wrap errors of __set_name__ in a RuntimeError.
    error = caught.value if caught.type is TypeError else caught.value.__cause__
    assert isinstance(error, TypeError)
    assert f"already {__name__}.{First.__qualname__}.a" in str(error)
    assert "give each attribute its own ContextField()" in str(error)


def test_a_field_outside_a_class_says_so() -> None:
    field = ContextField()
    with pytest.raises(TypeError, match="not a class attribute"):
        field.__set__(object(), "spawn")


def test_repr() -> None:
    assert repr(ContextField()) == "ContextField()"
    assert (
        repr(ContextField(requires=("spawn",), reason="why", note=False))
        == "ContextField(requires=('spawn',), reason='why', note=False)"
    )
    assert repr(vars(Required)["mp_context"]).startswith("ContextField(requires=('spawn', 'forkserver')")


def test_note_goes_to_the_class_docstring() -> None:
    doc = inspect.getdoc(Required)
    assert doc is not None
    assert doc.startswith("Needs a fresh interpreter.\n\n.. note::\n\n   Instances start processes.")
    assert "``mp_context`` attribute" in doc
    assert "it uses CUDA" in doc
    assert inspect.getdoc(Data).startswith("A dataclass.\n\n.. note::")  # type: ignore[union-attr]


def test_note_false_leaves_the_docstring() -> None:
    class Quiet:
        """Quiet."""

        mp_context: ContextField = ContextField(note=False)

    assert Quiet.__doc__ == "Quiet."


def test_no_docstring_gets_one_holding_the_note() -> None:
    class Bare:
        mp_context: ContextField = ContextField()

    assert (Bare.__doc__ or "").startswith("Instances start processes.")
