"""``ContextField``: a class attribute that holds a multiprocessing context.

For classes that take a context in their constructor (dependency injection).
Assigning resolves and validates at once; reading returns a ``BaseContext``;
a stored ``None`` is resolved at each read, against the context in force then.

Where the value lives: in the instance's ``__dict__`` under the attribute's
own name (a data descriptor wins over it, and ``vars()``, ``copy`` and
``pickle`` see the value as stored). Classes rebuilt with ``__slots__`` by
``attrs`` or ``dataclass(slots=True)`` drop the descriptor in favour of a
slot; a small marker left in the class dict is told (through
``__set_name__``) when that happens and puts a copy of the field back, in
front of the slot, which then holds the value.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext
from types import MemberDescriptorType

from .._core.resolve import context_in_force
from .._core.start_methods import (
    available_start_methods,
    context_for_name,
    context_from_value,
)
from .._core.types import Requirement
from .notes import add_note, field_note
from .registry import registry
from .requirements import Rules, check_note, check_options

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import overload

    from .._core.types import ContextParam, StartMethod

__all__ = ["ContextField"]

_canonical: dict[type[BaseContext], BaseContext] = {}


def _canonical_context(context: BaseContext) -> BaseContext:
    """Return multiprocessing's own context for a copy of one (as unpickled).

    Contexts pickle by value: an instance unpickled holds a new, equivalent
    context, which would compare unequal to the original. Standard contexts
    have no state, so the one ``multiprocessing.get_context(name)`` returns
    stands for them.
    """
    if not _canonical:
        for method in available_start_methods():
            standard = context_for_name(method)
            _canonical[type(standard)] = standard
    return _canonical.get(type(context), context)


class ContextField:
    """A class attribute holding the multiprocessing context of its instances.

    For classes that take a context in their constructor: assigning accepts
    what ``resolve_context`` accepts and validates it at once (a bad value
    fails at construction); reading returns a ``BaseContext``; a stored
    ``None`` reads as the context in force at the time of the read. Works in
    plain classes, dataclasses (the field's default is ``None``) and attrs
    classes (slotted, as ``attrs.define`` makes them), and registers itself
    in ``mpcontext.registry``.

    Annotate the class attribute with the field's own type, so that type
    checkers see reads as ``BaseContext`` and assignments as
    ``ContextParam``::

        class Pipeline:
            mp_context: ContextField = ContextField(requires=("spawn", "forkserver"))

            def __init__(self, *, mp_context: ContextParam = None) -> None:
                self.mp_context = mp_context

    Parameters
    ----------
    requires : iterable of str, optional
        The start methods the instances support, in order of preference;
        ``None`` for any. Assigning another raises ``StartMethodError``; so
        does reading ``None`` while another was chosen explicitly. When
        nothing was chosen and the default is another, reading gives the
        first of these available here.
    reason : str, optional
        Why, as shown to users in the class docstring and in errors.
    note : bool
        Append a note saying all this to the docstring of the class.

    Raises
    ------
    TypeError
        `requires` is empty or names an unknown start method, or an option
        has the wrong type.

    Notes
    -----
    Reading the attribute on the class gives ``None``, which dataclasses
    take as the field's default. attrs classes with ``slots=False`` delete
    class attributes, this one included: use slotted attrs classes. In
    slotted classes pickling goes through the attribute, so a stored
    ``None`` is pickled as the context it reads as at that time; elsewhere it
    stays ``None``. An unpickled standard context is multiprocessing's own
    one again.
    """

    __slots__ = (
        "_methods",
        "_name",
        "_note",
        "_subject",
        "_reason",
        "_requirement",
        "_rules",
        "_storage",
    )

    def __init__(
        self,
        requires: Iterable[StartMethod] | None = None,
        reason: str | None = None,
        note: bool = True,
    ) -> None:
        _, self._methods, self._reason = check_options("mp_context", requires, reason, "ContextField()")
        self._note = check_note(note, "ContextField()")
        self._name: str | None = None
        self._subject = ""
        self._requirement: Requirement | None = None
        self._rules: Rules | None = None
        self._storage: MemberDescriptorType | None = None

    def __set_name__(self, owner: type[object], name: str) -> None:
        subject = f"{owner.__module__}.{owner.__qualname__}.{name}"
        previous = self._requirement
        if previous is not None and (name, owner.__module__) != (self._name, previous.module):
            raise TypeError(
                f"this ContextField is already {self._subject}; it cannot also be "
                f"{subject}: give each attribute its own ContextField()"
            )
        # Bound again under its name: its class made again by a class
        # decorator, which copied the docstring, note included.
        self._name = name
        self._subject = subject
        methods, reason = self._methods, self._reason
        self._requirement = Requirement(
            owner.__module__, f"{owner.__qualname__}.{name}", name, methods, reason, "field"
        )
        if methods is not None:
            self._rules = Rules(subject, methods, reason, "assign {method!r} to it")
        registry.add(self._requirement)
        setattr(owner, f"_mpcontext_field_{name}", _Rebind(self))
        if self._note and previous is None:
            owner.__doc__ = add_note(owner.__doc__, field_note(name, methods, reason))

    @property
    def _mpcontext_requirement(self) -> Requirement | None:
        """The requirement registered, once bound to a class (see ``registry.lookup``)."""
        return self._requirement

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type[object] | None = None) -> None: ...

        @overload
        def __get__(self, instance: object, owner: type[object] | None = None) -> BaseContext: ...

    def __get__(self, instance: object, owner: type[object] | None = None) -> BaseContext | None:
        """Return the context of `instance`; ``None`` read on the class."""
        if instance is None:
            return None
        stored = self._load(instance)
        if stored is not None:
            return _canonical_context(stored)
        context, explicit, origin = context_in_force()
        if self._rules is None:
            return context
        replacement = self._rules.replacement(context, explicit, origin)
        return context if replacement is None else replacement[0]

    def __set__(self, instance: object, value: ContextParam) -> None:
        """Resolve and validate `value`, and store it for `instance`.

        Raises
        ------
        InvalidContextError
            `value` is not ``None``, a start method available here, or a
            ``BaseContext``.
        StartMethodError
            The field's requirement does not allow the start method of `value`.
        """
        if value is None or isinstance(value, ContextField):
            # attrs takes the class attribute, this field, as the default.
            self._store(instance, None)
            return
        context = context_from_value(value, f"the value assigned to {self._bound()}")
        rules = self._rules
        if rules is not None:
            rules.check_given(context, "assigned to it")
        self._store(instance, context)

    def __delete__(self, instance: object) -> None:
        """Forget the value of `instance`: it reads as the context in force."""
        self._store(instance, None)

    def _bound(self) -> str:
        """Return the name of the field for messages; raise if it is in no class."""
        self._bound_name()
        return self._subject

    def _bound_name(self) -> str:
        if self._name is None:
            raise TypeError(
                "this ContextField is not a class attribute: declare it in a class body, "
                "as `mp_context: ContextField = ContextField()`"
            )
        return self._name

    def _load(self, instance: object) -> BaseContext | None:
        storage = self._storage
        if storage is not None:
            try:
                value: BaseContext | None = storage.__get__(instance, type(instance))
            except AttributeError:
                return None
            return value
        try:
            return instance.__dict__.get(self._name or "")
        except AttributeError:
            raise self._no_storage(instance) from None

    def _store(self, instance: object, value: BaseContext | None) -> None:
        storage = self._storage
        if storage is not None:
            storage.__set__(instance, value)
            return
        name = self._bound_name()
        try:
            instance.__dict__[name] = value
        except AttributeError:
            raise self._no_storage(instance) from None

    def _no_storage(self, instance: object) -> TypeError:
        self._bound()
        return TypeError(
            f"{self._subject} has nowhere to keep its value: "
            f"{type(instance).__qualname__} has __slots__ and no __dict__. Add "
            f"'__dict__' to its __slots__, or let attrs or dataclass(slots=True) make "
            f"the slots"
        )

    def _copy_in_front_of(self, storage: MemberDescriptorType) -> ContextField:
        field = ContextField.__new__(ContextField)
        for slot in ContextField.__slots__:
            setattr(field, slot, getattr(self, slot))
        field._storage = storage
        return field

    def __repr__(self) -> str:
        options: list[str] = []
        if self._methods is not None:
            options.append(f"requires={self._methods!r}")
        if self._reason is not None:
            options.append(f"reason={self._reason!r}")
        if not self._note:
            options.append("note=False")
        return f"ContextField({', '.join(options)})"

    def __getattr__(self, name: str) -> object:
        # A ContextField read where a context was expected: the class lost it.
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(
            f"{self!r} has no attribute {name!r}: it was read as the value of "
            f"{self._subject or 'an attribute'} instead of acting as its descriptor. "
            f"attrs classes with slots=False delete class attributes: let attrs make "
            f"the class slotted (attrs.define's default)"
        )


class _Rebind:
    """Left in the class dict: puts the field back when the class is rebuilt with slots.

    ``attrs`` and ``dataclass(slots=True)`` make a new class from the old
    class dict, without the field (a slot takes its name). Creating that
    class calls ``__set_name__`` on what its dict holds, this marker included.
    """

    __slots__ = ("_field",)

    def __init__(self, field: ContextField) -> None:
        self._field = field

    def __set_name__(self, owner: type[object], name: str) -> None:
        field = self._field
        attribute = field._name
        if attribute is None:
            return
        slot = vars(owner).get(attribute)
        if isinstance(slot, MemberDescriptorType):
            setattr(owner, attribute, field._copy_in_front_of(slot))

    def __repr__(self) -> str:
        return f"<slot marker of {self._field._subject}>"
