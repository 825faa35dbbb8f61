"""Property-based tests: any value given to a public entry point."""

from __future__ import annotations

import re

import hardening_targets as targets
import pytest

import mpcontext
from mpcontext import check_picklable

METHODS = mpcontext.available_start_methods()


def test_check_picklable_refuses_arguments_of_the_wrong_type_by_name() -> None:
    # Found by test_check_picklable_any_value: a stdlib TypeError naming no
    # value, an AttributeError, and under fork no error at all.
    for method in METHODS:
        with pytest.raises(TypeError, match=r"args must be a tuple or a list, got 5 \(int\)"):
            check_picklable(targets.double, 5, context=method)  # type: ignore[arg-type]
        for kwargs in (5, [("a", 1)], "ab"):
            with pytest.raises(TypeError, match=r"kwargs must be a mapping .*got " + re.escape(repr(kwargs))):
                check_picklable(targets.double, (), kwargs, context=method)  # type: ignore[arg-type]


class BadRepr:
    """A value whose repr raises, as a half-initialized object's may."""

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


HUGE = 10**5000  # its repr raises ValueError on Python 3.11+ (int_max_str_digits)


@pytest.mark.parametrize("value", [BadRepr(), HUGE], ids=["repr-raises", "huge-int"])
def test_a_value_whose_repr_raises_is_named_by_its_type(value: object) -> None:
    # Found by the property tests: the repr's own error replaced the
    # InvalidContextError (or TypeError) the message was being built for.
    with pytest.raises(mpcontext.InvalidContextError, match=type(value).__qualname__):
        mpcontext.resolve_context(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=type(value).__qualname__):
        mpcontext.accepts_context(param=value)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=type(value).__qualname__):
        mpcontext.using(executor=value)  # type: ignore[arg-type]
