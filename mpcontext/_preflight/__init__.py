"""The pre-flight: catch in the parent what would kill a spawn or forkserver child.

A child receives its target and arguments pickled and finds functions and
classes again by importing their module by name; a function typed into
the REPL kills it with an error the parent never sees. Before a process
starts or a task is queued, ``check.preflight`` looks at what will be sent,
given the start method and the family (``multiprocess``, loky...) of the
pool or process, which it already knows (its ``Journey``)::

    target, args, kwargs ──────────┐
    Journey(method, pool, family) ─┴──> check.preflight()
        ├─ a pool task of a function the journey found reachable before,
        │  with plain arguments: nothing more to look at
        ├─ shallow: the target and top-level arguments (the default level)
        │     └─ importable: can a child import it by name? (by value, as
        │        dill and cloudpickle send: only what they send by reference)
        │     └─ semlocks: a lock or queue sent where it cannot go (a pool
        │        task, a child of another context or of another family)
        └─ deep: pickle everything with the family's pickler, unpickle
           nothing (MPCONTEXT_PREFLIGHT=full)
    ──> problems.Problem ──> PreflightError, raised from the caller's frame

``check_picklable`` is the public entry; the factories call ``preflight``
with the journey they made once, at construction.
"""
