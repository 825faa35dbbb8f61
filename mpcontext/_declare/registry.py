"""The registry of what starts processes.

Every function decorated with ``accepts_context`` and every ``ContextField``
is recorded here as a ``Requirement``, keyed by module and qualified name, so
that tools (``python -m mpcontext report``) can document which parts of a
package start processes. The rules a requirement imposes on a call are in
``requirements``.
"""

from __future__ import annotations

import threading

from .._core.messages import (
    describe_value,
)
from .._core.types import Requirement
from .requirements import check_note, check_options
from .signatures import check_takes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

    from .._core.types import StartMethod

__all__ = [
    "MARK",
    "Registry",
    "qualified_name",
    "registry",
]

MARK = "_mpcontext_requirement"
"""The attribute naming the ``Requirement`` of what mpcontext registered.

Set on decorated functions (and so copied by ``functools.wraps`` to any
decorator applied on top) and provided by ``ContextField``: it lets
``registry.lookup`` find an object whose ``__module__`` was rewritten after
registration (as libraries do to show public paths).
"""


def qualified_name(obj: object) -> tuple[str, str] | None:
    """Return ``(module, qualname)`` of a function or class, ``None`` if it has none."""
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(qualname, str):
        return (module if isinstance(module, str) else "__main__", qualname)
    return None


class Registry:
    """Every function and field that starts processes, with its requirement.

    Functions decorated with ``accepts_context`` and ``ContextField``
    attributes are registered when they are defined; anything else with
    ``register``. There is one entry per module and qualified name:
    registering again (a module reloaded, a closure made again) replaces it.
    The registry keeps no reference to the objects, only their names, and is
    safe to use from many threads.

    Use the instance ``mpcontext.registry``.

    Examples
    --------
    >>> import mpcontext
    >>> @mpcontext.accepts_context(requires=("spawn",), reason="it uses CUDA")
    ... def train(*, mp_context: mpcontext.ContextParam = None) -> None:
    ...     pass
    >>> mpcontext.registry.lookup(train).start_methods
    frozenset({'spawn'})
    """

    __slots__ = ("_entries", "_lock")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], Requirement] = {}

    def entries(self, module: str | ModuleType | None = None) -> list[Requirement]:
        """Return the requirements registered, in the order first registered.

        Parameters
        ----------
        module : str or module, optional
            Only those of this package or module: ``"pkg"`` matches ``pkg``
            and ``pkg.sub``, never ``pkg2``.

        Returns
        -------
        list of Requirement
            A new list, safe to keep.
        """
        if module is None:
            with self._lock:
                return list(self._entries.values())
        name = getattr(module, "__name__", module) if not isinstance(module, str) else module
        if not isinstance(name, str):
            raise TypeError(
                f"registry.entries() takes a module name (str), a module or None, "
                f"got {describe_value(module)}"
            )
        prefix = name + "."
        with self._lock:
            return [
                entry
                for entry in self._entries.values()
                if entry.module == name or entry.module.startswith(prefix)
            ]

    def lookup(self, obj: object, attribute: str | None = None) -> Requirement | None:
        """Return the requirement registered for `obj`, ``None`` if there is none.

        Parameters
        ----------
        obj : object
            A decorated function, the function it decorates, a bound method,
            a ``classmethod`` or ``staticmethod``, a ``functools.partial``, a
            ``ContextField``, or a class (its own entry if it was registered,
            else the entry of its only ``ContextField``).
        attribute : str, optional
            With a class (or an instance), the name of a ``ContextField``
            attribute: ``registry.lookup(Pipeline, "mp_context")``.
        """
        key = self._key_of(obj, attribute)
        if key is None:
            return None
        with self._lock:
            found = self._entries.get(key)
        if found is None and attribute is None and isinstance(obj, type):
            return self._only_field(obj)
        return found

    def register(
        self,
        obj: object,
        requires: Iterable[StartMethod] | None = None,
        reason: str | None = None,
        param: str | None = "mp_context",
        *,
        note: bool = False,
    ) -> Requirement:
        """Record that `obj` starts processes, with what it requires.

        For what mpcontext does not decorate: a function of another library,
        a class taking a context in its constructor, a function written
        before ``accepts_context``; or, with ``param=None``, one that takes
        no context yet and picks its own start method (then `requires`
        says which): the documentation CPython asks for, until it can take
        its caller's.

        Parameters
        ----------
        obj : function, method or class
            What starts processes. A class is registered with kind ``"class"``.
        requires : iterable of str, optional
            The start methods it supports; ``None`` for any.
        reason : str, optional
            Why, as shown to users. Only with `requires`.
        param : str or None
            The parameter that takes the context (for a class, of its
            constructor); it may be positional, as in the stdlib's
            ``ProcessPoolExecutor(max_workers, mp_context)``. ``None``: it
            takes none, and the report says it picks its own start method.
        note : bool
            Append the note ``accepts_context`` writes to `obj`'s docstring,
            in the docstring's own style: which parameter chooses the start
            method, or, with ``param=None``, that it picks its own, and which
            (`requires`). Off by default: what is registered is often
            another library's. Written once, by the first registration that
            asks for it.

        Returns
        -------
        Requirement
            The entry recorded, replacing any of the same module and
            qualified name.

        Raises
        ------
        TypeError
            `obj` has no qualified name, does not take `param`, the
            options are not valid (see ``accepts_context``), or `note` is
            asked for and its docstring cannot be written (a builtin).
        """
        target = _unwrap(obj)
        key = qualified_name(target)
        if key is None:
            raise TypeError(
                f"registry.register() records functions, methods and classes by their "
                f"module and qualified name; {describe_value(obj)} has none"
            )
        where = f"registry.register({key[0]}.{key[1]})"
        if param is None:
            _, methods, reason = check_options("mp_context", requires, reason, where)
        else:
            param, methods, reason = check_options(param, requires, reason, where)
            check_takes(target, param, where)
        kind = "class" if isinstance(target, type) else "function"
        requirement = Requirement(key[0], key[1], param, methods, reason, kind)
        if check_note(note, where):
            _write_note(target, requirement, methods, where)
        self.add(requirement)
        return requirement

    def add(self, requirement: Requirement) -> None:
        """Record `requirement`, replacing the entry of the same name (for mpcontext)."""
        key = (requirement.module, requirement.qualname)
        with self._lock:
            self._entries[key] = requirement

    def _key_of(self, obj: object, attribute: str | None) -> tuple[str, str] | None:
        if attribute is not None:
            if not isinstance(attribute, str):
                raise TypeError(
                    f"registry.lookup(): attribute must be the name of a ContextField "
                    f"attribute (a str) or None, got {describe_value(attribute)}"
                )
            return _field_key(obj, attribute)
        target = _unwrap(obj)
        marked = getattr(target, MARK, None)
        if isinstance(marked, Requirement):
            return (marked.module, marked.qualname)
        return qualified_name(target)

    def _only_field(self, cls: type) -> Requirement | None:
        found: list[Requirement] = []
        for klass in cls.__mro__:
            for name, value in vars(klass).items():
                marked = getattr(value, MARK, None)
                if isinstance(marked, Requirement) and marked.kind == "field":
                    entry = self.lookup(cls, name)
                    if entry is not None and entry not in found:
                        found.append(entry)
        return found[0] if len(found) == 1 else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __repr__(self) -> str:
        return f"<mpcontext.Registry with {len(self)} entries>"


