"""Executors and pools: library code asks for one; the application chooses what runs it.

``executor()`` gives library code a ``concurrent.futures.Executor`` for a
block, and ``Pool()`` a ``multiprocessing.pool.Pool``. What they are depends
on what the application put in force::

    with executor(max_workers, mp_context=...) as ex:  (library code)
        ├─ nothing injected ──> a ProcessPoolExecutor of the context in
        │                       force, made for the block, shut down with it
        └─ using(executor=E) ──> kinds.workers_of(E): what starts its
                                 workers, checked against the requirement
                              ──> injected.LentExecutor(E): submit/map
                                  pre-flighted for a stdlib pool,
                                  initializer per worker, E left open

    mpcontext.Pool(processes, ...)  (library code)
        ├─ nothing injected ──> a local pool of the context in force
        └─ using(pool=factory) ──> injected_pool.injected_pool(): the
                                   factory's pool, checked against the
                                   requirement; a stdlib one pre-flighted
"""
