"""The rules of a requirement: its options checked, and applied to a context.

A declaration (``accepts_context``, ``ContextField``, ``registry.register``)
checks its options here once; at each call its ``Rules`` refuse an explicit
choice the requirement does not support and fall back from a default it
does not support.
"""

from __future__ import annotations

import sys
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
    context_label,
    start_method_of,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Rules", "check_note", "check_options"]


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
    family, colon, own = method.partition(":") if isinstance(method, str) else ("", "", "")
    if colon and own in ALL_START_METHODS:
        # "multiprocess:spawn" meets "spawn": requirements name the stdlib's methods.
        return (
            f"{message}; requirements name the stdlib's start methods, which a context "
            f"of {family} meets too: write {own!r}."
        )
    hint = did_you_mean(method, ALL_START_METHODS) if isinstance(method, str) else ""
    return f"{message}{hint or '.'} Start methods are {methods_text(ALL_START_METHODS)}."


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

    def contexts(self) -> list[BaseContext]:
        """Return the contexts of the methods available here, which it takes as they are."""
        available = available_start_methods()
        return [context_for_name(method) for method in self.methods if method in available]

    def check_given(self, context: BaseContext, origin: str) -> None:
        """Refuse `context`, given as the subject's own argument (or assigned), if not allowed.

        Raises
        ------
        StartMethodError
            Its start method is not one of the methods.
        """
        if start_method_of(context) not in self.methods:
            raise self.refused(context_label(context), origin, by_argument=True)

    def refused(self, method: str, origin: str, *, by_argument: bool = False) -> StartMethodError:
        """Return the error for an explicit choice of `method` it does not support.

        `origin` says who chose it (``"chosen by using('fork')"``);
        `by_argument` when that was the subject's own argument (or assignment).
        """
        preferred = self._preferred()
        family, colon, _ = method.partition(":")
        if colon:  # stay in the family chosen: "multiprocess:fork" -> "multiprocess:spawn"
            preferred = f"{family}:{preferred}"
        fix = self.fix.format(method=preferred)
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
            raise self.refused(context_label(context), origin)
        return self.fallback(context_label(context))

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
