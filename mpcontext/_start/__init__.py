"""Starting processes: the stdlib's classes and factories, with the context in force.

Each resolves its context once, when it is made, and keeps the pre-flight's
``Journey`` for that start method; every start then runs inside
``mp_default.preparing()``, so that multiprocessing's global start method is
never fixed::

    Process(target, mp_context=None) ──> processes: the stdlib's class of
        that context, pre-flighted at start()
    ProcessPoolExecutor(max_workers, mp_context) ─┐ process_pool_executor,
    Pool(processes, mp_context=...) ──────────────┤ pools: the stdlib's
                                                  │ subclasses; each task
                                                  │ pre-flighted as queued
    workers started with context_with_mpcontext_process(context)
        └─ startup_watch: workers that die as they start break the pool
           (BrokenPoolError) instead of being replaced for ever
    Queue, Lock, Value, Manager... ──> factories: ctx.Queue() etc. of the
        context in force
    a context of multiprocess or billiard ──> families: its own process
        class and pool, pre-flighted the same way (the executor runs on
        them under fork only)

``compat`` holds what differs between Python versions.
"""
