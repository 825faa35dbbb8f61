"""What the pytest plugin needs beyond its hooks.

The guard: every change of multiprocessing's global start method is seen
(``global_watch``), blamed on the test running, and reported with the way
out (``blame``)::

    mp_default.watch() ──> global_watch.Change(call, frame, thread)
                       ──> the test running ──> blame.blame_message()

``family_globals`` keeps the global start methods of multiprocess and
billiard, which their own spawn starts fix, to restore after each test.
``importlib_hint`` explains a child that cannot import a test module's
target under ``--import-mode=importlib``.
"""
