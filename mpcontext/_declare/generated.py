"""Wrappers generated for each decorated function, with its exact signature.

As attrs and dataclasses generate ``__init__``, the decorator generates the
wrapper of a plain function from its parameters: the arguments arrive as
they were given and leave the same way, without the ``*args, **kwargs``
packing that is most of what a pass-through wrapper costs. The common call
(the argument left out, nothing to change in force) reads the context in
force and calls the function; only a call that changes what is in force
sets the scope, through ``Plan.enter``.

The code of each shape of signature is compiled once; each wrapper gets its
own copy, named after its function, with a file name of its own whose
source ``linecache`` holds, so that tracebacks show the line. Each wrapper
runs with globals of its own, which hold its requirement for
``calls.requirement_in_force``. A function with a parameter named like the
wrapper's own names (``_mpc_...``), or a callable that is not a plain
function (``functools.cache``, a ``functools.wraps`` wrapper), gets the
same wrapper over ``*args, **kwargs``, which passes arguments on as given.
"""

from __future__ import annotations

import sys
from types import FunctionType

from .._core.calls import REQUIREMENT_KEY
from .._core.env import ENV
from .._core.mp_default import DEFAULT_CONTEXT_NAMES, DEFAULT_CONTEXT_SOURCE
from .._core.scope import EMPTY, SCOPE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.context import BaseContext
    from types import CodeType
    from typing import Any

    from typing_extensions import TypeAlias

    from .._core.scope import Scope
    from .._core.types import Requirement

    Enter: TypeAlias = "Callable[[object], tuple[BaseContext, Scope | None]]"
    Shape: TypeAlias = (
        "tuple[tuple[str, ...], tuple[str, ...], str | None, tuple[str, ...], str | None]"
    )

__all__ = ["generate_wrapper"]

_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08
_PREFIX = "_mpc_"

_CODES: dict[tuple[Shape | None, str, bool], tuple[CodeType, list[str], _Source]] = {}
"""Compiled once: the code of each shape of wrapper, its source lines and their loader."""


def _shape(func: object, param: str) -> Shape | None:
    """Return the parameters of `func` if it gets an exact wrapper, else ``None``."""
    if type(func) is not FunctionType or getattr(func, "__wrapped__", None) is not None:
        return None  # a wrapper: the signature it shows is not that of its code
    code = func.__code__
    names = code.co_varnames
    count, posonly, kwonly = code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount
    at = count + kwonly
    varargs = names[at] if code.co_flags & _CO_VARARGS else None
    at += varargs is not None
    varkw = names[at] if code.co_flags & _CO_VARKEYWORDS else None
    shape = (names[:posonly], names[posonly:count], varargs, names[count : count + kwonly], varkw)
    # A name clashing with the wrapper's own is rare: any "_mpc_" in a name will do.
    if param not in shape[3] or _PREFIX in " ".join(names[: at + (varkw is not None)]):
        return None
    return shape


def _source(shape: Shape | None, param: str, required: bool) -> str:
    """Return the source of a wrapper of `shape` (``None``: over ``*args, **kwargs``)."""
    if shape is None:
        value = "_mpc_value"
        head = [
            "def wrapper(*_mpc_args, **_mpc_kwargs):",
            f"    _mpc_value = _mpc_kwargs.get({param!r})",
        ]
        call = [
            f"_mpc_kwargs[{param!r}] = _mpc_value",
            "return _mpc_func(*_mpc_args, **_mpc_kwargs)",
        ]
    else:
        posonly, positional, varargs, kwonly, varkw = shape
        value = param
        params = [*posonly, *(["/"] if posonly else []), *positional]
        params.append(f"*{varargs}" if varargs else "*")
        params += kwonly
        params += [f"**{varkw}"] if varkw else []
        args = [*posonly, *positional, *([f"*{varargs}"] if varargs else [])]
        args += [f"{name}={name}" for name in kwonly] + ([f"**{varkw}"] if varkw else [])
        head = [f"def wrapper({', '.join(params)}):"]
        call = [f"return _mpc_func({', '.join(args)})"]

    def returns(indent: str) -> list[str]:
        return [indent + line for line in call]

    # The default read inline raises KeyError until multiprocessing has
    # computed it: then the call takes the way through _mpc_enter.
    lines = [
        *head,
        f"    if {value} is None:",
        f"        {value} = _mpc_get_scope().context",
        f"        if {value} is None and _mpc_env.start_method is None:",
        "            try:",
        f"                {value} = {DEFAULT_CONTEXT_SOURCE}",
        "            except KeyError:",
        "                pass",
    ]
    if required:
        lines += [
            f"        if {value} in _mpc_allowed:",
            *returns(" " * 12),
            f"        {value} = None",
        ]
    else:
        lines += [f"        if {value} is not None:", *returns(" " * 12)]
    # A choice made again from outside any scope sets the scope made the
    # first time; but the default's own object may be a context handed on.
    lines += [
        "    elif _mpc_env.start_method is None and _mpc_get_scope() is _mpc_EMPTY:",
        "        try:",
        f"            _mpc_scope = _mpc_chosen[{value}]",
        f"            _mpc_handed = {value} is {DEFAULT_CONTEXT_SOURCE}",
        "        except (KeyError, TypeError):",
        "            _mpc_handed = True",
        "        if not _mpc_handed:",
        f"            {value} = _mpc_scope.context",
        "            _mpc_token = _mpc_set_scope(_mpc_scope)",
        "            try:",
        *returns(" " * 16),
        "            finally:",
        "                _mpc_reset_scope(_mpc_token)",
        f"    {value}, _mpc_scope = _mpc_enter({value})",
        "    if _mpc_scope is None:",
        *returns(" " * 8),
        "    _mpc_token = _mpc_set_scope(_mpc_scope)",
        "    try:",
        *returns(" " * 8),
        "    finally:",
        "        _mpc_reset_scope(_mpc_token)",
    ]
    return "\n".join(lines) + "\n"


