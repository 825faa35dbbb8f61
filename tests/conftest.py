"""The project's own tests run under mpcontext's pytest plugin.

Tests asking for the ``mp_context`` fixture run once per start method, and
the guard fails a test that changes or fixes multiprocessing's global start
method (mark one that means to with ``@pytest.mark.allow_global_start_method``).
"""

pytest_plugins = ["mpcontext.pytest_plugin"]
