"""MPC003: ProcessPoolExecutor without mp_context."""

import concurrent.futures
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import mpcontext


def fan_out(items):
    with ProcessPoolExecutor() as pool:  # MPC003
        return list(pool.map(abs, items))


def fan_out_with(items, mp_context=None):
    with ProcessPoolExecutor(max_workers=2) as pool:  # MPC003 (fix passes mp_context)
        return list(pool.map(abs, items))


def explicit_none(items):
    with concurrent.futures.ProcessPoolExecutor(2, None) as pool:  # MPC003
        return list(pool.map(abs, items))


@mpcontext.accepts_context(param="ctx")
def decorated(items, *, ctx=None):
    with ProcessPoolExecutor(  # MPC003 (fix passes ctx)
        max_workers=2,
    ) as pool:
        return list(pool.map(abs, items))


def passes_context(items, ctx, options):
    # Each of these passes (or may pass) a context: not flagged.
    a = ProcessPoolExecutor(mp_context=ctx)
    b = ProcessPoolExecutor(2, ctx)
    c = ProcessPoolExecutor(**options)
    d = ThreadPoolExecutor()
    e = mpcontext.ProcessPoolExecutor()
    return a, b, c, d, e


class Executor(ProcessPoolExecutor):
    # Subclassing is not flagged, nor is the call to the base class.
    def __init__(self):
        super().__init__(max_workers=1)
