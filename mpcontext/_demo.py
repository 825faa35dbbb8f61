"""``python -m mpcontext demo``: a tour of mpcontext on this machine."""

from __future__ import annotations

import multiprocessing

from ._methods import available_start_methods
from ._resolve import current_context, explain_context, resolve_context
from ._scope import using

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._types import ContextParam

__all__ = ["run_demo"]


def _section(title: str) -> None:
    print()
    print(title)
    print("-" * len(title))


def run_demo() -> int:
    """Print the tour; return the exit status."""
    _section("Start methods on this machine")
    print(f"available: {', '.join(available_start_methods())}")
    print(f"in force:  {explain_context()}")

    _section("Resolution")
    for method in available_start_methods():
        context = resolve_context(method)
        print(f"resolve_context({method!r:13}) -> {type(context).__name__}")

    _section("using(): an application chooses for every library at once")
    for method in available_start_methods():
        with using(method):
            print(f"inside using({method!r:13}): {current_context().get_start_method():10}"
                  f" ({explain_context()})")
    print(f"after the blocks: {explain_context()}")
    fixed = multiprocessing.get_start_method(allow_none=True)
    print(f"multiprocessing's global start method is still unset: {fixed is None}")
    _library_function()
    return 0


def _library_function() -> None:
    from ._decorate import accepts_context
    from ._errors import StartMethodError
    from ._registry import registry

    _section("@accepts_context: a library function that requires a start method")

    def train(*, mp_context: ContextParam = None) -> str:
        """Train a model in worker processes."""
        return explain_context()

    train.__module__, train.__qualname__ = "demo", "train"  # as a library would name it
    train = accepts_context(
        requires=("spawn", "forkserver"), reason="its workers need a fresh interpreter"
    )(train)

    print(f"train():                     {train()}")
    for method in available_start_methods():
        try:
            print(f"train(mp_context={method!r:12}): {train(mp_context=method)}")
        except StartMethodError as error:
            print(f"train(mp_context={method!r:12}): StartMethodError: {error}")
    print(f"\nregistered: {registry.lookup(train)}")
    print("\nits docstring, as help() shows it:\n")
    doc = train.__doc__
    print(_indent(doc) if doc else "    (no docstrings under python -OO)")


def _indent(doc: str) -> str:
    lines = doc.expandtabs().splitlines()
    margin = min((len(x) - len(x.lstrip()) for x in lines[1:] if x.strip()), default=0)
    body = [lines[0].strip(), *(line[margin:] for line in lines[1:])]
    return "\n".join(f"    {line}".rstrip() for line in body)
