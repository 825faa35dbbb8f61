"""MPC005: calls that fix the global start method."""

import multiprocessing
from multiprocessing import get_context, get_start_method

DEFAULT = multiprocessing.get_context()  # MPC005


def method_in_use():
    return get_start_method()  # MPC005


def method_fixed(allow):
    a = get_start_method(allow_none=False)  # MPC005
    b = get_context(None)  # MPC005
    c = get_start_method(allow_none=True)
    d = multiprocessing.get_start_method(True)
    e = get_start_method(allow_none=allow)
    return a, b, c, d, e
