"""The core: which context is in force, and the names, types and errors all else uses.

Nothing here starts a process. A decorated call or a ``using()`` block puts
a ``Scope`` in force; ``resolve`` answers which context that means::

    the mp_context argument ─┐ (_declare)
    using(), carry() ────────┴──> scope.SCOPE ─┐  one ContextVar: context,
                                               │  executor, requirement
    MPCONTEXT_START_METHOD ──> env.ENV ────────┤
    set_start_method(), platform ──> mp_default┤  read, never fixed
                                               v
                    resolve.context_in_force() -> (context, explicit, origin)

By precedence: the innermost scope, the environment variable, then
multiprocessing's default. ``mp_default`` is the one module that reads and
writes CPython's ``DefaultContext`` internals; ``start_methods`` turns names
into contexts and back, and ``messages`` quotes values for error messages.
"""
