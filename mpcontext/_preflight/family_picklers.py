"""The picklers of the families that send functions by value: dill's and cloudpickle's.

``multiprocess`` pickles with dill, a loky ``Process`` with cloudpickle; each is
imported only for a journey of theirs. Whether one can send code at all on this
Python is found out once, by pickling a lambda: dill 0.4.1 cannot on Python
3.15 (it reads ``co_lnotab``, which 3.15 removed), and then that family sends
functions by reference only, as the stdlib does.
"""

from __future__ import annotations

import importlib
import io

from .._families.catalog import LOKY, MULTIPROCESS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .._families.catalog import Family

__all__ = ["pickler_of", "sends_code"]

_sends_code: dict[str, bool] = {}


def pickler_of(family: Family) -> type | None:
    """Return the pickler class `family` sends by value with, ``None`` for the stdlib's."""
    if family is MULTIPROCESS:
        dill_based: type = importlib.import_module("multiprocess.reduction").ForkingPickler
        return dill_based
    if family is LOKY:
        reduction = importlib.import_module("loky.backend.reduction")
        cloudpickle_based: type = reduction.get_loky_pickler()
        return cloudpickle_based
    return None


def sends_code(family: Family) -> bool:
    """Whether `family`'s pickler can send a function by value on this Python."""
    try:
        return _sends_code[family.name]
    except KeyError:
        pass
    pickler = pickler_of(family)
    works = pickler is not None
    if pickler is not None:
        try:
            pickler(io.BytesIO()).dump(lambda: None)
        except Exception:  # noqa: BLE001 - whatever it raises, it cannot
            works = False
    _sends_code[family.name] = works
    return works
