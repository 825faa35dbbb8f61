"""Contexts of the families: which family a context is of, its start method, by name.

Reading a context's start method never fixes a global of its family, as
``start_method_of`` does not for the stdlib's: a ``DefaultContext`` of
``multiprocess`` or ``billiard`` is read through its attributes, not asked.
"""

from __future__ import annotations

import sys
from multiprocessing.context import BaseContext

from .catalog import BILLIARD, LOKY, LOKY_NAMES, MULTIPROCESS, STDLIB, Family

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "KeptGlobal",
    "FamilyNotInstalled",
    "concrete_of",
    "context_named",
    "family_of",
    "global_context_of",
    "methods_of",
    "own_method_of",
    "set_global_context_of",
    "start_method_of_family",
]

# The families whose contexts are not the stdlib's BaseContext.
_OWN_BASE = (MULTIPROCESS, BILLIARD)

_family_of_type: dict[type, Family] = {}


class FamilyNotInstalled(ImportError):
    """The family named cannot be imported here."""

    def __init__(self, family: Family, error: ImportError) -> None:
        super().__init__(f"{family.name}: {error}")
        self.family = family
        self.error = error


def family_of(value: object) -> Family | None:
    """Return the family `value` is a context of, ``None`` if it is not a context.

    Imports nothing: a context of a family was made by its modules, which
    are already imported.
    """
    kind = type(value)
    try:
        return _family_of_type[kind]
    except KeyError:
        pass
    family = _family_of_class(kind)
    if family is not None:
        _family_of_type[kind] = family
    return family


def _family_of_class(kind: type) -> Family | None:
    if issubclass(kind, BaseContext):
        loky = getattr(sys.modules.get("loky.backend.context"), "LokyContext", None)
        if isinstance(loky, type) and issubclass(kind, loky):
            return LOKY
        return STDLIB
    for family in _OWN_BASE:
        base = getattr(sys.modules.get(f"{family.module}.context"), "BaseContext", None)
        if isinstance(base, type) and issubclass(kind, base):
            return family
    return None


def concrete_of(context: object, family: Family) -> object:
    """Return the concrete context behind a ``DefaultContext`` of `family`, fixing nothing.

    `context` itself for any other context; the stdlib's own
    ``DefaultContext`` is the core's to read (``mp_default``).
    """
    if family not in _OWN_BASE:
        return context
    default = getattr(sys.modules.get(f"{family.module}.context"), "DefaultContext", None)
    if not (isinstance(default, type) and isinstance(context, default)):
        return context
    actual: object = vars(context).get("_actual_context")
    return actual if actual is not None else getattr(context, "_default_context")


def global_context_of(family: Family) -> object | None:
    """Return the context `family`'s global start method is fixed to, ``None`` while unset.

    ``None`` also when the family is not imported (nothing fixed it), and
    for the stdlib's and loky's, whose global is the stdlib's: ``mp_default``'s
    to read.
    """
    if family not in _OWN_BASE:
        return None
    default: object = getattr(sys.modules.get(f"{family.module}.context"), "_default_context", None)
    settings: dict[str, object] = getattr(default, "__dict__", {})
    return settings.get("_actual_context")


def set_global_context_of(family: Family, context: object | None) -> None:
    """Fix `family`'s global start method to `context` (``None``: unset it), if it is imported.

    Only multiprocess's and billiard's: the stdlib's is ``mp_default``'s.
    """
    if family not in _OWN_BASE:
        return
    default: object = getattr(sys.modules.get(f"{family.module}.context"), "_default_context", None)
    settings: dict[str, object] | None = getattr(default, "__dict__", None)
    if settings is not None:
        settings["_actual_context"] = context


class KeptGlobal:
    """Leave `family`'s global start method as it was across a start of its children.

    Does nothing for the stdlib's and loky's contexts (``mp_default.preparing``
    is theirs).

    ``multiprocess`` and ``billiard`` copy the stdlib's spawn preparation as
    it was before Python 3.14: starting one of their ``spawn`` or
    ``forkserver`` children asks their global ``get_start_method()``, which
    fixes their global start method, and their ``set_start_method()`` then
    raises. Around mpcontext's starts, a global that was unset and got fixed
    meanwhile is unset again. (Unlike the stdlib's ``preparing()``, which keeps
    such a fixing to the starting thread, another thread that sets that
    family's start method during the start would see it undone: a
    library's global set while its processes start is a race of its own.)
    """

    __slots__ = ("_before", "_family")

    def __init__(self, family: Family) -> None:
        self._family = family
        self._before: object | None = None

    def __enter__(self) -> None:
        self._before = global_context_of(self._family)

    def __exit__(self, *exc_info: object) -> None:
        if self._before is None and global_context_of(self._family) is not None:
            set_global_context_of(self._family, None)


def own_method_of(concrete: object) -> str:
    """Return the start method name a concrete context of any family has: ``"spawn"``, ``"loky"``."""
    name = getattr(type(concrete), "_name", None)
    if isinstance(name, str):
        return name
    method: str = getattr(concrete, "get_start_method")()
    return method


def start_method_of_family(family: Family, own: str) -> str:
    """Return the stdlib start method that `own` of `family` amounts to (loky's: ``spawn``)."""
    return "spawn" if family is LOKY else own


def _module_of(family: Family) -> ModuleType:
    import importlib  # only here: multiprocessing does not import it before 3.14

    try:
        return importlib.import_module(family.module)
    except ImportError as error:
        raise FamilyNotInstalled(family, error) from error


def methods_of(family: Family) -> tuple[str, ...]:
    """Return the method names `family` has on this platform (importing it).

    Raises
    ------
    FamilyNotInstalled
        The family cannot be imported here.
    """
    if family is LOKY:
        _module_of(family)
        return LOKY_NAMES
    module = _module_of(family)
    methods: list[str] = module.get_all_start_methods()
    return tuple(methods)


def context_named(family: Family, method: str) -> object:
    """Return the context of `family` for `method`, one of ``methods_of(family)``.

    Raises
    ------
    FamilyNotInstalled
        The family cannot be imported here.
    """
    module = _module_of(family)
    return module.get_context(method)
