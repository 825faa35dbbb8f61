"""The registry of what starts processes, and the rules of a requirement.

Every function decorated with ``accepts_context`` and every ``ContextField``
is recorded here as a ``Requirement``, keyed by module and qualified name, so
that tools (``python -m mpcontext report``) can document which parts of a
package start processes. The rules a requirement imposes on a call (refuse an
explicit choice it does not support, fall back from a default it does not
support) live here too, shared by the decorator and the field.
"""

from __future__ import annotations

import sys
import threading
from multiprocessing.context import BaseContext

from .._core.errors import StartMethodError
from .._core.messages import (
    MAX_REASON,
    because,
    describe_value,
    did_you_mean,
    methods_text,
    short_repr,
)
from .._core.start_methods import (
    ALL_START_METHODS,
    available_start_methods,
    context_for_name,
    start_method_of,
)
from .._core.types import Requirement

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

    from .._core.types import StartMethod

__all__ = [
    "MARK",
    "Registry",
    "Rules",
    "check_note",
    "check_options",
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


def check_note(note: object, where: str) -> bool:
    """Return the `note` option of the declaration `where`, once checked to be a bool."""
    if not isinstance(note, bool):
        raise TypeError(f"{where}: note must be True or False, got {describe_value(note)}")
    return note


def check_options(
    param: object,
    requires: object,
    reason: object,
    where: str,
) -> tuple[str, tuple[str, ...] | None, str | None]:
    """Validate the options of a declaration; return them normalized.

    Parameters
    ----------
    param, requires, reason
        As given to ``accepts_context``, ``ContextField`` or
        ``registry.register``.
    where : str
        The declaration, for messages (``"accepts_context()"``).

    Returns
    -------
    tuple
        `param`; the start methods of `requires` in the order given, without
        duplicates, or ``None``; `reason` stripped, or ``None``.

    Raises
    ------
    TypeError
        `param` is not an identifier, `requires` is empty, a ``str`` or names
        an unknown start method, or `reason` is not a ``str`` or is given
        without `requires`.
    """
    if not isinstance(param, str) or not param.isidentifier():
        raise TypeError(
            f"{where}: param must be the name of the parameter that takes the "
            f"context, as a str (such as 'mp_context'), got {describe_value(param)}"
        )
    methods = _check_requires(requires, where)
    if reason is not None and not isinstance(reason, str):
        raise TypeError(
            f"{where}: reason must be a str saying why the start methods are "
            f"required, or None, got {describe_value(reason)}"
        )
    text = reason.strip() if reason else None
    if text and methods is None:
        raise TypeError(
            f"{where}: reason={short_repr(reason)} given without requires; the reason explains "
            f"a requirement: add requires=(...) with the start methods it supports"
        )
    return param, methods, text or None


def _check_requires(requires: object, where: str) -> tuple[str, ...] | None:
    if requires is None:
        return None
    if isinstance(requires, str):
        raise TypeError(
            f"{where}: requires={short_repr(requires)} is a single str; pass the start "
            f"methods as a tuple, such as requires=({short_repr(requires)},)"
        )
    iterable: Iterable[object] = requires  # type: ignore[assignment]  # checked here
    try:
        given = tuple(iterable)
    except TypeError:
        raise TypeError(
            f"{where}: requires must be a tuple of start method names or None, got "
            f"{describe_value(requires)}"
        ) from None
    if not given:
        raise TypeError(
            f"{where}: requires is empty, so nothing could run; name the start methods "
            f"supported (of {methods_text(ALL_START_METHODS)}), or pass None for any"
        )
    methods: list[str] = []
    for method in given:
        if not isinstance(method, str) or method not in ALL_START_METHODS:
            raise TypeError(f"{where}: {_unknown_method(method)}")
        methods.append(method)
    return tuple(dict.fromkeys(methods))


def _unknown_method(method: object) -> str:
    message = f"requires names an unknown start method {describe_value(method)}"
    if isinstance(method, str):
        message += did_you_mean(method, ALL_START_METHODS)
    return f"{message} Start methods are {methods_text(ALL_START_METHODS)}."


class Rules:
    """The rules of one requirement, applied to a context chosen or in force.

    Parameters
    ----------
    subject : str
        What has the requirement, for messages: ``"pkg.mod.func()"`` or
        ``"pkg.mod.Class.attr"``.
    methods : tuple of str
        The start methods supported, in order of preference.
    reason : str or None
        Why, as the author gave it.
    fix : str
        How a caller passes a method explicitly, with ``{method!r}`` to fill
        in: ``"pass mp_context={method!r} to it"``.
    """

    __slots__ = ("_fallbacks", "fix", "methods", "reason", "subject")

    def __init__(self, subject: str, methods: tuple[str, ...], reason: str | None, fix: str) -> None:
        self.subject = subject
        self.methods = methods
        self.reason = reason
        self.fix = fix
        self._fallbacks: dict[str, tuple[BaseContext, str]] = {}

    def _supports(self) -> str:
        return f"It supports only {methods_text(self.methods)}{because(self.reason, MAX_REASON)}."

    def refused(self, method: str, origin: str, *, by_argument: bool = False) -> StartMethodError:
        """Return the error for an explicit choice of `method` it does not support.

        `origin` says who chose it (``"chosen by using('fork')"``);
        `by_argument` when that was the subject's own argument (or assignment).
        """
        fix = self.fix.format(method=self._preferred())
        fix = fix[:1].upper() + fix[1:]
        if not by_argument:
            fix += f", or choose {methods_text(self.methods)} where {method!r} was chosen"
        return StartMethodError(
            f"{self.subject} cannot use the start method {method!r}, {origin}. "
            f"{self._supports()} {fix}."
        )

    def replacement(
        self, context: BaseContext, explicit: bool, origin: str
    ) -> tuple[BaseContext, str] | None:
        """Apply the rules to the `context` in force; return what replaces it, if anything.

        ``None`` when `context` is allowed; else, when nothing chose it
        (`explicit` false), the fallback and its origin.

        Raises
        ------
        StartMethodError
            `context` was chosen (as `origin` says) and is not allowed, or
            none of the methods is available here.
        """
        method = start_method_of(context)
        if method in self.methods:
            return None
        if explicit:
            raise self.refused(method, origin)
        return self.fallback(method)

    def fallback(self, default: str) -> tuple[BaseContext, str]:
        """Return the context to use when nothing chose one and `default` is not allowed.

        That is the first of the methods available here, with the origin
        ``explain_context`` shows for it.

        Raises
        ------
        StartMethodError
            None of the methods is available on this platform.
        """
        try:
            return self._fallbacks[default]
        except KeyError:
            pass
        context = context_for_name(self._preferred())
        origin = (
            f"a requirement's fallback: nothing chose a start method, and {self.subject} "
            f"does not support the default {default!r} (it supports only "
            f"{methods_text(self.methods)})"
        )
        self._fallbacks[default] = (context, origin)
        return context, origin

    def _preferred(self) -> str:
        available = available_start_methods()
        for method in self.methods:
            if method in available:
                return method
        raise StartMethodError(
            f"{self.subject} cannot run on this platform ({sys.platform}). "
            f"{self._supports()} None of them is available here; start methods "
            f"available here: {methods_text(available, 'and')}."
        )


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
            _check_takes(target, param, where)
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


def _check_takes(target: object, param: str, where: str) -> None:
    """Check that a Python function (or a class's ``__init__``) has `param`."""
    if isinstance(target, type):
        if any(param in vars(klass) for klass in target.__mro__):
            return  # an attribute, such as a ContextField
        function = getattr(target, "__init__", None)
    else:
        function = target
    for _ in range(100):
        wrapped = getattr(function, "__wrapped__", None)
        if wrapped is None:
            break
        function = wrapped
    code = getattr(function, "__code__", None)
    if code is None:
        return  # a builtin, or object.__init__: nothing to check against
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    takes_keywords = bool(code.co_flags & 0x08)  # CO_VARKEYWORDS
    if param not in names and not takes_keywords:
        raise TypeError(
            f"{where}: it has no parameter {short_repr(param)}; pass param= with the name of the "
            f"parameter that takes the context (it takes {', '.join(map(repr, names))})"
        )


registry: Registry = Registry()
"""The registry of every function and field that starts processes."""
