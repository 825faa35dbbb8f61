"""Whose signature a declared function has, and whether it takes the context.

A decorator made with ``functools.wraps`` below mpcontext's keeps the
signature of what it wraps; both the decorator and ``registry.register``
look through it, as ``inspect.signature`` does.
"""

from __future__ import annotations

from .._core.messages import short_repr

__all__ = ["check_takes", "signature_of"]


def signature_of(func: object) -> object:
    """Return the function whose signature `func` has, following ``__wrapped__``.

    As ``inspect.signature`` does: a decorator made with ``functools.wraps``
    below this one keeps the signature of the function it wraps.
    """
    target = func
    for _ in range(100):
        wrapped = getattr(target, "__wrapped__", None)
        if getattr(wrapped, "__code__", None) is None:
            break
        target = wrapped
    return target


def check_takes(target: object, param: str, where: str) -> None:
    """Check that a Python function (or a class's ``__init__``) has `param`."""
    if isinstance(target, type):
        if any(param in vars(klass) for klass in target.__mro__):
            return  # an attribute, such as a ContextField
        function = getattr(target, "__init__", None)
    else:
        function = target
    code = getattr(signature_of(function), "__code__", None)
    if code is None:
        return  # a builtin, or object.__init__: nothing to check against
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    takes_keywords = bool(code.co_flags & 0x08)  # CO_VARKEYWORDS
    if param not in names and not takes_keywords:
        raise TypeError(
            f"{where}: it has no parameter {short_repr(param)}; pass param= with the name of the "
            f"parameter that takes the context (it takes {', '.join(map(repr, names))})"
        )