def _code(shape: Shape | None, param: str, required: bool) -> tuple[CodeType, list[str], _Source]:
    key = (shape, param, required)
    found = _CODES.get(key)
    if found is None:
        source = _source(shape, param, required)
        module: CodeType = compile(source, "<mpcontext wrapper>", "exec")
        code = next(const for const in module.co_consts if hasattr(const, "co_code"))
        found = _CODES[key] = (code, source.splitlines(keepends=True), _Source(source))
    return found


class _Source:
    """The loader of a wrapper's source, for ``linecache.lazycache``."""

    __slots__ = ("_source",)

    def __init__(self, source: str) -> None:
        self._source = source

    def get_source(self, name: str) -> str:
        """Return the source of the wrapper of `name`."""
        return self._source


def _filename(name: str, lines: list[str]) -> str:
    """Return a file name for a wrapper of `name`, which ``linecache`` finds the source of.

    Where ``linecache`` is loaded already (as by ``traceback``, ``logging``,
    pytest), the source is put in its cache, as attrs does. Else the
    wrapper's globals hold a loader, which ``traceback`` asks when it
    shows the line: importing ``linecache`` costs more than a decoration
    (``tokenize``, before 3.14), and a library decorates when imported.
    """
    base = f"mpcontext wrapper of {name}"
    cache = getattr(sys.modules.get("linecache"), "cache", None)
    if cache is None:
        return base
    filename, number = base, 1
    while True:
        held = cache.get(filename)
        if held is None or (len(held) == 4 and held[2] is lines):
            break
        number += 1
        filename = f"{base} ({number})"
    cache[filename] = (sum(map(len, lines)), None, lines, filename)
    return filename


def generate_wrapper(
    func: Any,
    name: str,
    param: str,
    requirement: Requirement,
    enter: Enter,
    allowed: frozenset[BaseContext] | None,
    chosen: dict[object, Scope],
) -> Callable[..., Any]:
    """Return the wrapper of the plain (not generator) function `func`.

    Parameters
    ----------
    func : callable
        What the wrapper calls.
    name : str
        ``module.qualname`` of `func`, for the wrapper's file name.
    param : str
        The parameter that takes the context.
    requirement : Requirement
        What `func` declares, held in the wrapper's globals.
    enter : callable
        Resolves the argument in the calls that change what is in force:
        given the value (``None`` when left out, or when the context in force
        is refused), returns the context and the scope to set (``None``: keep
        the scope).
    allowed : frozenset of BaseContext, optional
        The contexts that `func`'s requirement takes as they are; ``None``
        when it has none.
    chosen : dict
        The scopes `enter` made for arguments given from outside any scope,
        by argument: the wrapper sets them again without asking `enter`.
    """
    shape = _shape(func, param)
    template, lines, loader = _code(shape, param, allowed is not None)
    qualname = str(getattr(func, "__qualname__", None) or getattr(func, "__name__", "wrapper"))
    changes: dict[str, Any] = {
        "co_filename": _filename(name, lines),
        "co_name": str(getattr(func, "__name__", None) or "wrapper"),
    }
    if sys.version_info >= (3, 11):
        changes["co_qualname"] = qualname
    namespace: dict[str, Any] = {
        "__name__": changes["co_filename"],
        "__loader__": loader,
        **DEFAULT_CONTEXT_NAMES,
        REQUIREMENT_KEY: requirement,
        "_mpc_func": func,
        "_mpc_get_scope": SCOPE.get,
        "_mpc_set_scope": SCOPE.set,
        "_mpc_reset_scope": SCOPE.reset,
        "_mpc_EMPTY": EMPTY,
        "_mpc_env": ENV,
        "_mpc_enter": enter,
        "_mpc_allowed": allowed,
        "_mpc_chosen": chosen,
    }
    defaults = func.__defaults__ if shape is not None else None
    wrapper = FunctionType(template.replace(**changes), namespace, changes["co_name"], defaults)
    if shape is not None and func.__kwdefaults__:
        wrapper.__kwdefaults__ = dict(func.__kwdefaults__)
    return wrapper
