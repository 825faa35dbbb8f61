"""The global start methods of multiprocess and billiard, which their own starts fix.

Both libraries copy the standard library's spawn preparation as it was
before Python 3.14: starting one of their ``spawn`` or ``forkserver``
children asks their global ``get_start_method()`` in the parent, which fixes
their global start method (to their platform default), on every Python
version and from an explicit context too. Their ``set_start_method()`` then
raises ``RuntimeError`` in every later test. The pytest plugin's guard puts
them back after each test as they were when the tests began, blaming no
test: the fixing is the library's own, on the test's behalf.

Like the standard library's, each one's global functions are methods of one
``DefaultContext`` object, its module's ``_default_context``, whose
``_actual_context`` holds the global start method once fixed. A family that
is not imported has nothing to restore, and is not imported here.
"""

from __future__ import annotations

from .._families.catalog import BILLIARD, MULTIPROCESS
from .._families.contexts import global_context_of, set_global_context_of

__all__ = ["FamilyGlobals"]

_FAMILIES = (MULTIPROCESS, BILLIARD)


class FamilyGlobals:
    """The global start methods of multiprocess and billiard, as they were when taken."""

    __slots__ = ("_saved",)

    def __init__(self) -> None:
        self._saved = {family: global_context_of(family) for family in _FAMILIES}

    def restore(self) -> None:
        """Put each family's global start method back (one imported since: unset)."""
        for family, context in self._saved.items():
            set_global_context_of(family, context)
