"""Declaring: a library function or attribute takes its caller's context.

``accepts_context`` and ``ContextField`` check their options once, record a
``Requirement`` in the registry and write the docstring note; at each call
the context given (or in force) is checked against the requirement's rules
and put in force for the body::

    @accepts_context(requires=..., reason=...)
        ├─ requirements.check_options() ──> Requirement ──> registry, notes
        └─ decorate: a wrapper per kind of function (pinning: generators,
           coroutines)

    f(mp_context=X) ──> start_methods.context_from_value(X)
                    ──> Rules: refuse X, or fall back from a default it
                        does not support
                    ──> a Scope in force while the body runs
                        (nested calls inherit it)
"""
