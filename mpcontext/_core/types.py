"""The public types: ``StartMethod``, ``ContextParam``, ``Choice`` and ``Requirement``.

``typing`` is not imported at run time (CONTRIBUTING, "Import cost"):
``ContextParam`` is a PEP 604 union, which needs no ``typing``, and
``StartMethod`` (a ``Literal``) is built on first access.
"""

from __future__ import annotations

from multiprocessing.context import BaseContext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Literal, TypeAlias

    StartMethod: TypeAlias = Literal["fork", "spawn", "forkserver"]
    """A start method name, as ``multiprocessing.get_context`` takes it."""

    ContextParam: TypeAlias = str | BaseContext | None
    """What a parameter that takes a multiprocessing context accepts."""
else:
    ContextParam = str | BaseContext | None

__all__ = ["Choice", "ContextParam", "Requirement", "StartMethod"]


def __getattr__(name: str) -> object:
    if name == "StartMethod":
        from typing import Literal

        start_method = Literal["fork", "spawn", "forkserver"]
        globals()[name] = start_method
        return start_method
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Choice:
    """Which context is in force, and why: what ``current_choice()`` returns.

    A frozen, hashable record: ``explain_context()`` as data, for library
    code that builds something for workers it does not start itself (a lock
    of the right context, say).

    Attributes
    ----------
    context : BaseContext
        The context in force.
    explicit : bool
        Whether someone chose it: an argument, ``using`` or the environment
        variable ``MPCONTEXT_START_METHOD``, also when inherited from an
        outer call; not multiprocessing's default, even one set with
        ``set_start_method``.
    origin : str
        Where it came from, as ``explain_context()`` says it after the
        method name (``"chosen by using('spawn')"``).
    """

    __slots__ = ("_key",)

    _key: tuple[BaseContext, bool, str]

    def __init__(self, context: BaseContext, explicit: bool, origin: str) -> None:
        object.__setattr__(self, "_key", (context, explicit, origin))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Choice is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Choice is frozen: cannot delete {name!r}")

    @property
    def context(self) -> BaseContext:
        """The context in force."""
        return self._key[0]

    @property
    def explicit(self) -> bool:
        """Whether it was chosen by someone rather than multiprocessing's default."""
        return self._key[1]

    @property
    def origin(self) -> str:
        """Where it came from, as ``explain_context()`` says it."""
        return self._key[2]

    def __eq__(self, other: object) -> bool:
        if type(other) is not Choice:
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        context, explicit, origin = self._key
        return f"Choice(context={context!r}, explicit={explicit!r}, origin={origin!r})"


class Requirement:
    """What the registry records of one function or field that starts processes.

    A frozen, hashable record. Two requirements are equal when all their
    attributes are.

    Attributes
    ----------
    module : str
        The ``__module__`` of the function or class.
    qualname : str
        The ``__qualname__`` of the function, or ``Class.attribute`` for a
        field.
    param : str or None
        The name of the parameter (or attribute) that takes the context;
        ``None`` for a function or class registered as taking none, which
        picks its own start method (``registry.register(obj, param=None)``).
    start_methods : frozenset of str or None
        The start methods supported, or ``None`` when any will do.
    reason : str or None
        Why those methods are required, as shown to users.
    kind : str
        ``"function"`` for a function or method, ``"field"`` for a
        ``ContextField``, ``"class"`` for a class registered by hand.
    """

    __slots__ = ("_key",)

    _key: tuple[str, str, str | None, frozenset[str] | None, str | None, str]

    def __init__(
        self,
        module: str,
        qualname: str,
        param: str | None = "mp_context",
        start_methods: Iterable[str] | None = None,
        reason: str | None = None,
        kind: str = "function",
    ) -> None:
        methods = None if start_methods is None else frozenset(start_methods)
        object.__setattr__(self, "_key", (module, qualname, param, methods, reason, kind))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Requirement is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Requirement is frozen: cannot delete {name!r}")

    @property
    def module(self) -> str:
        """The module that defines the function or class."""
        return self._key[0]

    @property
    def qualname(self) -> str:
        """The qualified name within its module."""
        return self._key[1]

    @property
    def param(self) -> str | None:
        """The parameter (or attribute) that takes the context; ``None`` if it takes none."""
        return self._key[2]

    @property
    def start_methods(self) -> frozenset[str] | None:
        """The start methods supported, ``None`` for any."""
        return self._key[3]

    @property
    def reason(self) -> str | None:
        """Why the start methods are required."""
        return self._key[4]

    @property
    def kind(self) -> str:
        """``"function"``, ``"field"`` or ``"class"``."""
        return self._key[5]

    @property
    def name(self) -> str:
        """``module.qualname``, the name users see in messages."""
        return f"{self.module}.{self.qualname}"

    def allows(self, method: str) -> bool:
        """Whether the start method `method` satisfies this requirement."""
        return self.start_methods is None or method in self.start_methods

    def __eq__(self, other: object) -> bool:
        if type(other) is not Requirement:
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        methods = None if self.start_methods is None else sorted(self.start_methods)
        return (
            f"Requirement(module={self.module!r}, qualname={self.qualname!r}, "
            f"param={self.param!r}, start_methods={methods!r}, "
            f"reason={self.reason!r}, kind={self.kind!r})"
        )

    def __reduce__(self) -> tuple[type[Requirement], tuple[object, ...]]:
        return (Requirement, self._key)