_NOTED = "_mpcontext_noted"


def _write_note(
    target: object, requirement: Requirement, methods: tuple[str, ...] | None, where: str
) -> None:
    """Append `requirement`'s note (`methods` in their order of preference) to `target`'s docstring, once."""
    from .notes import add_note, class_note, function_note, own_choice_note

    if getattr(target, _NOTED, False):
        return
    if requirement.param is None:
        paragraphs = own_choice_note(requirement.kind, methods, requirement.reason)
    elif requirement.kind == "class":
        paragraphs = class_note(requirement.param, methods, requirement.reason)
    else:
        paragraphs = function_note(requirement.param, methods, requirement.reason)
    try:
        setattr(target, "__doc__", add_note(getattr(target, "__doc__", None), paragraphs))
        setattr(target, _NOTED, True)
    except (AttributeError, TypeError):
        raise TypeError(
            f"{where}: note=True, but the docstring of {describe_value(target)} cannot be "
            f"written; register it with note=False and document it by hand"
        ) from None


def _unwrap(obj: object) -> object:
    for _ in range(100):  # a bound method of a partial of a classmethod...
        inner = getattr(obj, "__func__", None)
        if inner is None and type(obj).__name__ == "partial":
            inner = getattr(obj, "func", None)
        if inner is None:
            return obj
        obj = inner
    return obj


def _field_key(obj: object, attribute: str) -> tuple[str, str] | None:
    cls = obj if isinstance(obj, type) else type(obj)
    for klass in cls.__mro__:
        if attribute in vars(klass):
            return (klass.__module__, f"{klass.__qualname__}.{attribute}")
    return None


registry: Registry = Registry()
"""The registry of every function and field that starts processes."""
