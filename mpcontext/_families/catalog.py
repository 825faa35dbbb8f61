"""The families: the stdlib's multiprocessing and the libraries that stand in for it.

A ``Family`` is a record of facts about one library, checked against the
installed packages by ``tests/test_families.py``: none of it imports the
library.
"""

from __future__ import annotations

__all__ = [
    "BILLIARD",
    "FAMILIES",
    "LOKY",
    "LOKY_NAMES",
    "MULTIPROCESS",
    "STDLIB",
    "Family",
    "parse_name",
]


class Family:
    """One multiprocessing library: how its contexts are named, made and pickled.

    Attributes
    ----------
    name : str
        The family's name, as in ``"multiprocess:spawn"``.
    module : str
        The module that makes its contexts by name (``get_context(method)``).
    install : str
        How to install it, for messages.
    pickles_by_value : bool
        Whether a ``Process`` of this family sends functions and classes by
        value (dill, cloudpickle): lambdas, local and interactive functions
        then reach its children.
    pool_pickles_by_value : bool
        The same for tasks of its ``Pool``.
    primitives : str
        The family whose locks, queues and shared values its children can
        receive as they start: its own, or the stdlib's for loky.
    runs_executor_on : frozenset of str
        The start methods under which ``concurrent.futures.ProcessPoolExecutor``
        runs on its contexts. The executor's call queue is a stdlib queue: a
        child that is sent it pickled (spawn, forkserver) must be the
        stdlib's.
    """

    __slots__ = (
        "install",
        "module",
        "name",
        "pickles_by_value",
        "pool_pickles_by_value",
        "primitives",
        "runs_executor_on",
    )

    def __init__(
        self,
        name: str,
        module: str,
        install: str,
        *,
        pickles_by_value: bool = False,
        pool_pickles_by_value: bool = False,
        primitives: str | None = None,
        runs_executor_on: frozenset[str] = frozenset({"fork", "spawn", "forkserver"}),
    ) -> None:
        self.name = name
        self.module = module
        self.install = install
        self.pickles_by_value = pickles_by_value
        self.pool_pickles_by_value = pool_pickles_by_value
        self.primitives = name if primitives is None else primitives
        self.runs_executor_on = runs_executor_on

    @property
    def is_stdlib(self) -> bool:
        """Whether this is the stdlib's multiprocessing."""
        return self is STDLIB

    def label(self, method: str) -> str:
        """Return how a context of this family with `method` is named: ``"multiprocess:spawn"``."""
        if self is STDLIB or self is LOKY:
            return method
        return f"{self.name}:{method}"

    def __repr__(self) -> str:
        return f"<family {self.name!r}>"


STDLIB = Family("multiprocessing", "multiprocessing", "it is part of Python")

MULTIPROCESS = Family(
    "multiprocess",
    "multiprocess",
    "pip install multiprocess (or mpcontext[multiprocess])",
    pickles_by_value=True,  # dill
    pool_pickles_by_value=True,
    runs_executor_on=frozenset({"fork"}),
)

BILLIARD = Family(
    "billiard",
    "billiard",
    "pip install billiard (or mpcontext[billiard])",
    runs_executor_on=frozenset({"fork"}),
)

# loky's contexts are stdlib contexts whose processes start fresh interpreters
# (spawn) and pickle with cloudpickle; its Pool and queues are the stdlib's.
LOKY = Family(
    "loky",
    "loky.backend.context",
    "pip install loky (or mpcontext[loky])",
    pickles_by_value=True,
    primitives="multiprocessing",
)

FAMILIES: dict[str, Family] = {f.name: f for f in (STDLIB, MULTIPROCESS, BILLIARD, LOKY)}
"""Every family, by name."""

LOKY_NAMES = ("loky", "loky_init_main")
"""loky's start method names, which name its contexts on their own."""

# The families a "FAMILY:METHOD" name may start with (loky's take no method).
COLON_FAMILIES = ("multiprocessing", "multiprocess", "billiard")


def parse_name(name: str) -> tuple[str, str] | None:
    """Split a context name of another family into (family name, method), or ``None``.

    ``"multiprocess:spawn"`` → ``("multiprocess", "spawn")``; ``"loky"`` →
    ``("loky", "loky")``; a plain stdlib name (``"spawn"``) → ``None``. The
    family name is not checked here.
    """
    if name in LOKY_NAMES:
        return "loky", name
    family, colon, method = name.partition(":")
    if not colon:
        return None
    return family, method
