"""Other multiprocessing libraries: what each family is, found without importing it.

Libraries do not all start processes with the stdlib's ``multiprocessing``:
``multiprocess`` (dill), ``billiard`` (celery) and loky have contexts of their
own, and torch.multiprocessing hands out the stdlib's. This subsystem knows,
per family, how a name such as ``"multiprocess:spawn"`` or ``"loky"`` becomes
a context, which start method a context of it uses (read, never fixed), how it
pickles what it sends, and whose locks its children can receive::

    "multiprocess:spawn", "loky" ──> catalog.parse_name ──> (Family, method)
    a context object ──────────────> contexts.family_of ──> Family
                                     contexts.method_of ──> "spawn" (loky too)

It is the bottom layer: it imports nothing of mpcontext, and imports a family
only when a value names it; the core turns what it answers into errors.
"""
